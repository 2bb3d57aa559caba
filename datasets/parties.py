"""Who takes part: a dataset's names for states and other parties, resolved
once each (the import's "resolve names" step)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from core.names import normalise_name
from partnerships.models import (
    Alias,
    Bloc,
    Country,
    EntityType,
    Organisation,
    OrganisationKind,
)

from .entities import Catalogue, pk_of
from .source import RowError

NAME_LIMIT = 255  # an entity's name


class ActorKind(StrEnum):
    COUNTRY = "country"
    BLOC = "bloc"
    ORGANISATION = "organisation"
    NEW_ORGANISATION = "new organisation"


@dataclass
class Actor:
    """What a dataset's name for a party became: a country, a bloc or an
    organisation (an id, or an Organisation created with the catalogue)."""

    name: str
    country: Country | None = None
    bloc: Bloc | None = None
    organisation: int | Organisation | None = None
    # Why the name is no known country, where it should have been one: the
    # records that name it are flagged.
    unknown: str = ""

    @property
    def display(self) -> str:
        actor = self.country or self.bloc or self.organisation
        return getattr(actor, "name", None) or self.name

    def party_ids(self) -> tuple[int | None, int | None, int | None]:
        """The party as a participant row names it: (country_id,
        organisation_id, bloc_id), one of them set."""
        if self.country is not None:
            return (self.country.pk, None, None)
        if self.bloc is not None:
            return (None, None, self.bloc.pk)
        if self.organisation is None:
            raise ValueError(f"“{self.name}” became no country, bloc or organisation")
        return (None, pk_of(self.organisation), None)

    @functools.cached_property
    def identity(self) -> tuple[str, str]:
        """Which party this is, in words that stay the same from one import
        (and one database) to the next. Kept once worked out: a name's actor
        is asked on every row that names it (twice for each of a register's
        30,000 deals), and what it became does not change."""
        if self.country is not None:
            return (ActorKind.COUNTRY, self.country.slug)
        if self.bloc is not None:
            return (ActorKind.BLOC, self.bloc.slug)
        return (ActorKind.ORGANISATION, getattr(self.organisation, "name", self.name))

    @property
    def key(self) -> tuple[str, int]:
        """Which record this is: two names can stand for one party."""
        if self.country is not None:
            return (ActorKind.COUNTRY, self.country.pk)
        if self.bloc is not None:
            return (ActorKind.BLOC, self.bloc.pk)
        if isinstance(self.organisation, int):
            return (ActorKind.ORGANISATION, self.organisation)
        return (ActorKind.NEW_ORGANISATION, id(self.organisation))


class Parties:
    """A dataset's names for countries and other parties, resolved once each.

    Names go through the country resolver. SIPRI marks non-state actors with
    ``*`` (often with their country in brackets: "Hezbollah (Lebanon)*") and
    international organisations with ``**``; those, and "unknown
    supplier(s)", become organisations or blocs, never countries. A name that
    is neither a country nor marked becomes an organisation flagged for
    checking, or, with ``strict``, stops the import. The ``report`` says what
    became of every name that is not a country.
    """

    UNKNOWN = re.compile(r"^unknown\b", re.IGNORECASE)
    PLACE = re.compile(r"^(?P<name>.*?)\s*\((?P<place>[^()]*)\)\s*$")
    INTERNATIONAL_MARK = "**"
    NON_STATE_MARK = "*"

    def __init__(
        self, dataset: str, *, organisations: Catalogue[Organisation], strict: bool
    ):
        """``dataset`` names the dataset in new organisations' summaries;
        ``organisations`` is where they are found or queued."""
        self.dataset, self.strict = dataset, strict
        self.resolver = Country.objects.resolver()
        self.organisations = organisations
        self.blocs = self._blocs()
        self.cache: dict[str, Actor] = {}
        self.report: dict[str, str] = {}

    @staticmethod
    def _blocs() -> dict[str, Bloc]:
        blocs = {normalise_name(b.name): b for b in Bloc.objects.all()}
        by_id = {b.pk: b for b in blocs.values()}
        for entity_id, normalised in Alias.objects.filter(
            entity__entity_type=EntityType.BLOC
        ).values_list("entity_id", "normalised"):
            blocs[normalised] = by_id[entity_id]
        return blocs

    def get(self, raw: str, row: int) -> Actor:
        raw = raw.strip()
        if raw not in self.cache:
            self.cache[raw] = self._resolve(raw, row)
        return self.cache[raw]

    def _organisation(
        self, raw: str, name: str, kind: str, about: str, home=None
    ) -> Actor:
        new = Organisation(
            name=name, kind=kind, home_country=home,
            summary=f"{about} in {self.dataset}.",
        )  # fmt: skip
        return Actor(name=name, organisation=self.organisations.get(raw, new))

    def _resolve(self, raw: str, row: int) -> Actor:
        name = raw.rstrip(self.NON_STATE_MARK).strip()
        marks = raw[len(raw.rstrip(self.NON_STATE_MARK)) :]
        if not name:
            raise RowError(row, f"the name “{raw}” is empty")
        if len(name) > NAME_LIMIT:
            raise RowError(
                row, f"the name “{name[:40]}…” is {len(name)} characters long "
                f"(at most {NAME_LIMIT})",
            )  # fmt: skip
        if marks.startswith(self.INTERNATIONAL_MARK):
            bloc = self.blocs.get(normalise_name(name))
            if bloc is not None:
                self.report[raw] = f"bloc: {bloc.name}"
                return Actor(name=name, bloc=bloc)
            self.report[raw] = "organisation: intergovernmental"
            return self._organisation(
                raw,
                name,
                OrganisationKind.INTERGOVERNMENTAL,
                "An international organisation",
            )
        if marks == self.NON_STATE_MARK:  # often with its country in brackets
            place = self.PLACE.match(name)
            home = self.resolver.resolve_or_none(place["place"]) if place else None
            where = f" (based in {home.name})" if home else ""
            self.report[raw] = f"organisation: non-state actor{where}"
            return self._organisation(
                raw,
                name,
                OrganisationKind.NON_STATE_ARMED_GROUP,
                "A non-state actor",
                home,
            )
        if self.UNKNOWN.match(name):
            self.report[raw] = "organisation: placeholder for an unidentified party"
            return self._organisation(
                raw, name[:1].upper() + name[1:], OrganisationKind.OTHER,
                "A placeholder for a party the data does not identify",
            )  # fmt: skip
        try:
            country = self.resolver.resolve(name)
        except Country.MultipleObjectsReturned as exc:
            raise RowError(row, f"{exc} Add an alias to the country meant") from None
        except Country.DoesNotExist:
            bloc = self.blocs.get(normalise_name(name))
            if bloc is not None:  # "NATO", unmarked
                self.report[raw] = f"bloc: {bloc.name}"
                return Actor(name=name, bloc=bloc)
            unknown = (
                f"“{name}” is not a known country (add it, or an alias for it) "
                "and is not marked * or ** as a non-state actor"
            )
            if self.strict:
                raise RowError(row, unknown) from None
        else:
            if not self.resolver.knows_exactly(name):
                # Matched by another spelling ("Chechnya" is Russia's): say so.
                self.report[raw] = (
                    f"country: {country.name}, by another spelling; check it"
                )
            return Actor(name=name, country=country)
        self.report[raw] = "organisation: NOT a known country; check it"
        actor = self._organisation(
            raw, name, OrganisationKind.OTHER, "A party that is not a known country"
        )
        actor.unknown = unknown
        return actor

    def name_report(self) -> dict[str, str]:
        """Every name that is not a country (or was one by another
        spelling): how it was recorded, sorted by name."""
        return dict(sorted(self.report.items(), key=lambda item: item[0].lower()))
