"""The sitemap: an index of sections, each in pages of a bounded size, that
together hold every published article and every record, and nothing else."""

import datetime as dt
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return [e.text for e in ElementTree.fromstring(response.content).iter(f"{NS}loc")]


def every_address(client) -> list[str]:
    """Every address in every page of every section the index lists."""
    found = []
    for section in locations(client.get("/sitemap.xml")):
        found.extend(locations(client.get(section.removeprefix("http://testserver"))))
    return found


@pytest.fixture
def small_pages(settings):
    settings.COOPSITE_SITEMAP_SIZE = 3


def test_the_index_lists_each_section_and_each_page_of_a_long_one(client, small_pages):
    PublishedArticleFactory.create_batch(7)
    index = locations(client.get("/sitemap.xml"))
    articles = [url for url in index if "sitemap-articles.xml" in url]
    assert articles == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    assert "http://testserver/sitemap-countries.xml?p=2" in index
    assert "http://testserver/sitemap-pages.xml" in index


def test_every_published_article_is_in_exactly_one_page_and_no_other_is(
    client, small_pages
):
    published = PublishedArticleFactory.create_batch(8)
    ArticleFactory.create_batch(2)  # drafts
    PublishedArticleFactory(published_at=timezone.now() + dt.timedelta(days=1))
    addresses = every_address(client)
    article_addresses = [url for url in addresses if "/articles/" in url]
    expected = [f"http://testserver{a.get_absolute_url()}" for a in published]
    assert sorted(article_addresses) == sorted(
        [*expected, "http://testserver/articles/"]
    )
    assert len(set(addresses)) == len(addresses)


def test_pages_past_the_last_answer_404_and_a_bad_page_too(client, small_pages):
    PublishedArticleFactory.create_batch(4)
    assert client.get("/sitemap-articles.xml?p=2").status_code == 200
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_pages_are_full_in_key_order_with_drafts_between_the_published(
    client, small_pages
):
    articles = []
    for n in range(8):
        articles.append(PublishedArticleFactory())
        if n % 3 == 0:
            ArticleFactory()  # a draft between them
    articles[4].status = "draft"
    articles[4].save()
    shown = [a for a in articles if a is not articles[4]]
    pages = [
        locations(client.get(f"/sitemap-articles.xml?p={number}"))
        for number in (1, 2, 3)
    ]
    expected = [f"http://testserver{a.get_absolute_url()}" for a in shown]
    assert pages == [expected[0:3], expected[3:6], expected[6:7]]
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404


def test_a_page_keeps_its_addresses_when_newer_articles_are_published(
    client, small_pages
):
    PublishedArticleFactory.create_batch(3)
    first = locations(client.get("/sitemap-articles.xml"))
    PublishedArticleFactory.create_batch(2)
    assert locations(client.get("/sitemap-articles.xml")) == first


def test_lastmod_comes_from_the_records_and_the_index_gives_each_sections_latest(
    client,
):
    tag = TagFactory()
    article = PublishedArticleFactory()
    stamp = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    Article.objects.filter(pk=article.pk).update(
        updated_at=stamp, published_at=stamp - dt.timedelta(days=1)
    )
    type(tag).objects.filter(pk=tag.pk).update(updated_at=stamp)
    page = ElementTree.fromstring(client.get("/sitemap-articles.xml").content)
    assert [e.text for e in page.iter(f"{NS}lastmod")] == ["2024-05-06"]
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    lastmods = {
        entry.find(f"{NS}loc").text: entry.find(f"{NS}lastmod").text
        for entry in index.iter(f"{NS}sitemap")
        if entry.find(f"{NS}lastmod") is not None
    }
    assert lastmods["http://testserver/sitemap-articles.xml"].startswith("2024-05-06")
    assert lastmods["http://testserver/sitemap-tags.xml"].startswith("2024-05-06")


def test_the_index_takes_one_query_per_section_however_many_pages(
    client, small_pages, django_assert_num_queries
):
    PublishedArticleFactory.create_batch(10)
    PartnershipFactory.create_batch(5)
    # Articles, partnerships, countries, organisations, systems, blocs, tags:
    # each one count-and-latest; the fixed pages none.
    with django_assert_num_queries(7):
        client.get("/sitemap.xml")


def test_a_section_page_takes_two_queries_and_reads_no_article_text(
    client, small_pages, django_assert_num_queries
):
    PublishedArticleFactory.create_batch(10)
    with django_assert_num_queries(2) as captured:
        client.get("/sitemap-articles.xml?p=2")
    page_query = captured.captured_queries[-1]["sql"]
    # Read from the key the page starts at, not past the pages before it.
    assert "OFFSET" not in page_query
    assert '"body"' not in page_query
    assert '"standfirst"' not in page_query


def test_a_section_page_is_written_exactly_as_djangos_own_template_writes_it():
    urls = [
        {
            "location": "http://testserver/tags/a&b'<c>\"/",
            # 23:30 UTC is the next day in Auckland, the day lastmod gives.
            "lastmod": dt.datetime(2024, 5, 6, 23, 30, tzinfo=dt.UTC),
            "changefreq": "weekly",
            "priority": "0.5",
            "alternates": [{"lang_code": "fr", "location": "http://x/fr/?a=1&b=2"}],
        },
        {
            "location": "http://testserver/pages/",
            "lastmod": dt.date(2023, 1, 2),
            "changefreq": None,
            "priority": "",
            "alternates": [],
        },
        {
            "location": "http://testserver/",
            "lastmod": None,
            "changefreq": "daily",
            "priority": "0.6",
            "alternates": [],
        },
    ]
    with timezone.override("Pacific/Auckland"):
        ours = render_to_string("sitemap_section.xml", {"urlset": urls})
        djangos = render_to_string("sitemap.xml", {"urlset": urls})
    assert "<lastmod>2024-05-07</lastmod>" in ours
    assert "a&amp;b&#x27;&lt;c&gt;&quot;" in ours
    assert ours.strip() == djangos.strip()


def test_with_counts_kept_the_index_is_summed_once_per_version_and_a_publish_shows(
    client, commit, kept_counts, small_pages
):
    with commit():
        PublishedArticleFactory.create_batch(3)
    assert len(locations(client.get("/sitemap.xml"))) > 1
    with CaptureQueriesContext(connection) as captured:
        index = locations(client.get("/sitemap.xml"))
    # The version's one read, at most: no section is summed up again.
    assert len(captured) <= 1
    assert "http://testserver/sitemap-articles.xml?p=2" not in index
    with commit():
        added = PublishedArticleFactory()
    index = locations(client.get("/sitemap.xml"))
    assert "http://testserver/sitemap-articles.xml?p=2" in index
    assert f"http://testserver{added.get_absolute_url()}" in locations(
        client.get("/sitemap-articles.xml?p=2")
    )
