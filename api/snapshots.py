"""Bulk downloads: a dated snapshot of every record and published article,
as CSV (one file per table, zipped) and as JSON Lines (gzipped).

``build_snapshot`` (the management command, which imports run when they
finish) writes them through Django's storage API, with a manifest the API
serves: file names, sizes, SHA-256 sums and each table's row count. It
does nothing when the data has not changed since the last snapshot. The
tables are relational: every row has its record's stable id, and the
tables that join records name those ids.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import ANONYMOUS_BYLINE
from articles.models import MODIFIED_AT, Article, ArticleEntityLink
from coopsite.safety import (
    script_safe_json_lines,
    spreadsheet_safe,
    spreadsheet_safe_cells,
)
from datasets.models import DataIssue, IssueStatus
from freshness import versions
from partnerships.models import (
    Alias,
    Bloc,
    BlocMembership,
    Country,
    EntityType,
    ExternalIdentifier,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    Source,
    System,
    Tag,
)

FOLDER = "downloads"
MANIFEST = f"{FOLDER}/manifest.json"
NAME_PREFIX = "coopsite-records"
CSV_SUFFIX = "-csv.zip"
JSONL_SUFFIX = ".jsonl.gz"

# --- The tables -------------------------------------------------------------------


@dataclass
class Table:
    """One table of the snapshot: its rows as tuples, with its column names.
    ``rows`` yields tuples of plain values (str, int, float, bool, None)."""

    name: str
    description: str
    columns: list[str]
    rows: Callable[[], Iterator[tuple]]


def _values(queryset, *fields, convert: dict[int, Callable] | None = None):
    """A table's rows straight from the database (no model instances)."""

    def rows():
        for row in (
            queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000)
        ):
            if convert:
                row = list(row)
                for index, function in convert.items():
                    row[index] = function(row[index])
            yield plain_row(row)

    return rows


# The values most cells hold, which stay as they are: a snapshot reads a
# few hundred thousand rows, and a set look-up per cell is a fraction of
# the isinstance tests of _plain().
_PLAIN_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain_row(row) -> tuple:
    """``row`` with every value made plain (:func:`_plain`)."""
    return tuple([v if v.__class__ in _PLAIN_AS_IS else _plain(v) for v in row])


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _path_of(entity_type: str) -> Callable[[str], str]:
    """The public page's path for a slug ("/countries/poland/")."""
    name = (
        "partnerships:tag_detail"
        if entity_type == "tag"
        else f"partnerships:{entity_type}_detail"
    )
    prefix = reverse(name, kwargs={"slug": "slug"})[: -len("slug/")]
    return lambda slug: f"{prefix}{slug}/"


def _years(value) -> list[int]:
    """Delivery years, in order: a list in JSON Lines, ``2015;2016`` in CSV."""
    return sorted(value or [])


