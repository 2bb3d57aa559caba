"""Free text in the public lists' filters, found through the search index.

A list's text box (``/articles/?q=…``, ``/partnerships/?q=…``) finds what
the site's search finds of that kind, through the search index: never a
scan of the bodies. The articles and the records do not know the search
index (an import contract, see ``pyproject.toml``), so the index says how
it finds them when its app starts (``search.apps``: :func:`answer_with`),
and a list asks :func:`found_pks`. The rule itself, which words find what,
is the search app's alone.

A list applies its filters once for its page and once more for each facet:
it asks once (``coopsite.filtering.IndexedTextFilter`` keeps the answer for
the request, and in the shared cache while the data keeps its version) and
filters by the keys found with :class:`Among`, a single parameter however
many there are.

In the shared cache the keys are kept packed (:func:`pack_keys`): a word in
nearly every article finds nearly every key, a run of consecutive numbers
that packs into a few hundred bytes where the list itself took half a
megabyte, so that many texts asked by a reader cannot crowd out the rest.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate, pairwise

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Lookup, Model, QuerySet

# (model, text, unpublished=…) → the primary keys of its rows a reader may
# see (or, ``unpublished``, any) that the text finds.
Finder = Callable[..., list[int]]

_finder: Finder | None = None


def answer_with(finder: Finder) -> None:
    """Let ``finder`` answer the lists' free text (the search app does)."""
    global _finder  # the one hook, set once at start-up
    _finder = finder


# (model, folded text, whole) → the primary keys of its records whose folded
# name holds the text (or, ``whole``, is it), as a query to use as a subquery.
NameFinder = Callable[..., QuerySet | list[int]]

_name_finder: NameFinder | None = None


def answer_names_with(finder: NameFinder) -> None:
    """Let ``finder`` answer a name, accents and case aside (the search app
    does, from the names it keeps folded)."""
    global _name_finder  # the one hook, set once at start-up
    _name_finder = finder


def names_holding(
    model: type[Model], folded: str, *, whole: bool = False
) -> QuerySet | list[int]:
    """The primary keys of the records of ``model`` whose name, folded as
    ``core.names.normalise_name`` folds it, holds ``folded`` (or, ``whole``,
    is it), as a query the caller's filter takes as a subquery: the index
    pages' "Name" box, for a reader who types "turkiye" or "cote", and the
    admin's check that an alias is no other record's name."""
    if _name_finder is None:
        return []
    return _name_finder(model, folded, whole=whole)


def found_pks(model: type[Model], text: str, *, unpublished: bool = False) -> list[int]:
    """The primary keys of the rows of ``model`` readers may see that
    ``text`` finds (``unpublished``: whether readers may see them or not,
    for the admin's search), in one query on the search index."""
    if _finder is None:
        raise ImproperlyConfigured(
            "Nothing answers the lists' free-text filters: the search app "
            "registers it when it starts (is it in INSTALLED_APPS?)."
        )
    return _finder(model, text, unpublished=unpublished)


class FoundKeys:
    """The keys a text found (sorted, each once) as the shared cache keeps
    them, packed (:func:`pack_keys`): read back only when asked for, and
    the condition on them (:class:`Among`) worked out once a process for
    each set of keys, not on each request. (A word in nearly every article
    finds 100,000 keys: reading them back, sorting them and finding their
    runs took about 35 ms a request, as long as an article's whole page.)"""

    __slots__ = ("_keys", "packed")

    def __init__(self, packed: bytes, keys: list[int] | None = None):
        self.packed = packed
        self._keys = keys

    @property
    def keys(self) -> list[int]:
        if self._keys is None:
            self._keys = unpack_keys(self.packed)
        return self._keys

    def __bool__(self) -> bool:
        if self._keys is not None:
            return bool(self._keys)
        return bool(zlib.decompressobj().decompress(self.packed, 1))

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self.keys)

    def __eq__(self, other) -> bool:
        return isinstance(other, FoundKeys) and other.packed == self.packed

    def __hash__(self) -> int:
        return hash(self.packed)

    def __repr__(self) -> str:
        return f"FoundKeys({len(self.packed)} bytes packed)"


