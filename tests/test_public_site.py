"""The public site on the demo content: every path, feeds, sitemap, robots,
canonical URLs, OpenGraph and JSON-LD; nothing unpublished anywhere; the
network drawn from the demo's records; the lists' filter forms as Django's
templates write them; the bulk download holding every record.

The demo is loaded once for this module's tests (tests/conftest.py), so
tests that read it live here rather than each loading it again in their
own module."""

import gzip
import json
import re
from io import StringIO
from xml.etree import ElementTree

import feedparser
import pytest
from django import forms
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, ArticleEntityLink, ArticleStatus
from coopsite.widgets import OptionListSelect
from datasets.models import DataIssue, IssueStatus
from partnerships.models import (
    Alias,
    Bloc,
    BlocMembership,
    Country,
    ExternalIdentifier,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    Source,
    System,
    Tag,
)
from tests.api.test_snapshots import download, read_csv_tables

pytestmark = pytest.mark.django_db

PATHS = [
    "/",
    "/articles/",
    "/articles/how-the-tb2-redrew-the-map-of-drone-exports/",
    "/partnerships/",
    "/partnerships/bayraktar-tb2-poland/",
    "/countries/",
    "/countries/turkiye/",
    "/organisations/baykar/",
    "/systems/bayraktar-tb2/",
    "/blocs/nato/",
    "/tags/uncrewed-systems/",
    "/search/?q=drone",
    "/network/",
    "/timeline/",
    "/feeds/articles/",
    "/countries/turkiye/feed/",
    "/organisations/baykar/feed/",
    "/systems/bayraktar-tb2/feed/",
    "/blocs/nato/feed/",
    "/partnerships/efes-2022/feed/",
    "/tags/uncrewed-systems/feed/",
    "/partnerships/export.csv",
    "/partnerships/export.json",
    "/sitemap.xml",
    "/robots.txt",
]

UNPUBLISHED_TITLES = (
    "Air Defence at Home",  # in review
    "The CN-235 and Indonesia",  # draft
    "The K9 and Poland",  # scheduled for next week
)


@pytest.mark.parametrize("path", PATHS)
def test_every_public_path_answers_and_shows_nothing_unpublished(client, demo, path):
    response = client.get(path)
    assert response.status_code == 200
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    text = content.decode()
    assert text.strip()
    for title in UNPUBLISHED_TITLES:
        assert title not in text


