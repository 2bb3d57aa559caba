"""Filtering the partnership and article lists; bad input never breaks them."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import ArticleEntityLink, LinkState
from partnerships.filters import PartnershipFilter
from tests.factories import (
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(3)]
LIST = "/partnerships/"


@pytest.fixture
def records(country, commit):
    with commit():  # indexed for search (the text filter), as once saved
        return _records(country)


def _records(country):
    drones = TagFactory(name="Drones", slug="drones")
    tb2 = SystemFactory(name="TB2", category="uav")
    sale = PartnershipFactory(
        name="TB2 to Poland",
        kind="export",
        status="completed",
        start_date=dt.date(2021, 1, 1),
        tags=[drones],
    )
    ParticipantFactory(partnership=sale, country=country("TR"), role="supplier")
    ParticipantFactory(partnership=sale, country=country("PL"), role="recipient")
    PartnershipSystemFactory(partnership=sale, system=tb2)
    exercise = PartnershipFactory(
        name="Anakonda",
        kind="exercise",
        status="completed",
        start_date=dt.date(2016, 1, 1),
    )
    ParticipantFactory(partnership=exercise, country=country("PL"), role="host")
    ParticipantFactory(partnership=exercise, country=country("TR"), role="participant")
    research = PartnershipFactory(
        name="Quantum lab",
        kind="research",
        status="active",
        start_date=dt.date(2024, 1, 1),
    )
    ParticipantFactory(partnership=research, country=country("GB"), role="partner")
    return {"sale": sale, "exercise": exercise, "research": research, "tb2": tb2}


def names(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {p.name for p in response.context["partnerships"]}


def test_filter_by_kind_status_text_and_tag(client, records):
    assert names(client, kind="exercise") == {"Anakonda"}
    assert names(client, status="active") == {"Quantum lab"}
    # The text finds what the search finds: a record named so, or, for a
    # name of a country, the partnerships it takes part in.
    assert names(client, q="anakonda") == {"Anakonda"}
    assert names(client, q="quantum labs") == {"Quantum lab"}
    assert names(client, q="poland") == {"TB2 to Poland", "Anakonda"}
    assert names(client, q="poland", kind="export") == {"TB2 to Poland"}
    assert names(client, tag="drones") == {"TB2 to Poland"}


def test_filter_by_country_in_any_role_or_in_a_given_role(client, records):
    assert names(client, country="poland") == {"TB2 to Poland", "Anakonda"}
    assert names(client, country="poland", role="recipient") == {"TB2 to Poland"}
    assert names(client, country="poland", role="host") == {"Anakonda"}
    # the role must be the country's own, not another participant's
    assert names(client, country="poland", role="supplier") == set()


def test_a_role_alone_or_with_an_organisation_is_the_role_of_a_participant(
    client, records
):
    """A role on its own is any participant's; with an organisation (or a
    bloc) chosen, that one's, as with a country; the country facet counts
    each country in the role chosen, as choosing it gives."""
    assert names(client, role="host") == {"Anakonda"}
    assert names(client, role="supplier") == {"TB2 to Poland"}
    assert names(client, role="host", kind="export") == set()
    maker = OrganisationFactory(slug="baykar", name="Baykar")
    ParticipantFactory(
        partnership=records["sale"], country=None, organisation=maker, role="supplier"
    )
    assert names(client, organisation="baykar", role="supplier") == {"TB2 to Poland"}
    assert names(client, organisation="baykar", role="recipient") == set()

    response = client.get(LIST, {"role": "host"})
    choices = dict(response.context["filter"].form.fields["country"].widget.choices)
    assert choices["poland"] == "Poland (1)"
    assert "turkiye" not in choices  # Türkiye is host of nothing
    response = client.get(LIST, {"role": "participant"})
    choices = dict(response.context["filter"].form.fields["country"].widget.choices)
    assert choices["turkiye"] == "Türkiye (1)"
    assert names(client, role="participant", country="turkiye") == {"Anakonda"}


def test_filter_by_system_category_and_years(client, records):
    assert names(client, category="uav") == {"TB2 to Poland"}
    assert names(client, year_from=2020) == {"TB2 to Poland", "Quantum lab"}
    assert names(client, year_from=2016, year_to=2021) == {"TB2 to Poland", "Anakonda"}


def test_filter_by_organisation_system_and_bloc_from_record_pages(client, records):
    assert names(client, system=records["tb2"].slug) == {"TB2 to Poland"}
    maker = OrganisationFactory(slug="baykar", name="Baykar")
    ParticipantFactory(partnership=records["sale"], country=None, organisation=maker)
    response = client.get(LIST, {"organisation": "baykar"})
    assert {p.name for p in response.context["partnerships"]} == {"TB2 to Poland"}
    assert response.context["linked_filters"][0][:2] == ("Organisation", "Baykar")


def test_a_list_filtered_by_many_joined_rows_lists_each_partnership_once(
    client, country
):
    """The filters are semi-joins: a deal in which Poland takes part twice,
    with two systems of one category and two tags, is listed once, and the
    page's query needs no DISTINCT over every column."""
    deal = PartnershipFactory(name="Twice over", tags=[TagFactory(slug="drones")])
    deal.tags.add(TagFactory())
    for role in ("recipient", "partner"):
        ParticipantFactory(partnership=deal, country=country("PL"), role=role)
    for _ in range(2):
        PartnershipSystemFactory(partnership=deal, system=SystemFactory(category="uav"))
    PartnershipFactory(name="Untagged", tags=[])

    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            LIST, {"country": "poland", "category": "uav", "tag": "drones"}
        )

    assert [p.name for p in response.context["partnerships"]] == ["Twice over"]
    assert response.context["paginator"].count == 1
    assert not [
        q["sql"]
        for q in captured.captured_queries
        if "SELECT DISTINCT" in q["sql"] and '"partnerships_partnership"' in q["sql"]
    ]


