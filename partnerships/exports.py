"""The partnership list as a download (CSV and JSON), fast from the first
byte to the last, in flat memory.

Rows are plain tuples read through a server-side cursor (PostgreSQL; chunks
of ``fetchmany`` on SQLite), a chunk at a time; each chunk's participants,
systems, tags and data issues are read in one query each, as tuples too,
for the chunk's keys sent as one parameter (an array on PostgreSQL: no
placeholder and no conversion per key). No model instance is made for a row, no address is
reversed per row, and no more than a chunk is held at once. A JSON row is
one ``orjson`` call.

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
from itertools import batched

import orjson
from django.conf import settings
from django.db.models import F, FloatField, Lookup, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from coopsite.safety import script_safe_json_bytes, spreadsheet_safe_cells

from .dates import PartialDate
from .models import (
    Entity,
    EntityType,
    Participant,
    Partnership,
    PartnershipSystem,
    status_on,
)

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
    "data_issues",
]

# What a row reads of the partnership itself, in this order.
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
)


class ExportInterrupted(RuntimeError):
    """The download could not be finished; the stream ends without its end."""


class _OneOf(Lookup):
    """``lhs`` is one of a chunk's keys, sent as one parameter (an array on
    PostgreSQL, a JSON list on SQLite): a chunk of 2,000 keys costs the
    database and the driver what one key does, where ``__in`` prepares and
    adapts each key and sends 2,000 placeholders. Always a list the index
    can look up, never ranges (``core.free_text.Among``'s runs are read by
    a scan of the whole table)."""

    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        listed = ",".join(map(str, map(int, self.rhs)))
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, "{" + listed + "}"]
        return (
            f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608 - a column
            [*lhs_params, "[" + listed + "]"],
        )


def _of_chunk(ids: list[int]) -> _OneOf:
    """The condition "belongs to one of these partnerships"."""
    return _OneOf(F("partnership_id"), ids)


class _Lists:
    """What a download reads for each chunk of partnerships besides their
    own columns: participants, systems and tags, each partnership's as a
    list of objects, or (``as_text``) as one text, as the CSV's cells give
    them ("Poland (recipient); Türkiye (supplier)"), reading only what that
    text shows. One query each per chunk, from their own tables: the names
    of what takes part are read once per download (a few thousand)."""

    def __init__(self, *, as_text: bool):
        self.as_text = as_text
        self.names, self.places = self._names()
        # A participant as shown, by (role, key): made once, not per row.
        self.actors: dict[tuple[str, int], dict | str] = {}

    @staticmethod
    def _names() -> tuple[dict[int, str], dict[int, int]]:
        """The name of every country, bloc, organisation and system by key,
        and its place in the database's own order of names (a partnership's
        systems are listed by name, as the database sorts them)."""
        names: dict[int, str] = {}
        places: dict[int, int] = {}
        place, last = 0, None
        rows = (
            Entity.objects.exclude(entity_type=EntityType.PARTNERSHIP)
            .order_by("name")
            .values_list("pk", "name")
        )
        for pk, name in rows:
            if name != last:
                place, last = place + 1, name
            names[pk] = name
            places[pk] = place
        return names, places

    def _actor(self, role: str, country, organisation, bloc) -> dict | str:
        # A participant is exactly one of the three (a constraint).
        if country is not None:
            key, kind = country, "country"
        elif organisation is not None:
            key, kind = organisation, "organisation"
        else:
            key, kind = bloc, "bloc"
        name = self.names[key]
        actor = (
            f"{name} ({role})"
            if self.as_text
            else {"role": role, "name": name, "type": kind}
        )
        self.actors[role, key] = actor
        return actor

    def participants(self, ids: list[int]) -> dict:
        """Each partnership's participants, by role."""
        found: dict[int, list] = defaultdict(list)
        actors = self.actors
        rows = (
            Participant.objects.filter(_of_chunk(ids))
            .order_by("role", "id")
            .values_list(
                "partnership_id", "role", "country_id", "organisation_id", "bloc_id"
            )
        )
        for partnership_id, role, country, organisation, bloc in rows:
            actor = actors.get((role, country or organisation or bloc))
            if actor is None:
                actor = self._actor(role, country, organisation, bloc)
            found[partnership_id].append(actor)
        if self.as_text:
            return {pk: "; ".join(actors) for pk, actors in found.items()}
        return found

    def _by_name(self, lines: list[list]) -> list[list]:
        """A partnership's system lines (system first, in the order of their
        ids) by the system's name, then as entered."""
        if len(lines) == 1:
            return lines
        places = self.places
        return sorted(lines, key=lambda line: places[line[0]])

    def systems(self, ids: list[int]) -> dict:
        """Each partnership's systems, by name: what is known of each line,
        or as text their names and the quantities ordered."""
        names = self.names
        found: dict[int, list[list]] = defaultdict(list)
        lines = PartnershipSystem.objects.filter(_of_chunk(ids)).order_by("id")
        if self.as_text:
            for partnership_id, *line in lines.values_list(
                "partnership_id",
                "system_id",
                "quantity_ordered",
                "quantity_ordered_is_estimate",
            ):
                found[partnership_id].append(line)
            # An estimated number as the record page writes it: "×c. 6".
            return {
                pk: "; ".join(
                    names[system]
                    if ordered is None
                    else f"{names[system]} ×{'c. ' if estimate else ''}{ordered}"
                    for system, ordered, estimate in self._by_name(lines)
                )
                for pk, lines in found.items()
            }
        for partnership_id, *line in lines.values_list(
            "partnership_id",
            "system_id",
            "quantity_ordered",
            "quantity_ordered_is_estimate",
            "quantity_delivered",
            "quantity_delivered_is_estimate",
            "condition",
            # Read by orjson, faster than the field's own json.loads.
            Cast("delivery_years", TextField()),
            "delivery_years_are_estimates",
            "local_production",
            # Decimals as JSON's numbers, read by the database as floats.
            Cast("tiv_per_unit", FloatField()),
            Cast("tiv_order", FloatField()),
            Cast("tiv_delivered", FloatField()),
        ):
            found[partnership_id].append(line)
        loads = orjson.loads
        return {
            pk: [
                {
                    "name": names[system],
                    "ordered": ordered,
                    "ordered_is_estimate": ordered_is_estimate,
                    "delivered": delivered,
                    "delivered_is_estimate": delivered_is_estimate,
                    "condition": condition,
                    "delivery_years": loads(delivery_years),
                    "delivery_years_are_estimates": years_are_estimates,
                    "local_production": local_production,
                    # A whole number as an integer: 12, not 12.0.
                    "tiv_per_unit": tiv_per_unit
                    if tiv_per_unit is None or tiv_per_unit % 1
                    else int(tiv_per_unit),
                    "tiv_order": tiv_order
                    if tiv_order is None or tiv_order % 1
                    else int(tiv_order),
                    "tiv_delivered": tiv_delivered
                    if tiv_delivered is None or tiv_delivered % 1
                    else int(tiv_delivered),
                }
                for (
                    system,
                    ordered,
                    ordered_is_estimate,
                    delivered,
                    delivered_is_estimate,
                    condition,
                    delivery_years,
                    years_are_estimates,
                    local_production,
                    tiv_per_unit,
                    tiv_order,
                    tiv_delivered,
                ) in self._by_name(lines)
            ]
            for pk, lines in found.items()
        }

    def data_issues(self, ids: list[int]) -> dict:
        """Each partnership's values the source got wrong, as an import
        flagged them (the API's ``data_issues``): the field, the value as
        the source gives it, why, and whether a researcher has checked it;
        as text ``start_date: "2O21" (not_a_year, open)``. Read through the
        records' own relation (the importers' app is not imported here)."""
        found: dict[int, list] = defaultdict(list)
        data_issue = Entity._meta.get_field("data_issues").related_model
        rows = (
            data_issue._default_manager.filter(_OneOf(F("entity_id"), ids))
            .exclude(status="gone")  # no longer in the source
            .order_by("entity_id", "field", "pk")
            .values_list("entity_id", "field", "source_value", "reason", "status")
        )
        if self.as_text:
            for pk, field, value, reason, status in rows:
                # The value as a JSON string: quoted, whatever it holds.
                quoted = orjson.dumps(value).decode()
                found[pk].append(f"{field}: {quoted} ({reason}, {status})")
            return {pk: "; ".join(notes) for pk, notes in found.items()}
        for pk, field, value, reason, status in rows:
            found[pk].append(
                {
                    "field": field,
                    "source_value": value,
                    "reason": reason,
                    "status": status,
                }
            )
        return found

    def tags(self, ids: list[int]) -> dict:
        """Each partnership's tags, by name."""
        found: dict[int, list[str]] = defaultdict(list)
        links = Partnership.tags.through.objects.filter(_of_chunk(ids))
        for partnership_id, name in links.order_by("tag__name").values_list(
            "partnership_id", "tag__name"
        ):
            found[partnership_id].append(name)
        if self.as_text:
            return {pk: "; ".join(tags) for pk, tags in found.items()}
        return found


