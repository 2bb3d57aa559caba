"""Reference data: every country and the main blocs.

Codes, official names and names come from maintained libraries: pycountry
(ISO 3166-1 and ISO 3166-3), Babel (the Unicode CLDR's English names, such as
"Congo - Brazzaville" and "Antigua & Barbuda") and countryinfo (UN regions,
coordinates, demonyms and alternative spellings). What no library holds is
curated here, small and explicit: readable display names for ISO's inverted
ones, common aliases ("UAE", "Turkey"), the former states datasets still use,
and bloc memberships.

The seeding functions take model classes as arguments so that data
migrations (historical models) and the ``load_reference_data`` command (real
models) run the same code. They are idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from core.names import normalise_name, reserve_slug

# Display names where ISO's reads badly in a list ("Korea, Republic of").
DISPLAY_NAMES = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "FK": "Falkland Islands",
    "MO": "Macao",
    "PS": "Palestine",
    "RU": "Russia",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
    "MF": "Saint Martin",
    "SX": "Sint Maarten",
    "BQ": "Caribbean Netherlands",
    "KR": "South Korea",
    "KP": "North Korea",
    "CZ": "Czechia",
}

# Languages of the UN in other scripts than Latin: each country is found by
# its name in them too (CLDR's, through Babel).
OTHER_SCRIPTS = ("ar", "ru", "zh")

# Names used by the press and by datasets that no library gives the country.
EXTRA_ALIASES = {
    "AE": ["UAE", "Emirates"],
    "BA": ["Bosnia-Herzegovina", "Bosnia"],
    "CN": ["PRC"],
    "CD": ["DR Congo", "DRC", "Congo-Kinshasa", "Congo, Democratic Republic of"],
    "CG": ["Congo-Brazzaville", "Congo, Republic of"],
    "CI": ["Ivory Coast"],
    "CV": ["Cape Verde"],
    "CZ": ["Czech Republic"],
    "GB": ["UK", "Britain", "Great Britain", "United Kingdom of Great Britain"],
    "KP": ["DPRK", "Korea, North"],
    "KR": ["Republic of Korea", "ROK", "Korea, South"],
    "MK": ["Macedonia", "FYROM", "Former Yugoslav Republic of Macedonia"],
    "MM": ["Burma"],
    "NL": ["Holland"],
    "PS": ["Palestinian Territories", "State of Palestine"],
    "RU": ["Russian Federation"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor"],
    "TR": ["Turkey", "Republic of Turkey", "Republic of Türkiye"],
    "US": ["USA", "US", "United States of America"],
    "VN": ["Vietnam", "Viet Nam", "North Vietnam", "Democratic Republic of Vietnam"],
    # Historical and alternate names of states that carried on under them.
    "KN": [
        "Saint Christopher and Nevis", "St. Christopher and Nevis",
        "St. Christopher", "Saint Christopher", "St. Kitts and Nevis", "St Kitts",
    ],
    "KH": ["Kampuchea", "Democratic Kampuchea", "People's Republic of Kampuchea"],
    "RO": ["Rumania"],
    "SR": ["Surinam"],
    "LK": ["Ceylon"],
    "BW": ["Bechuanaland"],
    "LS": ["Basutoland"],
    "MW": ["Nyasaland"],
    "ZM": ["Northern Rhodesia"],
    "GH": ["Gold Coast"],
    "BZ": ["British Honduras"],
    "GY": ["British Guiana"],
}  # fmt: skip
# Yemen is the Republic of Yemen, from 1990: the Yemen Arab Republic (North
# Yemen) and South Yemen are former states of their own (FORMER_STATES,
# UNCODED_STATES), never today's Yemen.

# ISO 3166-3 entries whose state carried on under a new name or code: their
# names become aliases of the successor instead of records of their own.
# Adjectives the library lacks that datasets and readers use for a country
# ("Philippine waters", "Saudi forces"), beside its demonym ("Filipino").
EXTRA_DEMONYMS = {
    "PH": ["Philippine"],
    "SA": ["Saudi"],
}


def demonym_list(demonym: str) -> list[str]:
    """A country's demonyms, as its field lists them ("Bosnian,Herzegovinian")."""
    return [part.strip() for part in demonym.split(",") if part.strip()]


