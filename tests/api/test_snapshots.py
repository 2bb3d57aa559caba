"""The bulk downloads: every record, read back with the csv module, in the
database's numbers; nothing unpublished; nothing a spreadsheet would run."""

import csv
import datetime as dt
import gzip
import io
import json
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django.utils.safestring import SafeString

from api import snapshots
from coopsite.safety import script_safe_json
from freshness import versions
from partnerships.models import (
    Partnership,
    Source,
)
from tests.factories import (
    ArticleFactory,
    DataIssueFactory,
    PartnershipFactory,
    UserFactory,
)
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.django_db


def download(client, url) -> bytes:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def read_csv_tables(client) -> dict[str, list[dict]]:
    archive = zipfile.ZipFile(
        io.BytesIO(download(client, "/api/v1/downloads/latest.zip"))
    )
    tables = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            with archive.open(name) as handle:
                raw = handle.read()
                # A byte-order mark, for spreadsheets (as the site's CSV).
                assert raw.startswith(b"\xef\xbb\xbf")
                text = io.StringIO(raw.decode("utf-8-sig"), newline="")
                tables[name.removesuffix(".csv")] = list(csv.DictReader(text))
    return tables


def test_drafts_and_scheduled_articles_stay_out_of_the_snapshot(client, records):
    snapshots.build()
    tables = read_csv_tables(client)
    slugs = {row["slug"] for row in tables["articles"]}
    assert slugs == {"drones-over-the-indus"}
    linked = {row["article_id"] for row in tables["article_links"]}
    assert linked == {str(records["article"].pk)}
    everything = download(client, "/api/v1/downloads/latest.jsonl.gz")
    text = gzip.decompress(everything).decode()
    assert "Secret draft" not in text
    assert "Scheduled essay" not in text


def test_text_that_looks_like_a_formula_is_neutralised_in_the_csv(client, records):
    deal = records["deal"]
    deal.summary = '=HYPERLINK("https://evil.example","click")'
    deal.save()
    Source.objects.create(partnership=deal, title="+cmd|' /C calc'!A0")
    snapshots.build()
    tables = read_csv_tables(client)
    row = next(r for r in tables["partnerships"] if r["slug"] == "tb2-pakistan")
    assert row["summary"] == "'" + deal.summary
    assert "'+cmd|' /C calc'!A0" in {r["title"] for r in tables["sources"]}
    assert row["latitude"] == ""  # empty stays empty; numbers stay numbers


def test_a_snapshot_is_written_only_when_the_data_changed(
    records, django_capture_on_commit_callbacks
):
    first = snapshots.build()
    assert first is not None
    assert snapshots.build() is None
    out = StringIO()
    call_command("build_snapshot", stdout=out)
    assert "Nothing changed" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        records["deal"].name = "Renamed"
        records["deal"].save()
    second = snapshots.build()
    assert second is not None
    assert second.stamp >= first.stamp
    assert snapshots.latest_manifest().files == second.files


def test_a_change_no_reader_sees_writes_no_new_snapshot(
    records, django_capture_on_commit_callbacks
):
    """A draft saved gives the data a new version, but the records are the
    same: no new files (which would push an older, different snapshot out
    of the ones kept), and the next run knows it at once."""
    first = snapshots.build()
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="A draft nobody reads")
    token = f"{versions.current().token}"
    assert token not in first.data_token

    assert snapshots.build() is None
    kept = snapshots.latest_manifest()
    assert (kept.stamp, kept.files) == (first.stamp, first.files)
    assert kept.data_token.startswith(token)


def test_only_the_newest_snapshots_are_kept(records, settings):
    settings.COOPSITE_SNAPSHOTS_KEPT = 2
    import datetime as dt

    built = [
        snapshots.build(force=True, now=dt.datetime(2026, 1, day, tzinfo=dt.UTC))
        for day in (1, 2, 3)
    ]
    store = snapshots.storage()
    assert not store.exists(f"downloads/{built[0].files['csv']['name']}")
    assert store.exists(f"downloads/{built[1].files['csv']['name']}")
    assert [p["stamp"] for p in snapshots.latest_manifest().previous] == [
        built[1].stamp
    ]


def test_the_downloads_are_listed_by_the_api_and_linked_from_every_page(
    client, records
):
    assert client.get("/api/v1/downloads/").status_code == 404  # none made yet
    manifest = snapshots.build()
    listing = client.get("/api/v1/downloads/").json()
    assert listing["tables"]["partnerships"] == Partnership.objects.count()
    csv_file = listing["files"]["csv"]
    assert csv_file["name"] == manifest.files["csv"]["name"]
    assert csv_file["url"].endswith(f"/api/v1/downloads/{csv_file['name']}")
    response = client.get(csv_file["url"])
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get("/api/v1/").json()["latest_snapshot"]["files"]["csv"] == csv_file
    assert client.get("/api/v1/downloads/not-a-snapshot.zip").status_code == 404
    home = client.get("/").content.decode()
    assert 'href="/api/v1/downloads/latest.zip"' in home
    assert 'href="/api/v1/"' in home


ODD_VALUES = [
    None, True, False, 0, -1, 2**70, 1.5, -0.0, "", "plain", "=SUM(A1)",
    Decimal("12"), Decimal("12.50"), Decimal("-0.001"),
    dt.date(1962, 9, 26), dt.datetime(2026, 12, 2, 13, 5, tzinfo=dt.UTC),
    SafeString("-1+1"), "\u2028</script>&",
]  # fmt: skip


