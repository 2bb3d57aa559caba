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
    field = lookup.lhs.output_field
    try:
        while field.is_relation:
            field = field.target_field
    except (AttributeError, FieldError):  # a key of several columns
        return None
    kind = field.get_internal_type()
    if kind not in BaseDatabaseOperations.integer_field_ranges:
        return None
    return connection.ops.integer_field_range(kind)


def _outside(value, low: int | None, high: int | None) -> bool:
    return type(value) is int and (
        (low is not None and value < low) or (high is not None and value > high)
    )


class KeyInRange:
    """Django's ``IntegerFieldOverflow``, for keys: compared with a number
    below or above what the column can hold, a key matches without asking
    the database: nothing, or every row with a key (``country__lt=10**20``;
    an empty key is still no match, as the database would have it)."""

    matches_below = matches_above = False

    def as_sql(self, compiler, connection):
        if type(self.rhs) is int and (limits := _range(self, connection)):
            low, high = limits
            below = low is not None and self.rhs < low
            above = high is not None and self.rhs > high
            if (below and self.matches_below) or (above and self.matches_above):
                return compiler.compile(IsNull(self.lhs, False))
            if below or above:
                raise EmptyResultSet
        return super().as_sql(compiler, connection)


class KeyExact(KeyInRange, RelatedExact):
    pass


class KeyGreaterThan(KeyInRange, RelatedGreaterThan):
    matches_below = True


class KeyGreaterThanOrEqual(KeyInRange, RelatedGreaterThanOrEqual):
    matches_below = True


class KeyLessThan(KeyInRange, RelatedLessThan):
    matches_above = True


class KeyLessThanOrEqual(KeyInRange, RelatedLessThanOrEqual):
    matches_above = True


class InRangeOnly:
    """``in``: the numbers the column cannot hold are left out of the list
    (none of them can match); a list of only those matches nothing."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and (limits := _range(self, connection)):
            self.rhs = [value for value in self.rhs if not _outside(value, *limits)]
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
