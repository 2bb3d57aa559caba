"""Every country from ISO 3166, the former states datasets use, the blocs,
and the one resolver that turns a free-text name into a country."""

from io import StringIO

import pycountry
import pytest
from django.core.management import call_command

from partnerships.models import Alias, Bloc, BlocMembership, Country
from tests.factories import AliasFactory

pytestmark = pytest.mark.django_db


def test_every_iso_3166_1_country_exists_with_its_codes():
    for iso in pycountry.countries:
        country = Country.objects.get(alpha_2=iso.alpha_2, is_former=False)
        assert (country.alpha_3, country.numeric) == (iso.alpha_3, iso.numeric)


def test_countries_have_readable_names_regions_and_coordinates(country):
    turkiye = country("TR")
    assert turkiye.name == "Türkiye"
    assert turkiye.official_name == "Republic of Türkiye"
    assert (turkiye.region, turkiye.subregion) == ("Asia", "Western Asia")
    assert turkiye.latitude is not None
    assert country("KR").name == "South Korea"
    assert country("RU").name == "Russia"


@pytest.mark.parametrize(
    ("name", "alpha_4"),
    [
        ("Soviet Union", "SUHH"),
        ("Yugoslavia", "YUCS"),
        ("East Germany", "DDDE"),
        ("Czechoslovakia", "CSHH"),
    ],
)
def test_former_states_from_iso_3166_3_exist(name, alpha_4):
    state = Country.objects.get(name=name)
    assert state.is_former
    assert state.alpha_4 == alpha_4
    assert state.existed_until is not None


def test_former_states_iso_never_coded_exist_too():
    west_germany = Country.objects.get(slug="west-germany")
    assert west_germany.is_former
    assert west_germany.official_name == "Federal Republic of Germany"


@pytest.mark.parametrize(
    ("name", "alpha_2"),
    [
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("UAE", "AE"),
        ("Iran", "IR"),
        ("Russia", "RU"),
        ("Congo - Brazzaville", "CG"),
        ("Congo - Kinshasa", "CD"),
        ("Antigua & Barbuda", "AG"),
        ("Viet Nam", "VN"),
        ("Bosnia-Herzegovina", "BA"),
        ("Korea, South", "KR"),
        ("  united   states of AMERICA ", "US"),
        ("Ivory Coast", "CI"),
        ("Zaire", "CD"),
        ("Burma", "MM"),
        # Historical and alternate names of states that carried on.
        ("Saint Christopher and Nevis", "KN"),
        ("st. christopher", "KN"),
        ("Swaziland", "SZ"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Cabo Verde", "CV"),
        ("Cape Verde", "CV"),
        ("Kampuchea", "KH"),
        ("East Timor", "TL"),
        ("Macedonia", "MK"),
        ("Byelorussia", "BY"),
        ("Upper Volta", "BF"),
        ("Dahomey", "BJ"),
        ("Ceylon", "LK"),
        ("Rumania", "RO"),
        # Yemen is today's Republic of Yemen.
        ("Yemen", "YE"),
        ("Republic of Yemen", "YE"),
        # Near-misses stay apart.
        ("Niger", "NE"),
        ("Nigeria", "NG"),
        ("Guinea", "GN"),
        ("Guinea-Bissau", "GW"),
        ("Equatorial Guinea", "GQ"),
        ("Dominica", "DM"),
        ("Dominican Republic", "DO"),
        ("Austria", "AT"),
        ("Australia", "AU"),
    ],
)
def test_the_resolver_maps_names_to_current_states(name, alpha_2):
    assert Country.objects.resolve(name).alpha_2 == alpha_2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Soviet Union", "Soviet Union"),
        ("USSR", "Soviet Union"),
        ("Yugoslavia", "Yugoslavia"),
        ("Federal Republic of Germany", "West Germany"),
        ("German Federal Republic", "West Germany"),
        ("German Democratic Republic", "East Germany"),
        ("GDR", "East Germany"),
        ("East Germany (GDR)", "East Germany"),
        ("West Germany (FRG)", "West Germany"),
        ("Soviet Union (USSR)", "Soviet Union"),
        ("Czechoslovakia", "Czechoslovakia"),
        ("North Yemen", "North Yemen"),
        ("Yemen Arab Republic", "North Yemen"),
        ("Yemen Arab Republic (North Yemen)", "North Yemen"),
        ("YAR", "North Yemen"),
        ("South Yemen", "South Yemen"),
        ("Yemen People's Republic", "South Yemen"),
        ("People's Democratic Republic of Yemen", "South Yemen"),
        ("South Vietnam", "South Vietnam"),
        ("Republic of Vietnam", "South Vietnam"),
        ("Serbia and Montenegro", "Serbia and Montenegro"),
        ("Netherlands Antilles", "Netherlands Antilles"),
    ],
)
def test_the_resolver_maps_names_to_former_states(name, expected):
    """A former state is a record of its own, never its successor."""
    found = Country.objects.resolve(name)
    assert (found.name, found.is_former) == (expected, True)


