"""Entities as an import sees them: known by the dataset's ids, found by
name, created and updated in bulk."""

from __future__ import annotations

import contextlib
import functools
import json
import operator
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import SimpleNamespace
from typing import Any, cast

import orjson
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from core.names import normalise_name, reserve_slug
from partnerships.models import Alias, Entity, ExternalIdentifier

BATCH = 1000


def batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pk_of(value: int | Entity) -> int:
    """An entity's id, whether it is an id already or a saved entity."""
    return value if isinstance(value, int) else value.pk


class Slugs:
    """Unique slugs for new entities of one kind, checked in memory."""

    def __init__(self, entity_type: str):
        self.taken = set(
            Entity.objects.filter(entity_type=entity_type).values_list(
                "slug", flat=True
            )
        )

    def new(self, name: str) -> str:
        return reserve_slug(name, self.taken)


# --- Rows to write ----------------------------------------------------------------------


@functools.cache
def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """A new row's values where the writer gives none: each field's default
    (the primary key none yet). A field whose default is made by a callable
    is left out: the writers give those."""
    defaults: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            defaults[model_field.attname] = None
        elif not (model_field.has_default() and callable(model_field.default)):
            defaults[model_field.attname] = model_field.get_default()
    return defaults


@functools.cache
def _attnames(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


class NewRow(SimpleNamespace):
    """A row to insert, as its values by field (``partnership_id``, not
    ``partnership``): what :func:`record_history` and
    :func:`bulk_create_entities` read of a model instance, at a small
    part of the cost of making one. An import writes hundreds of thousands
    of rows, and a model instance takes tens of microseconds to build."""

    def __init__(self, model: type[models.Model], /, **values: Any):
        if not _attnames(model).issuperset(values):
            # As a model refuses them: a value under another name (a related
            # object for its id) would be dropped without a word.
            unknown = values.keys() - _attnames(model)
            raise TypeError(f"{model.__name__} has no field {sorted(unknown)}")
        # The values set straight into the namespace: a few hundred thousand
        # rows an import, each made once.
        namespace = vars(self)
        namespace.update(_defaults(model))
        namespace.update(values)
        self._model = model

    @property
    def pk(self) -> Any:
        return getattr(self, _pk_attname(self._model))

    @pk.setter
    def pk(self, value: Any) -> None:
        setattr(self, _pk_attname(self._model), value)


@functools.cache
def _pk_attname(model: type[models.Model]) -> str:
    return model._meta.pk.attname


def model_of(obj: Any) -> type[models.Model]:
    """The model of a saved instance or of a :class:`NewRow`."""
    return obj._model if isinstance(obj, NewRow) else type(obj)


def _saved(obj: Any) -> None:
    if not isinstance(obj, NewRow):
        obj._state.adding = False


# --- Bulk writes ----------------------------------------------------------------------
#
# An import writes hundreds of thousands of rows. Django's bulk_create spends
# most of its time compiling each value (a few microseconds a cell); these
# helpers send the same rows, with only the values that need it converted
# for the database (dates, decimals, JSON), by COPY on PostgreSQL and one
# prepared INSERT on SQLite.

# Values a statement may carry: SQLite takes 32,766 parameters, PostgreSQL
# 65,535.
MAX_PARAMETERS = 30_000
_CONVERTED = {"DateField", "DateTimeField", "DecimalField", "JSONField", "UUIDField"}


def _converters(fields: list) -> list[Callable[[Any], Any] | None]:
    """For each field, None, or what makes a Python value the database's.
    Dates and stamps repeat (an import writes one stamp on every row), so
    each distinct value is converted once."""
    converters: list[Callable[[Any], Any] | None] = []
    for model_field in fields:
        kind = model_field.get_internal_type()
        if kind not in _CONVERTED:
            converters.append(None)
            continue

        def convert(value: Any, field: Any = model_field) -> Any:
            return field.get_db_prep_save(value, connection)

        if kind == "DecimalField":
            converters.append(_decimal_converter(model_field, convert))
        elif kind == "JSONField":
            converters.append(_json_converter(convert))
        else:
            converters.append(functools.lru_cache(maxsize=4096)(convert))
    return converters


def _decimal_converter(
    model_field: Any, convert: Callable[[Any], Any]
) -> Callable[[Any], Any]:
    """A decimal field's converter: a finite Decimal (what the datasets
    give) goes straight to the database's adapter, the field's own checks
    being for other values."""
    adapt = connection.ops.adapt_decimalfield_value
    digits, places = model_field.max_digits, model_field.decimal_places

    def convert_decimal(value: Any) -> Any:
        if type(value) is Decimal and value.is_finite():
            return adapt(value, digits, places)
        return convert(value)

    return convert_decimal


def _json_converter(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A JSON field's converter: what the importers keep there (lists of
    years; ids by label, the labels str enums) is plain JSON, which orjson
    writes several times faster than the field's encoder; anything else
    goes to the field."""

    def convert_json(value: Any) -> Any:
        try:
            return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
        except TypeError:  # not plain JSON (orjson.JSONEncodeError is one)
            return convert(value)

    return convert_json


def insert_rows(
    model: type[models.Model],
    fields: list,
    rows: list[tuple],
    *,
    returning: bool = False,
) -> list:
    """INSERT ``rows`` (tuples of Python values, one per field) into
    ``model``'s table; with ``returning``, the new primary keys in order.

    Where the ids are wanted they are taken from the table's sequence
    first and written with the rows, so that the rows go in without
    ``RETURNING``: by COPY on PostgreSQL, and on SQLite by one short
    statement prepared once and run for every row (Django rewrites a
    statement's placeholders with a regular expression, which on a
    statement of thousands of rows costs more than SQLite takes to insert
    them)."""
    if not rows:
        return []
    converted = [
        (column, convert)
        for column, convert in enumerate(_converters(fields))
        if convert is not None
    ]
    if converted:  # only the cells that need it: most are text and numbers
        rows = [_convert(row, converted) for row in rows]
    meta = model._meta
    quote = connection.ops.quote_name
    ids: list[Any] = []
    # One transaction from taking the ids to writing the rows: on SQLite it
    # holds the database's write lock (IMMEDIATE), on PostgreSQL the
    # sequence hands out each id once anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if returning:
            ids = _next_ids(cursor, model, len(rows))
            fields = [meta.pk, *fields]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        table = quote(meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            _insert_sqlite(cursor, table, columns, fields, rows)
    return ids


SQLITE_JSON_ROWS = 5000  # rows a statement, as one JSON array


def _insert_sqlite(
    cursor: Any, table: str, columns: str, fields: list, rows: list
) -> None:
    """On SQLite, the rows as one JSON array a few thousand at a time, which
    SQLite takes apart itself (``json_each``): half the time of an INSERT
    run for each row (``executemany``), which binds every value of every
    row from Python. Rows JSON cannot carry exactly go by ``executemany``:
    one with a float (SQLite may read its text back a unit off in the last
    digit) or a value of another type (bytes)."""
    width = len(fields)
    floats = [n for n, f in enumerate(fields) if f.get_internal_type() == "FloatField"]
    picks = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(width))
    from_json = (
        f"INSERT INTO {table} ({columns}) SELECT {picks} "  # noqa: S608 (names quoted, values parameters)
        "FROM json_each(%s) ORDER BY key"
    )
    marks = ", ".join(["%s"] * width)
    each = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names quoted, values parameters)
    for chunk in batches(rows, SQLITE_JSON_ROWS):
        text = None
        if not any(row[n] is not None for row in chunk for n in floats):
            with contextlib.suppress(orjson.JSONEncodeError):  # another type
                text = orjson.dumps(chunk, default=_sqlite_json).decode()
        if text is None:
            cursor.executemany(each, chunk)
        else:
            cursor.execute(from_json, [text])


def _sqlite_json(value: Any) -> Any:
    """A decimal as SQLite's adapter (Django's) writes it: its text."""
    if type(value) is Decimal:
        return str(value)
    raise TypeError(type(value).__name__)


def _next_ids(cursor: Any, model: type[models.Model], count: int) -> list[int]:
    """The next ``count`` ids of ``model``'s table, taken from its sequence
    (PostgreSQL) or after the largest it ever gave (SQLite's AUTOINCREMENT
    keeps it in ``sqlite_sequence``), in ascending order. The caller writes
    rows with them in the same transaction."""
    meta: Any = model._meta  # its columns are named: never None
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608 (names quoted, values parameters)
        f"COALESCE((SELECT max({quote(meta.pk.column)}) FROM {quote(meta.db_table)}), 0))",
        [meta.db_table],
    )
    (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def _convert(row: tuple, converted: list) -> tuple:
    cells = list(row)
    for column, convert in converted:
        if cells[column] is not None:
            cells[column] = convert(cells[column])
    return tuple(cells)


def _values(objs: list, attnames: list[str]) -> list[tuple]:
    """Each object's values of these fields, as a tuple."""
    if len(attnames) == 1:
        return [(getattr(obj, attnames[0]),) for obj in objs]
    return list(map(operator.attrgetter(*attnames), objs))


