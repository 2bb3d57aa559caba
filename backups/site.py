"""The whole site as one JSON file, and back.

An export holds every record a person made: users and their roles,
countries, blocs, organisations, systems and partnerships with their
participants, systems, sources, aliases, external ids and tags, every
record's history, articles with their links to records, revisions and old
addresses, the picture library (descriptions and the files themselves,
byte for byte), and the admin's log. It leaves out what is rebuilt from those
(the search index, the mention detector's version, the network's table of
ties, pictures' renditions, articles' bodies as readers see them),
sessions, and Django's
own tables of content types and permissions (created by ``migrate``; the
export names them by their natural keys).

The file is a JSON object::

    {"format": "coopsite-site-export", "version": 2,
     "schema": {"articles": "0007_...", ...},
     "objects": [... Django's serialisation, with natural foreign keys ...],
     "files": [{"name": "images/originals/...", "sha256": "...",
                "base64": "..."}, ...]}

Restoring it replaces the content of a database migrated to the same
schema, in one transaction: all of it, or, on any error, nothing. The
pictures' files are written to the ``default`` storage under the names
they had, checked against their checksums, and their renditions made
again; if the restore fails, the files it wrote are removed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch

FORMAT = "coopsite-site-export"
SERIAL_FORMAT = "sitejson"  # see serializer.py
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 had no picture files

# What an export holds: these apps' models, and these of Django's.
CONTENT_APPS = ("accounts", "partnerships", "images", "articles", "datasets")
DJANGO_MODELS = ("auth.group", "admin.logentry")
# Rebuilt after a restore, never exported.
DERIVED_MODELS = (
    "partnerships.mentionindex",
    "partnerships.countrylink",
    "datasets.importlock",
)
REBUILT_APPS = ("search", "sessions")


class SiteImportError(Exception):
    """An export that cannot be restored here, and why."""


def exported_models() -> list[str]:
    labels = [
        model._meta.label_lower
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in DERIVED_MODELS
    ]
    return [*labels, *DJANGO_MODELS]


def schema() -> dict[str, str]:
    """The last migration applied for each app the export holds."""
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in sorted(applied):
        if app in {label.split(".")[0] for label in exported_models()}:
            latest[app] = max(latest.get(app, ""), name)
    return latest


def _objects() -> Iterator:
    """Every exported object: models in the order their dependencies need,
    each model's rows by their primary key column (not ``pk``, which on an
    inheriting model would sort by the parent's default ordering and so by
    the database's collation)."""
    models = [apps.get_model(label) for label in exported_models()]
    by_app: dict = {}
    for model in models:
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    for model in serializers.sort_dependencies(by_app.items(), allow_cycles=True):
        yield from _rows(model).iterator(chunk_size=2000)


def _rows(model):
    """A model's rows with what serialising them reads, fetched with them
    rather than one query per row: the objects its foreign keys name by
    natural key (a history row's user, a log entry's content type) and its
    many-to-many relations, in the order the serialiser would read them."""
    queryset = model._base_manager.order_by(model._meta.pk.attname)
    natural = _natural_key_relations(model)
    if natural:
        queryset = queryset.select_related(*natural)
    for field in model._meta.local_many_to_many:
        related = field.related_model
        values = related._base_manager.order_by(*(related._meta.ordering or []), "pk")
        if hasattr(related, "natural_key") and _natural_key_relations(related):
            values = values.select_related(*_natural_key_relations(related))
        queryset = queryset.prefetch_related(Prefetch(field.name, queryset=values))
    return queryset


def _natural_key_relations(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if field.many_to_one and hasattr(field.related_model, "natural_key")
    ]


