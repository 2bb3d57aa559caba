"""The import pipeline every dataset goes through, one step after another:

1. **read** the file (``source.read_file``): bytes, encoding, text;
2. **parse** its rows into plain records (the dataset's ``parse``), checking
   every row: a row that cannot be read stops the import here, before
   anything is written;
3. **resolve** the names in them (the dataset's ``resolve``, through
   :class:`~datasets.parties.Parties` and the country resolver);
4. **plan**: which records are new, changed since the last import (their
   fingerprint differs) or unchanged, and a :class:`Draft` of each record to
   write (the dataset's ``draft``);
5. **write** the drafts in bulk (:class:`Writer`): a few queries per
   thousand rows, keyed on the dataset's stable ids;
6. **finish**: the planner's statistics catch up, the records written are
   announced to the search index and the mention detector, and the report
   is made.

Steps 3 to 6 run in one transaction: an import applies whole or not at
all. The dataset modules (``sipri.py``, ``mme.py``) say how their files
read and what their records become; nothing here calls back into them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, models, transaction

from core.names import normalise_name
from core.signals import send_bulk_saved
from partnerships.models import (
    Entity,
    ExternalIdentifier,
    Organisation,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipSystem,
    Source,
    System,
    Tag,
)

from .entities import (
    Catalogue,
    ExternalIds,
    HistoryType,
    Slugs,
    batches,
    bulk_create_entities,
    bulk_update_entities,
    pk_of,
    record_history,
)
from .parties import Actor, Parties
from .source import RowError, SourceFile, read_file

__all__ = ["Dataset", "Draft", "ImportResult", "RowError", "run_import"]


def fingerprint(record: dict) -> str:
    """A stable hash of everything imported from a row."""
    data = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def stable_id(*parts: object) -> str:
    """A short, stable id for a row that has none of its own."""
    text = "|".join(normalise_name(str(p)) for p in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


# --- What a dataset tells the pipeline ----------------------------------------------------


class Record(Protocol):
    """A parsed row: where it was in the file, its id in the dataset, and
    what it holds (the fingerprint is taken of ``content()``)."""

    row: int
    external_id: str

    def content(self) -> dict: ...


@dataclass
class Parsed:
    records: list
    format: str  # which of the dataset's layouts the file has
    notes: list[str] = field(default_factory=list)  # for the report


Participants = list[tuple[Actor, ParticipantRole]]  # (party, role)


@dataclass
class Resolution:
    """What a file's names resolved to: each record's participants (by
    external id), ids an earlier import stored that now go by another
    (``renames``: old -> new), and notes for the report."""

    participants: dict[str, Participants]
    renames: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class SystemLine:
    """A system a record involves: an id, or a System its catalogue creates;
    ``values`` are the line's own fields (quantities, condition...)."""

    system: int | System
    values: dict[str, Any]


@dataclass
class Draft:
    """What a record becomes: a partnership's fields, and the rows that
    hang off it."""

    fields: dict[str, Any]
    participants: Participants
    system_lines: list[SystemLine] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # name: description
    match_key: str = ""  # kept with the id: see ``sipri.match_across_exports``


class Catalogues:
    """The catalogues of entities an import finds or creates, one per kind
    and scheme; the writer creates what they queued, before the records
    that name them."""

    def __init__(self):
        self._by_scheme: dict[str, Catalogue[Any]] = {}

    def of[E: Entity](
        self,
        model: type[E],
        scheme: str,
        match: Callable[[E], tuple] | None = None,
    ) -> Catalogue[E]:
        if scheme not in self._by_scheme:
            self._by_scheme[scheme] = Catalogue(model, scheme, match)
        return self._by_scheme[scheme]

    def create(self) -> list[int]:
        return [pk for c in self._by_scheme.values() for pk in c.create()]