def with_extra_demonyms(demonym: str, alpha_2: str) -> str:
    """``demonym`` with the curated adjectives it lacks added at its end."""
    have = demonym_list(demonym)
    known = {normalise_name(d) for d in have}
    extra = [
        d for d in EXTRA_DEMONYMS.get(alpha_2, []) if normalise_name(d) not in known
    ]
    return ", ".join([*have, *extra])


# ISO 3166-1 entries that are territories of a state, not states: the
# state they belong to (ISO 3166-1 codes). A place in one is in that state
# (an exercise at Gibraltar is hosted by the United Kingdom). Territories
# whose status is disputed, or that conduct their own defence relations
# (Cook Islands, Niue, Western Sahara, Taiwan, Kosovo, Palestine), are not
# listed.
DEPENDENT_TERRITORIES = {
    "AI": "GB", "AS": "US", "AW": "NL", "AX": "FI", "BL": "FR", "BM": "GB",
    "BQ": "NL", "BV": "NO", "CC": "AU", "CW": "NL", "CX": "AU", "FK": "GB",
    "FO": "DK", "GF": "FR", "GG": "GB", "GI": "GB", "GL": "DK", "GP": "FR",
    "GS": "GB", "GU": "US", "HK": "CN", "HM": "AU", "IM": "GB", "IO": "GB",
    "JE": "GB", "KY": "GB", "MF": "FR", "MO": "CN", "MP": "US", "MQ": "FR",
    "MS": "GB", "NC": "FR", "NF": "AU", "PF": "FR", "PM": "FR", "PN": "GB",
    "PR": "US", "RE": "FR", "SH": "GB", "SJ": "NO", "SX": "NL", "TC": "GB",
    "TF": "FR", "TK": "NZ", "UM": "US", "VG": "GB", "VI": "US", "WF": "FR",
    "YT": "FR",
}  # fmt: skip


RENAMED_TO = {
    "AIDJ": "DJ",  # French Afars and Issas
    "BUMM": "MM",  # Burma
    "BYAA": "BY",  # Byelorussian SSR
    "CTKI": "KI",  # Canton and Enderbury Islands
    "DYBJ": "BJ",  # Dahomey
    "FXFR": "FR",  # France, Metropolitan
    "HVBF": "BF",  # Upper Volta
    "NHVU": "VU",  # New Hebrides
    "RHZW": "ZW",  # Southern Rhodesia
    "TPTL": "TL",  # East Timor
    "VDVN": "VN",  # North Vietnam
    "ZRCD": "CD",  # Zaire
}
RENAMED_ALIASES = {
    "BUMM": ["Burma"],
    "BYAA": ["Byelorussian SSR", "Byelorussia", "Belorussia"],
    "DYBJ": ["Dahomey"],
    "HVBF": ["Upper Volta"],
    "RHZW": ["Rhodesia", "Southern Rhodesia"],
    "ZRCD": ["Zaire"],
    "NHVU": ["New Hebrides"],
}

# Former states: readable names and what ISO 3166-3 leaves out.
FORMER_STATES: dict[str, dict[str, Any]] = {
    "SUHH": {
        "name": "Soviet Union",
        "official_name": "Union of Soviet Socialist Republics",
        "aliases": [
            "USSR",
            "Soviet Union (USSR)",
            "USSR (Soviet Union)",
            "Union of Soviet Socialist Republics",
        ],
        "region": "Europe",
        "subregion": "Eastern Europe",
        "until": 1991,
        "latlng": (61.5, 105.3),
    },
    "YUCS": {
        "name": "Yugoslavia",
        "official_name": "Socialist Federal Republic of Yugoslavia",
        "aliases": ["SFR Yugoslavia", "Federal Republic of Yugoslavia", "SFRY"],
        "region": "Europe",
        "subregion": "Southern Europe",
        "until": 2003,
        "latlng": (44.0, 20.0),
    },
    "CSHH": {
        "name": "Czechoslovakia",
        "official_name": "Czechoslovak Socialist Republic",
        "aliases": ["Czechoslovak Socialist Republic"],
        "region": "Europe",
        "subregion": "Eastern Europe",
        "until": 1992,
        "latlng": (49.5, 17.0),
    },
    "CSXX": {
        "name": "Serbia and Montenegro",
        "official_name": "State Union of Serbia and Montenegro",
        "aliases": ["Serbia & Montenegro"],
        "region": "Europe",
        "subregion": "Southern Europe",
        "until": 2006,
        "latlng": (43.5, 20.5),
    },
    "DDDE": {
        "name": "East Germany",
        "official_name": "German Democratic Republic",
        "aliases": [
            "GDR",
            "DDR",
            "East Germany (GDR)",
            "Germany, East",
            "German Democratic Republic (GDR)",
        ],
        "region": "Europe",
        "subregion": "Western Europe",
        "until": 1990,
        "latlng": (52.5, 12.5),
    },
    "YDYE": {
        "name": "South Yemen",
        "official_name": "People's Democratic Republic of Yemen",
        "aliases": [
            "Yemen, People's Democratic Republic of",
            "South Yemen (PDRY)",
            "PDRY",
            "Yemen People's Republic",
            "People's Republic of South Yemen",
            "Yemen, South",
            "Democratic Yemen",
        ],
        "region": "Asia",
        "subregion": "Western Asia",
        "until": 1990,
        "latlng": (14.5, 48.0),
    },
    "ANHH": {
        "name": "Netherlands Antilles",
        "region": "Americas",
        "subregion": "Latin America and the Caribbean",
        "until": 2010,
        "latlng": (12.2, -69.0),
    },
}

