"""A list's rows are rendered once per version of the data and kept
(FacetedListMixin.results): the next reader of the same page runs no query
for them, and nothing a reader should not see, or should already see, is
ever answered from them."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services
from partnerships.models import DatePrecision
from tests.cache_calls import record_writes
from tests.factories import (
    ArticleEntityLinkFactory,
    ArticleFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

CARD = '<article class="card'


@pytest.fixture
def essays(commit):
    with commit():
        for n in range(3):
            PublishedArticleFactory(title=f"Essay {n} on drones")


def test_the_next_reader_gets_the_same_rows_without_a_query_for_them(
    client, essays, kept_counts, django_assert_num_queries
):
    first = client.get("/articles/", {"sort": "title"})
    with django_assert_num_queries(0):
        again = client.get("/articles/", {"sort": "title"})
    assert again.content == first.content
    assert again.content.decode().count(CARD) == 3
    # Another order is other rows.
    other = client.get("/articles/", {"sort": "-title"}).content.decode()
    assert other.index("Essay 2") < other.index("Essay 0")


def test_a_publish_is_in_the_rows_on_the_next_request(
    client, essays, kept_counts, commit
):
    client.get("/articles/")
    with commit():
        PublishedArticleFactory(title="Published just now")
    assert "Published just now" in client.get("/articles/").content.decode()


def test_a_draft_never_reaches_the_kept_rows(
    client, essays, kept_counts, commit, monkeypatch
):
    written = record_writes(kept_counts, monkeypatch)
    with commit():
        ArticleFactory(title="A draft on drones")
        ArticleFactory(title="Under review", status="review")
    page = client.get("/articles/").content.decode()
    assert "Essay 0 on drones" in page
    assert "A draft on drones" not in page
    assert "Under review" not in page
    assert any(CARD in str(value) for value in written)
    assert not any("A draft" in str(value) for value in written)


def test_a_scheduled_article_is_in_the_rows_when_its_time_comes(
    client, essays, kept_counts, commit, editor
):
    due = timezone.now() + dt.timedelta(hours=2)
    with commit():
        services.article_publish(
            article=ArticleFactory(title="Due at noon", authors=[editor]),
            user=editor,
            when=due,
        )
    with time_machine.travel(due - dt.timedelta(seconds=1), tick=False):
        assert "Due at noon" not in client.get("/articles/").content.decode()
        assert "Due at noon" not in client.get("/articles/").content.decode()
    # Nothing saved in between: the version moves with the clock.
    with time_machine.travel(due + dt.timedelta(seconds=1), tick=False):
        assert "Due at noon" in client.get("/articles/").content.decode()


def test_a_partnerships_status_moves_at_midnight_with_nothing_saved(
    client, kept_counts, commit, country
):
    today = timezone.localdate()
    with commit():
        deal = PartnershipFactory(
            name="Joint frigate programme",
            status="active",
            end_date=today,
            end_precision=DatePrecision.DAY,
        )
        ParticipantFactory(partnership=deal, country=country("PL"))

    def row() -> str:
        page = client.get("/partnerships/").content.decode()
        start = page.index("Joint frigate programme")
        return page[start : page.index("</li>", start)]

    assert "Active" in row()
    assert "Active" in row()  # kept
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        assert "Completed" in row()


def test_parameters_no_filter_reads_share_the_rows(
    client, essays, kept_counts, django_assert_num_queries
):
    client.get("/articles/")
    with django_assert_num_queries(0):
        response = client.get("/articles/", {"utm_source": "newsletter"})
    assert response.content.decode().count(CARD) == 3


def test_a_refused_filter_shows_no_rows_and_keeps_none(
    client, essays, kept_counts, monkeypatch
):
    written = record_writes(kept_counts, monkeypatch)
    for _ in range(2):
        response = client.get("/articles/", {"published_after": "not a date"})
        assert response.context["filterset"].form.errors
        page = response.content.decode()
        assert "No articles shown until the filters are corrected" in page
        assert CARD not in page
    assert not any(CARD in str(value) for value in written)


def test_rows_with_expiring_picture_addresses_are_made_for_each_reader(
    client, essays, kept_counts, settings, django_assert_num_queries
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"querystring_auth": True},
        },
    }
    client.get("/articles/")
    # The page of articles and their authors, asked again.
    with django_assert_num_queries(2):
        response = client.get("/articles/")
    assert response.content.decode().count(CARD) == 3


@pytest.mark.parametrize("path", ["/countries/", "/systems/", "/tags/"])
def test_a_record_index_keeps_its_rows_and_shows_a_new_count(
    client, kept_counts, commit, country, path, django_assert_num_queries
):
    with commit():
        deal = PartnershipFactory(name="First deal", tags=[TagFactory(name="Navies")])
        ParticipantFactory(partnership=deal, country=country("PL"))
        PartnershipSystemFactory(partnership=deal, system=SystemFactory(name="Piorun"))
    first = client.get(path)
    assert "1 partnership<" in first.content.decode()
    with django_assert_num_queries(0):
        assert client.get(path).content == first.content
    if path == "/countries/":
        with commit():
            ParticipantFactory(
                partnership=PartnershipFactory(name="Second"), country=country("PL")
            )
        assert "2 partnerships<" in client.get(path).content.decode()


@pytest.fixture
def poland_page(commit, country):
    """Poland's page, with a partnership and an article on it."""
    poland = country("PL")
    with commit():
        deal = PartnershipFactory(name="Piorun for Poland")
        ParticipantFactory(partnership=deal, country=poland, role="recipient")
        article = PublishedArticleFactory(title="Poland rearms")
        ArticleEntityLinkFactory(article=article, entity=poland)
    return poland