def tables(today: dt.date | None = None) -> list[Table]:
    """The snapshot's tables; a partnership's status is the one it has on
    ``today`` (the snapshot's day), read from its dates as the API reads it."""
    today = today or timezone.localdate()
    published = Article.objects.published()
    specs = [
        (
            "countries",
            "Countries, current (ISO 3166-1) and former.",
            Country.objects.all(),
            ["id", "slug", "name", "alpha_2", "alpha_3", "alpha_4", "numeric",
             "official_name", "region", "subregion", "demonym", "latitude",
             "longitude", "is_former", "existed_until", "summary", "created_at",
             "updated_at", "path"],
            ["pk", "slug", "name", "alpha_2", "alpha_3", "alpha_4", "numeric",
             "official_name", "region", "subregion", "demonym", "latitude",
             "longitude", "is_former", "existed_until", "summary", "created_at",
             "updated_at", "slug"],
            {18: _path_of(EntityType.COUNTRY)},
        ),
        (
            "blocs",
            "Alliances and organisations of states.",
            Bloc.objects.all(),
            ["id", "slug", "name", "abbreviation", "official_name", "founded",
             "website", "summary", "created_at", "updated_at", "path"],
            ["pk", "slug", "name", "abbreviation", "official_name", "founded",
             "website", "summary", "created_at", "updated_at", "slug"],
            {10: _path_of(EntityType.BLOC)},
        ),
        (
            "bloc_memberships",
            "Which country belongs to which bloc, joined and left (years).",
            BlocMembership.objects.all(),
            ["bloc_id", "country_id", "joined", "left", "note"],
            ["bloc_id", "country_id", "joined", "left", "note"],
            None,
        ),
        (
            "organisations",
            "Companies, ministries, agencies, institutes.",
            Organisation.objects.all(),
            ["id", "slug", "name", "kind", "home_country_id", "website", "summary",
             "created_at", "updated_at", "path"],
            ["pk", "slug", "name", "kind", "home_country_id", "website", "summary",
             "created_at", "updated_at", "slug"],
            {9: _path_of(EntityType.ORGANISATION)},
        ),
        (
            "systems",
            "Platforms and technologies.",
            System.objects.all(),
            ["id", "slug", "name", "category", "origin_country_id", "summary",
             "created_at", "updated_at", "path"],
            ["pk", "slug", "name", "category", "origin_country_id", "summary",
             "created_at", "updated_at", "slug"],
            {8: _path_of(EntityType.SYSTEM)},
        ),
        (
            "system_makers",
            "Which organisation makes which system.",
            System.makers.through.objects.all(),
            ["system_id", "organisation_id"],
            ["system_id", "organisation_id"],
            None,
        ),
        (
            "partnerships",
            "Records of cooperation. Dates are the first day of the period "
            "they are known to for a start, the last for an end; precision is "
            "year, month or day. The status is the one on the snapshot's day, "
            "read from the recorded status and the dates (an end that has "
            "passed is completed), as the API and the site give it.",
            Partnership.objects.with_status(today),
            ["id", "slug", "name", "kind", "status", "start_date",
             "start_precision", "start_is_estimate", "end_date", "end_precision",
             "end_is_estimate", "series", "location", "latitude", "longitude",
             "summary", "created_at", "updated_at", "path"],
            ["pk", "slug", "name", "kind", "status_now", "start_date",
             "start_precision", "start_is_estimate", "end_date", "end_precision",
             "end_is_estimate", "series", "location", "latitude", "longitude",
             "summary", "created_at", "updated_at", "slug"],
            {18: _path_of(EntityType.PARTNERSHIP)},
        ),
        (
            "participants",
            "Who takes part in a partnership, in which role: exactly one of "
            "country_id, organisation_id, bloc_id.",
            Participant.objects.all(),
            ["id", "partnership_id", "role", "country_id", "organisation_id",
             "bloc_id", "note"],
            ["pk", "partnership_id", "role", "country_id", "organisation_id",
             "bloc_id", "note"],
            None,
        ),
        (
            "partnership_systems",
            "Systems in a partnership, with quantities and arms-transfer data "
            "(SIPRI trend-indicator values in millions); delivery years are a "
            "list in JSON Lines, separated by semicolons in CSV.",
            PartnershipSystem.objects.all(),
            ["id", "partnership_id", "system_id", "quantity_ordered",
             "quantity_ordered_is_estimate", "quantity_delivered",
             "quantity_delivered_is_estimate", "condition", "delivery_years",
             "delivery_years_are_estimates", "local_production", "tiv_per_unit",
             "tiv_order", "tiv_delivered", "note"],
            ["pk", "partnership_id", "system_id", "quantity_ordered",
             "quantity_ordered_is_estimate", "quantity_delivered",
             "quantity_delivered_is_estimate", "condition", "delivery_years",
             "delivery_years_are_estimates", "local_production", "tiv_per_unit",
             "tiv_order", "tiv_delivered", "note"],
            {8: _years},
        ),
        (
            "sources",
            "Where a partnership's facts come from.",
            Source.objects.all(),
            ["id", "partnership_id", "title", "url", "publisher", "published_on",
             "accessed_on"],
            ["pk", "partnership_id", "title", "url", "publisher", "published_on",
             "accessed_on"],
            None,
        ),
        (
            "data_issues",
            "Values a dataset's row gave that an import could not take as they "
            "are (a date that does not exist, an end before the start, a "
            "quantity that is not a number...): the record holds the best "
            "reading, source_value the value as the source gives it; status "
            "is open until a researcher has checked the record against it.",
            DataIssue.objects.exclude(status=IssueStatus.GONE),
            ["entity_id", "dataset", "external_id", "row", "field",
             "source_value", "reason", "status"],
            ["entity_id", "dataset", "external_id", "row", "field",
             "source_value", "reason", "status"],
            None,
        ),
        (
            "tags",
            "Labels staff curate on partnerships and articles.",
            Tag.objects.all(),
            ["id", "slug", "name", "description", "path"],
            ["pk", "slug", "name", "description", "slug"],
            {4: _path_of("tag")},
        ),
        (
            "partnership_tags",
            "Which partnership has which tag.",
            Partnership.tags.through.objects.all(),
            ["partnership_id", "tag_id"],
            ["partnership_id", "tag_id"],
            None,
        ),
        (
            "aliases",
            "Other names of countries, blocs, organisations, systems and "
            "partnerships (entity_id is the record's id).",
            Alias.objects.all(),
            ["entity_id", "entity_type", "name"],
            ["entity_id", "entity__entity_type", "name"],
            None,
        ),
        (
            "external_ids",
            "A record's ids in outside datasets (sipri, mme...).",
            ExternalIdentifier.objects.all(),
            ["entity_id", "scheme", "value"],
            ["entity_id", "scheme", "value"],
            None,
        ),
        (
            "articles",
            "Published articles, with their Markdown source; updated_at is "
            "their last change as readers saw it, never before published_at.",
            published.annotate(modified=MODIFIED_AT),
            ["id", "slug", "title", "standfirst", "published_at", "updated_at",
             "path", "body_markdown"],
            ["pk", "slug", "title", "standfirst", "published_at", "modified",
             "slug", "body"],
            {6: lambda slug: reverse("articles:detail", kwargs={"slug": slug})},
        ),
        (
            "article_authors",
            "Who wrote which published article.",
            Article.authors.through.objects.filter(article__in=published),
            ["article_id", "author", "name"],
            ["article_id", "user__author_slug", "user__first_name", "user__last_name"],
            None,
        ),
        (
            "article_tags",
            "Which published article has which tag.",
            Article.tags.through.objects.filter(article__in=published),
            ["article_id", "tag_id"],
            ["article_id", "tag_id"],
            None,
        ),
        (
            "article_links",
            "The records each published article's editors confirmed it is "
            "about or mentions.",
            ArticleEntityLink.objects.accepted().filter(article__in=published),
            ["article_id", "entity_id", "entity_type", "role", "mention_count"],
            ["article_id", "entity_id", "entity__entity_type", "role",
             "mention_count"],
            None,
        ),
    ]  # fmt: skip
    result = []
    for name, description, queryset, columns, fields, convert in specs:
        rows = _values(queryset, *fields, convert=convert)
        if name == "article_authors":
            rows = _authors(rows)
        result.append(Table(name, description, columns, rows))
    return result