class Dataset(ABC):
    """A dataset the pipeline imports. One instance per import."""

    scheme: str  # the external ids' scheme: "sipri"
    title: str  # in organisations' summaries: "SIPRI's arms transfers data"
    noun: str  # one record: "deal"
    plural: str  # "deals"

    @abstractmethod
    def parse(self, source: SourceFile) -> Parsed:
        """Step 2: the file's rows as plain records; RowError for a file or a
        row that cannot be read."""

    @abstractmethod
    def resolve(
        self, records: list, parties: Parties, known: ExternalIds
    ) -> Resolution:
        """Step 3: every record's participants (every name is resolved,
        even on records that did not change: the report covers the whole
        file and ``--strict`` refuses it whole). Records whose id depends on
        their names get it here."""

    @abstractmethod
    def draft(
        self, record: Any, participants: Participants, catalogues: Catalogues
    ) -> Draft:
        """Step 4: what a new or changed record becomes."""

    @abstractmethod
    def history_reason(self, parsed: Parsed) -> str:
        """What the records' history says changed them."""


# --- The pipeline ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    format: str
    encoding: str
    records: int
    created: int
    updated: int
    unchanged: int
    names: dict[str, str]  # every name that is not a country: how it was handled
    notes: list[str] = field(default_factory=list)


def run_import(
    dataset: Dataset, path: Path, *, strict: bool = False, stdout=None
) -> ImportResult:
    """Import a dataset's file: all of it, or (RowError) nothing."""
    source = read_file(path)  # 1
    parsed = dataset.parse(source)  # 2
    with transaction.atomic():
        catalogues = Catalogues()
        parties = Parties(
            dataset.title,
            organisations=catalogues.of(Organisation, f"{dataset.scheme}-actor"),
            strict=strict,
        )
        known = ExternalIds.load(dataset.scheme, Partnership)
        resolution = dataset.resolve(parsed.records, parties, known)  # 3
        plan = Plan(known, parsed.records, resolution)  # 4
        drafts = {
            record.external_id: dataset.draft(
                record, resolution.participants[record.external_id], catalogues
            )
            for record in plan.to_write
        }
        progress = (
            Progress(stdout, len(drafts), dataset.plural.capitalize())
            if stdout
            else None
        )
        writer = Writer(plan, reason=dataset.history_reason(parsed), progress=progress)
        changed_ids = writer.write(drafts, resolution.renames, catalogues)  # 5
        finish(changed_ids)  # 6
    notes = [*parsed.notes, *resolution.notes]
    if plan.missing:
        notes.append(
            f"{len(plan.missing):,} {dataset.noun}(s) an earlier import brought in "
            "are not in this file; they were left as they are."
        )
    return ImportResult(
        format=parsed.format,
        encoding=source.encoding,
        records=len(parsed.records),
        created=len(plan.new),
        updated=len(plan.changed),
        unchanged=plan.unchanged,
        names=parties.name_report(),
        notes=notes,
    )


class Plan:
    """Which of a file's records are new, which changed since the last
    import (their fingerprint differs) and which did not. A record's
    fingerprint covers its row and what its names resolved to, so a record
    is updated when a name now means another party (an alias was added)
    though its row did not change."""

    def __init__(self, known: ExternalIds, records: list, resolution: Resolution):
        self.known = known
        for old, new in resolution.renames.items():
            known.rename(old, new)
        self.prints = {
            r.external_id: fingerprint(
                {
                    "row": r.content(),
                    "resolved": sorted(
                        (actor.identity, role)
                        for actor, role in resolution.participants[r.external_id]
                    ),
                }
            )
            for r in records
        }
        self.new = [r for r in records if r.external_id not in known.ids]
        self.changed = [
            r for r in records
            if r.external_id in known.ids
            and known.fingerprints.get(r.external_id) != self.prints[r.external_id]
        ]  # fmt: skip
        self.unchanged = len(records) - len(self.new) - len(self.changed)
        in_file = {r.external_id for r in records}
        self.missing = [value for value in known.ids if value not in in_file]

    @property
    def to_write(self) -> list:
        return [*self.new, *self.changed]


class RowLabel(StrEnum):
    """The rows an import writes for a partnership, as the record of what
    it wrote (``ExternalIdentifier.imported``) names them."""

    PARTICIPANTS = "participants"
    SYSTEMS = "systems"
    SOURCES = "sources"
    TAGS = "tags"  # tag ids, not link rows
    MATCH_KEY = "key"