def insert_values(
    model: type[models.Model],
    names: tuple[str, ...],
    rows: list[tuple],
    *,
    returning: bool = False,
) -> list:
    """INSERT ``rows``, tuples of the values of the fields ``names``
    (``partnership_id``, not ``partnership``), into ``model``'s table, every
    other field taking its default; with ``returning``, the new primary keys
    in order. What an import writes by the hundred thousand goes in as
    plain tuples: no object a row."""
    fields, defaults = _given_then_defaults(model, names)
    if defaults:
        rows = [row + defaults for row in rows]
    return insert_rows(model, fields, rows, returning=returning)


@functools.cache
def _given_then_defaults(
    model: type[models.Model], names: tuple[str, ...]
) -> tuple[list, tuple]:
    """The fields ``names`` name, then the model's other fields (the primary
    key aside), and those others' default values."""
    by_attname = {
        f.attname: f for f in model._meta.local_concrete_fields if not f.primary_key
    }
    if not by_attname.keys() >= set(names):
        # As a model refuses them: a value under another name (a related
        # object for its id) would be dropped without a word.
        unknown = set(names) - by_attname.keys()
        raise TypeError(f"{model.__name__} has no field {sorted(unknown)}")
    rest = [f for attname, f in by_attname.items() if attname not in names]
    made = [f.name for f in rest if f.has_default() and callable(f.default)]
    if made:  # a value made for each row: the writer gives it
        raise TypeError(f"{model.__name__}: no value given for {made}")
    return [by_attname[n] for n in names] + rest, tuple(f.get_default() for f in rest)


