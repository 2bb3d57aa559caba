"""Importing the very file the last import read, when nothing has changed
since, reads none of it: the run is recorded and says why. Any change in
between (a record, a name, the importer's code) and the file is read again."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from datasets.models import ImportRun
from datasets.pipeline import run_import
from datasets.sipri import SipriRegister
from freshness import versions
from partnerships.models import CountryLink, Partnership
from tests.datafiles import MmeExerciseFactory, SipriDealFactory, mme_file, sipri_file
from tests.factories import ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a commit runs (the test's transaction never commits)."""

    def run(command, path, *args) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command(command, str(path), *args, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def register(tmp_path):
    return sipri_file(tmp_path, SipriDealFactory.build_batch(3))


def last_run() -> ImportRun:
    return ImportRun.objects.order_by("pk").last()


def test_the_same_file_again_is_recognised_and_reads_nothing(
    committed, register, django_assert_num_queries
):
    first = committed("import_sipri", register)
    assert "3 created" in first

    # The run written, the data version, the last run, the run saved, and
    # the lock taken and let go: nothing of the records is read or written.
    lock = {"postgresql": 2, "sqlite": 4}[connection.vendor]
    with django_assert_num_queries(4 + lock):
        result = run_import(SipriRegister(), register)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    recorded = last_run()
    assert recorded.outcome == ImportRun.Outcome.IMPORTED
    assert (recorded.records, recorded.unchanged) == (3, 3)
    assert "(the same SHA-256)" in recorded.report
    assert f"import run {recorded.pk - 1} read" in recorded.report
    assert Partnership.objects.count() == 3


def test_the_command_tells_the_researcher_why_nothing_was_read(committed, register):
    committed("import_sipri", register)

    output = committed("import_sipri", register)

    assert "no record, name or importer code has changed since" in output
    assert "Imported 3 deals: 0 created, 0 updated, 3 unchanged" in output


def test_a_deleted_record_comes_back_when_the_same_file_is_imported_again(
    committed, register, django_capture_on_commit_callbacks
):
    committed("import_sipri", register)
    with django_capture_on_commit_callbacks(execute=True):
        Partnership.objects.first().delete()

    output = committed("import_sipri", register)

    assert "1 created, 0 updated, 2 unchanged" in output
    assert Partnership.objects.count() == 3


def test_a_change_not_yet_committed_is_not_taken_for_none(committed, register):
    committed("import_sipri", register)
    Partnership.objects.first().delete()  # its commit is still to come

    output = committed("import_sipri", register)

    assert "1 created" in output


def test_new_importer_code_reads_the_same_file_again(committed, register, settings):
    committed("import_sipri", register)
    settings.COOPSITE_RELEASE = "a-new-release"

    output = committed("import_sipri", register)

    assert "Read 3 deals" in output
    assert "has changed since" not in output


def test_strict_still_refuses_the_flawed_file_a_lenient_import_took(
    committed, tmp_path
):
    flawed = mme_file(
        tmp_path, [MmeExerciseFactory(), MmeExerciseFactory(e_month="2", e_day="30")]
    )
    committed("import_exercises", flawed)

    with pytest.raises(CommandError, match="Nothing was imported"):
        committed("import_exercises", flawed, "--strict")


def test_a_file_whose_bytes_differ_is_read_again(committed, register):
    committed("import_sipri", register)
    register.write_bytes(register.read_bytes() + b"\n")  # same deals

    output = committed("import_sipri", register)

    assert "Read 3 deals" in output
    assert "0 created, 0 updated, 3 unchanged" in output


def test_a_run_keeps_the_version_its_records_had_when_it_finished(committed, register):
    committed("import_sipri", register)

    version, code = last_run().context.split(":")
    assert version == versions.committed_version().hex
    assert code == versions.code_version()[0]


def test_what_a_first_import_sets_off_on_commit_does_not_hide_the_same_file(
    committed, tmp_path, country, django_capture_on_commit_callbacks
):
    """The network's table, made again when the import commits, gives the
    data a version of its own: the run's context is the version after it,
    so the very next import of the file is recognised."""
    with django_capture_on_commit_callbacks(execute=True):
        # A partnership already in the table, which the import's commit
        # makes again.
        deal = PartnershipFactory()
        for alpha_2 in ("PK", "TR"):
            ParticipantFactory(partnership=deal, country=country(alpha_2))
    assert CountryLink.objects.exists()
    path = mme_file(
        tmp_path, [MmeExerciseFactory(states=["Kenya", "Uganda", "Tanzania"])]
    )
    assert "1 created" in committed("import_exercises", path)

    assert "were not read again" in committed("import_exercises", path)
