"""Values the source got wrong are imported and flagged; every run is
recorded; one import at a time."""

import hashlib
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from datasets.locking import ADVISORY_KEY, LOCK_NAME
from datasets.models import DataIssue, ImportLock, ImportRun, IssueReason, IssueStatus
from partnerships.dates import DatePrecision
from partnerships.models import Partnership
from tests.datafiles import MmeExerciseFactory, SipriDealFactory, mme_file, sipri_file

pytestmark = pytest.mark.django_db


def run(command, path, *args) -> str:
    out = StringIO()
    call_command(command, str(path), *args, stdout=out)
    return out.getvalue()


def exercise(mmeid: str) -> Partnership:
    return Partnership.objects.get(external_ids__value=mmeid)


@pytest.fixture
def flawed_mme(tmp_path):
    """Four exercises, three of them with a fault of the publisher's."""
    rows = [
        MmeExerciseFactory(MMEID="mme1"),
        MmeExerciseFactory(  # reversed: ends the day before it starts
            MMEID="mme2",
            s_year="1982",
            s_month="11",
            s_day="11",
            e_year="1982",
            e_month="11",
            e_day="10",
        ),
        MmeExerciseFactory(MMEID="mme3", e_month="2", e_day="30", s_month="2"),
        MmeExerciseFactory(MMEID="mme4", states=["Kenya", "Wakanda"]),
    ]
    return mme_file(tmp_path, rows)


def test_a_flawed_file_imports_every_row_and_flags_each_fault(flawed_mme):
    output = run("import_exercises", flawed_mme)

    assert "4 created" in output
    assert Partnership.objects.count() == 4
    issues = {
        issue.external_id: (issue.field, issue.source_value, issue.reason)
        for issue in DataIssue.objects.all()
    }
    assert issues == {
        "mme2": ("end_date", "1982-11-10", IssueReason.ENDS_BEFORE_START),
        "mme3": ("end_date", "2005-2-30", IssueReason.IMPOSSIBLE_DATE),
        "mme4": ("participants", "Wakanda", IssueReason.UNKNOWN_NAME),
    }
    # The best reading: the start, no end; the month where the day is impossible.
    reversed_dates = exercise("mme2")
    assert (str(reversed_dates.start), reversed_dates.end) == ("11 November 1982", None)
    impossible = exercise("mme3")
    assert (str(impossible.end), impossible.end_precision) == (
        "February 2005",
        DatePrecision.MONTH,
    )
    # The report counts them by reason and lists their rows.
    assert "3 value(s) in 3 record(s) are flagged" in output
    assert "  Ends before it starts: 1\n    Row 3: ends (1982-11-10)" in output
    assert "  A date that does not exist: 1\n    Row 4: the end day “30”" in output
    assert "3 with data issues" in output


def test_strict_refuses_a_flawed_file_whole(flawed_mme):
    with pytest.raises(CommandError) as error:
        run("import_exercises", flawed_mme, "--strict")

    assert str(error.value) == (
        "Row 3: ends (1982-11-10) before it starts (1982-11-11). Nothing was imported."
    )
    assert not Partnership.objects.exists()
    assert not DataIssue.objects.exists()
    refused = ImportRun.objects.get()
    assert refused.outcome == ImportRun.Outcome.REFUSED
    assert refused.report == str(error.value)


def test_a_researchers_correction_survives_the_next_import(flawed_mme, researcher):
    run("import_exercises", flawed_mme)
    issue = DataIssue.objects.get(external_id="mme2")
    # The researcher reads the sources and corrects the record, then marks
    # the issue resolved.
    corrected = exercise("mme2")
    corrected.start_date = corrected.start_date.replace(day=10)
    corrected.end_date = corrected.end_date = corrected.start_date.replace(day=11)
    corrected.end_precision = DatePrecision.DAY
    corrected.save()
    issue.status, issue.resolved_by = IssueStatus.RESOLVED, researcher
    issue.save()

    output = run("import_exercises", flawed_mme)

    assert "0 created, 0 updated, 4 unchanged" in output
    again = exercise("mme2")
    assert (str(again.start), str(again.end)) == (
        "10 November 1982",
        "11 November 1982",
    )
    assert DataIssue.objects.get(external_id="mme2").status == IssueStatus.RESOLVED
    assert DataIssue.objects.count() == 3


def test_a_changed_row_keeps_a_correction_of_a_value_the_source_still_gives(
    tmp_path, researcher
):
    row = MmeExerciseFactory(MMEID="mme7", lat="95")
    run("import_exercises", mme_file(tmp_path, [row]))
    record = exercise("mme7")
    record.latitude = 59.5
    record.save()
    DataIssue.objects.update(status=IssueStatus.RESOLVED)

    row["FocusDescription"] = "a revised description"
    output = run("import_exercises", mme_file(tmp_path, [row]))

    assert "1 updated" in output
    record.refresh_from_db()
    assert record.latitude == 59.5  # the researcher's, kept
    assert record.summary == "A revised description."  # the source's, taken
    assert DataIssue.objects.get().status == IssueStatus.RESOLVED


