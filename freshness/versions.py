"""When the public data last changed, as one small source that conditional
GET (ETag, Last-Modified) and the bulk downloads share.

``current()`` answers in one query: the data version (bumped after every
committed change) and the publication time of the newest public article,
which moves when a scheduled article's time comes without anything being
saved. ``code_version()`` changes when the code that renders the data does
(a deploy), so that an ETag never outlives the output it stands for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Freshness:
    """What the public data is now: a token that changes with every change,
    and when the last change happened."""

    token: str
    last_modified: dt.datetime


class _Bump:
    """One transaction's new version, written when it commits."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        bump()


def data_changed() -> None:
    """Give the data a new version once the current transaction commits
    (at once outside one). Called by the signals for single saves and for
    bulk writes (``core.signals.bulk_saved``).

    However many changes a transaction makes, it queues one callback: a
    pending one is reused until it has run, or until a rollback made Django
    forget it (as the search index batches its work).
    """
    pending = getattr(connection, "_freshness_pending", None)
    if (
        pending is not None
        and not pending.done
        and any(entry[1] is pending for entry in connection.run_on_commit)
    ):
        return
    pending = _Bump()
    setattr(connection, "_freshness_pending", pending)  # noqa: B010
    transaction.on_commit(pending)


def bump() -> None:
    from .models import DataVersion

    now = timezone.now()
    if not DataVersion.objects.filter(pk=1).update(
        version=uuid.uuid4(), changed_at=now
    ):
        DataVersion.objects.update_or_create(
            pk=1, defaults={"version": uuid.uuid4(), "changed_at": now}
        )


def current() -> Freshness:
    """The data's version and last change, in one query."""
    from articles.models import Article

    from .models import DataVersion

    newest_public = (
        Article.objects.published().order_by("-published_at").values("published_at")
    )
    row: tuple | None = (
        DataVersion.objects.filter(pk=1)
        .annotate(newest=Subquery(newest_public[:1]))
        .values_list("version", "changed_at", "newest")
        .first()
    )
    if row is None:  # the row is made by a migration; a flushed database lacks it
        row = (
            None,
            EPOCH,
            newest_public.values_list("published_at", flat=True).first(),
        )
    version, changed_at, newest = row
    token = hashlib.sha256(f"{version}|{newest}".encode()).hexdigest()[:24]
    return Freshness(token=token, last_modified=max(changed_at, newest or EPOCH))


def code_version() -> tuple[str, dt.datetime]:
    """A hash of the code and templates that render the data, and when they
    last changed; ``COOPSITE_RELEASE`` (a deploy's commit id) if set."""
    return _code_version(getattr(settings, "COOPSITE_RELEASE", ""))


@cache
def _code_version(release: str) -> tuple[str, dt.datetime]:
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256(release.encode())
    newest = 0.0
    if not release:
        for path in sorted(_source_files(root)):
            stat = path.stat()
            newest = max(newest, stat.st_mtime)
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    modified = dt.datetime.fromtimestamp(newest, tz=dt.UTC) if newest else EPOCH
    return digest.hexdigest()[:16], max(modified, EPOCH)


def _source_files(root: Path):
    skip = {".venv", "node_modules", "staticfiles", "media", ".git", "tests", "bench"}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".")]
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                yield Path(folder) / name