def bulk_create_entities(model: type[Entity], objs: list) -> list:
    """Create entities of a kind that extends Entity, in bulk (model
    instances or :class:`NewRow`).

    Django's bulk_create does not do multi-table inheritance, so: the shared
    Entity rows first (their ids come back), then the kind's own rows with
    the same ids.
    """
    if not objs:
        return objs
    now = timezone.now()
    parent_fields = [
        Entity._meta.get_field(name)
        for name in (
            "entity_type",
            "name",
            "slug",
            "summary",
            "edit_version",
            "created_at",
            "updated_at",
        )
    ]
    ids = insert_rows(
        Entity,
        parent_fields,
        [(model.ENTITY_TYPE, o.name, o.slug, o.summary, 1, now, now) for o in objs],
        returning=True,
    )
    for obj, pk in zip(objs, ids, strict=True):
        obj.entity_ptr_id = obj.id = pk
        obj.entity_type = model.ENTITY_TYPE
        obj.created_at = obj.updated_at = now
        obj.edit_version = 1
        _saved(obj)
    own = list(model._meta.local_concrete_fields)
    insert_rows(model, own, _values(objs, [f.attname for f in own]))
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
        # Each is a new version: a form opened before the import is refused
        # rather than saved over it (coopsite.locking).
        Entity.objects.bulk_update(
            [
                Entity(
                    pk=o.pk,
                    edit_version=F("edit_version") + 1,
                    **{f: getattr(o, f) for f in shared},
                )
                for o in batch
            ],
            [*shared, "edit_version"],
        )
        if own:
            model._base_manager.bulk_update(batch, own)