@pytest.mark.parametrize(
    ("name", "alpha_2"),
    [
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Türkei", "TR"),
        ("Siam", "TH"),
        ("ドイツ", "DE"),
        ("Τουρκία", "TR"),
        ("ٹوگو", "TG"),
        ("टोगो", "TG"),
        ("टोंगा", "TO"),
        ("Chechnya", "RU"),
    ],
)
def test_the_resolver_knows_spellings_in_other_languages_and_scripts(name, alpha_2):
    """Spellings no alias holds, from the OpenSanctions list in
    partnerships/data/country_names.tsv (Togo and Tonga in Devanagari stay
    apart, although they differ only in vowel signs)."""
    resolver = Country.objects.resolver()
    assert not resolver.knows_exactly(name)
    assert resolver.resolve(name).alpha_2 == alpha_2


@pytest.mark.parametrize(
    ("code", "alpha_2"), [("TUR", "TR"), ("tr", "TR"), ("PAK", "PK")]
)
def test_the_resolver_accepts_iso_codes(code, alpha_2):
    assert Country.objects.resolve(code).alpha_2 == alpha_2


@pytest.mark.parametrize(
    "name",
    ["Atlantis", "Wakanda", "NATO", "United Nations", "", "Other", "Africa", "Unknown"],
)
def test_the_resolver_says_not_found_rather_than_guess(name):
    with pytest.raises(Country.DoesNotExist, match="country"):
        Country.objects.resolve(name)


def test_the_not_found_message_names_what_was_asked():
    with pytest.raises(Country.DoesNotExist, match="“Atlantis”"):
        Country.objects.resolve("Atlantis")


def test_a_name_two_countries_share_is_reported_as_ambiguous(country):
    AliasFactory(entity=country("NE"), name="The Sahel Republic")
    AliasFactory(entity=country("ML"), name="The Sahel Republic")
    with pytest.raises(Country.MultipleObjectsReturned, match=r"Mali.*Niger"):
        Country.objects.resolve("the sahel republic")


def test_an_alias_staff_add_is_resolved(country):
    AliasFactory(entity=country("GB"), name="Blighty")
    assert Country.objects.resolve("BLIGHTY") == country("GB")


def test_a_resolver_built_once_resolves_many_names_without_queries(
    django_assert_num_queries,
):
    resolver = Country.objects.resolver()
    with django_assert_num_queries(0):
        names = [resolver.resolve(n).alpha_2 for n in ("Turkey", "UAE", "Pakistan")]
        assert resolver.resolve_or_none("Atlantis") is None
    assert names == ["TR", "AE", "PK"]


def test_nato_and_the_oic_have_their_members(country):
    nato = Bloc.objects.get(slug="nato")
    oic = Bloc.objects.get(abbreviation="OIC")
    assert nato.members.count() == 32
    assert oic.members.count() == 57
    assert country("TR") in nato.members.all()
    assert country("TR") in oic.members.all()
    assert country("PK") not in nato.members.all()
    assert BlocMembership.objects.get(bloc=nato, country=country("SE")).joined == 2024


def test_blocs_are_known_by_their_abbreviations():
    nato = Bloc.objects.get(slug="nato")
    assert Alias.objects.filter(
        entity=nato, name="North Atlantic Treaty Organization"
    ).exists()


def test_reloading_reference_data_changes_nothing_and_keeps_curation(country):
    turkiye = country("TR")
    turkiye.region = "Europe"
    turkiye.save()
    counts = (
        Country.objects.count(),
        Alias.objects.count(),
        BlocMembership.objects.count(),
    )
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "0 created" in out.getvalue()
    assert counts == (
        Country.objects.count(),
        Alias.objects.count(),
        BlocMembership.objects.count(),
    )
    turkiye.refresh_from_db()
    assert turkiye.region == "Europe"


def test_country_aliases_are_whole_names_without_stray_spaces(country):
    """countryinfo starts some spellings with a space (" República del
    Perú") and cuts Brunei's long name at its comma: the aliases are the
    names, whole."""

    spaced = Alias.objects.filter(entity__entity_type="country").filter(
        name__regex=r"^\s|\s$"
    )
    assert list(spaced.values_list("name", flat=True)) == []
    brunei = set(country("BN").aliases.values_list("name", flat=True))
    assert "Nation of Brunei, the Abode of Peace" in brunei
    assert "the Abode of Peace" not in brunei
    assert "República del Perú" in set(
        country("PE").aliases.values_list("name", flat=True)
    )
