"""import_exercises: the Multinational Military Exercises dataset."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from datasets.models import DataIssue, IssueReason
from partnerships.dates import DatePrecision
from partnerships.models import (
    Country,
    Entity,
    ExternalIdentifier,
    Organisation,
    OrganisationKind,
    ParticipantRole,
    Partnership,
    PartnershipKind,
)
from tests.datafiles import (
    MME_STATE_COLUMNS,
    MmeExerciseFactory,
    SipriDealFactory,
    mme_file,
    sipri_file,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(3)]


def import_exercises(path, *args) -> str:
    out = StringIO()
    call_command("import_exercises", str(path), *args, stdout=out)
    return out.getvalue()


def excerpt_rows(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def states_of(row: dict, resolver) -> set[str]:
    return {
        resolver.resolve(row[c]).name
        for c in MME_STATE_COLUMNS
        if row.get(c, "").strip() not in ("", "-9")
    }


def exercise(**fields) -> Partnership:
    return Partnership.objects.prefetch_related("participants__country", "tags").get(
        **fields
    )


def roles_of(partnership: Partnership) -> dict[str, str]:
    return {p.actor.name: p.role for p in partnership.participants.all()}


# --- The excerpt ------------------------------------------------------------------------


def test_the_excerpt_imports_as_150_exercises_with_the_files_participants(mme_excerpt):
    output = import_exercises(mme_excerpt, "--strict")

    rows = excerpt_rows(mme_excerpt)
    assert "150 created, 0 updated, 0 unchanged" in output
    assert Partnership.objects.filter(kind=PartnershipKind.EXERCISE).count() == 150
    assert set(
        ExternalIdentifier.objects.filter(scheme="mme").values_list("value", flat=True)
    ) == {row["MMEID"] for row in rows}
    # Each exercise by its id in the file: one exercise per id, read in bulk.
    ids = list(
        ExternalIdentifier.objects.filter(scheme="mme").values_list("value", "entity")
    )
    assert len(ids) == len(rows) == len(dict(ids))
    exercises = Partnership.objects.prefetch_related(
        "participants__country", "tags"
    ).in_bulk([entity for _, entity in ids])
    by_mme_id = {value: exercises[entity] for value, entity in ids}
    resolver = Country.objects.resolver()
    for row in rows:
        partnership = by_mme_id[row["MMEID"]]
        roles = roles_of(partnership)
        listed = states_of(row, resolver)
        # Every state the file lists takes part; a host the location names
        # may be added; no one else.
        assert listed <= set(roles), row["MMEID"]
        assert all(roles[name] == ParticipantRole.HOST for name in set(roles) - listed)
    assert (
        "13 participant cell(s) hold the dataset's mark for a missing value" in output
    )


# --- Files made here ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day_month_year", "start", "precision"),
    [
        (("10", "6", "2005"), "10 June 2005", DatePrecision.DAY),
        (("xx", "6", "2005"), "June 2005", DatePrecision.MONTH),
        (("-9", "-9", "2005"), "2005", DatePrecision.YEAR),
        (("-9", "-9", "-9"), "None", None),
    ],
)
def test_dates_keep_the_precision_the_data_gives(
    tmp_path, day_month_year, start, precision
):
    day, month, year = day_month_year
    row = MmeExerciseFactory(
        s_day=day, s_month=month, s_year=year, e_year="2005", e_month="7"
    )
    import_exercises(mme_file(tmp_path, [row]))

    imported = Partnership.objects.get()
    assert str(imported.start) == start
    if precision:
        assert imported.start_precision == precision


def test_an_end_known_to_the_month_may_share_the_month_it_starts_in(tmp_path):
    row = MmeExerciseFactory(s_day="13", s_month="4", e_day="xx", e_month="4")
    import_exercises(mme_file(tmp_path, [row]))

    imported = Partnership.objects.get()
    assert (str(imported.start), str(imported.end)) == ("13 April 2005", "April 2005")
    imported.full_clean()  # and the admin can save it as it is


def test_the_host_is_the_country_the_location_names(tmp_path):
    rows = [
        MmeExerciseFactory(MMEID="mme1", Location="Tanzania, Arusha", states=["Kenya"]),
        MmeExerciseFactory(
            MMEID="mme2", Location="South China Sea", states=["China", "Singapore"]
        ),
        MmeExerciseFactory(
            MMEID="mme3",
            Location="Baltic Sea off the northern coast of Poland",
            states=["Poland", "Germany"],
        ),
        MmeExerciseFactory(
            MMEID="mme4", Location="Gulf of Thailand", states=["Thailand"]
        ),
        MmeExerciseFactory(
            MMEID="mme5", Location="Suffolk, Virginia", states=["Canada"]
        ),
    ]
    output = import_exercises(mme_file(tmp_path, rows))

    assert roles_of(exercise(external_ids__value="mme1")) == {
        "Tanzania": ParticipantRole.HOST,
        "Kenya": ParticipantRole.PARTICIPANT,
    }
    assert set(roles_of(exercise(external_ids__value="mme2")).values()) == {
        ParticipantRole.PARTICIPANT
    }
    assert (
        roles_of(exercise(external_ids__value="mme3"))["Poland"] == ParticipantRole.HOST
    )
    assert roles_of(exercise(external_ids__value="mme4")) == {
        "Thailand": ParticipantRole.PARTICIPANT
    }
    assert roles_of(exercise(external_ids__value="mme5")) == {
        "Canada": ParticipantRole.PARTICIPANT
    }
    assert "1 participants found named in the location, 1 hosts added" in output


def test_domains_and_missions_become_tags(tmp_path):
    row = MmeExerciseFactory(CPX="1", Land="0", Air="1", Cyber="1", Peacekeeping="1")
    import_exercises(mme_file(tmp_path, [row]))
    assert {t.name for t in Partnership.objects.get().tags.all()} == {
        "Command-post exercise",
        "Air exercise",
        "Cyber exercise",
        "Warfighting",
        "Peacekeeping",
    }


def test_a_state_that_is_no_country_is_reported_and_refused_with_strict(tmp_path):
    path = mme_file(tmp_path, [MmeExerciseFactory(states=["Kenya", "Atlantis"])])

    with pytest.raises(
        CommandError, match=r"^Row 2: “Atlantis” is not a known country"
    ):
        import_exercises(path, "--strict")
    assert not Partnership.objects.exists()

    output = import_exercises(path)
    assert "Atlantis  organisation: NOT a known country; check it" in output
    atlantis = Organisation.objects.get(name="Atlantis")
    assert atlantis.kind == OrganisationKind.OTHER
    assert atlantis.participations.get().role == ParticipantRole.PARTICIPANT


def test_a_renamed_state_and_an_old_spelling_are_one_participant(tmp_path):
    row = MmeExerciseFactory(
        Location="Aegean Sea", states=["Turkey", "Türkiye", "Greece"]
    )
    path = mme_file(tmp_path, [row])
    import_exercises(path)
    assert roles_of(Partnership.objects.get()) == {
        "Türkiye": ParticipantRole.PARTICIPANT,
        "Greece": ParticipantRole.PARTICIPANT,
    }


BAD_VALUES = [
    ({"s_year": "2oo5"}, "the start year “2oo5” is not a year",
     ("start_date", "2oo5-6-10", IssueReason.NOT_A_YEAR)),
    ({"s_month": "13"}, "the start month “13” is not a month (1 to 12)",
     ("start_date", "2005-13-10", IssueReason.IMPOSSIBLE_DATE)),
    # A superscript is a digit to str.isdigit(), and no number to int().
    ({"s_month": "²"}, "the start month “²” is not a month (1 to 12)",
     ("start_date", "2005-²-10", IssueReason.IMPOSSIBLE_DATE)),
    ({"e_day": "³"}, "the end day “³” is not a day of 2005-06",
     ("end_date", "2005-6-³", IssueReason.IMPOSSIBLE_DATE)),
    ({"e_day": "31", "e_month": "6"}, "the end day “31” is not a day of 2005-06",
     ("end_date", "2005-6-31", IssueReason.IMPOSSIBLE_DATE)),
    ({"lat": "north"}, "the latitude “north” is not a number",
     ("latitude", "north", IssueReason.COORDINATE_OUT_OF_RANGE)),
    ({"lon": "200"}, "the longitude 200.0 is out of range (±180)",
     ("longitude", "200", IssueReason.COORDINATE_OUT_OF_RANGE)),
    ({"Sea": "maybe"}, "Sea is “maybe”, not 1 or 0",
     ("Sea", "maybe", IssueReason.NOT_YES_OR_NO)),
    ({"s_day": "20", "e_day": "10"}, "ends (2005-06-10) before it starts (2005-06-20)",
     ("end_date", "2005-6-10", IssueReason.ENDS_BEFORE_START)),
    ({"Series_Name": "S" * 201}, "Series_Name is 201 characters long (at most 200)",
     ("Series_Name", "S" * 201, IssueReason.TOO_LONG)),
    ({"Ex_Name": "Bright\x0cStar"}, "Ex_Name holds control characters, removed",
     ("Ex_Name", "Bright\\x0cStar", IssueReason.CONTROL_CHARACTERS)),
]  # fmt: skip


@pytest.mark.parametrize(("change", "reason", "issue"), BAD_VALUES)
def test_a_value_the_source_got_wrong_stops_a_strict_import_and_is_named(
    tmp_path, change, reason, issue
):
    rows = [
        MmeExerciseFactory(MMEID="mme9999"),
        MmeExerciseFactory(),
        MmeExerciseFactory(),
    ]
    import_exercises(mme_file(tmp_path, rows[:1]))
    before = sorted(Entity.objects.values_list("pk", "name", "updated_at"))

    rows[0]["Ex_Name"] = "A new name that must not be written"
    rows[2].update(change)
    with pytest.raises(CommandError) as error:
        import_exercises(mme_file(tmp_path, rows, name="bad.csv"), "--strict")

    assert str(error.value) == f"Row 4: {reason}. Nothing was imported."
    assert sorted(Entity.objects.values_list("pk", "name", "updated_at")) == before


@pytest.mark.parametrize(("change", "reason", "issue"), BAD_VALUES)
def test_a_value_the_source_got_wrong_is_imported_flagged_and_kept_verbatim(
    tmp_path, change, reason, issue
):
    rows = MmeExerciseFactory.create_batch(3)
    rows[2].update(change)
    output = import_exercises(mme_file(tmp_path, rows))

    assert "3 created" in output
    assert f"Row 4: {reason}" in output
    flagged = DataIssue.objects.get()
    assert (flagged.field, flagged.source_value, flagged.reason) == issue
    assert flagged.external_id == rows[2]["MMEID"]
    assert flagged.entity.name.startswith(rows[2]["Ex_Name"][:6])


def test_a_row_without_an_mmeid_changes_nothing_even_without_strict(tmp_path):
    rows = MmeExerciseFactory.create_batch(3)
    rows[2]["MMEID"] = ""
    with pytest.raises(CommandError) as error:
        import_exercises(mme_file(tmp_path, rows))
    assert str(error.value) == "Row 4: has no MMEID. Nothing was imported."
    assert not Partnership.objects.exists()


def test_a_truncated_row_changes_nothing_and_is_named(tmp_path):
    path = mme_file(tmp_path, MmeExerciseFactory.create_batch(3))
    rows = list(csv.reader(path.read_text().splitlines()))
    rows[2] = rows[2][:20]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)

    with pytest.raises(
        CommandError, match=r"^Row 3: has 20 fields where the header has 64"
    ):
        import_exercises(path)
    assert not Partnership.objects.exists()


def test_a_file_of_another_format_changes_nothing(tmp_path):
    with pytest.raises(
        CommandError, match="unknown format: this is not a Multinational"
    ):
        import_exercises(sipri_file(tmp_path, SipriDealFactory.create_batch(2)))
    assert not Partnership.objects.exists()


@pytest.mark.parametrize(
    ("location", "states", "roles"),
    [
        # Regions of another country: the place is not where a name says.
        ("Fort Stewart, Georgia", ["United States"], {"United States": "participant"}),
        # ... and that region names the participant that hosts (ISO 3166-2).
        ("Lebanon, Tennessee", ["United States"], {"United States": "host"}),
        (
            "Panama City, Florida",
            ["Panama", "United States"],
            {"Panama": "participant", "United States": "host"},
        ),
        (
            "Belfast, Northern Ireland",
            ["Ireland", "United Kingdom"],
            {"Ireland": "participant", "United Kingdom": "host"},
        ),
        ("Suffolk, Virginia", ["Kazakhstan", "United States"],
         {"Kazakhstan": "participant", "United States": "host"}),
        ("New Jersey and Connecticut", ["Canada", "United States"],
         {"Canada": "participant", "United States": "host"}),
        # A region of another country does not hide the country named.
        ("Novo Selo, Bulgaria", ["Bulgaria", "United States"],
         {"Bulgaria": "host", "United States": "participant"}),
        # A location that names no state leaves the host empty.
        ("in the Atlantic Ocean", ["France", "Russia"],
         {"France": "participant", "Russia": "participant"}),
        # A participant's adjective names the host.
        ("Turkish seaport of Marmaris", ["Russia", "Turkey"],
         {"Russia": "participant", "Türkiye": "host"}),
        # A lower-case word is not a country ("island" is Iceland's own name).
        ("a small island off the coast", ["Iceland", "Norway"],
         {"Iceland": "participant", "Norway": "participant"}),
        ("Hokkaido, Japan", ["Japan", "United States"],
         {"Japan": "host", "United States": "participant"}),
        # The country Georgia taking part is the host, the US with it or not
        # (far more exercises are held there than at a base in the US state).
        ("Georgia, port of Poti", ["Georgia", "United States"],
         {"Georgia": "host", "United States": "participant"}),
        ("Vaziani, Georgia", ["Georgia", "Ukraine"],
         {"Georgia": "host", "Ukraine": "participant"}),
        # A territory is not a state: the state it belongs to hosts.
        ("Gibraltar", ["Morocco", "United Kingdom"],
         {"Morocco": "participant", "United Kingdom": "host"}),
        ("Guam", ["Japan", "United States"],
         {"Japan": "participant", "United States": "host"}),
        ("Gibraltar", ["Morocco", "Spain"],
         {"Morocco": "participant", "Spain": "participant"}),
        # Adjectives the reference library lacks.
        ("southern Philippine city of Davao", ["Philippines", "United States"],
         {"Philippines": "host", "United States": "participant"}),
        ("Saudi port of Jubail", ["Pakistan", "Saudi Arabia"],
         {"Pakistan": "participant", "Saudi Arabia": "host"}),
    ],
)  # fmt: skip
def test_the_host_is_not_guessed_from_misleading_words(
    tmp_path, location, states, roles
):
    import_exercises(
        mme_file(tmp_path, [MmeExerciseFactory(Location=location, states=states)])
    )
    assert roles_of(Partnership.objects.get()) == roles


@pytest.mark.parametrize(
    ("focus", "summary"),
    [
        ("Maritime vessels and aircraft,", "Maritime vessels and aircraft."),
        ("to improve interoperability", "To improve interoperability."),
        ("Search and rescue!", "Search and rescue!"),
    ],
)
def test_the_summary_is_the_focus_as_a_sentence(tmp_path, focus, summary):
    import_exercises(mme_file(tmp_path, [MmeExerciseFactory(FocusDescription=focus)]))
    assert Partnership.objects.get().summary == summary
