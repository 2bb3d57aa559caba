"""What goes into the search index, and keeping it up to date.

Each indexed model describes its own document: ``index_components()`` gives
its title, keywords and body (weighed in that order, see ``backends.py``),
and ``index_queryset()`` fetches a batch of rows with what those read. This
module turns them into entries and writes them, nothing more.

Nothing outside ``search`` calls it. ``signals.py`` listens to saves and
deletes of the indexed models and of the rows their documents read, and to
``core.signals.bulk_saved`` from bulk writers (the importers); every change
is noted with :func:`index_on_commit`, and the rows a transaction changed
are indexed once, in bulk, when it commits. ``manage.py
rebuild_search_index`` rebuilds it all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, cast

import orjson
from asgiref.local import Local
from django.db import connections, transaction
from django.db.models import DateTimeField, Model, QuerySet
from django.utils import timezone

from articles.models import Article
from core.names import fold, normalise_name
from partnerships.models import (
    Bloc,
    Country,
    Entity,
    Organisation,
    Partnership,
    System,
)

from .models import SearchEntry

# The models with entries. Each entry points at an article or at an entity
# (of any kind); each kind of entity is fetched by its own model, by the
# ``entity_type`` that names it.
ENTITY_MODELS: dict[str, type[Entity]] = {
    str(model._meta.model_name): model
    for model in (Country, Bloc, Organisation, System, Partnership)
}
INDEXED_MODELS: tuple[type[Model], ...] = (Article, *ENTITY_MODELS.values())

# The highlighter marks matches with these two control characters, which the
# indexed text must therefore never contain.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BATCH = 500  # rows read as model instances at a time
BULK_BATCH = 5000  # rows read as plain values (``index_rows``) at a time


def entry_field(model: type[Model]) -> str:
    """The entry's field pointing at rows of ``model``: article or entity."""
    return "article" if issubclass(model, Article) else "entity"


# --- Documents ------------------------------------------------------------------


def _clean(*parts: str) -> str:
    text = "\n".join([part for part in parts if part])
    if all(part.isprintable() for part in parts):
        # No control character in any part (nearly every row: an import
        # indexes tens of thousands), nothing to search for.
        return text.strip()
    return _CONTROL.sub(" ", text).strip()


def _spellings(*names: str) -> list[str]:
    """Names as typed on a plain keyboard, where that differs from what
    full-text search makes of them: "Akıncı" is also "akinci", "Ørsted"
    also "orsted" (dotless i, slashed o and ligatures are not accents)."""
    plain = []
    for name in names:
        if not name or name.isascii():  # typed as it is written
            continue
        folded = fold(name)
        if (
            folded
            != unicodedata.normalize("NFKD", name.casefold())
            .encode("ascii", "ignore")
            .decode()
        ):
            plain.append(folded)
    return plain


def document(obj: Any) -> dict[str, Any]:
    """The entry for ``obj``, from its ``index_components()``."""
    return entry_document(str(obj._meta.model_name), obj.index_components())


def entry_document(kind: str, components: dict) -> dict[str, Any]:
    """The entry from a row's ``index_components()``: the title, the
    keywords (with plain-keyboard spellings of them and of the title)
    joined by " · ", the body's parts one per line, and from when readers
    may find it (``visible_from``; never, if it says nothing)."""
    title = components["title"]
    keywords = [k for k in components.get("keywords", ()) if k]
    return {
        "kind": kind,
        "visible_from": components.get("visible_from"),
        "title": _clean(title)[:500],
        "keywords": _clean(" · ".join([*keywords, *_spellings(title, *keywords)])),
        "body": _clean(*components.get("body", ())),
    }


def components_of(model: type[Model], pks: list[int]) -> Iterator[tuple[int, dict]]:
    """``(pk, index_components())`` of these rows of ``model``: from its
    ``index_rows`` where it reads them as plain values in bulk (a model an
    import writes by the thousand), else from instances of its
    ``index_queryset()``."""
    index_rows = getattr(model, "index_rows", None)
    if index_rows is not None:
        yield from index_rows(pks)
        return
    for obj in cast("Any", model).index_queryset().filter(pk__in=pks).order_by("pk"):
        yield obj.pk, obj.index_components()


def _upsert(model: type[Model], pks: list[int]) -> int:
    """Write the entries of these rows of ``model``, new or replacing the
    old: many rows a statement, the database's full-text structure (FTS5
    table, tsvector) computed by the database as they go in."""
    field = entry_field(model)
    kind = str(model._meta.model_name)
    entries = []
    for pk, components in components_of(model, pks):
        entry = entry_document(kind, components)
        entry["title_key"] = normalise_name(entry["title"])
        entries.append((pk, entry))
    if not entries:
        return 0
    now = timezone.now()
    rows = [(pk, *entry.values(), now) for pk, entry in entries]
    _insert_or_update([f"{field}_id", *entries[0][1], "updated_at"], rows)
    return len(rows)


