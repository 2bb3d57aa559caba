"""Numbers no column can hold match nothing, whatever compares them.

Django answers ``filter(id=10**20)`` with no rows (its ``IntegerField``
lookups check the database's integer range), but a key to another table
(``filter(country=10**20)``, an admin list filtered by
``?home_country__entity_ptr__exact=99999999999999999999``) and a list of ids
(``filter(pk__in=[10**20])``, an admin action on a forged selection) go to
the database as they are: SQLite cannot bind them (``OverflowError``, a
server error where the user should get an empty list or "not found").
These lookups give keys the check Django gives integers, by the type of the
column the key finally points at, and leave out of an ``in`` list the
numbers no such column could hold.
"""

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In, IsNull


def _range(lookup, connection) -> tuple[int | None, int | None] | None:
    """What the integer column ``lookup`` compares can hold (a key's: the
    column it finally points at), or None if it is not an integer."""
    try:
        field = lookup.lhs.output_field
        while field.is_relation:
            field = field.target_field
    except (AttributeError, FieldError):  # a key of several columns
        return None
    kind = field.get_internal_type()
    if kind not in BaseDatabaseOperations.integer_field_ranges:
        return None
    return connection.ops.integer_field_range(kind)


BELOW, ABOVE = "below", "above"


def _beyond(value, low: int | None, high: int | None) -> str | None:
    """Whether ``value`` is a number below or above what the column holds."""
    if type(value) is not int:
        return None
    if low is not None and value < low:
        return BELOW
    if high is not None and value > high:
        return ABOVE
    return None


class KeyInRange:
    """Django's ``IntegerFieldOverflow``, for keys: compared with a number
    below or above what the column can hold, a key matches without asking
    the database: nothing, or every row with a key (``country__lt=10**20``;
    an empty key is still no match, as the database would have it)."""

    matches_all: frozenset[str] = frozenset()  # beyond which side

    def as_sql(self, compiler, connection):
        limits = _range(self, connection) if type(self.rhs) is int else None
        if limits and (side := _beyond(self.rhs, *limits)):
            if side in self.matches_all:
                return compiler.compile(IsNull(self.lhs, False))
            raise EmptyResultSet
        return super().as_sql(compiler, connection)


class KeyExact(KeyInRange, RelatedExact):
    pass


class KeyGreaterThan(KeyInRange, RelatedGreaterThan):
    matches_all = frozenset({BELOW})


class KeyGreaterThanOrEqual(KeyInRange, RelatedGreaterThanOrEqual):
    matches_all = frozenset({BELOW})


class KeyLessThan(KeyInRange, RelatedLessThan):
    matches_all = frozenset({ABOVE})


class KeyLessThanOrEqual(KeyInRange, RelatedLessThanOrEqual):
    matches_all = frozenset({ABOVE})


class InRangeOnly:
    """``in``: the numbers the column cannot hold are left out of the list
    (none of them can match); a list of only those matches nothing. A list
    of thousands of ids (an import's batches) is looked at through its
    smallest and largest number only, unless one of them is beyond."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and (limits := _range(self, connection)):
            numbers = [value for value in self.rhs if type(value) is int]
            if numbers and (
                _beyond(min(numbers), *limits) or _beyond(max(numbers), *limits)
            ):
                self.rhs = [v for v in self.rhs if not _beyond(v, *limits)]
        return super().process_rhs(compiler, connection)


class IntegerIn(InRangeOnly, In):
    pass


class KeyIn(InRangeOnly, RelatedIn):
    pass


def register() -> None:
    """Put these in place of Django's, for every key (foreign, one-to-one)
    and, for ``in``, every integer."""
    for lookup in (
        KeyExact,
        KeyGreaterThan,
        KeyGreaterThanOrEqual,
        KeyLessThan,
        KeyLessThanOrEqual,
        KeyIn,
    ):
        ForeignObject.register_lookup(lookup)
    IntegerField.register_lookup(IntegerIn)