@pytest.mark.parametrize(
    "path", [p for p in PATHS if p.endswith("/feed/") or p == "/feeds/articles/"]
)
def test_feeds_are_valid_atom_with_only_published_articles(client, demo, path):
    feed = feedparser.parse(client.get(path).content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    published = set(Article.objects.published().values_list("title", flat=True))
    titles = {entry.title for entry in feed.entries}
    assert titles <= published
    assert titles  # the demo links every one of these to a published article
    for entry in feed.entries:
        assert entry.link.startswith("http://testserver/articles/")
        assert entry.published


def test_the_articles_feed_lists_newest_first_with_authors_and_topics(client, demo):
    feed = feedparser.parse(client.get("/feeds/articles/").content)
    assert feed.entries[0].title == "How the TB2 Redrew the Map of Drone Exports"
    assert feed.entries[0].author == "Leyla Aydın"
    assert [tag.term for tag in feed.entries[0].tags] == ["Uncrewed systems"]
    dates = [entry.published_parsed for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_the_sitemap_lists_published_articles_and_records_only(client, demo):
    def loc(path):
        return [
            element.text
            for element in ElementTree.fromstring(client.get(path).content).iter(
                "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
            )
        ]

    sections = loc("/sitemap.xml")
    locations = {
        url
        for section in sections
        for url in loc(section.removeprefix("http://testserver"))
    }
    for article in Article.objects.all():
        url = f"http://testserver{article.get_absolute_url()}"
        assert (url in locations) == article.is_public, article.title
    assert "http://testserver/countries/turkiye/" in locations
    assert "http://testserver/partnerships/bayraktar-tb2-poland/" in locations
    assert "http://testserver/network/" in locations


def test_pages_have_a_canonical_url_and_opengraph_tags(client, demo):
    page = client.get("/partnerships/bayraktar-tb2-poland/?page=1").content.decode()
    assert (
        '<link rel="canonical" href="http://testserver/partnerships/bayraktar-tb2-poland/">'
        in page
    )
    assert '<meta property="og:title" content="Bayraktar TB2 sale to Poland">' in page
    assert '<meta property="og:type" content="website">' in page


def test_an_article_has_newsarticle_json_ld_with_its_mentions(client, demo):
    page = client.get(
        "/articles/pakistan-and-turkiye-from-corvettes-to-combat-jets/"
    ).content.decode()
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="article:author" content="Omar Siddiqui">' in page
    block = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S
    )
    data = json.loads(block.group(1))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Pakistan and Türkiye: From Corvettes to Combat Jets"
    assert {a["name"] for a in data["author"]} == {"Leyla Aydın", "Omar Siddiqui"}
    mentions = {(m["@type"], m["name"]) for m in data["mentions"]}
    assert ("Country", "Pakistan") in mentions
    assert ("Organization", "Karachi Shipyard & Engineering Works") in mentions
    assert ("Product", "KAAN") in mentions
    assert all(m["url"].startswith("http://testserver/") for m in data["mentions"])


def test_the_home_page_shows_counts_latest_and_featured(client, demo):
    response = client.get(reverse("home"))
    counts = response.context["counts"]
    assert counts["articles"] == Article.objects.published().count() == 8
    assert counts["partnerships"] == 29
    page = response.content.decode()
    assert page.count('<article class="card') == 7
    assert response.context["partnerships_shown"] >= 1
    assert 'href="/partnerships/bayraktar-tb2-poland/"' in page


def test_a_scheduled_article_appears_by_itself_when_its_time_comes(client, demo):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    scheduled = Article.objects.get(slug="the-k9-and-polands-rearmament")
    assert scheduled.status == ArticleStatus.PUBLISHED
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert client.get(scheduled.get_absolute_url()).status_code == 200
        assert "The K9 and Poland" in client.get("/articles/").content.decode()
        assert "The K9 and Poland" in client.get("/feeds/articles/").content.decode()
        found = client.get("/search/?q=rearmament").content.decode()
        assert scheduled.get_absolute_url() in found


# --- The network, drawn from the demo's records ---------------------------------


def test_the_demo_network_is_drawn_from_the_demo_records(client, demo):
    # The demo writes its participants in bulk: the network's table follows.
    network = client.get("/network/", {"year_from": "", "year_to": ""}).context[
        "network"
    ]
    assert network.partnership_count >= 20
    assert {"Türkiye", "Poland", "United Arab Emirates"} <= {
        n.name for n in network.countries
    }
    assert network.layouts[0].labelled == len(network.layouts[0].nodes)


# --- The lists' filter forms ------------------------------------------------------
# With their choices written in Python (``coopsite.widgets.OptionListSelect``),
# they are the very pages Django's form templates made: same markup for
# readers and assistive technology.


@pytest.mark.parametrize(
    "path",
    [
        "/partnerships/",
        "/partnerships/?kind=export&country=poland&sort=name",
        "/partnerships/?country=nowhere&year_from=abc",
        "/articles/?tag=drones&sort=oldest",
        "/countries/?region=Europe",
        "/organisations/",
    ],
)
def test_the_lists_filter_forms_are_the_markup_djangos_templates_write(
    client, demo, monkeypatch, path
):
    response = client.get(path)
    widgets = [
        field.widget for field in response.context["filterset"].form.fields.values()
    ]
    assert any(isinstance(widget, OptionListSelect) for widget in widgets)
    written = response.content.decode()
    monkeypatch.setattr(OptionListSelect, "render", forms.Select.render)
    by_templates = client.get(path).content.decode()
    assert "<select" in written
    assert _without_nonces(written) == _without_nonces(by_templates)


def _without_nonces(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


# --- The bulk download, read back with the csv module ------------------------
# Every record of the demo content, in the database's numbers.


def database_counts():
    published = Article.objects.published()
    return {
        "countries": Country.objects.count(),
        "blocs": Bloc.objects.count(),
        "bloc_memberships": BlocMembership.objects.count(),
        "organisations": Organisation.objects.count(),
        "systems": System.objects.count(),
        "system_makers": System.makers.through.objects.count(),
        "partnerships": Partnership.objects.count(),
        "participants": Participant.objects.count(),
        "partnership_systems": PartnershipSystem.objects.count(),
        "sources": Source.objects.count(),
        "tags": Tag.objects.count(),
        "partnership_tags": Partnership.tags.through.objects.count(),
        "aliases": Alias.objects.count(),
        "external_ids": ExternalIdentifier.objects.count(),
        "articles": published.count(),
        "article_authors": Article.authors.through.objects.filter(
            article__in=published
        ).count(),
        "article_tags": Article.tags.through.objects.filter(
            article__in=published
        ).count(),
        "article_links": ArticleEntityLink.objects.accepted()
        .filter(article__in=published)
        .count(),
        "data_issues": DataIssue.objects.exclude(status=IssueStatus.GONE).count(),
    }


def test_the_snapshot_holds_every_record_in_the_databases_numbers(
    client, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"  # the snapshot's files, its own
    call_command("build_snapshot", stdout=StringIO())
    tables = read_csv_tables(client)
    counts = database_counts()
    assert {name: len(rows) for name, rows in tables.items()} == counts
    assert counts["partnerships"] > 20
    assert counts["articles"] > 3
    ids = {int(row["id"]) for row in tables["partnerships"]}
    assert ids == set(Partnership.objects.values_list("pk", flat=True))
    deal = Partnership.objects.filter(start_date__isnull=False).first()
    row = next(row for row in tables["partnerships"] if row["id"] == str(deal.pk))
    assert row["start_date"] == deal.start_date.isoformat()
    assert row["start_precision"] == deal.start_precision
    assert row["path"] == deal.get_absolute_url()
    line = PartnershipSystem.objects.exclude(delivery_years=[]).first()
    row = next(r for r in tables["partnership_systems"] if r["id"] == str(line.pk))
    assert row["delivery_years"] == ";".join(map(str, sorted(line.delivery_years)))

    lines = gzip.decompress(download(client, "/api/v1/downloads/latest.jsonl.gz"))
    records_by_table: dict[str, int] = {}
    for text in lines.decode().splitlines():
        record = json.loads(text)
        records_by_table[record["table"]] = records_by_table.get(record["table"], 0) + 1
    assert records_by_table == {name: n for name, n in counts.items() if n}