def _insert_or_update(columns: list[str], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT (the row indexed) DO UPDATE of ``rows``, in one
    statement: on SQLite from one JSON array, on PostgreSQL from a
    temporary table filled by COPY. Times are made the database's by their
    fields (a batch's stamp is one value, converted once); the rest is text
    and numbers."""
    connection = connections[SearchEntry.objects.db]
    quote = connection.ops.quote_name
    conflict = columns[0]
    fields: list[Any] = [SearchEntry._meta.get_field(column) for column in columns]
    times = [n for n, field in enumerate(fields) if isinstance(field, DateTimeField)]
    if times:
        prepared: dict[Any, Any] = {}

        def prepare(field: Any, value: Any) -> Any:
            if value not in prepared:
                prepared[value] = field.get_db_prep_save(value, connection)
            return prepared[value]

        rows = [_with_times(row, times, fields, prepare) for row in rows]
    names = ", ".join(quote(column) for column in columns)
    updates = ", ".join(
        f"{quote(c)} = excluded.{quote(c)}" for c in columns if c != conflict
    )
    table = quote(SearchEntry._meta.db_table)
    upsert = f"ON CONFLICT ({quote(conflict)}) DO UPDATE SET {updates}"
    atomic = transaction.atomic(using=connection.alias, savepoint=False)
    with atomic, connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # FTS5 writes out the terms it has taken in at the end of
            # every statement, and a statement a row left a segment a row
            # to merge (most of an import's indexing time); one parameter
            # also spares Django's rewriting of thousands of placeholders.
            picks = ", ".join(
                f"json_extract(value, '$[{n}]')" for n in range(len(columns))
            )
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {picks} "  # noqa: S608 (names quoted, values parameters)
                # WHERE true: SQLite would read ON CONFLICT as a join's ON.
                f"FROM json_each(%s) WHERE true {upsert}",
                [orjson.dumps(rows).decode()],
            )
            return
        # COPY is the quickest way in for thousands of rows; the entries
        # are written from there in one statement, which the tsvector
        # column and its GIN index take in at once.
        staging = quote(f"{SearchEntry._meta.db_table}_incoming")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 (names quoted)
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "  # noqa: S608 (names quoted)
            f"{upsert}"
        )
        cursor.execute(f"DROP TABLE {staging}")


def _with_times(row: tuple, times: list[int], fields: list, prepare) -> tuple:
    """The row with its times made the database's."""
    cells = list(row)
    for n in times:
        if cells[n] is not None:
            cells[n] = prepare(fields[n], cells[n])
    return tuple(cells)


# --- Indexing rows now ------------------------------------------------------------


def batches(pks: list[int], size: int = BATCH) -> Iterator[list[int]]:
    # Ids go to the database a batch at a time: SQLite takes at most 32,766
    # parameters in a query, and an import can touch more rows.
    for start in range(0, len(pks), size):
        yield pks[start : start + size]


def index_articles(pks: Iterable[int] | None = None) -> int:
    """(Re)index the articles with these ids, or every article."""
    if pks is None:
        pks = Article.objects.values_list("pk", flat=True)
    total = 0
    for chunk in batches(sorted(set(pks))):
        total += _upsert(Article, chunk)
    return total


def index_entities(pks: Iterable[int] | None = None) -> int:
    """(Re)index the entities with these ids (of any kind), or every entity:
    each kind through its own model, thousands at a time."""
    entities = Entity.objects.order_by("pk")
    by_type: dict[str, list[int]] = {}
    chunks = [None] if pks is None else batches(sorted(set(pks)), BULK_BATCH)
    for chunk in chunks:
        wanted = None if chunk is None else set(chunk)
        for pk, entity_type in _among(entities, chunk).values_list("pk", "entity_type"):
            if wanted is None or pk in wanted:
                by_type.setdefault(entity_type, []).append(pk)
    total = 0
    for entity_type, type_pks in by_type.items():
        model = ENTITY_MODELS[entity_type]
        size = BULK_BATCH if hasattr(model, "index_rows") else BATCH
        for chunk in batches(type_pks, size):
            total += _upsert(model, chunk)
    return total


def _among(rows: QuerySet, pks: list[int] | None) -> QuerySet:
    """``rows`` whose ids are among ``pks`` (sorted; all rows if None): where
    the ids are dense, as an import's new rows are, the range they span (two
    parameters instead of thousands; the caller skips the few rows between
    that it did not ask for), else the list."""
    if pks is None:
        return rows
    if pks and pks[-1] - pks[0] < 2 * len(pks):
        return rows.filter(pk__range=(pks[0], pks[-1]))
    return rows.filter(pk__in=pks)


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Index every article and entity from scratch; returns the counts."""
    SearchEntry.objects.all().delete()
    return index_articles(), index_entities()


# --- Indexing what a transaction changed, once, when it commits ---------------------


class _Pending:
    """The rows one transaction changed, indexed when it commits."""

    def __init__(self, using: str):
        self.using = using
        self.pks: dict[str, set[int]] = {"article": set(), "entity": set()}
        self.done = False

    def __call__(self) -> None:
        self.done = True
        with transaction.atomic(using=self.using):
            if self.pks["article"]:
                index_articles(self.pks["article"])
            if self.pks["entity"]:
                index_entities(self.pks["entity"])


_state = Local()


def _open_batch(using: str) -> tuple[_Pending, bool]:
    """This transaction's batch of pending rows, and whether it is new.

    A batch belongs to the transaction whose commit will run it: once run,
    or dropped with a rollback (Django then forgets its callback), the next
    change starts a new one."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = {}
    batch = pending.get(using)
    if batch is not None and not batch.done:
        queued = connections[using].run_on_commit
        if any(entry[1] is batch for entry in queued):
            return batch, False
    batch = pending[using] = _Pending(using)
    return batch, True


def index_on_commit(
    model: type[Model], pks: Iterable[int], *, using: str = "default"
) -> None:
    """Index these rows of ``model`` (an indexed model) when the current
    transaction commits, with every other row it changed; at once outside
    a transaction. A row deleted meanwhile is skipped (its entry went with
    it)."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    batch, new = _open_batch(using)
    batch.pks[entry_field(model)].update(pks)
    if new:
        transaction.on_commit(batch, using=using)
