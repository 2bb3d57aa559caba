"""The network, the timeline and the partners chart: the figures drawn and
the tables beside them."""

import datetime as dt
import itertools
import re

import pytest

from partnerships import charts
from tests.factories import ParticipantFactory, PartnershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]


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
    weights = {
        frozenset((e.source.name, e.target.name)): e.weight for e in network.pairs
    }
    assert weights[frozenset(("Türkiye", "Poland"))] == 2
    assert weights[frozenset(("Pakistan", "Azerbaijan"))] == 1
    assert network.link_count == 7
    assert "France" not in {n.name for n in network.countries}
    page = response.content.decode()
    assert (
        '<a href="/countries/turkiye/" aria-label="Türkiye: 3 partnerships with 3 partners">'
        in page
    )
    assert "The 7 strongest links between countries</caption>" in page


def test_the_network_ranks_countries_by_partnerships_shared(client, web):
    network = client.get("/network/").context["network"]
    ranked = [(n.rank, n.name, n.partnerships, n.partners) for n in network.countries]
    assert ranked[:2] == [(1, "Türkiye", 3, 3), (2, "Poland", 2, 1)]
    assert len(ranked) == 7


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
    world = client.get("/network/").context["network"].layouts[0]
    nodes = {p.node.name: p for p in world.nodes}
    assert nodes["United States"].x < nodes["Poland"].x < nodes["Australia"].x
    assert nodes["Poland"].y < nodes["Australia"].y  # north is up


def test_the_network_draws_countries_over_a_world_map(client, web):
    response = client.get("/network/")
    world = response.context["network"].layouts[0]
    assert world.land.count("M") > 100  # the outlines of many countries
    page = response.content.decode()
    assert page.count('<path class="land"') == 1  # one element for all of them


@pytest.fixture
def old_and_new(country, commit):
    """Research between Poland and Türkiye in 1990, and exports between
    Pakistan and Azerbaijan from 2015 to 2024."""

    def deal(year, *codes, kind="export"):
        partnership = PartnershipFactory(kind=kind, start_date=dt.date(year, 1, 1))
        for code in codes:
            ParticipantFactory(partnership=partnership, country=country(code))

    with commit():
        deal(1990, "PL", "TR", kind="research")
        for year in range(2015, 2025):
            deal(year, "PK", "AZ")


def test_the_network_shows_the_last_ten_years_with_records_by_default(
    client, old_and_new
):
    response = client.get("/network/")
    assert response.context["period"] == {
        "first": 2015,
        "last": 2024,
        "full_first": 1990,
        "full_last": 2024,
    }
    assert {n.name for n in response.context["network"].countries} == {
        "Pakistan",
        "Azerbaijan",
    }
    page = response.content.decode()
    assert "Showing 2015–2024, the last ten years with records." in page
    assert 'href="?year_from=&amp;year_to="' in page
    assert 'value="2015"' in page  # the form shows the years it applies


def test_a_kept_networks_caption_names_the_default_period_only_for_it(
    client, old_and_new, kept_counts
):
    caption = "share the most partnerships with others in 2015–2024"
    # Drawn and kept for the default period, then asked with its years.
    assert caption in client.get("/network/").content.decode()
    chosen = client.get("/network/", {"year_from": "2015", "year_to": "2024"})
    assert chosen.context["period"] is None
    assert caption not in chosen.content.decode()
    assert "Azerbaijan" in chosen.content.decode()
    assert caption in client.get("/network/").content.decode()


def test_every_year_is_one_click_away(client, old_and_new):
    response = client.get("/network/", {"year_from": "", "year_to": ""})
    assert response.context["period"] is None
    assert {n.name for n in response.context["network"].countries} == {
        "Pakistan",
        "Azerbaijan",
        "Poland",
        "Türkiye",
    }
    assert "the last ten years" not in response.content.decode()


def test_the_default_period_follows_the_other_filters(client, old_and_new):
    # The research is all in 1990: nothing to narrow.
    response = client.get("/network/", {"kind": "research"})
    assert response.context["period"] is None
    assert {n.name for n in response.context["network"].countries} == {
        "Poland",
        "Türkiye",
    }
    timeline = client.get("/timeline/", {"country": "poland"}).context
    assert timeline["period"] is None
    assert [year for year, _, _ in timeline["timeline"]["table"]] == [1990]


