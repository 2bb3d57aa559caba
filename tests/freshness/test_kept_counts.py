"""Facet counts and the home page's figures are counted once per version of
the data (freshness.versions.kept_for_version), whichever app process asks,
and a committed change is in them on the next request."""

from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.filters import ArticleFilter
from articles.models import ArticleEntityLink, LinkState
from partnerships.filters import PartnershipFilter
from tests.cache_calls import count_round_trips
from tests.factories import (
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(country, commit):
    def article(title, *entities, tags=()):
        article = PublishedArticleFactory(title=title, tags=list(tags))
        for entity in entities:
            ArticleEntityLink.objects.create(
                article=article, entity=entity, state=LinkState.ACCEPTED
            )
        return article

    drones = TagFactory(name="Drones", slug="drones")
    with commit():
        article("Drones for Poland", country("PL"), tags=[drones])
        article("Poland and Türkiye", country("PL"), country("TR"))
    return article


def queries(client, path, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return response, len(captured)


def facet_queries(filterset_class) -> int:
    """The queries (and kept values) of a list's facets, none chosen: one
    for each group counted together, one for each other facet."""
    grouped = {name for names in filterset_class.facet_groups for name in names}
    alone = [name for name in filterset_class.facets if name not in grouped]
    return len(filterset_class.facet_groups) + len(alone)


def choices(response, name):
    return dict(response.context["filterset"].form.fields[name].widget.choices)


def test_facet_counts_are_counted_once_per_version(client, linked, kept_counts):
    first, made = queries(client, "/articles/")
    again, kept = queries(client, "/articles/")
    # Each facet's count, the list's own count, the data version's one read
    # and the page's rows (the articles, their authors) are not repeated.
    assert made == facet_queries(ArticleFilter) + 1 + 1 + 2
    assert kept == 0
    assert again.content == first.content
    assert choices(again, "country") == choices(first, "country")
    assert choices(again, "country")["poland"] == "Poland (2)"


def test_each_filter_set_has_counts_of_its_own(client, linked, kept_counts):
    everything, _ = queries(client, "/articles/")
    drones, _ = queries(client, "/articles/", tag="drones")
    assert choices(everything, "country")["poland"] == "Poland (2)"
    assert choices(everything, "country")["turkiye"] == "Türkiye (1)"
    assert choices(drones, "country")["poland"] == "Poland (1)"
    assert "turkiye" not in choices(drones, "country")
    # A facet's own choice does not split its counts.
    poland, _ = queries(client, "/articles/", country="poland")
    assert choices(poland, "country")["turkiye"] == "Türkiye (1)"


def test_a_committed_change_is_counted_on_the_next_request(
    client, country, linked, commit, kept_counts
):
    assert choices(client.get("/articles/"), "country")["poland"] == "Poland (2)"
    with commit():
        linked("A third on Poland", country("PL"))
    assert choices(client.get("/articles/"), "country")["poland"] == "Poland (3)"


def test_partnership_facets_follow_a_new_record(client, country, commit, kept_counts):
    with commit():
        deal = PartnershipFactory(name="TB2 to Poland", kind="export")
        ParticipantFactory(partnership=deal, country=country("PL"), role="recipient")
    first, made = queries(client, "/partnerships/")
    assert choices(first, "kind")["export"] == "Export or sale (1)"
    again, kept = queries(client, "/partnerships/")
    # The facets, the list's count, the version, and the rows with their
    # participants: none asked again.
    assert made == len(PartnershipFilter.facets) + 1 + 1 + 2
    assert kept == 0
    assert again.content == first.content
    with commit():
        PartnershipFactory(name="Second export", kind="export")
    assert (
        choices(client.get("/partnerships/"), "kind")["export"] == "Export or sale (2)"
    )


def test_home_figures_are_counted_once_per_version(client, linked, commit, kept_counts):
    first, made = queries(client, "/")
    assert first.context["counts"]["articles"] == 2
    again, kept = queries(client, "/")
    # The figures, the version's read, and the latest articles (with their
    # authors) and featured partnerships, kept rendered: none asked again.
    assert made == len(first.context["counts"]) + 1 + 3
    assert kept == 0
    assert again.content == first.content
    with commit():
        linked("One more")
    assert client.get("/").context["counts"]["articles"] == 3


def test_a_facet_lists_the_choices_with_most_results_and_the_one_chosen(
    client, linked, kept_counts, monkeypatch
):
    from coopsite import filtering
    from tests.factories import OrganisationFactory

    makers = [
        OrganisationFactory(name=f"Maker {n}", slug=f"maker-{n}") for n in range(4)
    ]
    linked("Two makers", makers[2], makers[3])
    linked("One maker", makers[3])
    linked("Another", makers[0])
    monkeypatch.setattr(filtering, "FACET_CHOICES_MAX", 2)
    listed = choices(client.get("/articles/"), "organisation")
    # The two with most articles (a tie goes to the first), in the facet's
    # own, alphabetical, order.
    assert list(listed) == ["", "maker-0", "maker-3"]
    assert listed["maker-3"] == "Maker 3 (2)"
    # A choice past the first two, once chosen, is listed with its count.
    chosen = choices(
        client.get("/articles/", {"organisation": "maker-2"}), "organisation"
    )
    assert list(chosen) == ["", "maker-0", "maker-2", "maker-3"]
    assert chosen["maker-2"] == "Maker 2 (1)"


def test_every_country_with_results_is_a_choice_however_many(
    client, country, monkeypatch
):
    """Countries are bounded by the world, not by the data: past the most
    any facet lists, none with results is left out (twelve of 112 were,
    each with as many partnerships as others shown)."""
    from coopsite import filtering
    from tests.factories import ParticipantFactory, PartnershipFactory

    monkeypatch.setattr(filtering, "FACET_CHOICES_MAX", 2)
    for code in ("PL", "TR", "MT", "NE"):
        ParticipantFactory(partnership=PartnershipFactory(), country=country(code))
    listed = choices(client.get("/partnerships/"), "country")
    assert {"poland", "turkiye", "malta", "niger"} <= set(listed)


def test_the_version_is_read_once_for_every_facet(
    client, linked, kept_counts, monkeypatch
):
    client.get("/articles/")  # every facet counted and kept
    calls = count_round_trips(kept_counts, monkeypatch, ("get", "get_many"))
    client.get("/articles/")
    # One read of the version; then one read of the list's count, one of
    # each facet's counts, one of the filter form they make, rendered, and
    # one of the page's rows, rendered.
    assert calls.count("get_many") == 1
    assert calls.count("get") == 1 + facet_queries(ArticleFilter) + 1 + 1


def titles(response):
    return {article.title for article in response.context["articles"]}


def test_a_text_is_looked_up_in_the_index_once_per_version(
    client, linked, commit, kept_counts
):
    first, _ = queries(client, "/articles/", q="poland")
    with CaptureQueriesContext(connection) as again:
        second = client.get("/articles/", {"q": "poland"})
    assert not [query for query in again if "search_searchentry" in query["sql"]]
    assert (
        titles(second) == titles(first) == {"Drones for Poland", "Poland and Türkiye"}
    )
    with commit():  # a new version of the data: looked up again
        linked("Poland once more")
    with CaptureQueriesContext(connection) as after:
        third = client.get("/articles/", {"q": "poland"})
    assert [query for query in after if "search_searchentry" in query["sql"]]
    assert titles(third) == titles(first) | {"Poland once more"}


# --- After a change: the last counts at once, counted again in the background ---------------


def test_after_a_change_the_next_reader_gets_the_last_counts_without_waiting(
    client, country, linked, commit, stale_counts, django_assert_num_queries
):
    assert choices(client.get("/articles/"), "country")["poland"] == "Poland (2)"
    with commit():
        linked("A third on Poland", country("PL"))
    # The data's version, the list's own count (never older than the data),
    # its page and the page's authors: no facet is counted.
    with django_assert_num_queries(4):
        stale = client.get("/articles/")
    assert choices(stale, "country")["poland"] == "Poland (2)"
    assert stale.context["paginator"].count == 3
    assert len(stale.context["articles"]) == 3
    # Each kept facet value is made again once, in the background.
    assert len(stale_counts.pending) == facet_queries(ArticleFilter)
    stale_counts.run()
    # Then the counts are the data's, and kept, as are the rows the last
    # request rendered for this version: nothing is asked.
    with django_assert_num_queries(0):
        fresh = client.get("/articles/")
    assert choices(fresh, "country")["poland"] == "Poland (3)"
    assert not stale_counts.pending


def test_only_one_reader_sets_the_counts_going_again(
    client, country, linked, commit, stale_counts
):
    client.get("/articles/")
    client.get("/")
    with commit():
        linked("A third on Poland", country("PL"))
    for _ in range(3):
        client.get("/articles/")
        client.get("/")
    # One for each facet value of the list, one for the home page's figures.
    assert len(stale_counts.pending) == facet_queries(ArticleFilter) + 1
    assert client.get("/").context["counts"]["articles"] == 2
    stale_counts.run()
    assert client.get("/").context["counts"]["articles"] == 3


def test_counts_older_than_the_setting_allows_are_counted_again_at_once(
    client, country, linked, commit, stale_counts, settings, monkeypatch
):
    import time
    from types import SimpleNamespace

    from freshness import versions

    client.get("/articles/")
    with commit():
        linked("A third on Poland", country("PL"))
    later = time.time() + settings.COOPSITE_STALE_COUNTS_SECONDS + 1
    monkeypatch.setattr(versions, "time", SimpleNamespace(time=lambda: later))
    counted = client.get("/articles/")
    assert choices(counted, "country")["poland"] == "Poland (3)"
    assert not stale_counts.pending


def test_a_draft_is_in_no_count_old_or_new(
    client, country, linked, commit, stale_counts
):
    from tests.factories import ArticleFactory

    client.get("/articles/")
    with commit():
        draft = ArticleFactory(title="Not yet")
        ArticleEntityLink.objects.create(
            article=draft, entity=country("NO"), state=LinkState.ACCEPTED
        )
    assert "norway" not in choices(client.get("/articles/"), "country")
    stale_counts.run()
    assert "norway" not in choices(client.get("/articles/"), "country")


def test_a_page_with_older_counts_is_neither_kept_nor_validated(
    client, country, linked, commit, stale_counts, public_cache
):
    client.get("/articles/")
    with commit():
        linked("A third on Poland", country("PL"))
    stale = client.get("/articles/")
    assert choices(stale, "country")["poland"] == "Poland (2)"
    assert "ETag" not in stale
    assert "X-Cache" not in stale
    assert "no-cache" in stale["Cache-Control"]
    stale_counts.run()
    fresh = client.get("/articles/")
    assert fresh["X-Cache"] == "miss"
    assert fresh.has_header("ETag")
    kept = client.get("/articles/")
    assert kept["X-Cache"] == "hit"
    assert "Poland (3)" in kept.content.decode()


def test_the_background_makes_a_value_in_a_thread_of_its_own():
    import threading

    from freshness import versions

    done = threading.Event()
    seen = []

    def job():
        seen.append(threading.current_thread() is not threading.main_thread())
        done.set()

    versions.refresh_later(job)
    assert done.wait(timeout=30)
    assert seen == [True]


def test_a_request_sets_its_counts_going_once_it_has_its_answer(
    client, country, linked, commit, stale_counts, monkeypatch
):
    from coopsite.filtering import FacetedFilterSet

    client.get("/articles/")
    with commit():
        linked("A third on Poland", country("PL"))
    counted = FacetedFilterSet.add_facet_counts
    pending_meanwhile = []

    def add_facet_counts(filterset):
        counted(filterset)
        pending_meanwhile.append(len(stale_counts.pending))

    monkeypatch.setattr(FacetedFilterSet, "add_facet_counts", add_facet_counts)
    client.get("/articles/")
    # Nothing was handed to the background while the page was being made.
    assert pending_meanwhile == [0]
    assert len(stale_counts.pending) == facet_queries(ArticleFilter)


def test_warming_counts_what_the_first_readers_would_wait_for(
    client, country, linked, commit, kept_counts, django_assert_num_queries
):
    from django.core.management import call_command

    client.get("/articles/")
    with commit():
        linked("A third on Poland", country("PL"))
    out = StringIO()
    call_command("warm_counts", "/articles/?tag=drones", stdout=out)
    assert "/articles/?tag=drones: " in out.getvalue()
    # Every count kept, and the pages' rows: nothing is asked.
    with django_assert_num_queries(0):
        warmed = client.get("/articles/")
    assert choices(warmed, "country")["poland"] == "Poland (3)"
    assert "A third on Poland" in warmed.content.decode()
    with django_assert_num_queries(1):  # the topic named
        assert choices(client.get("/articles/", {"tag": "drones"}), "country") == {
            "": "Any country",
            "poland": "Poland (1)",
        }
    # The latest articles and the featured deals were kept rendered too.
    with django_assert_num_queries(0):
        assert client.get("/").context["counts"]["articles"] == 3


def test_warming_refuses_an_address_off_the_site(kept_counts):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Not an address"):
        call_command("warm_counts", "https://example.org/", stdout=StringIO())


# The filter form, kept rendered under what it shows


FORM_TEMPLATE = "includes/filter_form.html"


def filter_form(response) -> str:
    page = response.content.decode()
    start = page.index('<form class="filter-form"')
    return page[start : page.index("</form>", start)]


def form_made(response) -> bool:
    return FORM_TEMPLATE in [template.name for template in response.templates]


def test_a_filter_form_is_made_once_for_what_it_shows(
    client, country, linked, commit, kept_counts
):
    first, again = client.get("/articles/"), client.get("/articles/")
    assert form_made(first)
    assert not form_made(again)
    assert filter_form(again) == filter_form(first)
    assert "Poland (2)" in filter_form(again)
    # Another choice of the reader's is another form.
    drones = client.get("/articles/", {"tag": "drones"})
    assert form_made(drones)
    assert "Türkiye" not in filter_form(drones)
    assert '<option value="drones" selected>' in filter_form(drones)
    # A new count is another form, made with it.
    with commit():
        linked("A third on Poland", country("PL"))
    third = client.get("/articles/")
    assert form_made(third)
    assert "Poland (3)" in filter_form(third)


def test_a_refused_filter_is_said_and_its_form_never_kept(client, linked, kept_counts):
    for _ in range(2):
        response = client.get("/partnerships/", {"year_from": "abc"})
        assert response.status_code == 200
        assert form_made(response)
        assert 'value="abc"' in filter_form(response)
