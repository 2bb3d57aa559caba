"""Facet counts and the home page's figures are counted once per version of
the data (freshness.versions.kept_for_version), whichever app process asks,
and a committed change is in them on the next request."""

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
    # Each facet's count, the list's own count and the data version's one
    # read are not repeated.
    assert kept == made - facet_queries(ArticleFilter) - 1 - 1
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
    _, kept = queries(client, "/partnerships/")
    assert kept == made - len(PartnershipFilter.facets) - 1 - 1  # and its count
    with commit():
        PartnershipFactory(name="Second export", kind="export")
    assert (
        choices(client.get("/partnerships/"), "kind")["export"] == "Export or sale (2)"
    )


def test_home_figures_are_counted_once_per_version(client, linked, commit, kept_counts):
    first, made = queries(client, "/")
    assert first.context["counts"]["articles"] == 2
    _, kept = queries(client, "/")
    assert kept == made - len(first.context["counts"]) - 1
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


def test_the_version_is_read_once_for_every_facet(
    client, linked, kept_counts, monkeypatch
):
    client.get("/articles/")  # every facet counted and kept
    calls = count_round_trips(kept_counts, monkeypatch, ("get", "get_many"))
    client.get("/articles/")
    # One read of the version; then one read of the list's count and one of
    # each facet's counts.
    assert calls.count("get_many") == 1
    assert calls.count("get") == 1 + facet_queries(ArticleFilter)


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
