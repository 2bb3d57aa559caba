"""What the dataset importers share.

An import reads the whole file into plain records first, checking every
row; a bad row stops it with the row's number and the reason, before
anything is written. Then it writes everything in one transaction, in bulk
(a few queries per thousand rows, not a query per cell), keyed on a stable
external id so that importing the same file again changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils import timezone

from .models import (
    Alias,
    Bloc,
    Country,
    Entity,
    EntityType,
    ExternalIdentifier,
    MentionIndex,
    Organisation,
    OrganisationKind,
    Participant,
    Partnership,
    PartnershipSystem,
    Source,
)
from .names import normalise_name, slugify_name

BATCH = 1000
NAME_LIMIT = 255  # an entity's name


class RowError(Exception):
    """A row that cannot be imported, and why."""

    def __init__(self, row: int | None, reason: str):
        self.row, self.reason = row, reason
        where = f"Row {row}: " if row is not None else ""
        super().__init__(f"{where}{reason}")


# --- Reading files ---------------------------------------------------------------


# Multi-byte UTF-8 sequences: a file that has them is meant as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def read_text(path: Path) -> str:
    """The file's text, with line ends made plain (stray carriage returns
    are dropped). See ``decode``."""
    return decode(path)[0]


def decode(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8 (with or
    without a byte order mark), else Windows-1252 (what "ISO-8859-1" exports
    from Windows hold; SIPRI's are plain ISO-8859-1, which it reads alike),
    else ISO-8859-1. A UTF-8 file with a broken byte is refused, naming the
    line, rather than read as another encoding and garbled."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RowError(None, f"no such file: {path}") from None
    except OSError as exc:
        raise RowError(None, f"cannot read {path}: {exc.strerror}") from None
    if b"\x00" in raw[:4096]:
        raise RowError(None, f"{path} is a binary file, not CSV")
    try:
        text, encoding = raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        if any(_valid_utf8(m.group()) for m in _UTF8_SEQUENCE.finditer(raw)):
            line = raw.count(b"\n", 0, exc.start) + 1
            raise RowError(
                line,
                f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}), though the rest "
                "of the file is: repair it, or save the file again as UTF-8",
            ) from None
        try:
            text, encoding = raw.decode("cp1252"), "ISO-8859-1/Windows-1252"
        except UnicodeDecodeError:
            text, encoding = raw.decode("iso-8859-1"), "ISO-8859-1"
    return text.replace("\r\n", "\n").replace("\r", ""), encoding


def _valid_utf8(sequence: bytes) -> bool:
    try:
        sequence.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def fingerprint(record: dict) -> str:
    """A stable hash of everything imported from a row."""
    data = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def stable_id(*parts: object) -> str:
    """A short, stable id for a row that has none of its own."""
    text = "|".join(normalise_name(str(p)) for p in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


# --- Progress -----------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal, a line every so often otherwise."""

    def __init__(self, stream, total: int, label: str, every: int = 5000):
        self.stream, self.total, self.label, self.every = stream, total, label, every
        self.done = 0
        self.bar = None
        if getattr(stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit=" rows", file=sys.stderr)

    def advance(self, count: int) -> None:
        before, self.done = self.done, self.done + count
        if self.bar is not None:
            self.bar.update(count)
        elif self.done // self.every > before // self.every or self.done == self.total:
            self.stream.write(f"{self.label}: {self.done:,} of {self.total:,}\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Writing entities in bulk ------------------------------------------------------


class Slugs:
    """Unique slugs for new entities of one kind, checked in memory."""

    def __init__(self, entity_type: str):
        self.taken = set(
            Entity.objects.filter(entity_type=entity_type).values_list(
                "slug", flat=True
            )
        )

    def new(self, name: str) -> str:
        base = slugify_name(name)[:190].strip("-") or "item"
        slug, number = base, 2
        while slug in self.taken:
            slug, number = f"{base}-{number}", number + 1
        self.taken.add(slug)
        return slug


def bulk_create_entities(model: type[Entity], objs: list[Entity]) -> list[Entity]:
    """Create entities of a kind that extends Entity, in bulk.

    Django's bulk_create does not do multi-table inheritance, so: the shared
    Entity rows first (their ids come back), then the kind's own rows with
    the same ids.
    """
    if not objs:
        return objs
    now = timezone.now()
    local_fields = list(model._meta.local_concrete_fields)
    for batch in batches(objs):
        parents = [
            Entity(
                entity_type=model.ENTITY_TYPE,
                name=obj.name,
                slug=obj.slug,
                summary=obj.summary,
                created_at=now,
                updated_at=now,
            )
            for obj in batch
        ]
        Entity.objects.bulk_create(parents)
        for obj, parent in zip(batch, parents, strict=True):
            obj.entity_ptr_id = obj.id = parent.pk
            obj.entity_type = model.ENTITY_TYPE
            obj.created_at = obj.updated_at = now
            obj._state.adding = False
        # QuerySet._batched_insert is what bulk_create itself uses per table.
        model._base_manager.all()._batched_insert(batch, local_fields, batch_size=BATCH)
    return objs


def bulk_update_entities(
    model: type[Entity], objs: list[Entity], fields: list[str]
) -> None:
    """Update entities in bulk: the Entity table's fields and the kind's own."""
    if not objs:
        return
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now
    parent_fields = {f.name for f in Entity._meta.concrete_fields}
    shared = [f for f in fields if f in parent_fields] + ["updated_at"]
    own = [f for f in fields if f not in parent_fields]
    for batch in batches(objs):
        Entity.objects.bulk_update(
            [Entity(pk=o.pk, **{f: getattr(o, f) for f in shared}) for o in batch],
            shared,
        )
        if own:
            model._base_manager.bulk_update(batch, own)


@dataclass
class ExternalIds:
    """The entities a dataset already created, by their id in the dataset."""

    scheme: str
    ids: dict[str, int] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    imported: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, scheme: str, model: type[Entity] | None = None) -> ExternalIds:
        rows = ExternalIdentifier.objects.filter(scheme=scheme)
        if model is not None:
            rows = rows.filter(entity__entity_type=model.ENTITY_TYPE)
        known = cls(scheme)
        for value, entity_id, print_, imported in rows.values_list(
            "value", "entity_id", "fingerprint", "imported"
        ):
            known.ids[value] = entity_id
            known.fingerprints[value] = print_
            known.imported[value] = imported or {}
        return known

    def add(self, rows: Iterable[tuple[str, int, str, dict]]) -> None:
        """Record (value, entity id, fingerprint, rows imported) for new entities."""
        new = [
            ExternalIdentifier(
                scheme=self.scheme,
                value=value,
                entity_id=entity_id,
                fingerprint=print_,
                imported=imported,
            )
            for value, entity_id, print_, imported in rows
        ]
        ExternalIdentifier.objects.bulk_create(new, batch_size=BATCH)
        for item in new:
            self.ids[item.value] = item.entity_id
            self.fingerprints[item.value] = item.fingerprint
            self.imported[item.value] = item.imported

    def refresh(self, values: dict[str, tuple[str, dict]]) -> None:
        """Store the new fingerprint and rows imported of updated entities."""
        keys = list(values)
        for chunk in batches(keys):
            rows = list(
                ExternalIdentifier.objects.filter(scheme=self.scheme, value__in=chunk)
            )
            for row in rows:
                row.fingerprint, row.imported = values[row.value]
            ExternalIdentifier.objects.bulk_update(rows, ["fingerprint", "imported"])