# States datasets use that ISO never coded (keyed by slug) or coded outside
# ISO 3166-1 (Kosovo's user-assigned XK).
UNCODED_STATES: dict[str, dict[str, Any]] = {
    "west-germany": {
        "name": "West Germany",
        "official_name": "Federal Republic of Germany",
        "aliases": [
            "West Germany (FRG)",
            "German Federal Republic",
            "FRG",
            "Germany, West",
            "Federal Republic of Germany (West Germany)",
        ],
        "region": "Europe",
        "subregion": "Western Europe",
        "until": 1990,
        "latlng": (50.5, 8.5),
        "is_former": True,
    },
    "north-yemen": {
        "name": "North Yemen",
        "official_name": "Yemen Arab Republic",
        "aliases": [
            "Yemen Arab Republic (North Yemen)",
            "North Yemen (YAR)",
            "YAR",
            "Yemen, North",
            "Yemen (Arab Republic)",
            "Mutawakkilite Kingdom of Yemen",
        ],
        "region": "Asia",
        "subregion": "Western Asia",
        "until": 1990,
        "latlng": (15.4, 44.2),
        "is_former": True,
    },
    "south-vietnam": {
        "name": "South Vietnam",
        "official_name": "Republic of Vietnam",
        "aliases": [
            "Vietnam, Republic of",
            "South Viet Nam",
            "Viet Nam, Republic of",
            "Vietnam, South",
            "RVN",
            "South Vietnam (RVN)",
        ],
        "region": "Asia",
        "subregion": "South-eastern Asia",
        "until": 1975,
        "latlng": (11.0, 106.5),
        "is_former": True,
    },
    "kosovo": {
        "name": "Kosovo",
        "official_name": "Republic of Kosovo",
        "alpha_2": "XK",
        "alpha_3": "XKX",
        "region": "Europe",
        "subregion": "Southern Europe",
        "latlng": (42.6, 20.9),
        "is_former": False,
    },
}


@dataclass
class CountryRecord:
    key: str  # alpha_2 for current states, alpha_4 or slug for former ones
    name: str
    official_name: str = ""
    alpha_2: str = ""
    alpha_3: str = ""
    alpha_4: str = ""
    numeric: str = ""
    region: str = ""
    subregion: str = ""
    demonym: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_former: bool = False
    existed_until: int | None = None
    # (alias, priority): lower wins; -1 curated former-state names, 0 curated
    # or official names, 1 library names, 2 alternative spellings
    names: list[tuple[str, int]] = field(default_factory=list)


def _countryinfo(alpha_2: str) -> dict[str, Any]:
    from countryinfo import CountryInfo

    try:
        return dict(CountryInfo(alpha_2).info())
    except Exception:  # the library raises its own error for unknown codes
        return {}


def is_fragment(spelling: str) -> bool:
    """A piece of the spelling before it, cut at a comma: countryinfo has
    Brunei's "Nation of Brunei, the Abode of Peace" as two ("Nation of
    Brunei", " the Abode of Peace")."""
    text = spelling.strip()
    return spelling[:1].isspace() and text[:1].islower()