def _authors(rows):
    def joined():
        for article_id, slug, first, last in rows():
            yield article_id, slug, f"{first} {last}".strip() or ANONYMOUS_BYLINE

    return joined


# --- Writing ------------------------------------------------------------------------


def csv_cell(value):
    """A value as a spreadsheet cell: empty for None, true/false, a list's
    items separated by semicolons, and text that starts like a formula
    neutralised (coopsite.safety). Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return spreadsheet_safe(value)


def csv_row(row) -> list:
    """:func:`csv_cell` of each value of ``row``, a row at once (a snapshot
    writes millions of cells): None and booleans spelt out here, formulas
    neutralised by ``spreadsheet_safe_cells``."""
    return spreadsheet_safe_cells(
        [
            ""
            if v is None
            else ("true" if v else "false")
            if v is True or v is False
            else ";".join(map(str, v))
            if v.__class__ is list
            else v
            for v in row
        ]
    )


@dataclass
class Manifest:
    """What the latest snapshot holds, as stored beside its files."""

    stamp: str
    generated_at: str
    data_token: str
    tables: dict[str, int]
    descriptions: dict[str, str]
    files: dict[str, dict]  # "csv" / "jsonl" -> {name, size, sha256}
    previous: list[dict] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(**data)

    def to_json(self) -> dict:
        return self.__dict__.copy()

    def file_named(self, name: str) -> dict | None:
        for entry in [self.files, *(p["files"] for p in self.previous)]:
            for described in entry.values():
                if described["name"] == name:
                    return described
        return None

    def describe(self, request) -> dict:
        def url(name):
            return request.build_absolute_uri(
                reverse("api:download", kwargs={"name": name})
            )

        return {
            "generated_at": self.generated_at,
            "tables": self.tables,
            "files": {
                kind: {
                    "name": described["name"],
                    "size": described["size"],
                    "sha256": described["sha256"],
                    "url": url(described["name"]),
                }
                for kind, described in self.files.items()
            },
        }


def storage():
    return storages[settings.COOPSITE_SNAPSHOT_STORAGE]


def latest_manifest() -> Manifest | None:
    store = storage()
    try:
        with store.open(MANIFEST, "rb") as handle:
            return Manifest.from_json(json.load(handle))
    except (FileNotFoundError, OSError, ValueError, TypeError):
        return None


def build(*, force: bool = False, now: dt.datetime | None = None) -> Manifest | None:
    """Write a new snapshot if the data changed since the last one (or
    ``force``); return its manifest, or None when nothing was written."""
    previous = latest_manifest()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Every table read from one moment of the database (inside a
            # caller's transaction, that transaction's view is the moment).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
                )
        now = now or timezone.now()
        today = timezone.localdate(now)
        token = f"{versions.current().token}:{statuses_on(today)}"
        if previous and previous.data_token == token and not force:
            return None
        stamp = now.strftime("%Y-%m-%dT%H%M%SZ")
        with (
            tempfile.TemporaryFile() as zipped,
            tempfile.TemporaryFile() as lines,
        ):
            counts, descriptions = _write(zipped, lines, stamp, today)
            if (
                previous
                and not force
                and _digest(lines) == previous.files["jsonl"]["sha256"]
            ):
                # The same records as the last snapshot (a change no reader
                # sees: a draft saved): no new files, which would push a
                # different older snapshot out of the ones kept. The
                # manifest remembers the version, so the next run is quick.
                _save_manifest(replace(previous, data_token=token))
                return None
            files = {
                "csv": _store(zipped, f"{NAME_PREFIX}-{stamp}{CSV_SUFFIX}"),
                "jsonl": _store(lines, f"{NAME_PREFIX}-{stamp}{JSONL_SUFFIX}"),
            }
    history = []
    if previous:
        history = [
            {"stamp": previous.stamp, "generated_at": previous.generated_at,
             "files": previous.files},
            *previous.previous,
        ]  # fmt: skip
    kept, dropped = (
        history[: settings.COOPSITE_SNAPSHOTS_KEPT - 1],
        history[settings.COOPSITE_SNAPSHOTS_KEPT - 1 :],
    )
    manifest = Manifest(
        stamp=stamp,
        generated_at=now.isoformat(),
        data_token=token,
        tables=counts,
        descriptions=descriptions,
        files=files,
        previous=kept,
    )
    _save_manifest(manifest)
    store = storage()
    for old in dropped:
        for described in old["files"].values():
            if store.exists(described["path"]):
                store.delete(described["path"])
    return manifest


# JSON Lines are escaped and compressed this many rows at a time.
LINES_AT_ONCE = 2000
# The JSON Lines' gzip level: zlib's default. Level 9 (gzip's own default)
# compressed twice as slowly (about 1.5 s more for 187,000 rows, a fifth of
# the whole snapshot) for a file 4% smaller.
GZIP_LEVEL = 6


def statuses_on(today: dt.date) -> str:
    """A digest of how many partnerships have each status on ``today``.
    Dates move a record's status one way only (proposed, then the recorded
    status, then completed): these counts change whenever any record's
    status does, so a scheduled ``build_snapshot`` writes a new snapshot on
    the first run after a day that moved one."""
    counts = sorted(
        Partnership.objects.with_status(today)
        .order_by()
        .values_list("status_now")
        .annotate(records=Count("pk"))
    )
    return hashlib.sha256(json.dumps(counts).encode()).hexdigest()[:16]


def _write(
    zipped, lines, stamp: str, today: dt.date
) -> tuple[dict[str, int], dict[str, str]]:
    counts: dict[str, int] = {}
    descriptions: dict[str, str] = {}
    with (
        zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        gzip.GzipFile(
            fileobj=lines, mode="wb", mtime=0, compresslevel=GZIP_LEVEL
        ) as jsonl,
    ):

        def write_lines(pending: list[dict]) -> None:
            if pending:
                jsonl.write(script_safe_json_lines(pending))
                pending.clear()

        for table in tables(today):
            descriptions[table.name] = table.description
            count = 0
            pending: list[dict] = []
            with archive.open(f"{table.name}.csv", "w") as raw:
                # With a byte-order mark, as the site's CSV download: a
                # spreadsheet opened on it reads UTF-8, not its own code page.
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(table.columns)
                for row in table.rows():
                    writer.writerow(csv_row(row))
                    pending.append(
                        {
                            "table": table.name,
                            **dict(zip(table.columns, row, strict=True)),
                        }
                    )
                    if len(pending) >= LINES_AT_ONCE:
                        write_lines(pending)
                    count += 1
                write_lines(pending)
                text.flush()
                text.detach()
            counts[table.name] = count
        archive.writestr(
            "README.txt",
            f"coopsite records, snapshot {stamp}.\n"
            "One CSV file per table (UTF-8 with a byte-order mark, a header "
            "row). Ids are stable across snapshots and are the ids the API "
            "uses.\n"
            "Text that would start like a spreadsheet formula (= + - @) has a "
            "leading apostrophe.\n\n"
            + "".join(
                f"{name}.csv ({counts[name]} rows): {text}\n"
                for name, text in descriptions.items()
            ),
        )
    return counts, descriptions


def _save_manifest(manifest: Manifest) -> None:
    store = storage()
    payload = json.dumps(manifest.to_json(), indent=2, sort_keys=True).encode()
    if store.exists(MANIFEST):
        store.delete(MANIFEST)
    store.save(MANIFEST, io.BytesIO(payload))


def _digest(handle) -> str:
    """The SHA-256 of a file written so far, read from its start."""
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _store(handle, name: str) -> dict:
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    size = handle.tell()
    handle.seek(0)
    stored = storage().save(f"{FOLDER}/{name}", File(handle, name=name))
    return {"name": stored.rsplit("/", 1)[-1], "path": stored, "size": size,
            "sha256": digest.hexdigest()}  # fmt: skip
