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
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

BATCH = 5000


def _rows(participant_model, countries: set[int] | None) -> Iterable[tuple]:
    """(country_a, country_b, kind, year, partnerships) for pairs and for
    countries with another beside them, restricted to rows touching
    ``countries`` (all if None)."""
    base = participant_model.objects.filter(country__isnull=False).order_by()
    year = ExtractYear("partnership__start_date")
    # Pairs: one join from a participant to its partnership's other
    # participants, in one filter() so that the conditions share it.
    pair_filter = Q(
        partnership__participants__country__isnull=False,
        partnership__participants__country__gt=F("country"),
    )
    if countries is not None:
        pair_filter &= Q(country__in=countries) | Q(
            partnership__participants__country__in=countries
        )
    pairs = (
        base.filter(pair_filter)
        .values_list(
            "country",
            "partnership__participants__country",
            "partnership__kind",
            year,
        )
        .annotate(total=Count("partnership", distinct=True))
    )
    yield from pairs
    # A country with another beside it.
    beside = Q(partnership__participants__country__lt=F("country")) | Q(
        partnership__participants__country__gt=F("country")
    )
    if countries is not None:
        beside &= Q(country__in=countries)
    involved = (
        base.filter(beside)
        .values_list("country", "partnership__kind", year)
        .annotate(total=Count("partnership", distinct=True))
    )
    for country, kind, at, total in involved:
        yield country, country, kind, at, total


def _totals(participant_model) -> Iterable[tuple]:
    """The partnerships between two countries or more, per kind and year."""
    shared = (
        participant_model.objects.filter(
            country__isnull=False,
            partnership__participants__country__isnull=False,
            partnership__participants__country__gt=F("country"),
        )
        .order_by()
        .values_list("partnership__kind", ExtractYear("partnership__start_date"))
        .annotate(total=Count("partnership", distinct=True))
    )
    for kind, year, total in shared:
        yield None, None, kind, year, total


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
    stale.delete()
    # The totals move with every change.
    rows = [*_rows(participant_model, countries), *_totals(participant_model)]
    link_model.objects.bulk_create(
        [
            link_model(
                country_a_id=a, country_b_id=b, kind=kind, year=year, partnerships=n
            )
            for a, b, kind, year, n in rows
        ],
        batch_size=BATCH,
    )
    return len(rows)


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