def test_choices_show_counts_given_the_other_filters(client, records):
    response = client.get(LIST, {"country": "poland"})
    form = response.context["filterset"].form
    kinds = dict(form.fields["kind"].widget.choices)
    assert kinds["export"] == "Export or sale (1)"
    assert kinds["exercise"] == "Military exercise (1)"
    assert "research" not in kinds  # Poland has none
    countries = dict(form.fields["country"].widget.choices)
    assert countries["poland"] == "Poland (2)"  # counted without its own filter
    assert countries["united-kingdom"] == "United Kingdom (1)"


def test_sorting(client, records):
    response = client.get(LIST, {"sort": "name"})
    assert [p.name for p in response.context["partnerships"]] == [
        "Anakonda",
        "Quantum lab",
        "TB2 to Poland",
    ]
    response = client.get(LIST, {"sort": "start"})
    assert next(p.name for p in response.context["partnerships"]) == "Anakonda"


def test_pagination_keeps_the_filters_and_caps_the_page_size(client, country):
    for index in range(130):
        ParticipantFactory(
            partnership=PartnershipFactory(name=f"Deal {index:03}", kind="export"),
            country=country("PK"),
        )
    response = client.get(LIST, {"kind": "export", "per_page": 1000})
    assert len(response.context["partnerships"]) == 100
    page = response.content.decode()
    assert 'href="?kind=export&amp;per_page=1000&amp;page=2"' in page
    assert len(client.get(LIST, {"per_page": "lots"}).context["partnerships"]) == 25


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year_from": "abc"}, "Enter a whole number."),
        (
            {"year_to": "99999999999999999999"},
            "Ensure this value is less than or equal to 2200.",
        ),
        ({"country": "atlantis"}, "Select a valid choice."),
        ({"kind": "smuggling"}, "Select a valid choice."),
        ({"q": "x" * 10_000}, "Ensure this value has at most 200 characters"),
        ({"sort": "password"}, "Select a valid choice."),
    ],
)
def test_bad_filter_input_gets_a_clear_message_not_an_error(
    client, records, params, message
):
    response = client.get(LIST, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Some filters could not be used" in page
    # Nothing was looked for: no "0 partnerships", no "nothing matches".
    assert "No partnerships shown until the filters are corrected" in page
    assert "matches these filters" not in page
    assert "0 partnerships" not in page


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3"])
def test_what_is_no_page_number_is_not_found(client, records, page):
    assert client.get(LIST, {"page": page}).status_code == 404


@pytest.mark.parametrize("page", ["2", "999999999"])
def test_a_page_past_the_end_sends_readers_to_the_last_one(client, records, page):
    """A shared address of a later page still leads somewhere when the
    list has shrunk: its last page, filters kept."""
    response = client.get(LIST, {"kind": "export", "page": page, "per_page": 50})
    assert response.status_code == 302
    assert response.url == f"{LIST}?kind=export&per_page=50"  # one page: page 1
    assert client.get(response.url).status_code == 200


# --- Articles ------------------------------------------------------------------


@pytest.fixture
def articles(country, commit):
    with commit():  # indexed for search (the text filter), as once saved
        return _articles(country)


def _articles(country):
    leyla = UserFactory(username="leyla", first_name="Leyla", last_name="Aydın")
    drones = TagFactory(name="Drones", slug="drones")
    exercise = PartnershipFactory(name="Efes", kind="exercise")
    first = PublishedArticleFactory(
        title="Drones for Poland",
        authors=[leyla],
        tags=[drones],
        published_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    second = PublishedArticleFactory(
        title="Exercises in the Aegean",
        published_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    for article, entity in (
        (first, country("PL")),
        (second, exercise),
        (second, country("TR")),
    ):
        ArticleEntityLink.objects.create(
            article=article, entity=entity, state=LinkState.ACCEPTED
        )
    ArticleEntityLink.objects.create(
        article=second, entity=country("PL"), state=LinkState.SUGGESTED
    )
    return first, second


def article_titles(client, **params):
    response = client.get(reverse("articles:list"), params)
    assert response.status_code == 200
    return [a.title for a in response.context["articles"]]


def test_articles_filter_by_linked_country_kind_tag_author_and_dates(client, articles):
    assert article_titles(client, country="poland") == [
        "Drones for Poland"
    ]  # suggested links do not count
    assert article_titles(client, kind="exercise") == ["Exercises in the Aegean"]
    assert article_titles(client, tag="drones") == ["Drones for Poland"]
    assert article_titles(client, author="leyla-aydin") == ["Drones for Poland"]
    assert article_titles(client, published_after="2026-05-01") == [
        "Exercises in the Aegean"
    ]
    assert article_titles(client, q="aegean") == ["Exercises in the Aegean"]
    assert article_titles(client, sort="published") == [
        "Drones for Poland",
        "Exercises in the Aegean",
    ]


def test_article_facets_count_linked_articles(client, articles):
    form = client.get(reverse("articles:list")).context["filterset"].form
    assert dict(form.fields["country"].widget.choices)["poland"] == "Poland (1)"
    assert (
        dict(form.fields["author"].widget.choices)["leyla-aydin"] == "Leyla Aydın (1)"
    )


def test_article_list_rejects_bad_dates_clearly(client, articles):
    response = client.get(reverse("articles:list"), {"published_after": "yesterday"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_the_text_is_looked_up_in_the_index_once_not_scanned(client, records):
    with CaptureQueriesContext(connection) as captured:
        assert names(client, q="anakonda", status="completed") == {"Anakonda"}
    reads = [query["sql"] for query in captured]
    assert len([sql for sql in reads if "search_searchentry" in sql]) == 1
    by_keys = "= ANY(" if connection.vendor == "postgresql" else "json_each("
    # The count, the page and each facet filter by the keys found.
    facets = len(PartnershipFilter.facets)
    assert len([sql for sql in reads if by_keys in sql]) == 2 + facets
    for sql in reads:
        assert not re.search(r"\bLIKE\b", sql, re.IGNORECASE), sql


def test_the_export_keeps_the_text_filter(client, records):
    response = client.get("/partnerships/export.csv", {"q": "anakonda"})
    rows = b"".join(response.streaming_content).decode().splitlines()
    assert len(rows) == 2  # the header, and the one record found
    assert "Anakonda" in rows[1]


def test_the_download_links_are_offered_only_for_filters_that_could_be_used(
    client, records
):
    """A list whose filter could not be used offers no download (the
    download would refuse the filter, 400); a list's links download it."""
    refused = client.get(LIST, {"kind": "bogus"}).content.decode()
    assert "Some filters could not be used" in refused
    assert "Download these partnerships" not in refused
    page = client.get(LIST, {"kind": "export"}).content.decode()
    links = re.findall(r'href="(/partnerships/export\.(?:csv|json)[^"]*)"', page)
    assert len(links) == 2
    for link in links:
        response = client.get(html.unescape(link))
        assert response.status_code == 200
        assert b"TB2 to Poland" in b"".join(response.streaming_content)


def test_a_filter_given_twice_is_refused_not_read_as_its_last_value(client, records):
    """?kind=export&kind=exercise listed the exercises only; it is now a
    filter that could not be used, on the list and on its downloads."""
    response = client.get(f"{LIST}?kind=export&kind=exercise")
    page = response.content.decode()
    assert "Some filters could not be used" in page
    assert "Given more than once: choose one." in page
    export = client.get("/partnerships/export.csv?kind=export&kind=exercise")
    assert export.status_code == 400