def mended_spellings(spellings: list[str]) -> list[str]:
    """countryinfo's ``altSpellings`` without the space some start with
    (" República del Perú"), each fragment joined back to its spelling."""
    mended: list[str] = []
    for spelling in spellings:
        text = spelling.strip()
        if not text:
            continue
        if is_fragment(spelling) and mended:
            mended[-1] = f"{mended[-1]}, {text}"
        else:
            mended.append(text)
    return mended


def country_records() -> list[CountryRecord]:
    """Every country, current and former, with all its names."""
    import pycountry
    from babel import Locale

    cldr = Locale("en").territories
    other_scripts = {
        language: Locale(language).territories for language in OTHER_SCRIPTS
    }
    records: dict[str, CountryRecord] = {}

    for iso in pycountry.countries:
        info = _countryinfo(iso.alpha_2)
        common = getattr(iso, "common_name", "")
        official = getattr(iso, "official_name", "")
        name = DISPLAY_NAMES.get(iso.alpha_2) or common or iso.name
        latlng = info.get("latlng") or [None, None]
        record = CountryRecord(
            key=iso.alpha_2,
            name=name,
            official_name=official,
            alpha_2=iso.alpha_2,
            alpha_3=iso.alpha_3,
            numeric=iso.numeric,
            region=info.get("region") or "",
            subregion=info.get("subregion") or "",
            demonym=with_extra_demonyms(info.get("demonym") or "", iso.alpha_2),
            latitude=latlng[0] if len(latlng) == 2 else None,
            longitude=latlng[1] if len(latlng) == 2 else None,
        )
        record.names += [(name, 0), (official, 0), (iso.name, 1), (common, 1)]
        record.names += [(cldr.get(iso.alpha_2, ""), 1), (info.get("name", ""), 1)]
        record.names += [(alias, 0) for alias in EXTRA_ALIASES.get(iso.alpha_2, [])]
        # Its name in the other scripts of the UN's languages ("Россия",
        # "中国", "روسيا"), for a reader who types it so.
        record.names += [
            (names.get(iso.alpha_2, ""), 2) for names in other_scripts.values()
        ]
        record.names += [
            (spelling, 2)
            for spelling in mended_spellings(info.get("altSpellings") or [])
            if not (spelling.isupper() and len(spelling) <= 4)
        ]
        records[record.key] = record

    for iso in pycountry.historic_countries:
        if iso.alpha_4 in RENAMED_TO:
            successor = records[RENAMED_TO[iso.alpha_4]]
            successor.names += [(iso.name, 1)]
            successor.names += [(a, 0) for a in RENAMED_ALIASES.get(iso.alpha_4, [])]
            continue
        curated = FORMER_STATES.get(iso.alpha_4, {})
        withdrawn = getattr(iso, "withdrawal_date", "")
        latlng = curated.get("latlng", (None, None))
        record = CountryRecord(
            key=iso.alpha_4,
            name=curated.get("name", iso.name),
            official_name=curated.get("official_name", ""),
            alpha_2=iso.alpha_2,
            alpha_3=iso.alpha_3,
            alpha_4=iso.alpha_4,
            numeric=getattr(iso, "numeric", ""),
            region=curated.get("region", ""),
            subregion=curated.get("subregion", ""),
            latitude=latlng[0],
            longitude=latlng[1],
            is_former=True,
            existed_until=curated.get("until")
            or (int(withdrawn[:4]) if withdrawn else None),
        )
        record.names += [(record.name, 0), (record.official_name, 0), (iso.name, 1)]
        record.names += [(alias, 0) for alias in curated.get("aliases", [])]
        records[record.key] = record

    for slug, curated in UNCODED_STATES.items():
        latlng = curated["latlng"]
        record = CountryRecord(
            key=curated.get("alpha_2") or slug,
            name=curated["name"],
            official_name=curated.get("official_name", ""),
            alpha_2=curated.get("alpha_2", ""),
            alpha_3=curated.get("alpha_3", ""),
            region=curated["region"],
            subregion=curated["subregion"],
            latitude=latlng[0],
            longitude=latlng[1],
            is_former=curated["is_former"],
            existed_until=curated.get("until"),
        )
        # A former state's curated names outrank a current state's official
        # name: "Federal Republic of Germany" in a dataset is West Germany.
        record.names += [(record.name, -1), (record.official_name, -1)]
        record.names += [(alias, -1) for alias in curated.get("aliases", [])]
        records[record.key] = record

    _settle_shared_names(list(records.values()))
    return list(records.values())