class Among(Lookup):
    """``lhs`` is one of a list of integers, sent as one or three
    parameters (arrays or ranges on PostgreSQL, a JSON list on SQLite)
    whatever its length: the database reads them once, and a list of
    100,000 keys is one value, not 100,000 placeholders.

    On PostgreSQL the condition is written so that the planner can weigh
    how many rows it leaves (``_postgres_form``): a list it weighs key by
    key while that is cheap; else, when few keys are missing between the
    first and the last, that range less the missing keys; else the ranges
    the keys run in, or the list."""

    lookup_name = "among"
    prepare_rhs = False

    def __init__(self, lhs, rhs: Iterable[int]):
        if not isinstance(rhs, FoundKeys):
            rhs = tuple(sorted(set(map(int, rhs))))
        super().__init__(lhs, rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Written out here, in one go, rather than adapted by the driver a
        # value at a time (a tenth of a second per 10,000 keys).
        if connection.vendor == "postgresql":
            if isinstance(self.rhs, FoundKeys):
                form = _kept_postgres_form(self.rhs.packed)
            else:
                form = _postgres_form(self.rhs)
            return _postgres_sql(form, lhs, lhs_params)
        keys = self.rhs.keys if isinstance(self.rhs, FoundKeys) else self.rhs
        listed = ",".join(map(str, keys))
        return (
            f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608 - a column
            [*lhs_params, "[" + listed + "]"],
        )


# Up to this many keys (or keys missing) are listed, for the planner to
# weigh one by one: it estimates the rows they leave exactly, in about a
# millisecond per thousand keys of planning. Past it, 50,000 keys took 60 ms
# to plan.
LISTED_MAX = 2_000
# Keys go as ranges when they run on, on average, for at least this many.
RUN_LENGTH = 8


def _postgres_form(keys: tuple[int, ...] | list[int]) -> tuple:
    """How :class:`Among` writes ``keys`` (sorted, unique) on PostgreSQL:

    - ("listed", array): the keys, whose rows the planner weighs exactly;
    - ("between", first, last, array of the keys missing between them):
      many keys and few missing (a word in nearly every article), also
      weighed exactly: a range from the column's statistics, less a list;
    - ("ranges", multirange): the runs the keys come in. Looked up at once
      row by row, but the planner guesses the rows it leaves (0.5%):
      written so only when neither the keys nor the missing ones are few.
    """
    if len(keys) <= LISTED_MAX:
        return ("listed", _array(keys))
    first, last = keys[0], keys[-1]
    missing = last - first + 1 - len(keys)
    runs = _runs(keys)
    if missing <= LISTED_MAX:
        return ("between", first, last, _array(_missing(runs)))
    if len(runs) * RUN_LENGTH <= len(keys):
        ranges = ",".join(f"[{first},{last}]" for first, last in runs)
        return ("ranges", "{" + ranges + "}")
    return ("listed", _array(keys))


@lru_cache(maxsize=16)
def _kept_postgres_form(packed: bytes) -> tuple:
    """:func:`_postgres_form` of the keys ``packed``, once a process (the
    same keys are found again on every request while the data keeps its
    version; a form is at most a few hundred kilobytes of text)."""
    return _postgres_form(unpack_keys(packed))


def _postgres_sql(form: tuple, lhs: str, lhs_params) -> tuple[str, list]:
    kind, *values = form
    if kind == "listed":
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, *values]
    if kind == "between":
        first, last, missing = values
        return (
            f"({lhs} BETWEEN %s AND %s AND NOT ({lhs} = ANY(%s::bigint[])))",
            [*lhs_params, first, last, *lhs_params, missing],
        )
    return f"({lhs})::bigint <@ %s::int8multirange", [*lhs_params, *values]


def _array(keys) -> str:
    return "{" + ",".join(map(str, keys)) + "}"


def _runs(values) -> list[tuple[int, int]]:
    """(first, last) of each unbroken run of ``values`` (sorted, unique)."""
    if not values:
        return []
    breaks = [i for i in range(1, len(values)) if values[i] != values[i - 1] + 1]
    starts, ends = [0, *breaks], [*breaks, len(values)]
    return [(values[a], values[b - 1]) for a, b in zip(starts, ends, strict=True)]


def _missing(runs: list[tuple[int, int]]) -> list[int]:
    """The integers between ``runs`` (sorted, apart)."""
    return [
        key
        for (_, before), (after, _) in pairwise(runs)
        for key in range(before + 1, after)
    ]


def among(field: str, values: Iterable[int]) -> Among:
    """A filter condition: ``field`` is one of ``values`` (a
    :class:`FoundKeys` is used as it is)."""
    return Among(F(field), values)


def pack_keys(keys: Iterable[int]) -> bytes:
    """``keys`` (non-negative, below 2**63) sorted, without repeats, as the
    gaps between them, compressed: consecutive keys are gaps of 1, which
    zlib packs to almost nothing. :func:`unpack_keys` reads them back."""
    ordered = sorted(set(keys))
    gaps = array("q", [b - a for a, b in zip([0, *ordered], ordered, strict=False)])
    if sys.byteorder == "big":  # the same bytes whichever machine packed them
        gaps.byteswap()
    return zlib.compress(gaps.tobytes())


def unpack_keys(packed: bytes) -> list[int]:
    """The keys :func:`pack_keys` packed, in ascending order."""
    gaps = array("q")
    gaps.frombytes(zlib.decompress(packed))
    if sys.byteorder == "big":
        gaps.byteswap()
    return list(accumulate(gaps))