def resolve_every_issue(researcher) -> None:
    DataIssue.objects.update(status=IssueStatus.RESOLVED, resolved_by=researcher)


def test_a_changed_row_keeps_a_corrected_date_to_the_precision_given(
    tmp_path, researcher
):
    row = MmeExerciseFactory(MMEID="mme9", s_month="2", s_day="30", e_month="3")
    run("import_exercises", mme_file(tmp_path, [row]))
    record = exercise("mme9")
    assert str(record.start) == "February 2005"  # the month that exists
    record.start_date, record.start_precision = (
        record.start_date.replace(day=28),
        DatePrecision.DAY,
    )
    record.save()
    resolve_every_issue(researcher)

    row["Ex_Name"] = "Test Shield, renamed"
    output = run("import_exercises", mme_file(tmp_path, [row]))

    assert "1 updated" in output
    record.refresh_from_db()
    assert str(record.start) == "28 February 2005"  # day and precision, kept
    assert record.name.startswith("Test Shield, renamed")


def test_a_changed_row_keeps_a_corrected_quantity_on_its_system_line(
    tmp_path, researcher
):
    deal = SipriDealFactory(ordered="six", designation="Su-25", comments="")
    run("import_sipri", sipri_file(tmp_path, [deal]))
    line = Partnership.objects.get().system_lines.get()
    assert line.quantity_ordered is None  # "six" is no number: left empty
    line.quantity_ordered, line.quantity_ordered_is_estimate = 6, True
    line.save()
    resolve_every_issue(researcher)

    deal["comments"] = "Second-hand; revised by SIPRI"
    output = run("import_sipri", sipri_file(tmp_path, [deal]))

    assert "1 updated" in output
    record = Partnership.objects.get()
    line = record.system_lines.get()
    assert (line.quantity_ordered, line.quantity_ordered_is_estimate) == (6, True)
    assert line.quantity_delivered == 4  # the source's, written again
    assert record.summary == "Second-hand; revised by SIPRI"
    assert DataIssue.objects.get().status == IssueStatus.RESOLVED


def test_a_changed_row_keeps_the_participants_a_researcher_corrected(
    tmp_path, researcher, country
):
    row = MmeExerciseFactory(MMEID="mme10", states=["Kenya", "Wakanda"], Location="")
    run("import_exercises", mme_file(tmp_path, [row]))
    record = exercise("mme10")
    # "Wakanda" came in as an organisation to check; the researcher finds
    # it meant Tanzania and puts the country in its place.
    unknown = record.participants.get(organisation__name="Wakanda")
    unknown.organisation, unknown.country = None, country("TZ")
    unknown.save()
    resolve_every_issue(researcher)

    row["FocusDescription"] = "to train for peace operations"
    run("import_exercises", mme_file(tmp_path, [row]))
    run("import_exercises", mme_file(tmp_path, [row], name="again.csv"))

    record.refresh_from_db()
    assert record.summary == "To train for peace operations."
    assert sorted(str(p.actor) for p in record.participants.all()) == [
        "Kenya",
        "Tanzania",
    ]


def test_deliveries_before_the_order_are_flagged_and_strict_refuses_them(tmp_path):
    path = sipri_file(
        tmp_path,
        [SipriDealFactory(year="2019", delivery_years="2013", designation="Searcher")],
    )
    with pytest.raises(CommandError, match=r"the last delivery \(2013\) comes before"):
        run("import_sipri", path, "--strict")
    assert not Partnership.objects.exists()

    output = run("import_sipri", path)

    assert "1 with data issues" in output
    issue = DataIssue.objects.get()
    assert (issue.field, issue.source_value, issue.reason) == (
        "end_date",
        "2013",
        IssueReason.ENDS_BEFORE_START,
    )
    record = Partnership.objects.get()
    assert (str(record.start), record.end) == ("2019", None)


def test_a_fault_the_publisher_fixed_closes_its_issue(tmp_path):
    row = MmeExerciseFactory(MMEID="mme8", lon="200")
    run("import_exercises", mme_file(tmp_path, [row]))
    assert DataIssue.objects.open().count() == 1

    row["lon"] = "20"
    run("import_exercises", mme_file(tmp_path, [row]))

    assert DataIssue.objects.get().status == IssueStatus.GONE
    assert exercise("mme8").longitude == 20