def _settle_shared_names(records: list[CountryRecord]) -> None:
    """Keep each name with the country that holds it most firmly.

    A name claimed by several countries goes to those claiming it at the best
    priority: a curated or official name beats a library's variant, which
    beats an alternative spelling. Names still shared at the best priority
    stay with all of them, and the resolver reports them as ambiguous.
    """
    best: dict[str, int] = {}
    for record in records:
        for alias, priority in record.names:
            key = normalise_name(alias)
            if key:
                best[key] = min(priority, best.get(key, priority))
    for record in records:
        kept: dict[str, tuple[str, int]] = {}
        for alias, priority in record.names:
            key = normalise_name(alias)
            if key and priority == best[key] and key not in kept:
                kept[key] = (alias, priority)
        record.names = list(kept.values())


def _fill_blanks(country, record: CountryRecord) -> bool:
    """Fill the fields staff left empty from the reference record (never
    overwriting curation); whether anything changed."""
    changed = False
    for attr in ("official_name", "region", "subregion", "demonym"):
        if not getattr(country, attr) and getattr(record, attr):
            setattr(country, attr, getattr(record, attr))
            changed = True
    # The curated adjectives are added to a demonym staff set, never
    # replacing it.
    if country.demonym and country.alpha_2 in EXTRA_DEMONYMS:
        demonym = with_extra_demonyms(country.demonym, country.alpha_2)
        if demonym != country.demonym:
            country.demonym, changed = demonym, True
    if country.latitude is None and record.latitude is not None:
        country.latitude, country.longitude = record.latitude, record.longitude
        changed = True
    return changed


def seed_countries(*, Country, Alias) -> tuple[int, int]:
    """Create or update every country and add any missing alias.

    Returns (countries created, aliases created). Aliases staff added are
    kept; fields staff may have edited (name, region) are only filled when
    empty, so running it again never undoes curation.
    """
    records = country_records()
    existing = {}
    for country in Country.objects.all():
        key = (
            country.alpha_2
            if not country.is_former and country.alpha_2
            else (country.alpha_4 or country.slug)
        )
        existing[key] = country
    taken_slugs = {c.slug for c in existing.values()}
    created = 0
    for record in sorted(records, key=lambda r: (r.is_former, r.name)):
        country = existing.get(record.key)
        if country is None:
            slug = reserve_slug(record.name, taken_slugs, fallback="country")
            country = Country(
                entity_type="country",
                slug=slug,
                name=record.name,
                official_name=record.official_name,
                alpha_2=record.alpha_2,
                alpha_3=record.alpha_3,
                alpha_4=record.alpha_4,
                numeric=record.numeric,
                region=record.region,
                subregion=record.subregion,
                demonym=record.demonym,
                latitude=record.latitude,
                longitude=record.longitude,
                is_former=record.is_former,
                existed_until=record.existed_until,
            )
            country.save()
            existing[record.key] = country
            created += 1
        elif _fill_blanks(country, record):
            country.save()

    by_key = {record.key: record for record in records}
    have = defaultdict(set)
    for entity_id, normalised in Alias.objects.filter(
        entity__entity_type="country"
    ).values_list("entity_id", "normalised"):
        have[entity_id].add(normalised)
    new_aliases = []
    for key, country in existing.items():
        reference = by_key.get(key)
        if reference is None:
            continue
        own = normalise_name(country.name)
        for alias, _priority in reference.names:
            normalised = normalise_name(alias)
            if normalised == own or normalised in have[country.pk]:
                continue
            have[country.pk].add(normalised)
            new_aliases.append(
                Alias(entity_id=country.pk, name=alias, normalised=normalised)
            )
    Alias.objects.bulk_create(new_aliases)
    return created, len(new_aliases)


# --- Blocs --------------------------------------------------------------------

