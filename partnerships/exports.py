"""The partnership list as a download (CSV and JSON), fast from the first
byte to the last, in flat memory.

Rows are plain values read through a server-side cursor (PostgreSQL; chunks
of ``fetchmany`` on SQLite), a chunk at a time; each chunk's participants,
systems and tags are read in one query each, as values too. No model
instance is made for a row, and no more than a chunk is held at once.

A download that cannot finish (a database error, or the time limit
``COOPSITE_EXPORT_SECONDS``, set below the app server's worker timeout)
stops by raising: the response is sent in chunks, so the client sees a
transfer cut short (no final chunk), never a complete-looking file; a JSON
download cut short is also not valid JSON.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import batched

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from coopsite.safety import script_safe_json, spreadsheet_safe

from .dates import PartialDate
from .models import Participant, Partnership, PartnershipSystem, status_on

CHUNK = 2000
EXPORT_LIMIT = 100_000

EXPORT_FIELDS = [
    "name",
    "url",
    "kind",
    "status",
    "start",
    "start_is_estimate",
    "end",
    "end_is_estimate",
    "participants",
    "systems",
    "tags",
    "summary",
    "series",
    "location",
    "latitude",
    "longitude",
]

# What a row reads of the partnership itself.
_COLUMNS = (
    "pk",
    "name",
    "slug",
    "kind",
    "status",
    "start_date",
    "start_precision",
    "start_is_estimate",
    "end_date",
    "end_precision",
    "end_is_estimate",
    "summary",
    "series",
    "location",
    "latitude",
    "longitude",
    "updated_at",
)


class ExportInterrupted(RuntimeError):
    """The download could not be finished; the stream ends without its end."""


def _number(value: Decimal | None):
    """A Decimal as JSON can hold it: an int or a float, or None."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _partial(date, precision) -> PartialDate | None:
    return PartialDate(date, precision) if date else None


def _participants(ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    rows = (
        Participant.objects.filter(partnership_id__in=ids)
        .order_by("role", "id")
        .values_list(
            "partnership_id",
            "role",
            "country__name",
            "organisation__name",
            "bloc__name",
        )
    )
    for partnership_id, role, country, organisation, bloc in rows:
        name, kind = next(
            (name, kind)
            for name, kind in (
                (country, "country"),
                (organisation, "organisation"),
                (bloc, "bloc"),
            )
            if name is not None
        )
        found[partnership_id].append({"role": role, "name": name, "type": kind})
    return found


def _systems(ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = defaultdict(list)
    rows = (
        PartnershipSystem.objects.filter(partnership_id__in=ids)
        .order_by("system__name", "id")
        .values(
            "partnership_id",
            "system__name",
            "quantity_ordered",
            "quantity_delivered",
            "condition",
            "delivery_years",
            "tiv_per_unit",
            "tiv_order",
            "tiv_delivered",
        )
    )
    for line in rows:
        found[line["partnership_id"]].append(
            {
                "name": line["system__name"],
                "ordered": line["quantity_ordered"],
                "delivered": line["quantity_delivered"],
                "condition": line["condition"],
                "delivery_years": line["delivery_years"],
                "tiv_per_unit": _number(line["tiv_per_unit"]),
                "tiv_order": _number(line["tiv_order"]),
                "tiv_delivered": _number(line["tiv_delivered"]),
            }
        )
    return found


def _tags(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    links = Partnership.tags.through.objects.filter(partnership_id__in=ids)
    for partnership_id, name in links.order_by("tag__name").values_list(
        "partnership_id", "tag__name"
    ):
        found[partnership_id].append(name)
    return found


def export_rows(
    partnerships: QuerySet[Partnership],
    *,
    base_url: str,
    chunk_size: int | None = None,
    limit: int = EXPORT_LIMIT,
) -> Iterator[dict]:
    """The rows of the download, in the queryset's order: at most ``limit``,
    read ``chunk_size`` at a time (one query for the partnerships, then
    three per chunk). ``base_url`` is the site's address ("https://host")."""
    chunk_size = chunk_size or CHUNK
    detail = reverse("partnerships:partnership_detail", kwargs={"slug": "-"})
    prefix, suffix = detail.split("/-/")
    prefix, suffix = f"{base_url}{prefix}/", f"/{suffix}"
    rows = partnerships.values(*_COLUMNS)[:limit].iterator(chunk_size=chunk_size)
    today = timezone.localdate()
    for chunk in batched(rows, chunk_size, strict=False):
        ids = [row["pk"] for row in chunk]
        participants, systems, tags = _participants(ids), _systems(ids), _tags(ids)
        for row in chunk:
            pk = row["pk"]
            start = _partial(row["start_date"], row["start_precision"])
            end = _partial(row["end_date"], row["end_precision"])
            yield {
                "name": row["name"],
                "url": f"{prefix}{row['slug']}{suffix}",
                "kind": row["kind"],
                # The status today, as the record's page shows it.
                "status": status_on(row["status"], row["kind"], start, end, today),
                "start": start.iso if start else "",
                "start_is_estimate": row["start_is_estimate"],
                "end": end.iso if end else "",
                "end_is_estimate": row["end_is_estimate"],
                "participants": participants.get(pk, []),
                "systems": systems.get(pk, []),
                "tags": tags.get(pk, []),
                "summary": row["summary"],
                "series": row["series"],
                "location": row["location"],
                "latitude": row["latitude"],
                "longitude": row["longitude"],
            }


def within_time_limit(rows: Iterable[dict], seconds: float | None = None):
    """``rows``, until the time limit: then :class:`ExportInterrupted`."""
    limit = settings.COOPSITE_EXPORT_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + limit
    for row in rows:
        if time.monotonic() > deadline:
            raise ExportInterrupted(
                f"The export took longer than {limit:g} s and was stopped."
            )
        yield row


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The export as CSV. A text cell a spreadsheet would evaluate as a
    formula (starting with =, +, -, @, a tab or a carriage return) is written
    with a leading ' (OWASP's advice), so that it shows as typed."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_FIELDS)  # a BOM, for spreadsheets
    for row in rows:
        yield writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
                row["name"],
                row["url"],
                row["kind"],
                row["status"],
                row["start"],
                "yes" if row["start_is_estimate"] else "",
                row["end"],
                "yes" if row["end_is_estimate"] else "",
                "; ".join(f"{p['name']} ({p['role']})" for p in row["participants"]),
                "; ".join(
                    s["name"]
                    + (f" ×{s['ordered']}" if s["ordered"] is not None else "")
                    for s in row["systems"]
                ),
                "; ".join(row["tags"]),
                row["summary"],
                row["series"],
                row["location"],
                "" if row["latitude"] is None else row["latitude"],
                "" if row["longitude"] is None else row["longitude"],
            ]
        )


def buffered(parts: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """``parts`` joined into pieces of about ``size`` characters: one write
    to the client per piece rather than per row."""
    pending: list[str] = []
    length = 0
    for part in parts:
        pending.append(part)
        length += len(part)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


def json_lines(rows: Iterable[dict]) -> Iterator[str]:
    yield "[\n"
    for count, row in enumerate(rows):
        yield ("" if count == 0 else ",\n") + script_safe_json(row)
    yield "\n]\n"