def tables(captured) -> set[str]:
    return {
        table
        for query in captured
        for table in ("partnerships_partnership", "articles_article")
        if f'FROM "{table}"' in query["sql"]
    }


def test_a_record_pages_partnerships_and_articles_are_kept_for_the_version(
    client, kept_counts, poland_page
):
    url = poland_page.get_absolute_url()
    with CaptureQueriesContext(connection) as made:
        first = client.get(url)
    assert tables(made) == {"partnerships_partnership", "articles_article"}
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url)
    assert again.content == first.content
    # The record itself, its memberships and names: none of its
    # partnerships, participants, articles or authors.
    assert tables(kept) == set()
    assert (len(made), len(kept)) == (11, 3)
    page = again.content.decode()
    assert "Piorun for Poland" in page
    assert "Poland rearms" in page


def test_a_record_page_shows_a_new_partnership_and_article_on_the_next_request(
    client, kept_counts, poland_page, commit
):
    url = poland_page.get_absolute_url()
    client.get(url)
    with commit():
        ParticipantFactory(
            partnership=PartnershipFactory(name="Second deal"), country=poland_page
        )
        ArticleEntityLinkFactory(
            article=PublishedArticleFactory(title="A second essay"), entity=poland_page
        )
        ArticleEntityLinkFactory(
            article=ArticleFactory(title="A draft essay"), entity=poland_page
        )
    page = client.get(url).content.decode()
    assert "Second deal" in page
    assert "A second essay" in page
    assert "A draft essay" not in page


def test_a_record_pages_cards_with_expiring_pictures_are_made_each_time(
    client, kept_counts, poland_page, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {"querystring_auth": True},
        },
    }
    url = poland_page.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as again:
        assert "Poland rearms" in client.get(url).content.decode()
    assert tables(again) == {"articles_article"}


@pytest.fixture
def searchable(commit):
    with commit():
        for n in range(25):
            PublishedArticleFactory(
                title=f"Corvettes {n:02}", body=f"On corvette programme {n}."
            )


