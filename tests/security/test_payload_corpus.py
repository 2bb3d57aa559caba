"""The payload corpus (tests/security/payloads.py) through every field a
member of staff controls, read back from every surface: public pages,
search highlights, feeds, sitemap, JSON-LD, CSV and JSON exports, admin
changelists and change pages. 0 survivors.

Payloads are packed many to a field (each field holds as many as fit), so
the whole corpus passes through each field with a few dozen objects."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from api import snapshots
from articles.models import ArticleEntityLink, LinkState
from partnerships.models import Alias, Country
from search.indexing import rebuild
from tests.factories import (
    BlocFactory,
    DataIssueFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)
from tests.sharing import shared_content

from .checks import csv_survivors, feed_survivors, html_survivors, json_survivors
from .payloads import MARKDOWN, PAYLOADS, groups

pytestmark = [pytest.mark.django_db, pytest.mark.long(9)]

URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " javascript:alert(1)",
    'https://example.org/"><script>alert(1)</script>',
]


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 150
    assert len(MARKDOWN) >= 20


def _make_corpus() -> dict[str, list]:
    turkiye = Country.objects.get(alpha_2="TR", is_former=False)
    long_groups = groups(250)
    short_groups = groups(95)
    if connection.vendor == "postgresql":
        # PostgreSQL cannot store a NUL at all (forms and imports refuse it).
        long_groups = [text.replace("\x00", "") for text in long_groups]
        short_groups = [text.replace("\x00", "") for text in short_groups]
    made = {
        kind: []
        for kind in (
            "article",
            "partnership",
            "organisation",
            "system",
            "bloc",
            "tag",
            "user",
        )
    }
    for number, text in enumerate(long_groups):
        marker = f"c{number}"
        tag = TagFactory(
            name=f"{marker} {short_groups[number % len(short_groups)]}"[:100],
            slug=f"corpus-tag-{number}",
            description=text,
        )
        author = UserFactory(
            username=f"corpus-author-{number}",
            first_name=text[:150],
            last_name=short_groups[number % len(short_groups)][:150],
            bio=text,
        )
        organisation = OrganisationFactory(
            name=text,
            slug=f"corpus-org-{number}",
            summary=text,
            website=URLS[number % len(URLS)],
        )
        system = SystemFactory(
            name=text,
            slug=f"corpus-system-{number}",
            summary=text,
            makers=[organisation],
        )
        bloc = BlocFactory(
            name=text,
            slug=f"corpus-bloc-{number}",
            official_name=text,
            abbreviation=text[:20],
            summary=text,
            website=URLS[(number + 1) % len(URLS)],
        )
        partnership = PartnershipFactory(
            name=text,
            slug=f"corpus-deal-{number}",
            summary=text,
            series=text[:200],
            location=text,
            latitude=-12.5,
            longitude=-45.25,
            tags=[tag],
            is_featured=number < 6,
        )
        Alias.objects.create(entity=partnership, name=f"{marker} alias {text}"[:255])
        ParticipantFactory(
            partnership=partnership, country=turkiye, role="supplier", note=text
        )
        ParticipantFactory(
            partnership=partnership,
            country=None,
            organisation=organisation,
            role="recipient",
            note=text,
        )
        ParticipantFactory(
            partnership=partnership, country=None, bloc=bloc, role="partner"
        )
        PartnershipSystemFactory(partnership=partnership, system=system, note=text)
        # A dataset's value, kept verbatim: shown to readers as "the source
        # gives …", in the admin's issue list and in the API.
        DataIssueFactory(
            entity=partnership.entity_ptr,
            field="quantity_ordered",
            reason="not_a_number",
            source_value=text,
        )
        SourceFactory(
            partnership=partnership,
            title=text,
            publisher=text,
            url=URLS[number % len(URLS)],
        )
        body = (
            "\n\n".join(text.split(" ¦ ")) + "\n\n" + MARKDOWN[number % len(MARKDOWN)]
        )
        article = PublishedArticleFactory(
            title=text,
            slug=f"corpus-article-{number}",
            standfirst=text,
            body=f"Türkiye and alert. {body}",
            authors=[author],
            tags=[tag],
        )
        for entity in (partnership, organisation, system, bloc):
            ArticleEntityLink.objects.create(
                article=article,
                entity=entity,
                state=LinkState.ACCEPTED,
                snippet=text,
            )
        for kind, obj in (
            ("article", article),
            ("partnership", partnership),
            ("organisation", organisation),
            ("system", system),
            ("bloc", bloc),
            ("tag", tag),
            ("user", author),
        ):
            made[kind].append(obj)
    # The first of each kind carries the whole corpus in its long text fields.
    everything = "\n\n".join(PAYLOADS)
    if connection.vendor == "postgresql":
        everything = everything.replace("\x00", "")
    for kind, fields in (
        ("article", ["standfirst"]),
        ("partnership", ["summary"]),
        ("organisation", ["summary"]),
        ("system", ["summary"]),
        ("bloc", ["summary"]),
        ("tag", ["description"]),
        ("user", ["bio"]),
    ):
        first = made[kind][0]
        for name in fields:
            setattr(first, name, everything)
        first.save()
    # Every Markdown payload, in one body too.
    made["article"].append(
        PublishedArticleFactory(
            title="All the Markdown", slug="corpus-markdown", body="\n\n".join(MARKDOWN)
        )
    )
    rebuild()
    return made


@pytest.fixture(scope="module")
def corpus_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _make_corpus)


@pytest.fixture
def corpus(corpus_shared, db) -> dict[str, list]:
    """Every payload in every staff-controlled field, a few dozen objects of
    each kind, all public and linked to each other: made once for this
    module (its tests only read it), every test's changes rolled back."""
    return corpus_shared


