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
from itertools import accumulate

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Lookup, Model

# (model, text) → the primary keys of its rows a reader may see that the
# text finds.
Finder = Callable[[type[Model], str], list[int]]

_finder: Finder | None = None


def answer_with(finder: Finder) -> None:
    """Let ``finder`` answer the lists' free text (the search app does)."""
    global _finder  # the one hook, set once at start-up
    _finder = finder


def found_pks(model: type[Model], text: str) -> list[int]:
    """The primary keys of the rows of ``model`` readers may see that
    ``text`` finds, in one query on the search index."""
    if _finder is None:
        raise ImproperlyConfigured(
            "Nothing answers the lists' free-text filters: the search app "
            "registers it when it starts (is it in INSTALLED_APPS?)."
        )
    return _finder(model, text)


class Among(Lookup):
    """``lhs`` is one of a list of integers, sent as one parameter (an
    array on PostgreSQL, a JSON list on SQLite) whatever its length: the
    database reads it once, and a list of 100,000 keys is one value, not
    100,000 placeholders."""

    lookup_name = "among"
    prepare_rhs = False

    def __init__(self, lhs, rhs: Iterable[int]):
        super().__init__(lhs, tuple(sorted(set(map(int, rhs)))))

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # Written out here, in one go, rather than adapted by the driver a
        # value at a time (a tenth of a second per 10,000 keys).
        if connection.vendor == "postgresql":
            runs = _runs(self.rhs)
            if len(runs) * RUN_LENGTH <= len(self.rhs):
                # Mostly unbroken runs of keys (a word in nearly every
                # article): their ranges, which the planner does not weigh
                # key by key, and each row looks up at once.
                ranges = ",".join(f"[{first},{last}]" for first, last in runs)
                return (
                    f"({lhs})::bigint <@ %s::int8multirange",
                    [*lhs_params, "{" + ranges + "}"],
                )
            listed = ",".join(map(str, self.rhs))
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, "{" + listed + "}"]
        listed = ",".join(map(str, self.rhs))
        return (
            f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608 - a column
            [*lhs_params, "[" + listed + "]"],
        )


# Keys go as ranges when they run on, on average, for at least this many.
RUN_LENGTH = 8


def _runs(values: tuple[int, ...]) -> list[tuple[int, int]]:
    """(first, last) of each unbroken run of ``values`` (sorted, unique)."""
    if not values:
        return []
    breaks = [i for i in range(1, len(values)) if values[i] != values[i - 1] + 1]
    starts, ends = [0, *breaks], [*breaks, len(values)]
    return [(values[a], values[b - 1]) for a, b in zip(starts, ends, strict=True)]


def among(field: str, values: Iterable[int]) -> Among:
    """A filter condition: ``field`` is one of ``values``."""
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
