"""import_exercises on the MME excerpt of 150 exercises: what it makes of the
file, its pages, and a second import of it (the excerpt is imported once
for the module; import_exercises' other tests: test_import_exercises.py)."""

import json

import pytest

from partnerships.models import (
    Entity,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    Tag,
)
from tests.datafiles import MME_STATE_COLUMNS
from tests.datasets.test_import_exercises import (
    excerpt_rows,
    exercise,
    import_exercises,
    roles_of,
)
from tests.sharing import shared_content

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def imported_shared(request, django_db_setup, django_db_blocker, mme_excerpt):
    yield from shared_content(
        request, django_db_blocker, lambda: import_exercises(mme_excerpt)
    )


@pytest.fixture
def imported(imported_shared, db) -> str:
    """The excerpt, imported once for this module and committed as far as
    on-commit work goes (the search index): every test's changes rolled
    back. Returns the import's report."""
    return imported_shared


def test_the_excerpt_keeps_dates_series_location_hosts_and_tags(imported, mme_excerpt):
    # mme2607: Malapura 2005, "Singapore, Malacca Straits", 5 to 14 January.
    malapura = exercise(external_ids__value="mme2607")
    assert malapura.name == "Malapura 2005"
    assert malapura.series == "Malapura"
    assert malapura.location == "Singapore, Malacca Straits"
    assert (round(malapura.latitude, 4), round(malapura.longitude, 4)) == (
        1.2972,
        103.8811,
    )
    assert (str(malapura.start), str(malapura.end)) == (
        "5 January 2005",
        "14 January 2005",
    )
    assert roles_of(malapura) == {
        "Singapore": ParticipantRole.HOST,
        "Malaysia": ParticipantRole.PARTICIPANT,
    }
    assert {t.name for t in malapura.tags.all()} == {"Maritime exercise", "Warfighting"}
    assert malapura.current_status == PartnershipStatus.COMPLETED

    # mme2602: "Mediterranean coast of Israel", a search-and-rescue exercise.
    mermaid = exercise(external_ids__value="mme2602")
    assert roles_of(mermaid)["Israel"] == ParticipantRole.HOST
    assert "Humanitarian assistance" in {t.name for t in mermaid.tags.all()}

    # An unknown day ("2005-02-xx") is a date known to the month.
    partial = Partnership.objects.filter(
        kind=PartnershipKind.EXERCISE, start_precision="month"
    )
    rows = excerpt_rows(mme_excerpt)
    assert partial.count() == sum(1 for row in rows if row["s.day"] == "xx")

    # An exercise the data leaves unnamed ("-9") is described instead.
    unnamed = exercise(external_ids__value="mme2603")
    assert (
        unnamed.name == "Unnamed exercise of Japan and United States, 25 January 2005"
    )


def test_a_second_import_of_the_excerpt_creates_and_changes_nothing(
    imported, mme_excerpt
):
    before = sorted(Entity.objects.values_list("pk", "updated_at"))
    counts = Participant.objects.count(), Tag.objects.count()

    output = import_exercises(mme_excerpt)

    assert "0 created, 0 updated, 150 unchanged" in output
    assert sorted(Entity.objects.values_list("pk", "updated_at")) == before
    assert (Participant.objects.count(), Tag.objects.count()) == counts


def test_the_public_pages_and_filters_work_on_imported_exercises(
    client, imported, mme_excerpt
):
    rows = excerpt_rows(mme_excerpt)

    naval = _json(
        client.get(
            "/partnerships/export.json",
            {"kind": "exercise", "tag": "maritime-exercise"},
        )
    )
    assert len(naval) == sum(1 for row in rows if row["Sea"] == "1")
    carat = _json(client.get("/partnerships/export.json", {"series": "CARAT"}))
    assert len(carat) == sum(1 for row in rows if row["Series_Name"] == "CARAT")
    with_turkey = _json(
        client.get(
            "/partnerships/export.json", {"kind": "exercise", "country": "turkiye"}
        )
    )
    assert len(with_turkey) == sum(1 for row in rows if "Turkey" in states_of_raw(row))

    malapura = exercise(external_ids__value="mme2607")
    page = client.get(malapura.get_absolute_url()).content.decode()
    assert "Singapore, Malacca Straits" in page
    assert "openstreetmap.org/?mlat=1.29720" in page
    assert 'href="/partnerships/?series=Malapura"' in page
    listing = client.get("/partnerships/", {"series": "CARAT"}).content.decode()
    assert "CARAT 2005" in listing


def _json(response):
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def states_of_raw(row: dict) -> set[str]:
    return {row[c] for c in MME_STATE_COLUMNS if row.get(c)}