def sample(objects: list) -> list:
    """The first (which holds the whole corpus in its long text fields) and
    every fourth: their names and short fields cover the corpus in turn."""
    return objects[::4]


def _get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_no_payload_survives_on_any_public_surface(client, corpus):
    pages = ["/", "/countries/", "/network/", "/timeline/", "/countries/turkiye/"]
    pages += [f"/articles/?per_page=100&page={n}" for n in (1,)]
    pages += [
        "/partnerships/?per_page=100",
        "/partnerships/?series=" + corpus["partnership"][0].series,
    ]
    # Lists show every object's name; detail pages are read for a sample
    # (the first holds the whole corpus in its long text fields).
    for kind in ("article", "partnership", "organisation", "system", "bloc", "tag"):
        pages += [obj.get_absolute_url() for obj in sample(corpus[kind])]
    pages += [f"/articles/?author={a.username}" for a in corpus["user"][:3]]
    # Every kind's index lists every name.
    pages += [f"/{kind}/?per_page=100" for kind in ("organisations", "systems")]
    pages += ["/blocs/?per_page=100", "/tags/?per_page=100"]
    for term in ("alert", "script", "onerror", "javascript", "svg", "HYPERLINK"):
        for kind in ("", "article", "partnership", "organisation", "system"):
            pages.append(f"/search/?q={term}&type={kind}")
    survivors = {}
    for url in pages:
        found = html_survivors(_get(client, url))
        if found:
            survivors[url] = found
    assert len(pages) > 70

    # Feeds, the sitemap, JSON-LD (on the article pages above) and exports.
    feeds = ["/feeds/articles/"]
    for kind in ("partnership", "organisation", "system", "bloc", "tag"):
        feeds += [f"{obj.get_absolute_url()}feed/" for obj in sample(corpus[kind])]
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        if found := feed_survivors(response.content):
            survivors[url] = found
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    feed_survivors(sitemap.content)  # well-formed XML
    exported_csv = _get(client, "/partnerships/export.csv")
    if found := csv_survivors(exported_csv):
        survivors["export.csv"] = found
    if found := json_survivors(_get(client, "/partnerships/export.json")):
        survivors["export.json"] = found
    assert exported_csv.count("corpus-deal-") == len(corpus["partnership"])
    assert survivors == {}


def test_no_payload_survives_in_the_api_or_its_downloads(
    client, corpus, settings, tmp_path
):
    """Every list, a sample of details, and the bulk snapshot: JSON that
    never carries markup (``<``, ``>``, ``&`` escaped), CSV without
    formulas."""
    answers = {}
    for kind in ("articles", "partnerships", "organisations", "systems", "blocs"):
        answers[f"/api/v1/{kind}/?page_size=100"] = None
    answers["/api/v1/tags/?page_size=100"] = None
    for kind, name in (
        ("article", "articles"),
        ("partnership", "partnerships"),
        ("organisation", "organisations"),
        ("system", "systems"),
        ("bloc", "blocs"),
        ("tag", "tags"),
    ):
        for obj in sample(corpus[kind]):
            answers[f"/api/v1/{name}/{obj.slug}/"] = None
    survivors = {}
    for url in answers:
        response = client.get(url)
        assert response.status_code == 200, url
        if found := json_survivors(response.content.decode()):
            survivors[url] = found
    # The payloads came back whole, as data.
    deal = client.get(f"/api/v1/partnerships/{corpus['partnership'][0].slug}/")
    assert deal.json()["summary"] == corpus["partnership"][0].summary

    settings.MEDIA_ROOT = tmp_path  # the snapshot is written to a throwaway folder
    snapshots.build(force=True)

    def download(url) -> bytes:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        return b"".join(response.streaming_content)

    with zipfile.ZipFile(
        io.BytesIO(download("/api/v1/downloads/latest.zip"))
    ) as zipped:
        for name in zipped.namelist():
            if found := csv_survivors(zipped.read(name).decode()):
                survivors[name] = found
    lines = gzip.decompress(download("/api/v1/downloads/latest.jsonl.gz"))
    # JSON Lines ends each record with "\n" alone (text may hold other line
    # breaks, such as U+0085, as itself).
    for number, line in enumerate(lines.decode().split("\n")[:-1]):
        if found := json_survivors(line):
            survivors[f"jsonl line {number}"] = found
    assert survivors == {}


def test_no_payload_survives_in_admin_changelists_or_change_pages(corpus, superuser):
    client = Client()
    client.force_login(superuser)
    pages = [
        reverse(f"admin:{app}_{model}_changelist") + "?all="
        for app, model in (
            ("articles", "article"),
            ("partnerships", "partnership"),
            ("partnerships", "organisation"),
            ("partnerships", "system"),
            ("partnerships", "bloc"),
            ("partnerships", "tag"),
            ("accounts", "user"),
            ("partnerships", "country"),
            ("datasets", "dataissue"),
        )
    ]
    for kind, app in (
        ("article", "articles"),
        ("partnership", "partnerships"),
        ("organisation", "partnerships"),
        ("system", "partnerships"),
        ("bloc", "partnerships"),
        ("tag", "partnerships"),
        ("user", "accounts"),
    ):
        for obj in sample(corpus[kind]):
            pages.append(reverse(f"admin:{app}_{kind}_change", args=[obj.pk]))
    first = corpus["partnership"][0]
    pages.append(reverse("admin:partnerships_partnership_history", args=[first.pk]))
    pages.append(
        reverse("admin:articles_article_history", args=[corpus["article"][0].pk])
    )
    survivors = {}
    for url in pages:
        if found := html_survivors(_get(client, url)):
            survivors[url] = found
    assert survivors == {}