NATO_MEMBERS = {
    "BEL": 1949, "CAN": 1949, "DNK": 1949, "FRA": 1949, "ISL": 1949, "ITA": 1949,
    "LUX": 1949, "NLD": 1949, "NOR": 1949, "PRT": 1949, "GBR": 1949, "USA": 1949,
    "GRC": 1952, "TUR": 1952, "DEU": 1955, "ESP": 1982, "CZE": 1999, "HUN": 1999,
    "POL": 1999, "BGR": 2004, "EST": 2004, "LVA": 2004, "LTU": 2004, "ROU": 2004,
    "SVK": 2004, "SVN": 2004, "ALB": 2009, "HRV": 2009, "MNE": 2017, "MKD": 2020,
    "FIN": 2023, "SWE": 2024,
}  # fmt: skip

OIC_MEMBERS = [
    "AFG", "ALB", "DZA", "AZE", "BHR", "BGD", "BEN", "BRN", "BFA", "CMR", "TCD",
    "COM", "DJI", "EGY", "GAB", "GMB", "GIN", "GNB", "GUY", "IDN", "IRN", "IRQ",
    "CIV", "JOR", "KAZ", "KWT", "KGZ", "LBN", "LBY", "MYS", "MDV", "MLI", "MRT",
    "MAR", "MOZ", "NER", "NGA", "OMN", "PAK", "PSE", "QAT", "SAU", "SEN", "SLE",
    "SOM", "SDN", "SUR", "SYR", "TJK", "TGO", "TUN", "TUR", "TKM", "UGA", "ARE",
    "UZB", "YEM",
]  # fmt: skip

EU_MEMBERS = {
    "BEL": 1958, "FRA": 1958, "DEU": 1958, "ITA": 1958, "LUX": 1958, "NLD": 1958,
    "DNK": 1973, "IRL": 1973, "GRC": 1981, "PRT": 1986, "ESP": 1986, "AUT": 1995,
    "FIN": 1995, "SWE": 1995, "CYP": 2004, "CZE": 2004, "EST": 2004, "HUN": 2004,
    "LVA": 2004, "LTU": 2004, "MLT": 2004, "POL": 2004, "SVK": 2004, "SVN": 2004,
    "BGR": 2007, "ROU": 2007, "HRV": 2013,
}  # fmt: skip

ASEAN_MEMBERS = {
    "IDN": 1967, "MYS": 1967, "PHL": 1967, "SGP": 1967, "THA": 1967, "BRN": 1984,
    "VNM": 1995, "LAO": 1997, "MMR": 1997, "KHM": 1999, "TLS": 2025,
}  # fmt: skip

SCO_MEMBERS = {
    "CHN": 2001, "RUS": 2001, "KAZ": 2001, "KGZ": 2001, "TJK": 2001, "UZB": 2001,
    "IND": 2017, "PAK": 2017, "IRN": 2023, "BLR": 2024,
}  # fmt: skip