TagLink = Partnership.tags.through
IMPORTED_ROWS: dict[RowLabel, type[models.Model]] = {
    RowLabel.PARTICIPANTS: Participant,
    RowLabel.SYSTEMS: PartnershipSystem,
    RowLabel.SOURCES: Source,
    RowLabel.TAGS: TagLink,
}
ROW_LABELS = {model: label for label, model in IMPORTED_ROWS.items()}


class Writer:
    """Step 5: the plan's drafts written in bulk. An updated record loses
    the rows the last import wrote for it (participants, systems, sources,
    tags; not those editors added) and gets them afresh; a row an editor
    already added (the same country in the same role, the same system, the
    same tag) stays theirs."""

    def __init__(self, plan: Plan, *, reason: str, progress: Progress | None):
        self.plan, self.reason, self.progress = plan, reason, progress

    def write(
        self, drafts: dict[str, Draft], renames: dict[str, str], catalogues: Catalogues
    ) -> list[int]:
        """Write everything; the ids of the entities created or changed."""
        self._rename(renames)
        touched = catalogues.create()
        tags = self._tags(drafts)
        written = self._partnerships(drafts)
        rows = {
            external_id: self._rows(partnership, drafts[external_id], tags)
            for external_id, partnership in written.items()
        }
        imported = self._child_rows(rows, written)
        self._remember(drafts, written, imported)
        if self.progress:
            self.progress.close()
        return [p.pk for p in written.values()] + touched

    def _rename(self, renames: dict[str, str]) -> None:
        for old, new in renames.items():
            ExternalIdentifier.objects.filter(
                scheme=self.plan.known.scheme, value=old
            ).update(value=new)

    @staticmethod
    def _tags(drafts: dict[str, Draft]) -> dict[str, Tag]:
        wanted = {}
        for draft in drafts.values():
            wanted.update(draft.tags)
        tags = {}
        for name, description in sorted(wanted.items()):
            tags[name], _ = Tag.objects.get_or_create(
                name=name, defaults={"description": description}
            )
        return tags

    def _partnerships(self, drafts: dict[str, Draft]) -> dict[str, Partnership]:
        plan, known = self.plan, self.plan.known
        slugs = Slugs(Partnership.ENTITY_TYPE)
        created = {}
        for record in plan.new:
            partnership = Partnership(**drafts[record.external_id].fields)
            partnership.slug = slugs.new(partnership.name)
            created[record.external_id] = partnership
        for chunk in batches(list(created.values()), 2000):
            bulk_create_entities(Partnership, chunk)
            record_history(chunk, HistoryType.CREATED, self.reason)
            if self.progress:
                self.progress.advance(len(chunk))

        existing = Partnership.objects.in_bulk(
            [known.ids[r.external_id] for r in plan.changed]
        )
        updated, fields = {}, set()
        for record in plan.changed:
            partnership = existing[known.ids[record.external_id]]
            for name, value in drafts[record.external_id].fields.items():
                setattr(partnership, name, value)
                fields.add(name)
            updated[record.external_id] = partnership
        if updated:
            bulk_update_entities(Partnership, list(updated.values()), sorted(fields))
            record_history(list(updated.values()), HistoryType.CHANGED, self.reason)
            self._remove_imported_rows(list(updated))
            if self.progress:
                self.progress.advance(len(updated))
        return created | updated

    def _remove_imported_rows(self, external_ids: list[str]) -> None:
        """Delete what earlier imports wrote for these records, recording
        the deletions in the rows' history. Rows editors added stay."""
        known = self.plan.known
        owned: dict[RowLabel, list[int]] = {}
        for external_id in external_ids:
            for label, pks in known.imported.get(external_id, {}).items():
                if label in IMPORTED_ROWS and label != RowLabel.TAGS:
                    owned.setdefault(RowLabel(label), []).extend(pks)
        for label, pks in owned.items():
            model = IMPORTED_ROWS[label]
            for chunk in batches(pks):
                rows = list(model._default_manager.filter(pk__in=chunk))
                record_history(rows, HistoryType.DELETED, self.reason)
                # No signals: the partnerships are re-indexed once, at the end.
                model._default_manager.filter(pk__in=chunk)._raw_delete(
                    connection.alias
                )
        for external_id in external_ids:
            tags = known.imported.get(external_id, {}).get(RowLabel.TAGS)
            if tags:
                TagLink.objects.filter(
                    partnership_id=known.ids[external_id], tag_id__in=tags
                )._raw_delete(connection.alias)

    @staticmethod
    def _rows(partnership: Partnership, draft: Draft, tags: dict[str, Tag]) -> list:
        return [
            *(
                actor.participant(partnership, role)
                for actor, role in draft.participants
            ),
            *(
                PartnershipSystem(
                    partnership=partnership, system_id=pk_of(line.system), **line.values
                )
                for line in draft.system_lines
            ),
            *(Source(partnership=partnership, **source) for source in draft.sources),
            *(TagLink(partnership=partnership, tag=tags[name]) for name in draft.tags),
        ]

    def _child_rows(
        self, rows: dict[str, list], written: dict[str, Partnership]
    ) -> dict[str, dict]:
        """Create the rows; for each record, the ids of those it wrote."""
        present = _present([written[r.external_id].pk for r in self.plan.changed])
        by_model: dict[type[models.Model], list] = {}
        for objs in rows.values():
            for obj in objs:
                if _row_key(obj) not in present:
                    by_model.setdefault(type(obj), []).append(obj)
        for model, objs in by_model.items():
            model._default_manager.bulk_create(objs, batch_size=2000)
            record_history(objs, HistoryType.CREATED, self.reason)

        imported = {}
        for external_id, objs in rows.items():
            owned: dict[str, list[int]] = {}
            for obj in objs:
                if _row_key(obj) in present:
                    continue
                label = ROW_LABELS[type(obj)]
                owned.setdefault(label, []).append(
                    obj.tag_id if label == RowLabel.TAGS else obj.pk
                )
            imported[external_id] = owned
        return imported

    def _remember(
        self,
        drafts: dict[str, Draft],
        written: dict[str, Partnership],
        imported: dict[str, dict],
    ) -> None:
        """Store each record's id, fingerprint and the rows it wrote."""
        plan = self.plan
        for external_id, draft in drafts.items():
            if draft.match_key:
                imported[external_id][RowLabel.MATCH_KEY] = draft.match_key
        plan.known.add(
            (r.external_id, written[r.external_id].pk, plan.prints[r.external_id],
             imported[r.external_id])
            for r in plan.new
        )  # fmt: skip
        plan.known.refresh(
            {
                r.external_id: (plan.prints[r.external_id], imported[r.external_id])
                for r in plan.changed
            }
        )


