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

import contextlib
import functools
import gc
import getpass
import hashlib
import json
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import orjson
from django.db import connection, models, transaction
from django.utils import timezone

from core.names import normalise_name
from core.signals import send_bulk_saved
from freshness import versions
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

from .entities import MATCH_KEY as MATCH_KEY_LABEL
from .entities import (
    Catalogue,
    ExternalIds,
    HistoryType,
    NewRow,
    Slugs,
    batches,
    bulk_create_entities,
    bulk_update_entities,
    insert_values,
    pk_of,
    record_history,
    record_history_of,
)
from .flags import Flag
from .locking import import_lock
from .models import DataIssue, ImportRun, IssueReason, IssueStatus
from .parties import Actor, Parties
from .source import RowError, SourceFile, read_file

__all__ = ["Dataset", "Draft", "ImportResult", "RowError", "run_import"]
BATCH = 1000
CHUNK = 2000  # new records written whole at a time


def fingerprint(record: dict, *, floats: bool = True) -> str:
    """A stable hash of everything imported from a row: the SHA-256 of its
    JSON, keys sorted, compact, not ASCII-escaped, other values as str().

    orjson writes the same bytes as the standard library's json, several
    times faster (an unchanged import takes a print of every row), except
    for a float under 1e-4 (written without an exponent, or with one of a
    single digit): a print whose JSON may hold one is taken with json, so
    that every print stays the one earlier imports stored. (The datasets'
    only floats are coordinates; a non-finite one is flagged, never kept.)
    ``floats=False`` says the record holds none: the JSON is not searched.
    """
    try:
        data: bytes | None = orjson.dumps(record, default=str, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate
        data = None
    if data is None or (floats and _maybe_tiny_float(data)):
        data = json.dumps(
            record,
            sort_keys=True,
            default=str,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    return hashlib.sha256(data).hexdigest()


# Dates and times go through default=str as json's do; dataclasses too.
_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _maybe_tiny_float(data: bytes) -> bool:
    """Whether orjson's JSON may hold a float under 1e-4 (0.0000…, or a
    digit, "e-", a digit): substring searches, a regular expression being
    several times slower over a row's JSON."""
    if b"0.0000" in data:
        return True
    at = data.find(b"e-")
    while at != -1:
        if data[at - 1 : at].isdigit() and data[at + 2 : at + 3].isdigit():
            return True
        at = data.find(b"e-", at + 2)
    return False


# Names repeat through a file (a country on thousands of rows): each is
# normalised once.
_normalised = functools.lru_cache(maxsize=1 << 16)(normalise_name)


def stable_id(*parts: object) -> str:
    """A short, stable id for a row that has none of its own."""
    return stable_hash(stable_text(*parts))


def stable_text(*parts: object) -> str:
    """What :func:`stable_id` hashes: the parts normalised, joined by "|"
    (the text of several parts is the texts of each run joined by "|")."""
    return "|".join([_normalised(str(p)) for p in parts])


def stable_hash(text: str) -> str:
    """:func:`stable_id` of the parts whose :func:`stable_text` is ``text``."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:20]


# --- What a dataset tells the pipeline ----------------------------------------------------


class Record(Protocol):
    """A parsed row: where it was in the file, its id in the dataset, and
    what it holds (the fingerprint is taken of ``content()``)."""

    row: int
    external_id: str
    flags: list[Flag]  # what the row got wrong: part of content()
    # A record type whose content() never holds a float may say so with a
    # class attribute ``holds_floats = False``: its fingerprint's JSON is
    # then not searched for one (see fingerprint()).

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
    file_description: str  # "a SIPRI trade register export"

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

    def rows_of_column(self, column: str) -> RowLabel | None:
        """The rows a flag on this column of the dataset's (not a field of
        the record's) is about: a party's name, the participants; a column
        that gives a tag, the tags."""
        return RowLabel.PARTICIPANTS if column == "participants" else None


# --- The pipeline ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    run: ImportRun
    format: str
    encoding: str
    records: int
    created: int
    updated: int
    unchanged: int
    flagged: int  # records with at least one flag
    names: dict[str, str]  # every name that is not a country: how it was handled
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    same_as: ImportRun | None = None  # the run that read this file last

    def report(self, dataset: Dataset) -> list[str]:
        """The report's lines, as the command prints them and the run
        keeps them."""
        plural = dataset.plural
        if self.same_as:
            earlier = self.same_as
            findings = [
                f"The file ({dataset.file_description}, {self.format}, "
                f"{self.encoding}) is the one import run {earlier.pk} read on "
                f"{earlier.started_at:%Y-%m-%d at %H:%M} UTC (the same SHA-256), "
                "and no record, name or importer code has changed since: its "
                f"{plural} were not read again. That run's report lists the "
                "names and data issues."
            ]
        else:
            findings = [
                f"Read {self.records:,} {plural} from {dataset.file_description} "
                f"({self.format}, {self.encoding}).",
                *self.notes,
                *name_report(self.names),
                *flag_report(self.flags, self.flagged),
            ]
        return [
            *findings,
            f"Imported {self.records:,} {plural}: {self.created:,} created, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged; "
            f"{self.flagged:,} with data issues (import run {self.run.pk}).",
        ]


def run_import(
    dataset: Dataset,
    path: Path,
    *,
    strict: bool = False,
    user=None,
    stdout=None,
) -> ImportResult:
    """Import a dataset's file: all of it, or (RowError) nothing. Every run
    is recorded, a refused one too; only one runs at a time."""
    with import_lock():
        run = ImportRun.objects.create(
            dataset=dataset.scheme,
            file_name=path.name[:255],
            strict=strict,
            user=user,
            run_by=_system_user(),
        )
        try:
            with _cycle_collection_paused():
                result = _run(dataset, path, run, strict=strict, stdout=stdout)
        except Exception as exc:
            run.outcome = (
                ImportRun.Outcome.REFUSED
                if isinstance(exc, RowError)
                else ImportRun.Outcome.FAILED
            )
            run.report = f"{exc}. Nothing was imported."
            run.finished_at = timezone.now()
            run.save()
            raise
    return result


def _run(dataset: Dataset, path: Path, run: ImportRun, *, strict: bool, stdout):
    source = read_file(path)  # 1
    run.sha256, run.encoding = source.sha256, source.encoding
    earlier = ImportRun.objects.same_as(
        dataset.scheme,
        sha256=source.sha256,
        context=import_context(versions.committed_version()),
    )
    if earlier and not (strict and earlier.flagged):
        return _same_file(dataset, run, earlier)
    parsed = dataset.parse(source)  # 2
    run.format = parsed.format
    if strict:
        refuse_flags(parsed.records)
    with _page_cache(), transaction.atomic():  # the cache covers the commit too
        catalogues = Catalogues()
        parties = Parties(
            dataset.title,
            organisations=catalogues.of(Organisation, f"{dataset.scheme}-actor"),
            strict=strict,
        )
        known = ExternalIds.load(dataset.scheme, Partnership)
        resolution = dataset.resolve(parsed.records, parties, known)  # 3
        flag_unknown_names(parsed.records, resolution)
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
        writer = Writer(
            plan,
            dataset=dataset,
            run=run,
            # simple-history keeps 100 characters of a reason
            reason=f"{dataset.history_reason(parsed)}, {run.label}"[:100],
            progress=progress,
        )
        changed_ids = writer.write(drafts, resolution.renames, catalogues)  # 5
        finish(changed_ids)  # 6
        notes = [*parsed.notes, *resolution.notes]
        if plan.missing:
            notes.append(
                f"{len(plan.missing):,} {dataset.noun}(s) an earlier import brought "
                "in are not in this file; they were left as they are."
            )
        result = ImportResult(
            run=run,
            format=parsed.format,
            encoding=source.encoding,
            records=len(parsed.records),
            created=len(plan.new),
            updated=len(plan.changed),
            unchanged=plan.unchanged,
            flagged=len(plan.flagged),
            names=parties.name_report(),
            flags=[flag for record in parsed.records for flag in record.flags],
            notes=notes,
        )
        run.context = import_context(versions.version_at_commit())
        _finish_run(run, result, dataset)
        # What the commit sets off (the network's table made again) gives
        # the data a version of its own: the run's context is the version
        # once that is done, which the next import of the same file finds.
        transaction.on_commit(
            functools.partial(_context_after_commit, run.pk, run.context)
        )
    return result


def _context_after_commit(run_pk: int, in_transaction: str, tries: int = 3) -> None:
    """Set last among a run's commit work: the version it all left (if the
    work's own change is still to be committed, once that is). Once only:
    the run's context must still be the one its transaction gave it."""
    version = versions.committed_version()
    if version is None and tries:
        transaction.on_commit(
            functools.partial(_context_after_commit, run_pk, in_transaction, tries - 1)
        )
        return
    ImportRun.objects.filter(pk=run_pk, context=in_transaction).update(
        context=import_context(version)
    )


def _finish_run(run: ImportRun, result: ImportResult, dataset: Dataset) -> None:
    run.outcome = ImportRun.Outcome.IMPORTED
    for count in ("records", "created", "updated", "unchanged", "flagged"):
        setattr(run, count, getattr(result, count))
    run.report = "\n".join(result.report(dataset))
    run.finished_at = timezone.now()
    run.save()


def import_context(version: uuid.UUID | None) -> str:
    """What an import's outcome depends on besides its file: the records
    (the data version) and the importer's code (a deploy's release, else a
    hash of the project's code). Empty when the version is not known."""
    if version is None:
        return ""
    return f"{version.hex}:{versions.code_version()[0]}"


def _same_file(dataset: Dataset, run: ImportRun, earlier: ImportRun) -> ImportResult:
    """The file is the one the last import read, and nothing has changed
    since: every record is as that run left it, and is not read again."""
    run.format, run.context = earlier.format, earlier.context
    result = ImportResult(
        run=run,
        format=earlier.format,
        encoding=run.encoding,
        records=earlier.records,
        created=0,
        updated=0,
        unchanged=earlier.records,
        flagged=earlier.flagged,
        names={},
        same_as=earlier,
    )
    _finish_run(run, result, dataset)
    return result


@contextlib.contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while an import runs. An import makes
    millions of objects that live until it ends (records, drafts, rows to
    write), and every so many allocations the collector walks them all
    again, finding nothing: a fifth of a first import's time. What they
    hold is freed by reference counting as usual; what forms cycles waits
    for the collector's next round after the import."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


SQLITE_CACHE_KIB = 32_768  # an import's page cache on SQLite (the default: 2 MB)


@contextlib.contextmanager
def _page_cache() -> Iterator[None]:
    """On SQLite, a page cache the size of what an import works on, for as
    long as it runs: the indexes of tables taking tens of thousands of rows
    stay in memory rather than being written out and read back."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _system_user() -> str:
    try:
        return getpass.getuser()[:150]
    except OSError:  # no name for this process's user
        return ""


def refuse_flags(records: list) -> None:
    """--strict: the first flag found stops the import."""
    flags = [flag for record in records for flag in record.flags]
    if flags:
        first = min(flags, key=lambda flag: flag.found)
        raise RowError(first.row, first.message)


def flag_unknown_names(records: list, resolution: Resolution) -> None:
    """A record that names a party no country is known by is flagged (the
    party is kept as an organisation to check)."""
    for record in records:
        for actor, _role in resolution.participants[record.external_id]:
            if actor.unknown:
                record.flags.append(
                    Flag(record.row, "participants", actor.name,
                         IssueReason.UNKNOWN_NAME, actor.unknown)
                )  # fmt: skip


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
        # What a list of participants resolved to, once a list (a dataset
        # may give records with the same parties one list).
        resolved: dict[int, list] = {}

        def resolved_of(participants: Participants) -> list:
            found = resolved.get(id(participants))
            if found is None:
                found = resolved[id(participants)] = sorted(
                    [(actor.identity, role) for actor, role in participants]
                )
            return found

        self.prints = {
            r.external_id: fingerprint(
                {
                    "row": r.content(),
                    "resolved": resolved_of(resolution.participants[r.external_id]),
                },
                floats=getattr(r, "holds_floats", True),
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
        self.flagged = [r for r in records if r.flags]
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
    MATCH_KEY = MATCH_KEY_LABEL


# The partnerships a step wrote, by external id: saved instances (updated)
# or rows inserted from plain values (created).
Written = dict[str, Partnership] | dict[str, NewRow]
TagLink = Partnership.tags.through
IMPORTED_ROWS: dict[RowLabel, type[models.Model]] = {
    RowLabel.PARTICIPANTS: Participant,
    RowLabel.SYSTEMS: PartnershipSystem,
    RowLabel.SOURCES: Source,
    RowLabel.TAGS: TagLink,
}
ROW_LABELS = {model: label for label, model in IMPORTED_ROWS.items()}
# A system line's own fields, which a flag may name (a quantity, a TIV).
LINE_FIELDS = frozenset(
    f.name
    for f in PartnershipSystem._meta.concrete_fields
    if not f.primary_key and not f.is_relation
)
# Fields read with a flagged one: a researcher who corrects the one sets
# them too, and a correction keeps them all.
CORRECTED_WITH: dict[str, tuple[str, ...]] = {
    "start_date": ("start_precision", "start_is_estimate"),
    "end_date": ("end_precision", "end_is_estimate"),
    "quantity_ordered": ("quantity_ordered_is_estimate",),
    "quantity_delivered": ("quantity_delivered_is_estimate",),
    "delivery_years": ("delivery_years_are_estimates",),
}


class Writer:
    """Step 5: the plan's drafts written in bulk. An updated record loses
    the rows the last import wrote for it (participants, systems, sources,
    tags; not those editors added) and gets them afresh; a row an editor
    already added (the same country in the same role, the same system, the
    same tag) stays theirs."""

    def __init__(
        self,
        plan: Plan,
        *,
        dataset: Dataset,
        run: ImportRun,
        reason: str,
        progress: Progress | None,
    ):
        self.plan, self.run, self.reason, self.progress = plan, run, reason, progress
        self.dataset = dataset
        self.records = {r.external_id: r for r in plan.to_write}
        # Rows of updated records that keep what a researcher corrected
        # (their participants or tags), by external id: see _update.
        self.kept: dict[str, set[RowLabel]] = {}

    def write(
        self, drafts: dict[str, Draft], renames: dict[str, str], catalogues: Catalogues
    ) -> list[int]:
        """Write everything; the ids of the entities created or changed.
        New records go a chunk at a time, each chunk whole (the record, its
        rows, its id, its issues) before the next is built: memory stays
        flat however long the file."""
        self._rename(renames)
        touched = catalogues.create()
        tags = self._tags(drafts)
        written: list[int] = []
        updated = self._update(drafts)
        self._complete(updated, drafts, tags, new=False)
        written += [p.pk for p in updated.values()]
        for chunk in batches(self.plan.new, CHUNK):
            created = self._create(chunk, drafts)
            self._complete(created, drafts, tags, new=True)
            written += [p.pk for p in created.values()]
            for external_id in created:
                del drafts[external_id]  # done with: let it go
        if self.progress:
            self.progress.close()
        return written + touched

    def _complete(
        self,
        written: Written,
        drafts: dict[str, Draft],
        tags: dict[str, Tag],
        *,
        new: bool,
    ) -> None:
        """The rows that hang off written partnerships, what the import
        wrote for each, and their data issues."""
        if not written:
            return
        rows = _child_rows_of(written, drafts, tags)
        imported = self._child_rows(rows, written, new=new)
        self._remember(drafts, written, imported, new=new)
        self._issues(written, new=new)
        if self.progress:
            self.progress.advance(len(written))

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

    def _create(self, records: list, drafts: dict[str, Draft]) -> dict[str, NewRow]:
        if not hasattr(self, "_slugs"):
            self._slugs = Slugs(Partnership.ENTITY_TYPE)
        created = {}
        for record in records:
            fields = drafts[record.external_id].fields
            created[record.external_id] = NewRow(
                Partnership, **fields, slug=self._slugs.new(fields["name"])
            )
        bulk_create_entities(Partnership, list(created.values()))
        record_history_of(
            Partnership,
            [row.pk for row in created.values()],
            HistoryType.CREATED,
            self.reason,
            self.run.user,
        )
        return created

    def _update(self, drafts: dict[str, Draft]) -> dict[str, Partnership]:
        plan, known = self.plan, self.plan.known
        if not plan.changed:
            return {}
        existing = Partnership.objects.in_bulk(
            [known.ids[r.external_id] for r in plan.changed]
        )
        corrected = self._corrected_fields(plan.changed)
        lines = self._corrected_lines(corrected)
        updated, fields = {}, set()
        for record in plan.changed:
            partnership = existing[known.ids[record.external_id]]
            draft = drafts[record.external_id]
            kept = corrected.get(partnership.pk, set())
            for name, value in draft.fields.items():
                fields.add(name)
                if name not in kept:
                    setattr(partnership, name, value)
            self._keep_corrected_rows(record.external_id, draft, kept, lines)
            updated[record.external_id] = partnership
        bulk_update_entities(Partnership, list(updated.values()), sorted(fields))
        record_history(
            list(updated.values()), HistoryType.CHANGED, self.reason, self.run.user
        )
        self._remove_imported_rows(list(updated))
        return updated

    def _keep_corrected_rows(
        self, external_id: str, draft: Draft, kept: set[str], lines: dict
    ) -> None:
        """The draft's rows, as a researcher corrected them: a system line
        takes the corrected values of the line it replaces; participants or
        tags a flag was about stay as the researcher left them (the import
        neither removes nor writes them)."""
        pk = self.plan.known.ids[external_id]
        for line in draft.system_lines:
            # (A system this import creates has no line yet.)
            if isinstance(line.system, int) and (pk, line.system) in lines:
                line.values = {**line.values, **lines[pk, line.system]}
        rows = {
            label
            for column in kept
            if (label := self.dataset.rows_of_column(column)) is not None
        }
        if rows:
            self.kept[external_id] = rows
            if RowLabel.PARTICIPANTS in rows:
                draft.participants = []
            if RowLabel.TAGS in rows:
                draft.tags = {}

    @staticmethod
    def _corrected_lines(corrected: dict[int, set[str]]) -> dict[tuple, dict]:
        """The values a researcher corrected on system lines (a quantity, a
        TIV), as the records' lines now hold them, by (partnership, system):
        the line the import writes again takes them."""
        wanted = {
            pk: names & LINE_FIELDS
            for pk, names in corrected.items()
            if names & LINE_FIELDS
        }
        values: dict[tuple, dict] = {}
        for chunk in batches(list(wanted)):
            for line in PartnershipSystem.objects.filter(partnership__in=chunk):
                values[line.partnership_id, line.system_id] = {
                    name: getattr(line, name) for name in wanted[line.partnership_id]
                }
        return values

    def _corrected_fields(self, changed: list) -> dict[int, set[str]]:
        """The fields of changed records that a researcher corrected: a
        resolved issue whose value the source still gives. Those keep the
        researcher's value, and so do the fields read with it (a date's
        precision, a quantity's "estimate" mark)."""
        known = self.plan.known
        flags = {known.ids[r.external_id]: {f.key() for f in r.flags} for r in changed}
        corrected: dict[int, set[str]] = {}
        for chunk in batches([pk for pk, keys in flags.items() if keys]):
            for issue in DataIssue.objects.filter(
                entity__in=chunk, status=IssueStatus.RESOLVED
            ):
                if (issue.field, issue.source_value, issue.reason) in flags[
                    issue.entity_id
                ]:
                    corrected.setdefault(issue.entity_id, set()).update(
                        (issue.field, *CORRECTED_WITH.get(issue.field, ()))
                    )
        return corrected

    def _issues(self, written: Written, *, new: bool) -> None:
        """Each flag of a written record as a data issue: one found before
        is kept as it is (resolved stays resolved), a new one is opened,
        and an open one the row no longer has is closed as gone."""
        ids = {p.pk: external_id for external_id, p in written.items()}
        existing: dict[int, dict[tuple, DataIssue]] = {}
        for chunk in batches(list(ids) if not new else []):  # new ones have none
            for issue in DataIssue.objects.filter(entity__in=chunk):
                key = (issue.field, issue.source_value, issue.reason)
                existing.setdefault(issue.entity_id, {})[key] = issue
        opened: list[DataIssue] = []
        changed: list[DataIssue] = []
        for pk, external_id in ids.items():
            record = self.records[external_id]
            before = existing.get(pk, {})
            current: dict[tuple, Flag] = {}
            for flag in record.flags:
                current.setdefault(flag.key(), flag)
            for key, flag in current.items():
                found = before.get(key)
                if found is None:
                    opened.append(
                        DataIssue(
                            entity_id=pk, dataset=self.plan.known.scheme,
                            external_id=external_id, row=flag.row, field=flag.field,
                            source_value=flag.value, reason=flag.reason,
                            message=flag.message[:500], import_run=self.run,
                        )
                    )  # fmt: skip
                    continue
                found.row, found.import_run = flag.row, self.run
                if found.status == IssueStatus.GONE:
                    found.status = IssueStatus.OPEN
                changed.append(found)
            for key, issue in before.items():
                if key not in current and issue.status == IssueStatus.OPEN:
                    issue.status = IssueStatus.GONE
                    changed.append(issue)
        DataIssue.objects.bulk_create(opened, batch_size=BATCH)
        DataIssue.objects.bulk_update(
            changed, ["row", "import_run", "status"], batch_size=BATCH
        )

    def _remove_imported_rows(self, external_ids: list[str]) -> None:
        """Delete what earlier imports wrote for these records, recording
        the deletions in the rows' history. Rows editors added stay."""
        known = self.plan.known
        known.imported.fetch(external_ids)
        owned: dict[RowLabel, list[int]] = {}
        for external_id in external_ids:
            kept = self.kept.get(external_id, ())
            for label, pks in known.imported.get(external_id, {}).items():
                if label in IMPORTED_ROWS and label not in (RowLabel.TAGS, *kept):
                    owned.setdefault(RowLabel(label), []).extend(pks)
        for label, pks in owned.items():
            model = IMPORTED_ROWS[label]
            for chunk in batches(pks):
                rows = list(model._default_manager.filter(pk__in=chunk))
                record_history(rows, HistoryType.DELETED, self.reason, self.run.user)
                # No signals: the partnerships are re-indexed once, at the end.
                model._default_manager.filter(pk__in=chunk)._raw_delete(
                    connection.alias
                )
        for external_id in external_ids:
            tags = known.imported.get(external_id, {}).get(RowLabel.TAGS)
            if tags and RowLabel.TAGS not in self.kept.get(external_id, ()):
                TagLink.objects.filter(
                    partnership_id=known.ids[external_id], tag_id__in=tags
                )._raw_delete(connection.alias)

    def _child_rows(
        self, rows: dict[tuple, ChildRows], written: Written, *, new: bool
    ) -> dict[str, dict]:
        """Create the rows (but those already present); for each record, the
        ids of those it wrote."""
        present = set() if new else _present([p.pk for p in written.values()])
        imported: dict[str, dict[str, list[int]]] = {eid: {} for eid in written}
        for group in rows.values():
            model, values, owners = group.model, group.rows, group.owners
            if present:
                kept = [
                    n for n, row in enumerate(values)
                    if _row_key(model, row) not in present
                ]  # fmt: skip
                values = [values[n] for n in kept]
                owners = [owners[n] for n in kept]
            if model is TagLink:  # links keep no history; the tags are kept
                insert_values(model, group.names, values)
                ids = [row[1] for row in values]
            else:
                ids = insert_values(model, group.names, values, returning=True)
                record_history_of(
                    model, ids, HistoryType.CREATED, self.reason, self.run.user
                )
            label = ROW_LABELS[model]
            for owner, pk in zip(owners, ids, strict=True):
                imported[owner].setdefault(label, []).append(pk)
        return imported

    def _remember(
        self,
        drafts: dict[str, Draft],
        written: Written,
        imported: dict[str, dict],
        *,
        new: bool,
    ) -> None:
        """Store each record's id, fingerprint and the rows it wrote."""
        plan = self.plan
        for external_id, labels in self.kept.items():
            if external_id in written and not new:
                before = plan.known.imported.get(external_id, {})
                for label in labels:
                    if label in before:
                        imported[external_id][label] = before[label]
        for external_id in written:
            if drafts[external_id].match_key:
                imported[external_id][RowLabel.MATCH_KEY] = drafts[
                    external_id
                ].match_key
        if new:
            plan.known.add(
                (external_id, p.pk, plan.prints[external_id], imported[external_id])
                for external_id, p in written.items()
            )
        else:
            plan.known.refresh(
                {
                    external_id: (plan.prints[external_id], imported[external_id])
                    for external_id in written
                }
            )


@dataclass
class ChildRows:
    """Rows of one model that an import writes under its partnerships, as
    tuples of the values of ``names``, each with the record (external id)
    it is written for."""

    model: type[models.Model]
    names: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)


PARTICIPANT_NAMES = (
    "partnership_id",
    "role",
    "country_id",
    "organisation_id",
    "bloc_id",
)
TAG_LINK_NAMES = ("partnership_id", "tag_id")


def _child_rows_of(
    written: Written, drafts: dict[str, Draft], tags: dict[str, Tag]
) -> dict[tuple, ChildRows]:
    """The rows that hang off written partnerships (participants, system
    lines, sources, tag links), grouped by model and fields."""
    groups: dict[tuple, ChildRows] = {}

    def group(model: type[models.Model], names: tuple[str, ...]) -> ChildRows:
        found = groups.get((model, names))
        if found is None:
            found = groups[model, names] = ChildRows(model, names)
        return found

    participants = group(Participant, PARTICIPANT_NAMES)
    # A party's ids, once each (the same few hundred parties take part in
    # tens of thousands of records; their organisations and the systems are
    # created by now).
    party_ids: dict[int, tuple] = {}
    system_ids: dict[int, int] = {}  # and a system's, where it is an object
    for external_id, partnership in written.items():
        pk, draft = partnership.pk, drafts[external_id]
        for actor, role in draft.participants:
            ids = party_ids.get(id(actor))
            if ids is None:
                ids = party_ids[id(actor)] = actor.party_ids()
            participants.rows.append((pk, role, *ids))
            participants.owners.append(external_id)
        for line in draft.system_lines:
            lines = group(
                PartnershipSystem, ("partnership_id", "system_id", *line.values)
            )
            system = line.system
            # An id, or a System the catalogue created (its id read once).
            system_id = (
                system if isinstance(system, int) else system_ids.get(id(system))
            )
            if system_id is None:
                system_id = system_ids[id(system)] = pk_of(system)
            lines.rows.append((pk, system_id, *line.values.values()))
            lines.owners.append(external_id)
        for source in draft.sources:
            sources = group(Source, ("partnership_id", *source))
            sources.rows.append((pk, *source.values()))
            sources.owners.append(external_id)
        for name in draft.tags:
            links = group(TagLink, TAG_LINK_NAMES)
            links.rows.append((pk, tags[name].pk))
            links.owners.append(external_id)
    return groups


def _row_key(model: type[models.Model], row: tuple) -> tuple:
    """What makes a row the same row, by the models' unique constraints:
    a participant's party in its role, a system line's system, a tag (its
    values begin with the partnership's id; a source is never the same:
    each import writes its own)."""
    if model is Participant:
        return (model, *row[: len(PARTICIPANT_NAMES)])
    if model is Source:
        return (model, id(row))
    return (model, row[0], row[1])


def _present(partnership_ids: list[int]) -> set[tuple]:
    """The keys of the rows that already exist on updated partnerships:
    rows editors added that the import would write again."""
    present: set[tuple] = set()
    for chunk in batches(partnership_ids):
        for model, names in (
            (Participant, PARTICIPANT_NAMES),
            (PartnershipSystem, ("partnership_id", "system_id")),
            (TagLink, TAG_LINK_NAMES),
        ):
            rows = model._default_manager.filter(partnership__in=chunk)
            present.update(_row_key(model, row) for row in rows.values_list(*names))
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


FLAGS_LISTED = 5  # per reason, in the report


def flag_report(flags: list[Flag], flagged: int) -> list[str]:
    """The report's lines on flagged values: counts by reason, and the
    first rows of each."""
    if not flags:
        return []
    lines = [
        f"{len(flags):,} value(s) in {flagged:,} record(s) are flagged: imported "
        "as the best reading, the source's value kept as a data issue to check:"
    ]
    by_reason: dict[str, list[Flag]] = {}
    for flag in sorted(flags, key=lambda f: (f.row, f.found)):
        by_reason.setdefault(flag.reason, []).append(flag)
    for reason, found in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        lines.append(f"  {IssueReason(reason).label}: {len(found):,}")
        lines += [f"    Row {f.row}: {f.message}" for f in found[:FLAGS_LISTED]]
        if len(found) > FLAGS_LISTED:
            lines.append(f"    … and {len(found) - FLAGS_LISTED:,} more")
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