def test_the_timeline_counts_partnerships_per_year_by_kind(client, web):
    timeline = client.get("/timeline/").context["timeline"]
    assert (timeline["first_year"], timeline["last_year"]) == (2019, 2023)
    rows = {year: (counts, total) for year, counts, total in timeline["table"]}
    kinds = [kind for kind, _ in timeline["kinds"]]
    assert kinds == ["export", "exercise", "research"]
    assert rows[2021] == ([1, 1, 0], 2)
    assert 2020 not in rows  # no partnership that year: no table row
    wide, narrow = timeline["layouts"]
    assert len(wide["columns"]) == len(narrow["columns"]) == 5  # the axis keeps 2020


def test_the_timeline_filters_by_country(client, web):
    timeline = client.get("/timeline/", {"country": "pakistan"}).context["timeline"]
    assert [(year, total) for year, _, total in timeline["table"]] == [(2021, 1)]


def test_a_partnership_in_which_the_country_has_two_roles_counts_once(
    client, web, country, commit
):
    with commit():
        deal = PartnershipFactory(kind="export", start_date=dt.date(2021, 6, 1))
        for role in ("supplier", "recipient"):
            ParticipantFactory(partnership=deal, country=country("PL"), role=role)
    timeline = client.get("/timeline/", {"country": "poland"}).context["timeline"]
    assert [(year, total) for year, _, total in timeline["table"]] == [
        (2019, 1),
        (2021, 2),
    ]


def test_the_timeline_is_counted_once_per_version_of_the_data_and_choice(
    client, web, country, commit, kept_counts, monkeypatch
):
    counted = []
    count = charts.timeline
    monkeypatch.setattr(
        charts, "timeline", lambda rows: counted.append(1) or count(rows)
    )

    def totals(**chosen):
        timeline = client.get("/timeline/", chosen).context["timeline"]
        return [(year, total) for year, _, total in timeline["table"]]

    every_year = {"year_from": "", "year_to": ""}
    first = totals(**every_year)
    assert totals(**every_year) == first
    assert len(counted) == 1
    # Drawn with it: the kept figure and table are the page's.
    page = client.get("/timeline/", every_year).content.decode()
    assert page.count('<figure class="chart timeline">') == 1
    assert '<th scope="row">2019</th>' in page
    assert len(counted) == 1
    # Any other filter, shown or not, is counted for itself.
    totals(**every_year, status="active")
    assert len(counted) == 2
    assert totals(**every_year, country="pakistan") == [(2021, 1)]
    assert len(counted) == 3
    with commit():
        PartnershipFactory(kind="export", start_date=dt.date(2020, 1, 1))
    assert totals(**every_year) == sorted([*first, (2020, 1)])
    assert len(counted) == 4


def test_the_timeline_filters_by_todays_status(client, web):
    # An exercise without an end date is over once its start has passed.
    completed = client.get("/timeline/", {"status": "completed"}).context["timeline"]
    assert [(year, total) for year, _, total in completed["table"]] == [(2021, 1)]
    active = client.get("/timeline/", {"status": "active"}).context["timeline"]
    assert [year for year, _, _ in active["table"]] == [2019, 2021, 2022, 2023]


def test_the_timeline_opens_on_the_last_ten_years_with_records(client, old_and_new):
    response = client.get("/timeline/")
    timeline = response.context["timeline"]
    assert (timeline["first_year"], timeline["last_year"]) == (2015, 2024)
    page = response.content.decode()
    assert "Showing 2015–2024, the last ten years with records." in page
    assert "Show every year, 1990–2024" in page
    everything = client.get("/timeline/", {"year_from": "", "year_to": ""})
    assert everything.context["timeline"]["first_year"] == 1990


def test_the_narrow_timeline_labels_years_far_enough_apart_to_read(client, old_and_new):
    timeline = client.get("/timeline/", {"year_from": "", "year_to": ""}).context[
        "timeline"
    ]
    wide, narrow = timeline["layouts"]
    for layout, room in ((wide, 56), (narrow, 38)):
        xs = [c.label_x for c in layout["columns"] if c.labelled]
        assert len(xs) >= 3
        assert min(b - a for a, b in itertools.pairwise(xs)) >= room
    assert narrow["width"] == 364  # drawn at no more than its width in pixels


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
    assert (
        '<caption id="partners-table-caption">Partner countries and the partnerships shared</caption>'
        in page
    )
    roles = {label: total for _, label, total in response.context["roles"]}
    assert roles == {"Recipient": 3}  # the factory's default role