class HistoryType(StrEnum):
    """django-simple-history's marks for what happened to a row."""

    CREATED = "+"
    CHANGED = "~"
    DELETED = "-"


def record_history(
    objs: list,
    kind: HistoryType,
    reason: str,
    user=None,
    *,
    model: type[models.Model] | None = None,
) -> None:
    """History rows for objects written in bulk (model instances, or
    :class:`NewRow` of ``model``), as django-simple-history writes them for
    single saves (the same rows, many a statement)."""
    if not objs:
        return
    model = model or model_of(objs[0])
    if not hasattr(model, "history"):
        return
    historical = cast("Any", model).history.model
    fields = [f for f in historical._meta.concrete_fields if f.name != "history_id"]
    own = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": str(kind),
        "history_user_id": user.pk if user is not None else None,
    }
    attnames = [f.attname for f in fields]
    kept = [a for a in attnames if a not in own]
    if attnames[len(kept) :] == list(own)[: len(attnames) - len(kept)]:
        # The history's own columns come last (as simple-history makes them):
        # each row is the object's values, then the same four.
        tail = tuple(own[a] for a in attnames[len(kept) :])
        rows = [values + tail for values in _values(objs, kept)]
    else:
        rows = [
            tuple(own[a] if a in own else getattr(obj, a) for a in attnames)
            for obj in objs
        ]
    insert_rows(historical, fields, rows)


def record_history_of(
    model: type[models.Model],
    pks: list,
    kind: HistoryType,
    reason: str,
    user=None,
) -> None:
    """History rows for rows of ``model`` just written in bulk, the same as
    :func:`record_history` writes, copied by the database from the rows
    themselves: one INSERT … SELECT for thousands of rows, nothing read
    back into Python."""
    if not pks or not hasattr(model, "history"):
        return
    meta: Any = model._meta  # its columns are named: never None
    historical = cast("Any", model).history.model
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    joins = []
    for parent, link in meta.parents.items():  # an entity's own table and Entity's
        if parent._meta.parents:
            raise NotImplementedError(f"{model.__name__}: one parent at most")
        parent_meta: Any = parent._meta
        parent_table = quote(parent_meta.db_table)
        joins.append(
            f"JOIN {parent_table} ON {parent_table}.{quote(parent_meta.pk.column)}"
            f" = {table}.{quote(link.column)}"
        )
    source = {f.attname: f for f in meta.concrete_fields}
    own = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": str(kind),
        "history_user_id": user.pk if user is not None else None,
    }
    columns, selected, own_params = [], [], []
    for history_field in historical._meta.concrete_fields:
        if history_field.name == "history_id":
            continue
        columns.append(quote(history_field.column))
        if history_field.attname in own:
            selected.append("%s")
            own_params.append(
                history_field.get_db_prep_save(own[history_field.attname], connection)
            )
            continue
        field_ = source[history_field.attname]
        selected.append(f"{quote(field_.model._meta.db_table)}.{quote(field_.column)}")
    pk = f"{table}.{quote(meta.pk.column)}"
    with connection.cursor() as cursor:
        for chunk in batches(list(pks), MAX_PARAMETERS - len(own_params)):
            among, ids = _among(pk, chunk)
            cursor.execute(
                f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 (names quoted, values parameters)
                f"SELECT {', '.join(selected)} FROM {table} {' '.join(joins)} "
                f"WHERE {among} ORDER BY {pk}",
                [*own_params, *ids],
            )