# --- Actors that are not countries ------------------------------------------------------


def ids_by_name(model: type[Entity]) -> dict[str, int]:
    """The entities of a kind by their normalised names, then aliases (a
    name wins over another entity's alias)."""
    by_name: dict[str, int] = {}
    for pk, name in model.objects.values_list("pk", "name"):
        by_name.setdefault(normalise_name(name), pk)
    for entity_id, normalised in Alias.objects.filter(
        entity__entity_type=model.ENTITY_TYPE
    ).values_list("entity_id", "normalised"):
        by_name.setdefault(normalised, entity_id)
    return by_name


class Organisations:
    """Organisations an importer finds or creates by the dataset's name."""

    def __init__(self, scheme: str):
        self.known = ExternalIds.load(scheme, Organisation)
        self.by_name = ids_by_name(Organisation)
        self.pending: dict[str, Organisation] = {}

    def get(
        self, dataset_name: str, *, name: str, kind: str, home_country=None, summary=""
    ):
        """The organisation the dataset calls ``dataset_name``: one it created
        before, one already known by that name, or a new one (created when
        ``flush`` runs). Returns an id or an unsaved Organisation."""
        if dataset_name in self.known.ids:
            return self.known.ids[dataset_name]
        if dataset_name in self.pending:
            return self.pending[dataset_name]
        existing = self.by_name.get(normalise_name(name))
        if existing is not None:
            self.known.add([(dataset_name, existing, "", {})])
            return existing
        organisation = Organisation(
            name=name, kind=kind, home_country=home_country, summary=summary
        )
        self.pending[dataset_name] = organisation
        return organisation

    def flush(self) -> list[int]:
        """Create the new organisations; their ids."""
        if not self.pending:
            return []
        slugs = Slugs(Organisation.ENTITY_TYPE)
        for organisation in self.pending.values():
            organisation.slug = slugs.new(organisation.name)
        bulk_create_entities(Organisation, list(self.pending.values()))
        self.known.add((key, org.pk, "", {}) for key, org in self.pending.items())
        created = [org.pk for org in self.pending.values()]
        self.pending.clear()
        return created