def test_a_network_asked_with_a_bad_year_is_not_kept_for_the_good_ones(
    client, web, kept_counts
):
    # An unreadable year draws nothing and says why; the network readers
    # then ask for is the whole one, not the empty one kept under its key.
    refused = client.get("/network/", {"year_from": "abc", "year_to": ""})
    assert refused.status_code == 200
    assert refused.context["network"].partnership_count == 0
    every_year = client.get("/network/", {"year_from": "", "year_to": ""})
    assert every_year.context["network"].partnership_count == 4


def test_a_country_pages_partners_and_roles_follow_a_new_partnership(
    client, web, country, commit
):
    with commit():
        partnership = PartnershipFactory(kind="export", start_date=dt.date(2024, 1, 1))
        for role in ("supplier", "host"):  # two roles in one partnership
            ParticipantFactory(
                partnership=partnership, country=country("TR"), role=role
            )
        ParticipantFactory(
            partnership=partnership, country=country("PK"), role="recipient"
        )
    response = client.get(country("TR").get_absolute_url())
    chart = response.context["partners_chart"]
    assert [(bar.label, bar.value) for bar in chart["bars"]] == [
        ("Pakistan", 2),
        ("Poland", 2),
        ("Azerbaijan", 1),
    ]
    roles = {label: total for _, label, total in response.context["roles"]}
    assert roles == {"Supplier": 1, "Recipient": 3, "Host": 1}
    assert response.context["partnership_total"] == 4  # the new one once


def test_the_network_is_laid_out_once_per_version_of_the_data(
    client, web, country, commit, kept_counts, monkeypatch
):
    laid_out = []
    lay_out = charts.network
    monkeypatch.setattr(
        charts, "network", lambda links: laid_out.append(1) or lay_out(links)
    )
    every_year = {"year_from": "", "year_to": ""}
    first = client.get("/network/", every_year).context["network"]
    again = client.get("/network/", every_year).context["network"]
    assert len(laid_out) == 1
    assert [n.name for n in again.countries] == [n.name for n in first.countries]
    client.get("/network/", {**every_year, "kind": "export"})
    assert len(laid_out) == 2  # another choice of filters: laid out for itself
    with commit():
        deal = PartnershipFactory(kind="export", start_date=dt.date(2020, 1, 1))
        for code in ("FR", "IN"):
            ParticipantFactory(partnership=deal, country=country(code))
    after = client.get("/network/", every_year).context["network"]
    assert len(laid_out) == 3
    assert {"France", "India"} <= {n.name for n in after.countries}
    assert not {"France", "India"} & {n.name for n in first.countries}


def test_a_country_pages_kept_figures_follow_a_new_partnership_and_article(
    client, web, country, commit, kept_counts
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ArticleEntityLinkFactory

    turkey = country("TR")

    def figures():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(turkey.get_absolute_url())
        chart = response.context["partners_chart"]
        return (
            response.context["partnership_total"],
            [(bar.label, bar.value) for bar in chart["bars"]],
            response.context["articles_page"].paginator.count,
            len(captured),
        )

    total, bars, articles, first_queries = figures()
    assert (total, articles) == (3, 0)
    again = figures()
    assert again[:3] == (total, bars, articles)
    assert again[3] < first_queries  # the counts were kept
    with commit():
        deal = PartnershipFactory(kind="export", start_date=dt.date(2024, 1, 1))
        for code in ("TR", "GB"):
            ParticipantFactory(partnership=deal, country=country(code))
        ArticleEntityLinkFactory(entity=turkey)
    total, bars, articles, _ = figures()
    assert (total, articles) == (4, 1)
    assert ("United Kingdom", 1) in bars


def test_the_timelines_countries_are_in_the_order_readers_read_names(client):
    page = client.get("/timeline/").text
    select = page[page.index('name="country"') :]
    select = select[: select.index("</select>")]
    names = re.findall(r"<option value=\"[^\"]+\">([^<]+)</option>", select)
    assert names.index("Côte d&#x27;Ivoire") < names.index("Cuba")
    assert names.index("Åland Islands") < names.index("Albania")
    assert names.index("Türkiye") < names.index("Turkmenistan")
