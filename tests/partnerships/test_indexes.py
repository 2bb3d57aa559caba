"""Every kind has an index: organisations, systems, blocs, tags and the
countries, each a faceted, paginated list with counts, in a number of
queries that does not grow with it (tests/partnerships/test_index_queries.py);
and a record answers at its other names and former addresses with a
permanent redirect to its address."""

import pytest

from partnerships.models import BlocKind, OrganisationKind, SystemCategory
from tests.factories import (
    AliasFactory,
    BlocFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

INDEXES = ["/organisations/", "/systems/", "/blocs/", "/tags/", "/countries/"]


class Records:
    """Grows, record by record, every kind an index lists: each new record
    with a partnership of its own, so every row has a count to show."""

    def __init__(self, country):
        self.poland, self.turkiye = country("PL"), country("TR")
        self.count = 0

    def grow(self, to: int) -> None:
        while self.count < to:
            self.count += 1
            n = self.count
            home = self.poland if n % 2 else self.turkiye
            deal = PartnershipFactory(name=f"Deal {n}")
            tag = TagFactory(name=f"Topic {n}")
            deal.tags.add(tag)
            organisation = OrganisationFactory(
                name=f"Maker {n}",
                kind=OrganisationKind.COMPANY if n % 2 else OrganisationKind.MINISTRY,
                home_country=home,
            )
            bloc = BlocFactory(
                name=f"Pact {n}",
                kind=BlocKind.MILITARY_ALLIANCE if n % 2 else BlocKind.REGIONAL,
            )
            BlocMembershipFactory(bloc=bloc, country=home)
            ParticipantFactory(partnership=deal, country=home, role="recipient")
            ParticipantFactory(
                partnership=deal, country=None, organisation=organisation
            )
            ParticipantFactory(partnership=deal, country=None, bloc=bloc)
            PartnershipSystemFactory(
                partnership=deal,
                system=SystemFactory(
                    name=f"System {n}",
                    category=SystemCategory.UAV if n % 2 else SystemCategory.RADAR,
                    origin_country=home,
                ),
            )


@pytest.fixture
def records(country):
    return Records(country)


def test_the_organisation_index_counts_each_kind_and_country_beside_its_choice(
    client, records
):
    records.grow(6)
    response = client.get("/organisations/")
    form = response.context["filterset"].form
    assert dict(form.fields["kind"].widget.choices) == {
        "": "Any kind",
        "company": "Company (3)",
        "ministry": "Ministry or government department (3)",
    }
    assert dict(form.fields["country"].widget.choices) == {
        "": "Any country",
        "poland": "Poland (3)",
        "turkiye": "Türkiye (3)",
    }
    # Each facet counts with the other filters applied, not its own.
    response = client.get("/organisations/", {"kind": "company"})
    form = response.context["filterset"].form
    assert dict(form.fields["country"].widget.choices)["poland"] == "Poland (3)"
    assert "turkiye" not in dict(form.fields["country"].widget.choices)
    assert dict(form.fields["kind"].widget.choices)["ministry"] == (
        "Ministry or government department (3)"
    )
    assert [o.name for o in response.context["records"]] == [
        "Maker 1",
        "Maker 3",
        "Maker 5",
    ]
    page = response.content.decode()
    assert "3 organisations" in page
    maker = response.context["records"][0]
    assert f'href="/partnerships/?organisation={maker.slug}">1 partnership</a>' in page


def test_the_system_index_filters_by_category_and_origin(client, records):
    records.grow(4)
    response = client.get("/systems/", {"category": "radar", "origin": "turkiye"})
    assert [s.name for s in response.context["records"]] == ["System 2", "System 4"]
    form = response.context["filterset"].form
    # Each facet counts what the other filter leaves.
    assert dict(form.fields["category"].widget.choices) == {
        "": "Any category",
        "radar": "Radar and sensors (2)",
    }
    assert dict(form.fields["origin"].widget.choices) == {
        "": "Any country",
        "turkiye": "Türkiye (2)",
    }


def test_the_bloc_index_shows_kinds_and_members(client, records):
    records.grow(3)
    BlocFactory(name="Empty Pact", kind=BlocKind.UNION)
    response = client.get("/blocs/", {"q": "pact"})  # not the reference blocs
    form = response.context["filterset"].form
    assert dict(form.fields["kind"].widget.choices) == {
        "": "Any kind",
        "military_alliance": "Military alliance (2)",
        "union": "Political and economic union (1)",
        "regional": "Regional organisation (1)",
    }
    names = [b.name for b in response.context["records"]]
    assert names[-1] == "Empty Pact"  # no partnerships: last
    page = response.content.decode()
    assert "Military alliance · TP" in page
    assert "1 member<" in page
    assert "0 members<" in page
    assert "No partnerships recorded" in page


def test_the_tag_index_lists_the_most_used_first(client, records):
    records.grow(2)
    popular = TagFactory(name="Zeppelins", slug="zeppelins")
    for n in range(3):
        PartnershipFactory(name=f"Airship {n}").tags.add(popular)
    response = client.get("/tags/")
    assert response.context["records"][0].name == "Zeppelins"
    assert 'href="/partnerships/?tag=zeppelins">3 partnerships</a>' in (
        response.content.decode()
    )
    response = client.get("/tags/", {"sort": "name"})
    assert [t.name for t in response.context["records"]] == [
        "Topic 1",
        "Topic 2",
        "Zeppelins",
    ]


def test_an_index_filters_by_any_name_of_a_record(client, records):
    records.grow(3)
    AliasFactory(entity=SystemFactory(name="Bayraktar TB2"), name="TB-2")
    response = client.get("/systems/", {"q": "tb-2"})
    assert [s.name for s in response.context["records"]] == ["Bayraktar TB2"]


# --- Countries --------------------------------------------------------------------


def test_the_country_index_leads_with_the_countries_in_most_partnerships(
    client, records, country
):
    records.grow(5)  # Poland in 3, Türkiye in 2
    response = client.get("/countries/")
    countries = list(response.context["records"])
    assert [c.name for c in countries[:2]] == ["Poland", "Türkiye"]
    assert [c.partnership_total for c in countries[:2]] == [3, 2]
    assert all(c.partnership_total == 0 for c in countries[2:])
    page = response.content.decode()
    assert 'href="/partnerships/?country=poland">3 partnerships</a>' in page
    # Then those without records: no longer headed "Other territories".
    assert "Other territories" not in page


def test_the_country_index_filters_by_region_with_counts(client, records):
    records.grow(2)
    response = client.get("/countries/", {"region": "Europe"})
    countries = list(response.context["records"])
    assert countries[0].name == "Poland"
    assert {c.region for c in countries} == {"Europe"}
    choices = dict(response.context["filterset"].form.fields["region"].widget.choices)
    assert choices[""] == "Any region"
    assert choices["Asia"].startswith("Asia (")
    assert response.context["paginator"].count == int(
        choices["Europe"].removeprefix("Europe (").rstrip(")")
    )
    former = client.get("/countries/", {"status": "former"}).context["records"]
    assert former
    assert all(c.is_former for c in former)


def test_a_bad_filter_value_is_a_form_error_not_a_500(client, records):
    response = client.get("/countries/", {"region": "Atlantis"})
    assert response.status_code == 200
    assert "Atlantis is not one of the available choices" in response.content.decode()


# --- Other names and former addresses -------------------------------------------


def test_an_alias_of_a_country_answers_301_to_its_address(client):
    response = client.get("/countries/turkey/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/turkiye/"
    response = client.get("/countries/republic-of-turkiye/", {"page": "2"})
    assert response.status_code == 301
    assert response["Location"] == "/countries/turkiye/?page=2"


def test_a_former_address_answers_301_to_the_address_now(client):
    organisation = OrganisationFactory(name="Old Name Works", slug="old-name-works")
    organisation.slug = "new-name-works"
    organisation.save()
    response = client.get("/organisations/old-name-works/")
    assert response.status_code == 301
    assert response["Location"] == "/organisations/new-name-works/"


def test_an_alias_of_a_system_answers_301_but_only_for_its_own_kind(client):
    system = SystemFactory(name="Bayraktar TB2", slug="bayraktar-tb2")
    AliasFactory(entity=system, name="TB-2")
    assert client.get("/systems/tb-2/")["Location"] == "/systems/bayraktar-tb2/"
    assert client.get("/organisations/tb-2/").status_code == 404


def test_an_address_no_record_had_or_two_share_is_a_404(client):
    assert client.get("/countries/atlantis/").status_code == 404
    for n in range(2):
        AliasFactory(entity=OrganisationFactory(name=f"Twin {n}"), name="The Twins")
    assert client.get("/organisations/the-twins/").status_code == 404


def test_a_record_at_its_address_keeps_its_404s(client, country):
    # A page of articles that does not exist is not a redirect.
    assert client.get("/countries/turkiye/", {"page": "99"}).status_code == 404


# --- Where the indexes are reached from -----------------------------------------


def test_the_home_pages_figures_link_to_the_indexes(client, records):
    records.grow(2)
    page = client.get("/").content.decode()
    assert '<a href="/organisations/"><strong>2</strong> organisations</a>' in page
    assert '<a href="/systems/"><strong>2</strong> systems</a>' in page


def test_the_page_size_in_effect_is_the_one_the_form_shows(client):
    page = client.get("/countries/").content.decode()
    assert '<option value="100" selected>100</option>' in page
    assert len(client.get("/countries/").context["records"]) == 100
    page = client.get("/countries/", {"per_page": 50}).content.decode()
    assert '<option value="50" selected>50</option>' in page
    assert (
        '<option value="25" selected>' in client.get("/organisations/").content.decode()
    )


@pytest.mark.parametrize(
    ("url", "typed", "found"),
    [
        ("/countries/", "turkiye", "Türkiye"),
        ("/countries/", "cote", "Côte d'Ivoire"),
        ("/countries/", "CURACAO", "Curaçao"),
        ("/systems/", "hisar", "HİSAR-A"),
        ("/systems/", "HİSAR", "HİSAR-A"),
        ("/countries/", "U.S.A.", "United States"),
        ("/countries/", "U.K.", "United Kingdom"),
    ],
)
def test_the_name_box_finds_a_name_typed_without_its_accents(
    client, commit, url, typed, found
):
    """A reader with an ordinary keyboard finds Türkiye by "turkiye" (its
    own address), as the search box does; as typed still works."""
    with commit():
        SystemFactory(name="HİSAR-A")
        SystemFactory(name="Korkut")
    response = client.get(url, {"q": typed})
    assert response.status_code == 200
    names = [record.name for record in response.context["object_list"]]
    assert found in names, names


@pytest.mark.parametrize(
    ("url", "typed", "found"),
    [
        ("/systems/", "F16", ["F-16C Block 52"]),
        ("/systems/", "jf17", ["JF-17 Thunder"]),
        ("/systems/", "JF-17", ["JF-17 Thunder"]),
        ("/systems/", "mirage5", ["Mirage 5"]),
        ("/partnerships/", "F16", ["F-16C Block 52 to Pakistan"]),
        ("/api/v1/systems/", "f16", ["F-16C Block 52"]),
    ],
)
def test_the_name_box_finds_a_designation_written_apart_or_together(
    client, commit, url, typed, found
):
    with commit():
        for name in ("F-16C Block 52", "JF-17 Thunder", "Mirage 5", "F-35A"):
            SystemFactory(name=name)
        PartnershipFactory(name="F-16C Block 52 to Pakistan")
        PartnershipFactory(name="F-35A to Poland")
    response = client.get(url, {"q": typed})
    assert response.status_code == 200
    if url.startswith("/api/"):
        names = [record["name"] for record in response.json()["results"]]
    else:
        names = [record.name for record in response.context["object_list"]]
    assert names == found


def test_a_page_past_the_end_of_an_index_sends_readers_to_its_last_page(client):
    last = client.get("/countries/").context["paginator"].num_pages
    assert last > 1
    response = client.get("/countries/", {"region": "", "page": last + 5})
    assert response.status_code == 302
    assert response.url == f"/countries/?region=&page={last}"


def test_names_are_sorted_as_readers_read_them(client, commit):
    """Case and accents aside: "aircraft engine" among the A's, not after
    "ZPT"; Åland Islands after Afghanistan; Côte d'Ivoire before Croatia."""
    with commit():
        for name in ("ZPT", "aircraft engine", "Bayraktar TB2", "Éclair"):
            SystemFactory(name=name)
    systems = client.get("/systems/", {"sort": "name"}).context["object_list"]
    assert [s.name for s in systems] == [
        "aircraft engine",
        "Bayraktar TB2",
        "Éclair",
        "ZPT",
    ]
    backwards = client.get("/systems/", {"sort": "-name"}).context["object_list"]
    assert [s.name for s in backwards] == [
        "ZPT",
        "Éclair",
        "Bayraktar TB2",
        "aircraft engine",
    ]
    countries = [
        c.name
        for c in client.get("/countries/", {"sort": "name", "per_page": 100}).context[
            "object_list"
        ]
    ]
    assert countries[:2] == ["Afghanistan", "Åland Islands"]
    assert countries.index("Côte d'Ivoire") < countries.index("Croatia")