def test_a_repeated_mmeid_is_one_record_for_identical_rows_and_two_for_differing(
    tmp_path,
):
    first = MmeExerciseFactory(MMEID="mme2672", Ex_Name="Cobra Gold")
    twin = dict(first)
    other = MmeExerciseFactory(MMEID="mme2672", Ex_Name="Cobra Silver")
    path = mme_file(tmp_path, [first, twin, other])

    output = run("import_exercises", path)

    assert "2 created" in output
    assert exercise("mme2672").name == "Cobra Gold"
    assert exercise("mme2672-2").name == "Cobra Silver"
    reasons = DataIssue.objects.filter(reason=IssueReason.DUPLICATE_ID)
    assert sorted(reasons.values_list("external_id", flat=True)) == [
        "mme2672",
        "mme2672-2",
    ]
    assert "row 3 repeats this row exactly" in output
    # The derived id stays with its row from one import to the next.
    assert "0 created, 0 updated, 2 unchanged" in run("import_exercises", path)
    assert exercise("mme2672-2").name == "Cobra Silver"


def test_control_characters_are_removed_and_flagged(tmp_path):
    deal = SipriDealFactory(comments="For the navy\x07\x01")
    run("import_sipri", sipri_file(tmp_path, [deal]))

    assert Partnership.objects.get().summary == "For the navy"
    issue = DataIssue.objects.get()
    assert (issue.field, issue.source_value, issue.reason) == (
        "summary",
        "For the navy\\x07\\x01",
        IssueReason.CONTROL_CHARACTERS,
    )


def test_a_name_on_two_lines_is_read_as_one_and_flagged(tmp_path):
    """A line break inside a quoted cell: the record's name is one line,
    and the source's value is kept with the flag, not changed in silence."""
    run(
        "import_exercises",
        mme_file(tmp_path, [MmeExerciseFactory(Ex_Name="Sea\r\nShield")]),
    )

    assert Partnership.objects.get().name.startswith("Sea Shield")
    issue = DataIssue.objects.get()
    assert issue.reason == IssueReason.CONTROL_CHARACTERS
    assert issue.source_value.replace("\\n", "\n") == "Sea\nShield"
    assert "line break" in issue.message


# --- Import runs -----------------------------------------------------------------------


def test_an_import_run_is_recorded_with_the_files_hash_counts_and_report(
    tmp_path, researcher
):
    path = mme_file(
        tmp_path, [*MmeExerciseFactory.create_batch(2), MmeExerciseFactory(lat="north")]
    )
    output = run("import_exercises", path, "--user", researcher.username)

    recorded = ImportRun.objects.get()
    assert recorded.dataset == "mme"
    assert recorded.file_name == "mme.csv"
    assert recorded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert recorded.user == researcher
    assert recorded.outcome == ImportRun.Outcome.IMPORTED
    assert (recorded.records, recorded.created, recorded.updated) == (3, 3, 0)
    assert (recorded.unchanged, recorded.flagged) == (0, 1)
    assert recorded.started_at <= recorded.finished_at
    assert recorded.report in output  # what the researcher was told, kept

    run("import_exercises", path)
    again = ImportRun.objects.order_by("pk").last()
    assert (again.created, again.unchanged, again.flagged) == (0, 3, 1)


def test_the_records_history_names_the_run_that_wrote_them(tmp_path, researcher):
    row = MmeExerciseFactory()
    run("import_exercises", mme_file(tmp_path, [row]), "--user", researcher.username)
    row["Ex_Name"] = "Renamed by the publisher"
    run("import_exercises", mme_file(tmp_path, [row], name="v2.csv"))
    first, second = ImportRun.objects.order_by("pk")

    history = exercise(row["MMEID"]).history.order_by("history_date")
    assert [(h.history_type, h.history_change_reason, h.history_user) for h in history] == [
        ("+", f"Imported from the Multinational Military Exercises dataset, "
              f"import run {first.pk}", researcher),
        ("~", f"Imported from the Multinational Military Exercises dataset, "
              f"import run {second.pk}", None),
    ]  # fmt: skip


def test_an_unknown_user_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(CommandError, match="No user is called “nobody”"):
        run(
            "import_exercises",
            mme_file(tmp_path, [MmeExerciseFactory()]),
            "--user",
            "nobody",
        )
    assert not ImportRun.objects.exists()


# --- One at a time ---------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's lock is a row")
def test_a_second_import_while_one_runs_says_so_and_changes_nothing(tmp_path):
    ImportLock.objects.create(
        name=LOCK_NAME, holder=f"process 1 on {os.uname().nodename}"
    )
    with pytest.raises(
        CommandError, match=r"^Not imported: another import is running \(process 1 on"
    ):
        run("import_exercises", mme_file(tmp_path, [MmeExerciseFactory()]))
    assert not Partnership.objects.exists()