# At most this many distinct dates are remembered during a download.
_DATES_KEPT = 10_000


def export_rows(
    partnerships: QuerySet[Partnership],
    *,
    base_url: str,
    chunk_size: int | None = None,
    limit: int = EXPORT_LIMIT,
    lists_as_text: bool = False,
) -> Iterator[dict]:
    """The rows of the download, in the queryset's order: at most ``limit``,
    read ``chunk_size`` at a time. One query for the partnerships and, if
    there are any, one for the names of what takes part in them, then four
    per chunk (participants, systems, tags, data issues; see :class:`_Lists`).
    ``base_url`` is the site's address ("https://host"). With
    ``lists_as_text``, participants, systems, tags and data issues are each
    one text."""
    chunk_size = chunk_size or CHUNK
    # Every record's address is the same but for its slug: reversed once.
    detail = reverse("partnerships:partnership_detail", kwargs={"slug": "-"})
    prefix, suffix = detail.split("/-/")
    prefix, suffix = f"{base_url}{prefix}/", f"/{suffix}"
    rows = partnerships.values_list(*_COLUMNS)[:limit].iterator(chunk_size=chunk_size)
    today = timezone.localdate()
    lists = None
    none = "" if lists_as_text else []
    # Records share dates (a register's years): the status today and the
    # dates as written, by status, kind and dates.
    dates: dict[tuple, tuple[str, str | None, str | None]] = {}
    for chunk in batched(rows, chunk_size, strict=False):
        if lists is None:
            lists = _Lists(as_text=lists_as_text)
        ids = [row[0] for row in chunk]
        participants = lists.participants(ids)
        systems = lists.systems(ids)
        tags = lists.tags(ids)
        data_issues = lists.data_issues(ids)
        for (
            pk,
            name,
            slug,
            kind,
            status,
            start_date,
            start_precision,
            start_is_estimate,
            end_date,
            end_precision,
            end_is_estimate,
            summary,
            series,
            location,
            latitude,
            longitude,
        ) in chunk:
            when = (status, kind, start_date, start_precision, end_date, end_precision)
            known = dates.get(when)
            if known is None:
                start = PartialDate(start_date, start_precision) if start_date else None
                end = PartialDate(end_date, end_precision) if end_date else None
                known = (
                    # The status today, as the record's page shows it.
                    status_on(status, kind, start, end, today),
                    start.iso if start else None,  # null in JSON, as the API
                    end.iso if end else None,
                )
                if len(dates) >= _DATES_KEPT:
                    dates.clear()
                dates[when] = known
            yield {
                "name": name,
                "url": f"{prefix}{slug}{suffix}",
                "kind": kind,
                "status": known[0],
                "start": known[1],
                "start_is_estimate": start_is_estimate,
                "end": known[2],
                "end_is_estimate": end_is_estimate,
                "participants": participants.get(pk, none),
                "systems": systems.get(pk, none),
                "tags": tags.get(pk, none),
                "summary": summary,
                "series": series,
                "location": location,
                "latitude": latitude,
                "longitude": longitude,
                "data_issues": data_issues.get(pk, none),
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
    """The export as CSV, from rows with their lists as text
    (``export_rows(..., lists_as_text=True)``). A text cell a spreadsheet
    would evaluate as a formula (starting with =, +, -, @, a tab or a
    carriage return) is written with a leading ' (OWASP's advice), so that
    it shows as typed; the coordinates, numbers the site writes itself, are
    left as numbers."""
    writerow = csv.writer(_Echo()).writerow
    yield "\ufeff" + writerow(EXPORT_FIELDS)  # a BOM, for spreadsheets
    for row in rows:
        cells = spreadsheet_safe_cells(
            [
                row["name"],
                row["url"],
                row["kind"],
                row["status"],
                row["start"] or "",
                "yes" if row["start_is_estimate"] else "",
                row["end"] or "",
                "yes" if row["end_is_estimate"] else "",
                row["participants"],
                row["systems"],
                row["tags"],
                row["summary"],
                row["series"],
                row["location"],
            ]
        )
        latitude, longitude = row["latitude"], row["longitude"]
        cells.append("" if latitude is None else latitude)
        cells.append("" if longitude is None else longitude)
        cells.extend(spreadsheet_safe_cells([row["data_issues"]]))
        yield writerow(cells)


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


def json_lines(rows: Iterable[dict], size: int = 64 * 1024) -> Iterator[bytes]:
    """The export as a JSON array, a row a line, in pieces of about ``size``
    bytes. Each row is one ``orjson`` call; each piece is then made safe to
    embed (``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u`` escapes, which
    can only occur inside strings: the same data)."""
    dumps = orjson.dumps
    pending: list[bytes] = []
    length = 0
    separator = b"[\n"
    for row in rows:
        line = dumps(row)
        pending.append(separator)
        pending.append(line)
        separator = b",\n"
        length += len(line)
        if length >= size:
            yield script_safe_json_bytes(b"".join(pending))
            pending, length = [], 0
    if separator == b"[\n":  # no row at all
        pending.append(separator)
    pending.append(b"\n]\n")
    yield script_safe_json_bytes(b"".join(pending))