def _among(column: str, ids: list) -> tuple[str, list]:
    """SQL for "``column`` is one of ``ids``", and its parameters: the
    range they fill, where they are one run of ids with no gap (the rows an
    import has just created); else one array on PostgreSQL, a list of
    values elsewhere."""
    if ids and len(set(ids)) == len(ids) == max(ids) - min(ids) + 1:
        return f"{column} BETWEEN %s AND %s", [min(ids), max(ids)]
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


# --- What a dataset created before ------------------------------------------------------


# The label under which ``ExternalIdentifier.imported`` keeps a record's
# match key (see ``sipri.match_across_exports``).
MATCH_KEY = "key"


class RowsImported(MutableMapping[str, dict]):
    """What an import wrote for each record (``ExternalIdentifier.imported``),
    read from the database only for the records asked for: an import reads
    those of the records it changes (:meth:`fetch`, in bulk), not of every
    record (an unchanged re-import reads none)."""

    def __init__(self, scheme: str = "") -> None:
        self.scheme = scheme
        self._rows: dict[str, dict] = {}
        self._unread: set[str] = set()  # stored, not read yet

    def stored(self, values: Iterable[str]) -> None:
        """These records have theirs in the database, to read when asked."""
        self._unread.update(values)

    def fetch(self, values: Iterable[str]) -> None:
        """Read those of these records not read yet, a batch a query."""
        wanted = [value for value in values if value in self._unread]
        for chunk in batches(wanted):
            for value, text in ExternalIdentifier.objects.filter(
                scheme=self.scheme, value__in=chunk
            ).values_list("value", Cast("imported", models.TextField())):
                self._rows[value] = json.loads(text or "{}") or {}
        self._unread.difference_update(wanted)

    def __getitem__(self, value: str) -> dict:
        if value in self._unread:
            self.fetch([value])
        return self._rows[value]

    def __setitem__(self, value: str, imported: dict) -> None:
        self._unread.discard(value)
        self._rows[value] = imported

    def __delitem__(self, value: str) -> None:
        if value in self._unread:
            self._unread.discard(value)
        else:
            del self._rows[value]

    def __contains__(self, value: object) -> bool:
        return value in self._rows or value in self._unread

    def __iter__(self) -> Iterator[str]:
        yield from self._rows
        yield from self._unread

    def __len__(self) -> int:
        return len(self._rows) + len(self._unread)