def test_a_lock_left_by_a_process_that_died_is_taken_over(tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL releases a dead session's advisory lock itself")
    ImportLock.objects.create(
        name=LOCK_NAME, holder=f"process 999999999 on {os.uname().nodename}"
    )
    run("import_exercises", mme_file(tmp_path, [MmeExerciseFactory()]))
    assert Partnership.objects.count() == 1
    assert not ImportLock.objects.exists()


def test_a_second_import_while_one_holds_the_advisory_lock_says_so(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"],
        port=settings["PORT"], password=settings["PASSWORD"], autocommit=True,
    )  # fmt: skip
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        with pytest.raises(CommandError, match="another import is running"):
            run("import_exercises", mme_file(tmp_path, [MmeExerciseFactory()]))
    finally:
        # Released before the next import asks: a closed connection's server
        # process may still hold it for a moment.
        other.execute("SELECT pg_advisory_unlock_all()")
        other.close()
    assert not Partnership.objects.exists()
    run("import_exercises", mme_file(tmp_path, [MmeExerciseFactory()]))
    assert Partnership.objects.count() == 1


# --- What researchers and readers see ----------------------------------------------------


def test_researchers_see_open_issues_and_mark_them_resolved(
    researcher_client, researcher, flawed_mme
):
    run("import_exercises", flawed_mme)
    changelist = reverse("admin:datasets_dataissue_changelist")

    page = researcher_client.get(changelist)
    assert page.status_code == 200
    assert page.context["cl"].result_count == 3

    pks = list(DataIssue.objects.values_list("pk", flat=True)[:2])
    response = researcher_client.post(
        changelist, {"action": "mark_resolved", "_selected_action": pks}
    )
    assert response.status_code == 302
    assert researcher_client.get(changelist).context["cl"].result_count == 1
    resolved = DataIssue.objects.filter(status=IssueStatus.RESOLVED)
    assert set(resolved.values_list("resolved_by", flat=True)) == {researcher.pk}


def test_a_records_admin_page_shows_its_issues_and_the_list_filters_by_them(
    researcher_client, flawed_mme
):
    run("import_exercises", flawed_mme)
    flawed = exercise("mme2")

    page = researcher_client.get(
        reverse("admin:partnerships_partnership_change", args=[flawed.pk])
    )
    assert "ends (1982-11-10) before it starts (1982-11-11)" in page.content.decode()

    listed = researcher_client.get(
        reverse("admin:partnerships_partnership_changelist"), {"data_issues": "open"}
    )
    assert {p.pk for p in listed.context["cl"].result_list} == set(
        DataIssue.objects.values_list("entity_id", flat=True)
    )


def test_import_runs_are_read_only_in_the_admin(
    researcher_client, superuser_client, flawed_mme
):
    run("import_exercises", flawed_mme)
    recorded = ImportRun.objects.get()
    url = reverse("admin:datasets_importrun_change", args=[recorded.pk])

    page = superuser_client.get(url)
    assert page.status_code == 200
    assert recorded.sha256 in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert "View on site" not in page.content.decode()  # runs have no public page
    issue = reverse(
        "admin:datasets_dataissue_change", args=[DataIssue.objects.first().pk]
    )
    assert "View on site" not in superuser_client.get(issue).content.decode()
    assert researcher_client.get(url).status_code == 200
    assert superuser_client.post(url, {"file_name": "x"}).status_code == 403
    delete = reverse("admin:datasets_importrun_delete", args=[recorded.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert ImportRun.objects.get().file_name == "mme.csv"


def test_editors_do_not_see_data_issues(editor_client, flawed_mme):
    run("import_exercises", flawed_mme)
    assert (
        editor_client.get(reverse("admin:datasets_dataissue_changelist")).status_code
        == 403
    )


def test_readers_see_the_best_reading_and_what_the_source_gives(client, flawed_mme):
    run("import_exercises", flawed_mme)

    page = client.get(exercise("mme2").get_absolute_url()).content.decode()

    assert "11 November 1982" in page
    assert "Ended" not in page
    assert "End: uncertain: the source gives “1982-11-10”, before the start." in page
    other = client.get(exercise("mme1").get_absolute_url()).content.decode()
    assert "Notes on the source" not in other


def test_a_date_the_source_gives_in_part_is_shown_as_given(client, tmp_path):
    row = MmeExerciseFactory(MMEID="mme11", s_year="20x1", s_month="", s_day="")
    run("import_exercises", mme_file(tmp_path, [row]))
    issue = DataIssue.objects.get()
    assert issue.source_value == "20x1--"  # kept verbatim, cells joined

    page = client.get(exercise("mme11").get_absolute_url()).content.decode()

    assert "the source gives “20x1”" in page
