"""Downloads of the whole list: read a chunk at a time as plain values, in
memory that does not grow with the rows, and never ending like a complete
file when they could not finish."""

import json
import math
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.entities import bulk_create_entities
from partnerships import exports
from partnerships.models import Participant, Partnership, PartnershipSystem
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db


def make_deals(count: int, country, start: int = 0) -> list[Partnership]:
    """``count`` export deals, each with two countries and a system, in bulk."""
    supplier, recipient = country("TR"), country("PL")
    system = SystemFactory(name="TB2")
    deals = bulk_create_entities(
        Partnership,
        [
            Partnership(
                name=f"Deal {n:06d}",
                slug=f"deal-{n:06d}",
                kind="export",
                summary="A summary of the deal. " * 10,
            )
            for n in range(start, start + count)
        ],
    )
    Participant.objects.bulk_create(
        [
            Participant(partnership=deal, country=c, role=role)
            for deal in deals
            for c, role in ((supplier, "supplier"), (recipient, "recipient"))
        ]
    )
    PartnershipSystem.objects.bulk_create(
        [PartnershipSystem(partnership=deal, system=system) for deal in deals]
    )
    return deals


def stream(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("lists_as_text", [False, True], ids=["json", "csv"])
def test_rows_are_read_a_chunk_at_a_time_with_their_lists_per_chunk(
    client, country, monkeypatch, lists_as_text
):
    make_deals(7, country)
    fetched: dict[str, list[int]] = {
        "participants": [],
        "systems": [],
        "tags": [],
        "data_issues": [],
    }
    for name, keys in fetched.items():
        read = getattr(exports._Lists, name)

        def counted(lists, ids, read=read, keys=keys):
            found = read(lists, ids)
            keys.append(len(ids))
            # Rows of this chunk's partnerships only, never another's.
            assert set(found) <= set(ids)
            return found

        monkeypatch.setattr(exports._Lists, name, counted)
    queryset = Partnership.objects.order_by("name")
    with CaptureQueriesContext(connection) as captured:
        rows = exports.export_rows(
            queryset, base_url="http://x", chunk_size=3, lists_as_text=lists_as_text
        )
        first = next(rows)
        # The partnerships, the names, and the first chunk's four lists:
        # nothing of the next chunk is read before its rows are reached.
        assert len(captured) == 1 + 1 + 4
        assert fetched["participants"] == [3]
        rest = list(rows)
    assert [row["name"] for row in [first, *rest]] == [
        f"Deal {n:06d}" for n in range(7)
    ]
    if lists_as_text:
        assert first["participants"] == "Poland (recipient); Türkiye (supplier)"
        assert first["systems"] == "TB2"
    else:
        assert first["participants"] == [
            {"role": "recipient", "name": "Poland", "type": "country"},
            {"role": "supplier", "name": "Türkiye", "type": "country"},
        ]
        assert first["systems"][0]["name"] == "TB2"
    assert first["url"] == "http://x/partnerships/deal-000000/"
    # One query for the partnerships and one for the names, then
    # participants, systems, tags and data issues once per chunk of 3
    # (3 + 3 + 1 rows).
    assert len(captured) == 2 + 4 * math.ceil(7 / 3)
    assert fetched == {
        "participants": [3, 3, 1],
        "systems": [3, 3, 1],
        "tags": [3, 3, 1],
        "data_issues": [3, 3, 1],
    }


def test_the_whole_csv_export_takes_the_same_queries_for_ten_and_for_forty_rows(
    client, country, django_assert_num_queries, settings
):
    make_deals(10, country)
    # The partnerships, the names of what takes part in them, and one
    # chunk's participants, systems, tags and data issues.
    with django_assert_num_queries(6):
        stream(client, "/partnerships/export.csv")
    make_deals(30, country, start=10)
    with django_assert_num_queries(6):
        text = stream(client, "/partnerships/export.csv").decode()
    assert len(text.strip().splitlines()) == 41  # the header and 40 rows


def _peak_memory_streaming(client, path: str) -> tuple[int, int]:
    tracemalloc.start()
    try:
        response = client.get(path)
        size = 0
        for piece in response.streaming_content:
            size += len(piece)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_export_grows_fivefold(
    client, country, monkeypatch, settings
):
    monkeypatch.setattr(exports, "CHUNK", 200)
    # Memory is under test, not the time limit (which has its own test):
    # tracemalloc slows every allocation, a busy machine more so.
    settings.COOPSITE_EXPORT_SECONDS = 600
    make_deals(400, country)
    small, small_size = _peak_memory_streaming(client, "/partnerships/export.json")
    make_deals(1600, country, start=400)
    large, large_size = _peak_memory_streaming(client, "/partnerships/export.json")
    assert large_size > 4.5 * small_size
    # Five times the rows in much less than twice the memory: what is held
    # at once is a chunk, not the download.
    assert large < 1.5 * small, (small, large)


def test_an_export_that_runs_out_of_time_ends_cut_short_not_complete(
    client, country, settings
):
    make_deals(5, country)
    settings.COOPSITE_EXPORT_SECONDS = 0
    response = client.get("/partnerships/export.json")
    assert response.status_code == 200  # the headers went out first
    received: list[bytes] = []
    with pytest.raises(exports.ExportInterrupted):
        received.extend(response.streaming_content)
    text = b"".join(received).decode()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_an_export_that_fails_midway_raises_rather_than_ending_quietly(
    client, country, monkeypatch
):
    make_deals(5, country)

    def broken(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exports._Lists, "systems", broken)
    response = client.get("/partnerships/export.csv")
    with pytest.raises(RuntimeError, match="went away"):
        b"".join(response.streaming_content)