def export_site(path: Path) -> int:
    """Write the whole site to ``path`` (replaced only once the export is
    complete); returns the number of objects written."""
    path = Path(path)
    header = json.dumps(
        {"format": FORMAT, "version": VERSION, "schema": schema()}, indent=1
    )
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    counted = _Counter()
    try:
        # The file holds password hashes: readable by its owner only (the
        # mode mkstemp gives it).
        with os.fdopen(handle, "w", encoding="utf-8") as out, _snapshot():
            out.write(header[:-2] + ',\n "objects": ')
            serializers.serialize(
                SERIAL_FORMAT,
                counted(_objects()),
                stream=out,
                indent=1,
                use_natural_foreign_keys=True,
            )
            out.write(',\n "files": [')
            for i, entry in enumerate(_files()):
                out.write(("," if i else "") + "\n  " + json.dumps(entry))
            out.write("\n ]\n}\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return counted.count


def _files() -> Iterator[dict]:
    """Every picture's original file, in the order of the pictures."""
    from images.models import Image

    for name, checksum in (
        Image.objects.order_by("pk").values_list("file", "checksum").iterator()
    ):
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
        yield {
            "name": name,
            "sha256": checksum,
            "base64": base64.b64encode(content).decode("ascii"),
        }


@contextmanager
def _snapshot():
    """One consistent view of the database for the whole export, though
    editors go on working: a transaction, which on PostgreSQL sees the data
    as it was when it began (SQLite's already does). Inside a transaction
    already begun (a caller's, or a test's), that transaction's view is the
    one there is: PostgreSQL sets the isolation level only before the first
    query."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
        yield


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, items):
        for item in items:
            self.count += 1
            yield item


def read_export(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise SiteImportError(f"There is no file {path}.") from None
    except IsADirectoryError:
        raise SiteImportError(f"{path} is a folder; name the export's file.") from None
    except PermissionError:
        raise SiteImportError(f"{path} cannot be read (permission denied).") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SiteImportError(f"{path} is not a JSON file ({exc}).") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SiteImportError(f"{path} is not a coopsite export (made by export_site).")
    if data.get("version") not in READABLE_VERSIONS:
        raise SiteImportError(
            f"{path} is an export of version {data.get('version')}; this site reads "
            f"versions {', '.join(map(str, READABLE_VERSIONS))}."
        )
    if not isinstance(data.get("objects"), list):
        raise SiteImportError(f"{path} holds no list of objects.")
    data["files"] = _read_files(data, path)
    return data


def _read_files(data: dict, path: Path) -> dict[str, bytes]:
    """The export's picture files by name, each checked against its checksum
    and against the pictures that name it."""
    files: dict[str, bytes] = {}
    entries = data.get("files", [])
    if not isinstance(entries, list):
        raise SiteImportError(f"{path}: 'files' is not a list.")
    for entry in entries:
        try:
            name, checksum = entry["name"], entry["sha256"]
            content = base64.b64decode(entry["base64"], validate=True)
        except (KeyError, TypeError, ValueError):
            raise SiteImportError(f"{path}: a picture file cannot be read.") from None
        if hashlib.sha256(content).hexdigest() != checksum:
            raise SiteImportError(
                f"{path}: the picture file {name} is damaged (its checksum differs)."
            )
        if name.startswith("/") or ".." in name.split("/"):
            raise SiteImportError(f"{path}: {name} is not a picture file's name.")
        files[name] = content
    named = {
        item["fields"]["file"]: item["fields"].get("checksum")
        for item in data["objects"]
        if isinstance(item, dict) and item.get("model") == "images.image"
    }
    missing = sorted(set(named) - set(files))
    if missing:
        raise SiteImportError(
            f"{path} lacks the files of {len(missing)} picture(s), e.g. {missing[0]}."
        )
    for name, checksum in named.items():
        if hashlib.sha256(files[name]).hexdigest() != checksum:
            raise SiteImportError(
                f"{path}: the picture file {name} is not the one its picture "
                "describes (the checksums differ)."
            )
    return files


def check_schema(exported: dict[str, str]) -> None:
    here = schema()
    if exported == here:
        return
    known = MigrationLoader(connection, ignore_no_migrations=True).disk_migrations
    differences = []
    for app in sorted(set(exported) | set(here)):
        theirs, ours = exported.get(app), here.get(app)
        if theirs == ours:
            continue
        if theirs and (app, theirs) not in known:
            differences.append(
                f"{app}: the export is at {theirs}, which this code does not have"
            )
        else:
            differences.append(
                f"{app}: the export is at {theirs}, this database at {ours}"
            )
    raise SiteImportError(
        "The export was made with a different database schema ("
        + "; ".join(differences)
        + "). Restore it with the version of coopsite that made it, then upgrade."
    )


def content_counts() -> dict[str, int]:
    """What makes a database not empty: people and their work, including
    any change made to the countries and blocs a new database starts with
    (each leaves a history row, or a line in the admin's log)."""
    from django.contrib.admin.models import LogEntry

    from articles.models import Article
    from images.models import Image
    from partnerships.models import Organisation, Partnership, System, Tag

    counts = {
        "users": get_user_model().objects.count(),
        "articles": Article.objects.count(),
        "partnerships": Partnership.objects.count(),
        "organisations": Organisation.objects.count(),
        "systems": System.objects.count(),
        "tags": Tag.objects.count(),
        "pictures": Image.objects.count(),
        "admin log entries": LogEntry.objects.count(),
    }
    counts["record changes"] = sum(
        model._default_manager.count()
        for model in apps.get_app_config("partnerships").get_models()
        if model.__name__.startswith("Historical")
    )
    return counts


def _tables() -> list[str]:
    """Every table an import empties: the exported models', and the ones
    rebuilt from them."""
    models = [apps.get_model(label) for label in exported_models()]
    for app in REBUILT_APPS:
        models += list(apps.get_app_config(app).get_models())
    models += [apps.get_model(label) for label in DERIVED_MODELS]
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables += [
            field.remote_field.through._meta.db_table
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        ]
    return sorted(set(tables))


def clear_site() -> None:
    """Delete all content (see ``_tables``), without signals: one statement
    per table (one in all on PostgreSQL)."""
    statements = connection.ops.sql_flush(no_style(), _tables(), reset_sequences=True)
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with foreign key checks still pending from
        # earlier in the transaction: run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def import_site(path: Path, *, replace: bool = False) -> int:
    """Restore an export into this database; returns the number of objects.
    Refuses (SiteImportError) a database that holds content, unless
    ``replace``; on any error nothing changes."""
    data = read_export(path)
    check_schema(data.get("schema") or {})
    counts = {name: count for name, count in content_counts().items() if count}
    if counts and not replace:
        held = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        raise SiteImportError(
            f"This database is not empty (it holds {held}). Restore into an empty "
            "database, or pass --replace to delete its content and load the export."
        )
    count = len(data["objects"])
    files = data.pop("files")
    written = _write_files(files)
    try:
        _load(data)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    _make_renditions()
    return count


def _write_files(files: dict[str, bytes]) -> list[str]:
    """Put each picture file in the storage under its exported name; returns
    the names this wrote (files already there, identical, are left)."""
    written = []
    try:
        for name, content in files.items():
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as handle:
                    if handle.read() == content:
                        continue
                default_storage.delete(name)
            saved = default_storage.save(name, ContentFile(content))
            written.append(saved)
            if saved != name:
                raise SiteImportError(f"The storage would not take the name {name}.")
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return written


def _make_renditions() -> None:
    from images.models import Image
    from images.renditions import make_renditions

    for image in Image.objects.order_by("pk").iterator():
        make_renditions(image)


def _load(data: dict) -> None:
    from partnerships import links
    from partnerships.models import MentionIndex

    with tempfile.TemporaryDirectory() as folder:
        fixture = Path(folder) / f"site.{SERIAL_FORMAT}"
        fixture.write_text(json.dumps(data["objects"]), encoding="utf-8")
        del data
        try:
            with transaction.atomic():
                clear_site()
                # Search indexes what loaddata saved when this commits.
                call_command("loaddata", str(fixture), verbosity=0)
                MentionIndex.bump()
                links.rebuild_on_commit()  # the network's table of ties
        except SiteImportError:
            raise
        except Exception as exc:  # a broken or inconsistent export
            raise SiteImportError(f"The export could not be loaded: {exc}") from exc