BLOCS: list[dict[str, Any]] = [
    {
        "slug": "nato",
        "kind": "military_alliance",
        "name": "NATO",
        "official_name": "North Atlantic Treaty Organization",
        "abbreviation": "NATO",
        "founded": 1949,
        "website": "https://www.nato.int/",
        "summary": "A military alliance of European and North American states, "
        "founded by the North Atlantic Treaty of 1949.",
        "aliases": [
            "North Atlantic Treaty Organisation",
            "OTAN",
            "North Atlantic Alliance",
        ],
        "members": dict(NATO_MEMBERS),
        "left": {},
    },
    {
        "slug": "organisation-of-islamic-cooperation",
        "kind": "intergovernmental",
        "name": "Organisation of Islamic Cooperation",
        "official_name": "Organisation of Islamic Cooperation",
        "abbreviation": "OIC",
        "founded": 1969,
        "website": "https://www.oic-oci.org/",
        "summary": "An organisation of 57 states that describes itself as the "
        "collective voice of the Muslim world.",
        "aliases": [
            "OIC",
            "Organization of Islamic Cooperation",
            "Organisation of the Islamic Conference",
            "Organization of the Islamic Conference",
        ],
        "members": dict.fromkeys(OIC_MEMBERS),
        "left": {},
        "notes": {"SYR": "Membership suspended in 2012."},
    },
    {
        "slug": "european-union",
        "kind": "union",
        "name": "European Union",
        "abbreviation": "EU",
        "founded": 1993,
        "website": "https://european-union.europa.eu/",
        "summary": "A political and economic union of European states with a "
        "growing common defence-industrial policy.",
        "aliases": ["EU"],
        "members": {**EU_MEMBERS, "GBR": 1973},
        "left": {"GBR": 2020},
    },
    {
        "slug": "gulf-cooperation-council",
        "kind": "union",
        "name": "Gulf Cooperation Council",
        "official_name": "Cooperation Council for the Arab States of the Gulf",
        "abbreviation": "GCC",
        "founded": 1981,
        "website": "https://www.gcc-sg.org/",
        "summary": "A political and economic union of six Gulf monarchies.",
        "aliases": ["GCC"],
        "members": dict.fromkeys(["SAU", "ARE", "KWT", "QAT", "BHR", "OMN"], 1981),
        "left": {},
    },
    {
        "slug": "asean",
        "kind": "regional",
        "name": "ASEAN",
        "official_name": "Association of Southeast Asian Nations",
        "abbreviation": "ASEAN",
        "founded": 1967,
        "website": "https://asean.org/",
        "summary": "A regional organisation of Southeast Asian states.",
        "aliases": ["Association of South-East Asian Nations"],
        "members": dict(ASEAN_MEMBERS),
        "left": {},
    },
    {
        "slug": "shanghai-cooperation-organisation",
        "kind": "regional",
        "name": "Shanghai Cooperation Organisation",
        "abbreviation": "SCO",
        "founded": 2001,
        "website": "https://eng.sectsco.org/",
        "summary": "A Eurasian political, economic and security organisation.",
        "aliases": ["SCO", "Shanghai Cooperation Organization"],
        "members": dict(SCO_MEMBERS),
        "left": {},
    },
    {
        "slug": "csto",
        "kind": "military_alliance",
        "name": "Collective Security Treaty Organization",
        "abbreviation": "CSTO",
        "founded": 2002,
        "website": "https://en.odkb-csto.org/",
        "summary": "A military alliance of six post-Soviet states.",
        "aliases": ["CSTO", "Collective Security Treaty Organisation"],
        "members": dict.fromkeys(["RUS", "BLR", "ARM", "KAZ", "KGZ", "TJK"], 2002),
        "left": {},
        "notes": {"ARM": "Froze its participation in 2024."},
    },
]


def seed_blocs(*, Bloc, BlocMembership, Country, Alias) -> tuple[int, int]:
    """Create or update the blocs and their memberships.

    Returns (blocs created, memberships created).
    """
    countries = {
        c.alpha_3: c
        for c in Country.objects.filter(is_former=False).exclude(alpha_3="")
    }
    blocs_created = memberships_created = 0
    for spec in BLOCS:
        bloc = Bloc.objects.filter(entity_type="bloc", slug=spec["slug"]).first()
        if bloc is None:
            bloc = Bloc(
                entity_type="bloc",
                slug=spec["slug"],
                name=spec["name"],
                official_name=spec.get("official_name", ""),
                abbreviation=spec.get("abbreviation", ""),
                founded=spec.get("founded"),
                website=spec.get("website", ""),
                summary=spec.get("summary", ""),
            )
            if "kind" in {field.name for field in Bloc._meta.fields}:
                # The earliest migrations seed blocs before they had a kind.
                bloc.kind = spec["kind"]
            bloc.save()
            blocs_created += 1
        have = set(
            Alias.objects.filter(entity_id=bloc.pk).values_list("normalised", flat=True)
        )
        own = normalise_name(bloc.name)
        for alias in [spec.get("official_name", ""), *spec["aliases"]]:
            normalised = normalise_name(alias)
            if normalised and normalised != own and normalised not in have:
                Alias.objects.create(
                    entity_id=bloc.pk, name=alias, normalised=normalised
                )
                have.add(normalised)
        members = set(
            BlocMembership.objects.filter(bloc=bloc).values_list(
                "country__alpha_3", flat=True
            )
        )
        notes = spec.get("notes", {})
        for code, joined in spec["members"].items():
            if code in members:
                continue
            BlocMembership.objects.create(
                bloc=bloc,
                country=countries[code],
                joined=joined,
                left=spec["left"].get(code),
                note=notes.get(code, ""),
            )
            memberships_created += 1
    return blocs_created, memberships_created
