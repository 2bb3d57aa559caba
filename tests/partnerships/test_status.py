"""A partnership's status is read from its dates on the day it is read."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from partnerships.dates import DatePrecision
from partnerships.models import Partnership, PartnershipKind, PartnershipStatus
from tests.datafiles import MmeExerciseFactory, mme_file
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

BEFORE = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
DURING = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def exercise_in_june(db):
    return PartnershipFactory(
        kind=PartnershipKind.EXERCISE,
        status=PartnershipStatus.ACTIVE,
        start_date=dt.date(2026, 6, 10),
        start_precision=DatePrecision.DAY,
        end_date=dt.date(2026, 6, 20),
        end_precision=DatePrecision.DAY,
    )


def statuses(exercise) -> tuple[str, str]:
    """As the record page reads it, and as the list's query reads it."""
    fresh = Partnership.objects.get(pk=exercise.pk)
    listed = Partnership.objects.with_status().get(pk=exercise.pk)
    return fresh.current_status, listed.status_now


def test_a_record_dated_in_the_future_reads_as_planned_then_completed_by_itself(
    exercise_in_june,
):
    stamp = exercise_in_june.updated_at
    with time_machine.travel(BEFORE, tick=False):
        assert statuses(exercise_in_june) == ("proposed", "proposed")
    with time_machine.travel(DURING, tick=False):
        assert statuses(exercise_in_june) == ("active", "active")
    with time_machine.travel(AFTER, tick=False):
        assert statuses(exercise_in_june) == ("completed", "completed")
    exercise_in_june.refresh_from_db()
    assert exercise_in_june.updated_at == stamp  # nothing was written
    assert exercise_in_june.history.count() == 1


def test_the_list_filter_and_page_follow_the_day(client, exercise_in_june):
    url = reverse("partnerships:partnership_list")
    with time_machine.travel(BEFORE, tick=False):
        assert (
            exercise_in_june
            in client.get(url, {"status": "proposed"}).context["partnerships"]
        )
        page = client.get(exercise_in_june.get_absolute_url())
        assert "<dt>Status</dt><dd>Proposed</dd>" in page.content.decode()
    with time_machine.travel(AFTER, tick=False):
        assert (
            exercise_in_june
            in client.get(url, {"status": "completed"}).context["partnerships"]
        )
        assert (
            exercise_in_june
            not in client.get(url, {"status": "proposed"}).context["partnerships"]
        )


def test_an_exercise_known_only_by_its_month_ends_with_that_month(db):
    exercise = PartnershipFactory(
        kind=PartnershipKind.EXERCISE,
        start_date=dt.date(2026, 6, 1),
        start_precision=DatePrecision.MONTH,
        end_date=None,
    )
    with time_machine.travel(DURING, tick=False):
        assert statuses(exercise) == ("active", "active")
    with time_machine.travel(AFTER, tick=False):
        assert statuses(exercise) == ("completed", "completed")


@pytest.mark.parametrize(
    ("stored", "today"),
    [(PartnershipStatus.CANCELLED, AFTER), (PartnershipStatus.SIGNED, BEFORE)],
)
def test_what_the_dates_do_not_decide_stays_as_stored(db, stored, today):
    deal = PartnershipFactory(
        status=stored,
        start_date=dt.date(2026, 6, 10),
        start_precision=DatePrecision.DAY,
    )
    with time_machine.travel(today, tick=False):
        assert statuses(deal) == (stored, stored)


def test_an_imported_exercise_does_not_keep_the_status_of_its_import_day(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    row = MmeExerciseFactory(
        s_year="2026", s_month="6", s_day="10", e_year="2026", e_month="6", e_day="20"
    )
    with time_machine.travel(BEFORE, tick=False):
        call_command(
            "import_exercises", str(mme_file(tmp_path, [row])), stdout=StringIO()
        )
        exercise = Partnership.objects.get()
        assert statuses(exercise) == ("proposed", "proposed")
    with time_machine.travel(AFTER, tick=False):
        assert statuses(exercise) == ("completed", "completed")