def _row_key(obj) -> tuple:
    """What makes a row the same row, by the models' unique constraints
    (a source is never the same: each import writes its own)."""
    if isinstance(obj, Participant):
        return (Participant, obj.partnership_id, obj.role, obj.country_id,
                obj.organisation_id, obj.bloc_id)  # fmt: skip
    if isinstance(obj, PartnershipSystem):
        return (PartnershipSystem, obj.partnership_id, obj.system_id)
    if isinstance(obj, TagLink):
        return (TagLink, obj.partnership_id, obj.tag_id)
    return (Source, id(obj))


def _present(partnership_ids: list[int]) -> set[tuple]:
    """The keys of the rows that already exist on updated partnerships:
    rows editors added that the import would write again."""
    present: set[tuple] = set()
    for chunk in batches(partnership_ids):
        for model in (Participant, PartnershipSystem, TagLink):
            for row in model.objects.filter(partnership__in=chunk):
                present.add(_row_key(row))
    return present


# --- Finishing ------------------------------------------------------------------------------


def finish(entity_ids: list[int]) -> None:
    """Step 6: after bulk writes, the database's planner learns the tables'
    new sizes, and the new and changed records are announced
    (``core.signals.bulk_saved``): the search index takes them in when the
    import commits, the mention detector learns their names."""
    if not entity_ids:
        return
    analyse_tables()
    send_bulk_saved(Entity, entity_ids, using=connection.alias)


def analyse_tables() -> None:
    """ANALYZE the tables an import fills, on PostgreSQL: its planner goes by
    statistics, and until autovacuum comes by it would plan queries on
    thousands of new rows as if there were none (a nested loop of 30,000
    index scans where one hash join would do)."""
    if connection.vendor != "postgresql":
        return
    models = [Entity, Partnership, Participant, PartnershipSystem, Source]
    models += [ExternalIdentifier, Organisation, TagLink]
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