def test_a_page_of_search_results_is_kept_for_the_version(
    client, kept_counts, searchable
):
    with CaptureQueriesContext(connection) as made:
        first = client.get("/search/", {"q": "corvettes"})
    with CaptureQueriesContext(connection) as kept:
        again = client.get("/search/", {"q": "corvettes"})
    assert again.content == first.content
    assert again.content.decode().count("<h3><a") == 20
    # Nothing ranked, highlighted or read again: the page asks only whether
    # the names it may mention changed (the mention detector's version).
    assert len(made) > 2
    assert [query["sql"] for query in kept] == [
        query["sql"] for query in made if "mentionindex" in query["sql"]
    ]
    second = client.get("/search/", {"q": "corvettes", "page": 2}).content.decode()
    assert second.count("<h3><a") == 5


def test_search_results_show_a_publish_on_the_next_request_and_never_a_draft(
    client, kept_counts, searchable, commit
):
    client.get("/search/", {"q": "frigates"})
    with commit():
        PublishedArticleFactory(title="Frigates for Norway", body="Frigates.")
        ArticleFactory(title="Frigates in draft", body="Frigates.")
    page = client.get("/search/", {"q": "frigates"}).content.decode()
    assert "</mark> for Norway" in page
    assert "</mark> in draft" not in page
    assert "in draft" not in page


@pytest.mark.parametrize(
    ("path", "chosen"),
    [("/timeline/", ("country", "poland")), ("/network/", ("kind", "export"))],
)
def test_a_pictures_filters_are_kept_for_the_version(
    client, kept_counts, poland_page, path, chosen, monkeypatch
):
    name, value = chosen
    written = record_writes(kept_counts, monkeypatch)
    with CaptureQueriesContext(connection) as made:
        first = client.get(path, {name: value})
    fields = [value for value in written if 'class="field"' in str(value)]
    assert len(fields) == 1
    assert f'value="{value}" selected' in fields[0]
    with CaptureQueriesContext(connection) as kept:
        again = client.get(path, {name: value})
    assert again.content == first.content
    # The choices are not read again (a country chosen is still looked up).
    assert len(kept) < len(made)
    countries = [q["sql"] for q in kept if 'FROM "partnerships_country"' in q["sql"]]
    assert all('"slug" = ' in sql for sql in countries)
    # A refused choice is shown with the reader's value, and not kept.
    refused = client.get(path, {"year_from": "<b>soon</b>"})
    assert "&lt;b&gt;soon&lt;/b&gt;" in refused.content.decode()
    assert not any("soon" in str(value) for value in written)


def test_the_home_page_shows_a_publish_and_a_newly_featured_partnership_next(
    client, kept_counts, essays, commit
):
    client.get("/")
    client.get("/")
    with commit():
        PublishedArticleFactory(title="Just published")
        ArticleFactory(title="Still a draft")
        PartnershipFactory(name="Featured today", is_featured=True)
    page = client.get("/").content.decode()
    assert "Just published" in page
    assert "Featured today" in page
    assert "Still a draft" not in page


def test_a_partnerships_page_keeps_its_sections_for_the_version(
    client, kept_counts, commit, country
):
    with commit():
        deal = PartnershipFactory(
            name="Piorun sale", tags=[TagFactory(name="Air defence")]
        )
        ParticipantFactory(partnership=deal, country=country("PL"), role="recipient")
        PartnershipSystemFactory(partnership=deal, system=SystemFactory(name="Piorun"))
        SourceFactory(partnership=deal, title="Ministry statement")
    url = deal.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url)
    assert again.content == first.content
    read = " ".join(q["sql"] for q in kept)
    for table in ("participant", "partnershipsystem", "source", "partnership_tags"):
        assert f'FROM "partnerships_{table}"' not in read, table
    with commit():
        ParticipantFactory(partnership=deal, country=country("TR"), role="supplier")
        SourceFactory(partnership=deal, title="Maker's release")
    page = client.get(url).content.decode()
    assert "Türkiye" in page
    assert "Maker&#x27;s release" in page