@pytest.mark.parametrize(
    "row", [ODD_VALUES, PAYLOADS], ids=["every kind of value", "payload corpus"]
)
def test_a_row_is_written_as_each_of_its_values_would_be(row):
    """The snapshot writes whole rows at once (hundreds of thousands of
    cells); each cell must come out as the one-value rules make it."""
    assert snapshots.plain_row(row) == tuple(snapshots._plain(v) for v in row)
    plain = snapshots.plain_row(row)
    assert snapshots.csv_row(plain) == [snapshots.csv_cell(v) for v in plain]


def test_the_json_lines_are_escaped_as_script_safe_json_escapes_them(client, records):
    """Written a run of lines at a time, every line is what
    script_safe_json() makes of its row: no markup, no line separator."""
    partnership = Partnership.objects.first()
    partnership.name = "</script><b>&\u2028\u2029" + PAYLOADS[0]
    partnership.save()
    call_command("build_snapshot", "--force", stdout=StringIO())
    raw = gzip.decompress(download(client, "/api/v1/downloads/latest.jsonl.gz"))
    lines = raw.decode().split("\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        assert script_safe_json(json.loads(line)) == line
    for character in "<>&\u2028\u2029":
        assert character.encode() not in raw
    assert any(
        json.loads(line).get("name", "").startswith("</script><b>&\u2028")
        for line in lines[:-1]
    )


def read_json_lines(client) -> list[dict]:
    raw = gzip.decompress(download(client, "/api/v1/downloads/latest.jsonl.gz"))
    return [json.loads(line) for line in raw.decode().splitlines()]


def test_a_status_is_the_one_its_dates_give_on_the_snapshots_day(client, records):
    """An exercise recorded as active whose end has passed is completed in
    the snapshot, as the API and its page say; when a day moves a status,
    the next scheduled build writes a new snapshot."""
    exercise = PartnershipFactory(
        name="Ended drill",
        kind="exercise",
        status="active",
        start_date=dt.date(2005, 1, 10),
        start_precision="day",
        end_date=dt.date(2026, 3, 14),
        end_precision="day",
    )
    with time_machine.travel(dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC)):
        assert snapshots.build() is not None
        rows = {r["slug"]: r for r in read_csv_tables(client)["partnerships"]}
        assert rows[exercise.slug]["status"] == "active"
        assert snapshots.build() is None  # the same day: nothing moved
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)):
        assert snapshots.build() is not None  # the end has passed
        rows = {r["slug"]: r for r in read_csv_tables(client)["partnerships"]}
        assert rows[exercise.slug]["status"] == "completed"
        api = client.get(f"/api/v1/partnerships/{exercise.slug}/").json()
        assert api["status"] == "completed"
        lines = read_json_lines(client)
        (line,) = [r for r in lines if r.get("slug") == exercise.slug]
        assert line["status"] == "completed"
    with time_machine.travel(dt.datetime(2026, 3, 16, 12, tzinfo=dt.UTC)):
        assert snapshots.build() is None  # a day that moved no status


def test_values_the_source_got_wrong_are_in_the_snapshot_verbatim(client, records):
    issue = DataIssueFactory(
        entity=records["deal"], field="start", source_value="2O21", reason="not_a_year"
    )
    snapshots.build()
    (row,) = read_csv_tables(client)["data_issues"]
    assert row["entity_id"] == str(records["deal"].pk)
    assert (row["field"], row["source_value"], row["status"]) == (
        "start",
        "2O21",
        "open",
    )
    assert row["external_id"] == issue.external_id
    (line,) = [r for r in read_json_lines(client) if r["table"] == "data_issues"]
    assert line["source_value"] == "2O21"


def test_delivery_years_are_a_list_in_json_lines_and_text_in_csv(client, records):
    snapshots.build()
    (row,) = read_csv_tables(client)["partnership_systems"]
    assert row["delivery_years"] == "2022;2023"
    (line,) = [
        r for r in read_json_lines(client) if r["table"] == "partnership_systems"
    ]
    assert line["delivery_years"] == [2022, 2023]


def test_no_login_name_is_published_anywhere_an_author_is_named(client, records):
    named = records["article"].authors.get()
    nameless = UserFactory(username="login-only-name", first_name="", last_name="")
    records["article"].authors.add(nameless)
    article = records["article"].get_absolute_url()

    snapshots.build()

    outputs = {
        "article page": client.get(article).text,
        "article list": client.get("/articles/").text,
        "feed": client.get("/feeds/articles/").text,
        "api": client.get(f"/api/v1/articles/{records['article'].slug}/").text,
        "bulk download": gzip.decompress(
            download(client, "/api/v1/downloads/latest.jsonl.gz")
        ).decode(),
        "bulk csv": json.dumps(read_csv_tables(client)["article_authors"]),
    }
    for where, text in outputs.items():
        assert "login-only-name" not in text, where
        assert "username" not in text, where
        assert "coopsite staff" in text, where  # the nameless author's byline
    authors = client.get(f"/api/v1/articles/{records['article'].slug}/").json()
    assert sorted(authors["authors"], key=lambda author: author["name"]) == [
        {"slug": named.author_slug, "name": "Ada Writer"},
        {"slug": nameless.author_slug, "name": "coopsite staff"},
    ]


def test_a_new_snapshot_is_a_new_listing_for_a_client_that_has_the_old(client, records):
    """A snapshot is written with no write to the data (a status moved):
    the listing that names it is a new answer, by ETag and by date."""
    snapshots.build()
    for minutes, url in ((5, "/api/v1/downloads/"), (10, "/api/v1/")):
        old = client.get(url)
        later = timezone.now() + dt.timedelta(minutes=minutes)
        with time_machine.travel(later, tick=False):
            snapshots.build(force=True)
            assert (
                client.get(url, headers={"If-None-Match": old["ETag"]}).status_code
                == 200
            )
            since = client.get(url, headers={"If-Modified-Since": old["Last-Modified"]})
            assert since.status_code == 200