# --- Names: countries, and what is not a country --------------------------------------


@dataclass
class Actor:
    """What a dataset's name for a party became: a country, a bloc or an
    organisation (an id, or an Organisation created on flush)."""

    name: str
    country: Country | None = None
    bloc: Bloc | None = None
    organisation: int | Organisation | None = None

    @property
    def display(self) -> str:
        actor = self.country or self.bloc or self.organisation
        return getattr(actor, "name", None) or self.name

    def participant(self, partnership: Partnership, role: str) -> Participant:
        participant = Participant(partnership=partnership, role=role)
        if self.country is not None:
            participant.country = self.country
        elif self.bloc is not None:
            participant.bloc = self.bloc
        else:
            participant.organisation_id = pk_of(self.organisation)
        return participant

    @property
    def identity(self) -> tuple[str, str]:
        """Which party this is, in words that stay the same from one import
        (and one database) to the next."""
        if self.country is not None:
            return ("country", self.country.slug)
        if self.bloc is not None:
            return ("bloc", self.bloc.slug)
        return ("organisation", getattr(self.organisation, "name", self.name))

    @property
    def key(self) -> tuple[str, int]:
        """Which record this is: two names can stand for one party."""
        if self.country is not None:
            return ("country", self.country.pk)
        if self.bloc is not None:
            return ("bloc", self.bloc.pk)
        if isinstance(self.organisation, int):
            return ("organisation", self.organisation)
        return ("new organisation", id(self.organisation))


def pk_of(value: int | Entity) -> int:
    return value if isinstance(value, int) else value.pk


class Actors:
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

    def __init__(self, dataset: str, *, scheme: str, strict: bool):
        self.dataset, self.strict = dataset, strict
        self.resolver = Country.objects.resolver()
        self.organisations = Organisations(scheme)
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
        found = self.organisations.get(
            raw, name=name, kind=kind, home_country=home,
            summary=f"{about} in {self.dataset}.",
        )  # fmt: skip
        return Actor(name=name, organisation=found)

    def _resolve(self, raw: str, row: int) -> Actor:
        stars = len(raw) - len(raw.rstrip("*"))
        name = raw.rstrip("*").strip()
        if not name:
            raise RowError(row, f"the name “{raw}” is empty")
        if len(name) > NAME_LIMIT:
            raise RowError(
                row, f"the name “{name[:40]}…” is {len(name)} characters long "
                f"(at most {NAME_LIMIT})",
            )  # fmt: skip
        if stars >= 2:  # an international organisation
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
        if stars == 1:  # a non-state actor, often with its country in brackets
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
            if self.strict:
                raise RowError(
                    row,
                    f"“{name}” is not a known country (add it, or an alias for it) "
                    "and is not marked * or ** as a non-state actor",
                ) from None
        else:
            if not self.resolver.knows_exactly(name):
                # Matched by another spelling ("Chechnya" is Russia's): say so.
                self.report[raw] = (
                    f"country: {country.name}, by another spelling; check it"
                )
            return Actor(name=name, country=country)
        self.report[raw] = "organisation: NOT a known country; check it"
        return self._organisation(
            raw, name, OrganisationKind.OTHER, "A party that is not a known country"
        )


# --- Writing partnerships ------------------------------------------------------------------