@dataclass
class ExternalIds:
    """The entities a dataset already created, by their id in the dataset,
    with the fingerprint of the row last imported, the rows it wrote, and
    the match key it kept (if any)."""

    scheme: str
    ids: dict[str, int] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    imported: RowsImported = field(default_factory=RowsImported)
    # Read when first asked for (match_key_map): a file whose every record
    # is known by its id never asks.
    match_keys: dict[str, str] = field(default_factory=dict)
    _stored_keys: models.QuerySet | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.imported.scheme = self.scheme

    @classmethod
    def load(cls, scheme: str, model: type[Entity] | None = None) -> ExternalIds:
        """The ids and fingerprints a scheme's records have; their match
        keys (``match_key_map``) and what each wrote (``RowsImported``) are
        read when asked for."""
        rows = ExternalIdentifier.objects.filter(scheme=scheme)
        if model is not None:
            rows = rows.filter(entity__entity_type=model.ENTITY_TYPE)
        known = cls(scheme)
        # In the order they were made: the table's own order, where the
        # model's (by id in the dataset) is a sort of every row.
        rows = rows.order_by("pk")
        found = list(rows.values_list("value", "entity_id", "fingerprint"))
        known.ids = {value: entity_id for value, entity_id, _ in found}
        known.fingerprints = {value: print_ for value, _, print_ in found}
        known.imported.stored(known.ids)
        known._stored_keys = rows
        return known

    def match_key_map(self) -> dict[str, str]:
        """The match key each record kept, by its id (those that kept one)."""
        if self._stored_keys is not None:
            stored = self._stored_keys.values_list(
                "value", KT(f"imported__{MATCH_KEY}")
            )
            self._stored_keys = None
            # Read before the writer changed anything: what this import
            # knows since (renames, new records) stays as it is.
            self.match_keys = {
                value: key for value, key in stored if key
            } | self.match_keys
        return self.match_keys

    def rename(self, old: str, new: str) -> None:
        """Know the record ``old`` by ``new`` from now on (in memory: the
        writer stores it)."""
        self.match_key_map()
        mappings: tuple[MutableMapping[str, Any], ...] = (
            self.ids,
            self.fingerprints,
            self.imported,
            self.match_keys,
        )
        for mapping in mappings:
            if old in mapping:
                mapping[new] = mapping.pop(old)

    def add(self, rows: Iterable[tuple[str, int, str, dict]]) -> None:
        """Record (value, entity id, fingerprint, rows imported) for new entities."""
        new = list(rows)
        insert_values(
            ExternalIdentifier,
            ("value", "entity_id", "fingerprint", "imported", "scheme"),
            [(*row, self.scheme) for row in new],
        )
        for value, entity_id, print_, imported in new:
            self.ids[value] = entity_id
            self.fingerprints[value] = print_
            self.imported[value] = imported
            if imported and imported.get(MATCH_KEY):
                self.match_keys[value] = imported[MATCH_KEY]

    def refresh(self, values: dict[str, tuple[str, dict]]) -> None:
        """Store the new fingerprint and rows imported of updated entities."""
        for chunk in batches(list(values)):
            rows = list(
                ExternalIdentifier.objects.filter(scheme=self.scheme, value__in=chunk)
            )
            for row in rows:
                row.fingerprint, row.imported = values[row.value]
            ExternalIdentifier.objects.bulk_update(rows, ["fingerprint", "imported"])


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


class Catalogue[E: Entity]:
    """The entities of one kind that a dataset names (its organisations,
    its systems): the one the dataset's key found before, else one already
    known by that name (its "match" — the normalised name, and for systems
    the category too), else a new one, queued until ``create`` runs."""

    def __init__(
        self,
        model: type[E],
        scheme: str,
        match: Callable[[E], tuple] | None = None,
    ):
        self.model = model
        self.known = ExternalIds.load(scheme, model)
        self.match = match or (lambda entity: ())
        extra = {}
        if match is not None:
            entities = cast("Iterable[E]", model._default_manager.all())
            extra = {e.pk: match(e) for e in entities}
        self.by_match: dict[tuple, int] = {}
        for name, pk in ids_by_name(model).items():
            self.by_match.setdefault((name, *extra.get(pk, ())), pk)
        self.pending: dict[str, E] = {}

    def get(self, key: str, new: E | Callable[[], E]) -> int | E:
        """The entity the dataset calls ``key``; ``new`` (unsaved, or what
        makes it: made only when needed) is what it becomes when none is
        known. An id, or an entity ``create`` saves."""
        if key in self.known.ids:
            return self.known.ids[key]
        if key in self.pending:
            return self.pending[key]
        if not isinstance(new, models.Model):
            new = new()
        existing = self.by_match.get((normalise_name(new.name), *self.match(new)))
        if existing is not None:
            self.known.add([(key, existing, "", {})])
            return existing
        self.pending[key] = new
        return new

    def create(self) -> list[int]:
        """Create the queued entities, in bulk; their ids."""
        if not self.pending:
            return []
        slugs = Slugs(self.model.ENTITY_TYPE)
        for entity in self.pending.values():
            entity.slug = slugs.new(entity.name)
        bulk_create_entities(self.model, list(self.pending.values()))
        self.known.add((key, e.pk, "", {}) for key, e in self.pending.items())
        created = [e.pk for e in self.pending.values()]
        self.pending.clear()
        return created
