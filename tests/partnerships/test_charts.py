"""The network, the timeline and the partners chart: the figures drawn and
the tables beside them."""

import datetime as dt

import pytest

from tests.factories import ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(country, commit):
    def deal(kind, year, *codes):
        partnership = PartnershipFactory(kind=kind, start_date=dt.date(year, 1, 1))
        for code in codes:
            ParticipantFactory(partnership=partnership, country=country(code))
        return partnership

    with commit():  # the network's table is made again on commit
        deal("export", 2019, "TR", "PL")
        deal("export", 2021, "TR", "PL")
        deal("exercise", 2021, "TR", "PK", "AZ")
        deal("research", 2023, "GB", "US", "AU")
        deal("export", 2022, "FR")  # one country: no link


def test_the_network_links_countries_by_shared_partnerships(client, web):
    response = client.get("/network/")
    network = response.context["network"]
    assert network.partnership_count == 4
    weights = {
        frozenset((e.source.name, e.target.name)): e.weight for e in network.pairs
    }
    assert weights[frozenset(("Türkiye", "Poland"))] == 2
    assert weights[frozenset(("Pakistan", "Azerbaijan"))] == 1
    assert "France" not in {n.name for n in network.nodes}
    page = response.content.decode()
    assert (
        '<a href="/countries/turkiye/" aria-label="Türkiye: 3 partnerships with 3 partners">'
        in page
    )
    assert "<caption>Strongest links between countries</caption>" in page


def test_the_network_filters_by_kind_and_years(client, web):
    exports = client.get("/network/", {"kind": "export"}).context["network"]
    assert {n.name for n in exports.nodes} == {"Türkiye", "Poland"}
    recent = client.get("/network/", {"year_from": 2023}).context["network"]
    assert {n.name for n in recent.nodes} == {
        "United Kingdom",
        "United States",
        "Australia",
    }


def test_the_network_says_so_when_nothing_matches(client, web):
    page = client.get("/network/", {"kind": "trade"}).content.decode()
    assert "No partnership between two or more countries matches" in page


def test_the_network_nodes_sit_where_the_countries_are(client, web):
    nodes = {n.name: n for n in client.get("/network/").context["network"].nodes}
    assert nodes["United States"].x < nodes["Poland"].x < nodes["Australia"].x
    assert nodes["Poland"].y < nodes["Australia"].y  # north is up


def test_the_timeline_counts_partnerships_per_year_by_kind(client, web):
    timeline = client.get("/timeline/").context["timeline"]
    assert (timeline["first_year"], timeline["last_year"]) == (2019, 2023)
    rows = {year: (counts, total) for year, counts, total in timeline["table"]}
    kinds = [kind for kind, _ in timeline["kinds"]]
    assert kinds == ["export", "exercise", "research"]
    assert rows[2021] == ([1, 1, 0], 2)
    assert 2020 not in rows  # no partnership that year: no table row
    assert len(timeline["columns"]) == 5  # but the axis keeps the year


def test_the_timeline_filters_by_country(client, web):
    timeline = client.get("/timeline/", {"country": "pakistan"}).context["timeline"]
    assert [(year, total) for year, _, total in timeline["table"]] == [(2021, 1)]


def test_the_timeline_filters_by_todays_status(client, web):
    # An exercise without an end date is over once its start has passed.
    completed = client.get("/timeline/", {"status": "completed"}).context["timeline"]
    assert [(year, total) for year, _, total in completed["table"]] == [(2021, 1)]
    active = client.get("/timeline/", {"status": "active"}).context["timeline"]
    assert [year for year, _, _ in active["table"]] == [2019, 2021, 2022, 2023]


def test_a_country_page_charts_its_partners(client, web, country):
    response = client.get(country("TR").get_absolute_url())
    chart = response.context["partners_chart"]
    assert [(bar.label, bar.value) for bar in chart["bars"]] == [
        ("Poland", 2),
        ("Azerbaijan", 1),
        ("Pakistan", 1),
    ]
    page = response.content.decode()
    assert 'role="img" aria-labelledby="partners-chart-title"' in page
    assert "<caption>Partner countries and the partnerships shared</caption>" in page
    roles = {label: total for _, label, total in response.context["roles"]}
    assert roles == {"Recipient": 3}  # the factory's default role