class ImportPlan:
    """Which of a file's records are new, which changed since the last
    import (their fingerprint differs) and which did not; then the writing
    of the new and changed ones as partnerships, in bulk."""

    def __init__(
        self,
        scheme: str,
        records: list,
        resolved: dict | None = None,
        *,
        reason: str = "",
    ):
        """``resolved`` maps a record's id to what its names resolved to:
        part of the fingerprint, so that a record is updated when a name
        now means another party (an alias was added) though its row did not
        change. ``reason`` is the change reason the records' history shows."""
        self.scheme, self.reason = scheme, reason
        self.known = ExternalIds.load(scheme, Partnership)
        resolved = resolved or {}
        self.prints = {
            r.external_id: fingerprint(
                {"row": r.content(), "resolved": resolved.get(r.external_id)}
            )
            for r in records
        }
        self.new = [r for r in records if r.external_id not in self.known.ids]
        self.changed = [
            r for r in records
            if r.external_id in self.known.ids
            and self.known.fingerprints.get(r.external_id) != self.prints[r.external_id]
        ]  # fmt: skip
        self.unchanged = len(records) - len(self.new) - len(self.changed)
        in_file = {r.external_id for r in records}
        self.missing = [value for value in self.known.ids if value not in in_file]

    @property
    def to_write(self) -> list:
        return [*self.new, *self.changed]

    def write(self, fill, fields: list[str], progress: Progress | None) -> list[tuple]:
        """Create and update the partnerships, ``fill(partnership, record)``
        setting their fields (``fields`` names those an update writes). An
        updated one loses the rows the last import wrote for it (not those
        editors added), for ``finish`` to write afresh. Returns (record,
        partnership) pairs."""
        slugs = Slugs(Partnership.ENTITY_TYPE)
        created = []
        for record in self.new:
            partnership = Partnership()
            fill(partnership, record)
            partnership.slug = slugs.new(partnership.name)
            created.append((record, partnership))
        for chunk in batches(created, 2000):
            bulk_create_entities(Partnership, [p for _, p in chunk])
            record_history([p for _, p in chunk], "+", self.reason)
            if progress:
                progress.advance(len(chunk))

        updated = []
        existing = Partnership.objects.in_bulk(
            [self.known.ids[r.external_id] for r in self.changed]
        )
        for record in self.changed:
            partnership = existing[self.known.ids[record.external_id]]
            fill(partnership, record)
            updated.append((record, partnership))
        if updated:
            bulk_update_entities(Partnership, [p for _, p in updated], fields)
            record_history([p for _, p in updated], "~", self.reason)
            self._remove_imported_rows([r.external_id for r, _ in updated])
            if progress:
                progress.advance(len(updated))
        return created + updated

    def _remove_imported_rows(self, external_ids: list[str]) -> None:
        """Delete what earlier imports wrote for these records, recording
        the deletions in the rows' history. Rows editors added stay."""
        owned: dict[str, list[int]] = {}
        for external_id in external_ids:
            for label, pks in self.known.imported.get(external_id, {}).items():
                if label in IMPORTED_ROWS:
                    owned.setdefault(label, []).extend(pks)
        for label, pks in owned.items():
            if label == "tags":
                continue
            model = IMPORTED_ROWS[label]
            for chunk in batches(pks):
                rows = list(model.objects.filter(pk__in=chunk))
                record_history(rows, "-", self.reason)
                # No signals: the partnerships are re-indexed once, at the end.
                model.objects.filter(pk__in=chunk)._raw_delete(connection.alias)
        TagLink = Partnership.tags.through
        for external_id in external_ids:
            tags = self.known.imported.get(external_id, {}).get("tags")
            if tags:
                TagLink.objects.filter(
                    partnership_id=self.known.ids[external_id], tag_id__in=tags
                )._raw_delete(connection.alias)

    def finish(
        self,
        written: list[tuple],
        touched: list[int],
        rows: dict[str, list],
        progress=None,
        keys: dict[str, str] | None = None,
    ):
        """Write the rows that hang off the partnerships: ``rows`` maps a
        record's id to its unsaved participants, system lines, sources and
        tag links. A row an editor already added (the same country in the
        same role, the same system, the same tag) is left theirs. Then the
        ids and what was imported are stored, and the index and the
        detector catch up. ``keys`` are match keys to keep with the ids."""
        partnership_ids = {r.external_id: p.pk for r, p in written}
        wanted = [obj for objs in rows.values() for obj in objs]
        present = _present([r.external_id for r in self.changed], partnership_ids)
        by_model: dict[type, list] = {}
        for obj in wanted:
            if _row_key(obj) not in present:
                by_model.setdefault(type(obj), []).append(obj)
        for model, objs in by_model.items():
            model.objects.bulk_create(objs, batch_size=2000)
            if hasattr(model, "history"):
                record_history(objs, "+", self.reason)

        imported = {}
        for external_id, objs in rows.items():
            owned: dict[str, list[int]] = {}
            for obj in objs:
                if _row_key(obj) in present:
                    continue
                label = ROW_LABELS[type(obj)]
                owned.setdefault(label, []).append(
                    obj.tag_id if label == "tags" else obj.pk
                )
            if keys and keys.get(external_id):
                owned["key"] = keys[external_id]
            imported[external_id] = owned
        self.known.add(
            (
                r.external_id,
                p.pk,
                self.prints[r.external_id],
                imported.get(r.external_id, {}),
            )
            for r, p in written
            if r.external_id not in self.known.ids
        )
        self.known.refresh(
            {
                r.external_id: (
                    self.prints[r.external_id],
                    imported.get(r.external_id, {}),
                )
                for r in self.changed
            }
        )
        if progress:
            progress.close()
        if written or touched:
            finish_import([p.pk for _, p in written] + touched)

    def result(self, format: str, actors: Actors, notes: list[str] | None = None):
        records = len(self.new) + len(self.changed) + self.unchanged
        return ImportResult(
            format=format,
            records=records,
            created=len(self.new),
            updated=len(self.changed),
            unchanged=self.unchanged,
            names=dict(sorted(actors.report.items(), key=lambda item: item[0].lower())),
            notes=notes or [],
        )


