"""Turn a free-text country name into a Country, or say clearly that it cannot.

Every importer uses this one resolver. It looks a name up, after
normalisation, among the countries' names, ISO codes and aliases (official
names among them) held in the database; failing that, among the spellings
in ``data/country_names.tsv`` (OpenSanctions' countrynames list: some 25,000
names in many spellings and languages, MIT licence), mapped back to a country
by ISO code. It never guesses: an unknown name raises ``Country.DoesNotExist``
and a name shared by several countries raises
``Country.MultipleObjectsReturned``.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from core.names import fold, normalise_name

if TYPE_CHECKING:
    from .models import Country, CountryQuerySet


SPELLINGS_FILE = Path(__file__).resolve().parent / "data" / "country_names.tsv"


def spelling_key(text: str) -> str:
    """``normalise_name``, except that the vowel signs of Indic and other
    scripts stay part of the word (``normalise_name`` reads them as
    punctuation, so that "टोगो" and "टोंगा", Togo and Tonga, would meet)."""
    folded = fold(text).replace("&", " and ")
    kept = (
        ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " "
        for ch in folded
    )
    return " ".join("".join(kept).split())


@cache
def known_spellings() -> dict[str, str]:
    """Spelling key -> country code, from the spellings file (read once per
    process; ``scripts/build_country_names.py`` rebuilds the file)."""
    spellings: dict[str, str] = {}
    with SPELLINGS_FILE.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            code, name = line.rstrip("\n").split("\t", 1)
            spellings[spelling_key(name)] = code
    return spellings


class CountryResolver:
    def __init__(self, countries: list[Country], aliases: list[tuple[int, str]]):
        self._by_id = {country.pk: country for country in countries}
        keys: dict[str, set[int]] = defaultdict(set)
        codes: dict[str, set[int]] = defaultdict(set)
        for country in countries:
            keys[normalise_name(country.name)].add(country.pk)
            for code in (country.alpha_3, country.alpha_4):
                if code:
                    codes[code.upper()].add(country.pk)
            if country.alpha_2 and not country.is_former:
                codes[country.alpha_2.upper()].add(country.pk)
        for country_id, normalised in aliases:
            keys[normalised].add(country_id)
        # Former states' two-letter codes (DD, SU, YU...) where no current
        # country has them and no two former states share them.
        former_alpha_2: dict[str, set[int]] = defaultdict(set)
        for country in countries:
            if country.is_former and country.alpha_2:
                former_alpha_2[country.alpha_2.upper()].add(country.pk)
        for code, ids in former_alpha_2.items():
            codes.setdefault(code, ids)
        self._keys = dict(keys)
        self._codes = dict(codes)

    @classmethod
    def from_database(cls, queryset: CountryQuerySet) -> CountryResolver:
        from .models import Alias

        countries = list(queryset)
        aliases = list(
            Alias.objects.filter(entity__in=[c.pk for c in countries]).values_list(
                "entity_id", "normalised"
            )
        )
        return cls(countries, aliases)

    def resolve(self, name: str) -> Country:
        from .models import Country

        text = (name or "").strip()
        if not normalise_name(text):
            raise Country.DoesNotExist("An empty name matches no country.")
        ids = self._candidates(text)
        if not ids:
            raise Country.DoesNotExist(f"No country is known by the name “{text}”.")
        if len(ids) > 1:
            names = ", ".join(sorted(self._by_id[i].name for i in ids))
            raise Country.MultipleObjectsReturned(
                f"“{text}” could mean any of: {names}. Use a fuller name or an "
                "ISO code."
            )
        return self._by_id[next(iter(ids))]

    def resolve_or_none(self, name: str) -> Country | None:
        from .models import Country

        try:
            return self.resolve(name)
        except (Country.DoesNotExist, Country.MultipleObjectsReturned):
            return None

    def by_exact_name(self, text: str) -> Country | None:
        """The one country whose name or alias ``text`` is, after
        normalisation; no codes, no other spellings. For finding countries
        among the words of a phrase, where "in" is a word, not India."""
        ids = self._keys.get(normalise_name(text), set())
        return self._by_id[next(iter(ids))] if len(ids) == 1 else None

    def knows_exactly(self, text: str) -> bool:
        """Whether ``text`` is a name, alias or ISO code held here, rather
        than a spelling only the spellings file knows."""
        key = normalise_name(text)
        return key in self._keys or text.strip().upper() in self._codes

    def _candidates(self, text: str) -> set[int]:
        key = normalise_name(text)
        if key in self._keys:
            return self._keys[key]
        is_code = text.isascii() and text.isalpha() and len(text) in (2, 3, 4)
        if is_code and (ids := self._codes.get(text.upper())):
            return ids
        code = known_spellings().get(spelling_key(text))
        if code and (ids := self._codes.get(code)):
            return ids
        return set()
