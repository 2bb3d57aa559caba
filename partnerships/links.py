"""Keeping the network's pre-aggregated table (:class:`CountryLink`) current.

A change to a partnership or its participants changes the rows of the
countries taking part in it: they are noted (``refresh_on_commit``) and
made again once, when the transaction commits. An import, which writes in
bulk and announces it with ``core.signals.bulk_saved``, makes the whole
table again (a few seconds for the full datasets, inside an import that
takes longer). ``manage.py rebuild_country_links`` does the same by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.local import Local
from django.apps import apps as global_apps
from django.db import connections, transaction
from django.db.models import F, Q
from django.db.models.functions import ExtractYear

from freshness.versions import data_changed


class _Year(ExtractYear):
    """ExtractYear, computed by SQLite itself: Django's SQLite backend calls
    a Python function for it on every row, and the pairs' join has a row
    per pair of participants (millions for the exercises)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(strftime('%%Y', {sql}) AS integer)", params


def _pairs(participant_model, countries: set[int] | None):
    """Every pair of countries taking part in one partnership, once (``a``
    the lower id, ``b`` the higher), with the partnership (``p``), its kind
    (``k``) and year (``y``); only pairs with one of ``countries`` in them
    (all if None)."""
    # One join from a participant to its partnership's other participants,
    # in one filter() so that the conditions and the values share it.
    pair = Q(
        country__isnull=False,
        partnership__participants__country__isnull=False,
        partnership__participants__country__gt=F("country"),
    )
    if countries is not None:
        pair &= Q(country__in=countries) | Q(
            partnership__participants__country__in=countries
        )
    return (
        participant_model.objects.filter(pair)
        .order_by()
        .values(
            a=F("country"),
            b=F("partnership__participants__country"),
            k=F("partnership__kind"),
            y=_Year("partnership__start_date"),
            p=F("partnership"),
        )
    )


def _statement(participant_model, table: str, countries: set[int] | None):
    """The INSERT … SELECT that writes the table's rows (restricted to rows
    touching ``countries``, all if None) and its parameters: the pairs are
    found once (a common table expression) and counted three ways: by
    pair, by country (a country with another beside it), and in total
    (the partnerships between two countries or more, per kind and year)."""
    sql, params = _pairs(participant_model, countries).query.sql_with_params()
    ctes, params = [f"pair AS ({sql})"], list(params)
    counted_sides = ""
    every = "pair"
    if countries is not None:
        # The totals move with every change: counted over all the pairs.
        everything, more = _pairs(participant_model, None).query.sql_with_params()
        ctes.append(f"every_pair AS ({everything})")
        params += more
        every = "every_pair"
        counted_sides = f"WHERE c IN ({', '.join(['%s'] * len(countries))})"
        params += sorted(countries)
    return (
        # WITH inside the INSERT: the statement stays an INSERT, whose rows
        # the database counts.
        f"INSERT INTO {table} WITH {', '.join(ctes)} "  # noqa: S608 (names quoted, values parameters)
        "SELECT a, b, k, y, COUNT(DISTINCT p) FROM pair GROUP BY a, b, k, y "
        "UNION ALL "
        "SELECT c, c, k, y, COUNT(DISTINCT p) FROM ("
        "SELECT a AS c, k, y, p FROM pair UNION ALL SELECT b, k, y, p FROM pair"
        f") AS sides {counted_sides} GROUP BY c, k, y "
        "UNION ALL "
        f"SELECT NULL, NULL, k, y, COUNT(DISTINCT p) FROM {every} GROUP BY k, y"
    ), params


def rebuild(apps=global_apps) -> int:
    """Make the whole table again from the records; returns its rows."""
    return _replace(apps, None)


def refresh(countries: Iterable[int]) -> int:
    """Make again the rows of these countries, and the totals."""
    countries = {pk for pk in countries if pk is not None}
    if not countries:
        return 0
    return _replace(global_apps, countries)


@transaction.atomic
def _replace(apps, countries: set[int] | None) -> int:
    link_model = apps.get_model("partnerships", "CountryLink")
    participant_model = apps.get_model("partnerships", "Participant")
    stale = link_model.objects.all()
    if countries is not None:
        stale = stale.filter(
            Q(country_a__in=countries)
            | Q(country_b__in=countries)
            | Q(country_a__isnull=True)
        )
    # A derived table: its rows go in one statement, with no signal each
    # (the full datasets make a hundred thousand); readers' pages show them.
    if stale._raw_delete(stale.db):
        data_changed()
    # The database counts and writes the rows itself, in one statement (the
    # full datasets make tens of thousands).
    connection = connections[link_model.objects.db]
    quote = connection.ops.quote_name
    meta = link_model._meta
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("country_a", "country_b", "kind", "year", "partnerships")
    )
    sql, params = _statement(
        participant_model, f"{quote(meta.db_table)} ({columns})", countries
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- Once per transaction, on commit --------------------------------------------------


class _Pending:
    def __init__(self, using: str):
        self.using = using
        self.countries: set[int] = set()
        self.everything = False
        self.done = False

    def __call__(self) -> None:
        self.done = True
        if self.everything:
            rebuild()
        else:
            refresh(self.countries)


_state = Local()


def _pending(using: str) -> _Pending:
    pending = getattr(_state, "pending", None)
    queued = connections[using].run_on_commit
    if (
        pending is not None
        and not pending.done
        and pending.using == using
        and any(entry[1] is pending for entry in queued)
    ):
        return pending
    pending = _state.pending = _Pending(using)
    return pending


def refresh_on_commit(countries: Iterable[int], *, using: str = "default") -> None:
    """Make these countries' rows again when the transaction commits."""
    pending = _pending(using)
    new = not any(entry[1] is pending for entry in connections[using].run_on_commit)
    pending.countries.update(pk for pk in countries if pk is not None)
    if new:
        transaction.on_commit(pending, using=using)


def rebuild_on_commit(*, using: str = "default") -> None:
    """Make the whole table again when the transaction commits."""
    pending = _pending(using)
    new = not any(entry[1] is pending for entry in connections[using].run_on_commit)
    pending.everything = True
    if new:
        transaction.on_commit(pending, using=using)