@dataclass
class ImportResult:
    format: str
    records: int
    created: int
    updated: int
    unchanged: int
    names: dict[str, str]  # every name that is not a country: how it was handled
    notes: list[str] = field(default_factory=list)
    encoding: str = ""


# The rows an import writes for a partnership, by the label its record of
# them uses.
IMPORTED_ROWS = {
    "participants": Participant,
    "systems": PartnershipSystem,
    "sources": Source,
    "tags": Partnership.tags.through,
}
ROW_LABELS = {model: label for label, model in IMPORTED_ROWS.items()}


def _row_key(obj) -> tuple:
    """What makes a row the same row, by the models' unique constraints
    (a source is never the same: each import writes its own)."""
    if isinstance(obj, Participant):
        return ("participant", obj.partnership_id, obj.role, obj.country_id,
                obj.organisation_id, obj.bloc_id)  # fmt: skip
    if isinstance(obj, PartnershipSystem):
        return ("system", obj.partnership_id, obj.system_id)
    if isinstance(obj, Partnership.tags.through):
        return ("tag", obj.partnership_id, obj.tag_id)
    return ("source", id(obj))


def _present(changed_ids: list[str], partnership_ids: dict) -> set[tuple]:
    """The keys of the wanted rows that already exist: on updated
    partnerships, rows editors added that the import would write again."""
    ids = [partnership_ids[external_id] for external_id in changed_ids]
    present: set[tuple] = set()
    if not ids:
        return present
    for chunk in batches(ids):
        for row in Participant.objects.filter(partnership__in=chunk):
            present.add(_row_key(row))
        for row in PartnershipSystem.objects.filter(partnership__in=chunk):
            present.add(_row_key(row))
        for row in Partnership.tags.through.objects.filter(partnership__in=chunk):
            present.add(_row_key(row))
    return present


def record_history(objs: list, kind: str, reason: str) -> None:
    """History rows for objects written in bulk ("+" created, "~" changed,
    "-" deleted), as django-simple-history writes them for single saves."""
    if not objs or not hasattr(type(objs[0]), "history"):
        return
    manager = type(objs[0]).history
    rows = manager.bulk_history_create(
        objs, batch_size=2000, update=kind == "~", default_change_reason=reason
    )
    if kind == "-":  # bulk_history_create knows only "+" and "~"
        for chunk in batches([row.pk for row in rows]):
            manager.model.objects.filter(pk__in=chunk).update(history_type="-")


def finish_import(entity_ids: Iterable[int]) -> None:
    """After bulk writes: the database's planner learns the tables' new
    sizes, the search index the new and changed records, and the mention
    detector their names."""
    from search.indexing import index_entities

    analyse_tables()
    ids = list(entity_ids)
    if ids:
        index_entities(ids)
    MentionIndex.bump()


def analyse_tables() -> None:
    """ANALYZE the tables an import fills, on PostgreSQL: its planner goes by
    statistics, and until autovacuum comes by it would plan queries on
    thousands of new rows as if there were none (a nested loop of 30,000
    index scans where one hash join would do)."""
    if connection.vendor != "postgresql":
        return
    models = [
        Entity,
        Partnership,
        Participant,
        PartnershipSystem,
        Source,
        ExternalIdentifier,
    ]
    models += [Organisation, Partnership.tags.through]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def name_report(names: dict[str, str]) -> list[str]:
    """The lines of an import's report on names that are not countries."""
    if not names:
        return ["Every supplier, recipient and participant is a known country."]
    width = max(len(name) for name in names)
    lines = [f"{len(names)} name(s) are not countries; how each was recorded:"]
    lines += [f"  {name:<{width}}  {handling}" for name, handling in names.items()]
    return lines
