"""When the public data last changed, as one small source that conditional
GET (ETag, Last-Modified) and the bulk downloads share.

``current()`` answers in one query: the data version (bumped after every
committed change) and the publication time of the newest public article,
which moves when a scheduled article's time comes without anything being
saved. ``cached_current()`` is the same answer kept in the shared cache,
in no query at all, for every app process at once (see its doc).
``code_version()`` changes when the code that renders the data does
(a deploy), so that an ETag never outlives the output it stands for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar, Token
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

logger = logging.getLogger(__name__)

# The shared cache's keys: a counter every committed change advances, and
# the last answer of current() with the counter it was read under.
GENERATION_KEY = "freshness:generation"
MEMO_KEY = "freshness:current"


@dataclass(frozen=True)
class Freshness:
    """What the public data is now: a token that changes with every change,
    and when the last change happened."""

    token: str
    last_modified: dt.datetime


class _Bump:
    """One transaction's new version, written when it commits (or already
    written inside it, by :func:`version_at_commit`: then the commit only
    tells the shared cache)."""

    def __init__(self) -> None:
        self.done = False
        self.written = False

    def __call__(self) -> None:
        self.done = True
        if self.written:
            _advance_generation()
        else:
            bump()


def _pending() -> _Bump | None:
    """This connection's bump waiting for the commit, if any."""
    pending = getattr(connection, "_freshness_pending", None)
    if (
        pending is not None
        and not pending.done
        and any(entry[1] is pending for entry in connection.run_on_commit)
    ):
        return pending
    return None


def data_changed() -> None:
    """Give the data a new version once the current transaction commits
    (at once outside one). Called by the signals for single saves and for
    bulk writes (``core.signals.bulk_saved``).

    However many changes a transaction makes, it queues one callback: a
    pending one is reused until it has run, or until a rollback made Django
    forget it (as the search index batches its work).
    """
    pending = _pending()
    if pending is not None and not pending.written:
        return
    pending = _Bump()
    setattr(connection, "_freshness_pending", pending)  # noqa: B010
    transaction.on_commit(pending)


def bump() -> None:
    """A new version, now (the data changed and the change is committed);
    every app process's :func:`cached_current` sees it at its next call."""
    from .models import DataVersion

    now = timezone.now()
    if not DataVersion.objects.filter(pk=1).update(
        version=uuid.uuid4(), changed_at=now
    ):
        DataVersion.objects.update_or_create(
            pk=1, defaults={"version": uuid.uuid4(), "changed_at": now}
        )
    _advance_generation()


def committed_version() -> uuid.UUID | None:
    """The data version as committed, or None while this connection holds a
    change that is not (the version it will have is not known yet)."""
    from .models import DataVersion

    pending = _pending()
    if pending is not None and not pending.written:
        return None
    return DataVersion.objects.filter(pk=1).values_list("version", flat=True).first()


def version_at_commit() -> uuid.UUID:
    """The version the data will have once the current transaction commits.

    If the transaction changed anything, that is a new version, written now
    inside it: the row stays locked to other writers until the commit (on
    PostgreSQL), so a change another process commits later gets a version
    of its own, never this one. The shared cache learns of it on commit.
    A caller can keep the answer with what it did (an import run keeps the
    version its records had when it finished)."""
    from .models import DataVersion

    pending = _pending()
    if pending is not None and not pending.written:
        version = uuid.uuid4()
        DataVersion.objects.update_or_create(
            pk=1, defaults={"version": version, "changed_at": timezone.now()}
        )
        pending.written = True
        return version
    found = committed_version()
    if found is None:  # a flushed database: the row is made with a version
        found = DataVersion.objects.create(pk=1).version
    return found


def current() -> Freshness:
    """The data's version and last change, in one query."""
    return _read()[0]


def _read() -> tuple[Freshness, dt.datetime | None]:
    """current(), and when the next scheduled article is due (if any), in
    one query."""
    from articles.models import Article

    from .models import DataVersion

    newest_public = (
        Article.objects.published().order_by("-published_at").values("published_at")
    )
    next_due = (
        Article.objects.scheduled().order_by("published_at").values("published_at")
    )
    row: tuple | None = (
        DataVersion.objects.filter(pk=1)
        .annotate(newest=Subquery(newest_public[:1]), due=Subquery(next_due[:1]))
        .values_list("version", "changed_at", "newest", "due")
        .first()
    )
    if row is None:  # the row is made by a migration; a flushed database lacks it
        row = (
            None,
            EPOCH,
            newest_public.values_list("published_at", flat=True).first(),
            next_due.values_list("published_at", flat=True).first(),
        )
    version, changed_at, newest, due = row
    token = hashlib.sha256(f"{version}|{newest}".encode()).hexdigest()[:24]
    freshness = Freshness(token=token, last_modified=max(changed_at, newest or EPOCH))
    return freshness, due


def cached_current() -> Freshness:
    """current(), kept in the shared cache: see :func:`cached_current_with`."""
    return cached_current_with()[0]


def cached_current_with(*keys: str) -> tuple[Freshness, dict | None]:
    """:func:`cached_current`, and the values the shared cache holds under
    ``keys``, read in the same round trip (those it has), or None when the
    version had to be read from the database (then they are not known to
    belong to it) or the cache could not be reached. A page cache that guesses the key of the page it will
    want (under the version it saw last) gets version and page at once.

    current(), kept in the shared cache (Redis in production) so that
    asking costs no query, in any app process, until either

    * a change is committed (:func:`bump` advances a counter in the cache:
      an answer read under an older count is never used again, however the
      processes' reads and writes interleave), or
    * the next scheduled article is due (it appears on time although
      nothing is saved then).

    On a miss it is one query, on the primary database: a replica that lags
    must not file an old answer under the new count. If the cache cannot be
    reached, every call is that one query.
    """
    from coopsite.replicas import PRIMARY, reading_from

    cache = caches[settings.COOPSITE_FRESHNESS_CACHE]
    try:
        found = cache.get_many([GENERATION_KEY, MEMO_KEY, *keys])
    except Exception:
        logger.warning("The shared cache is unreachable", exc_info=True)
        with reading_from(PRIMARY):
            return current(), None
    generation = found.pop(GENERATION_KEY, None)
    memo = found.pop(MEMO_KEY, None)
    if generation is not None and memo is not None:
        memo_generation, freshness, due = memo
        if memo_generation == generation and (due is None or timezone.now() < due):
            return freshness, found
    with reading_from(PRIMARY):
        freshness, due = _read()
    try:
        if generation is None:
            generation = _start_generation(cache)
        cache.set(
            MEMO_KEY,
            (generation, freshness, due),
            settings.COOPSITE_FRESHNESS_MEMO_SECONDS,
        )
    except Exception:
        logger.warning("The shared cache is unreachable", exc_info=True)
    return freshness, None


def _start_generation(cache) -> int:
    # A random start: a counter that was evicted and starts again never
    # meets an answer filed under its old count.
    cache.add(GENERATION_KEY, secrets.randbits(52), timeout=None)
    return cache.get(GENERATION_KEY)


def _advance_generation() -> None:
    cache = caches[settings.COOPSITE_FRESHNESS_CACHE]
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet (or evicted)
            _start_generation(cache)
    except Exception:
        # The change is committed; the answers cached meanwhile expire in
        # COOPSITE_FRESHNESS_MEMO_SECONDS.
        logger.error("The shared cache missed a data change", exc_info=True)


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


def kept_for_version[T](
    name: str,
    compute: Callable[[], T],
    freshness: Freshness | None = None,
    *,
    keep: Callable[[T], bool] | None = None,
    stale: bool = False,
) -> T:
    """``compute()``, kept in the shared cache under ``name`` for as long as
    the data keeps its version: counts and figures a page shows (facets,
    the home page's totals) are made once per change of the data, by any
    app process, and never outlive it (a committed change, or a scheduled
    article's time coming, gives a new version and so a new key). Off
    (``COOPSITE_KEEP_COUNTS``) it is ``compute()`` every time. A caller
    keeping several values for one request passes the ``freshness`` it read
    once, rather than have each read it again. A value for which ``keep``
    says False is not kept (too big to share: it is computed again on the
    next request).

    With ``stale``, a value that may lag behind the data for a while (the
    counts beside a list's choices, the home page's figures; never what
    decides which rows a page shows, nor a list's own count, which its
    pages must agree with): when the data's version has none yet, the last
    value made under any version is answered at once if it is at most
    ``COOPSITE_STALE_COUNTS_SECONDS`` old, and one app process makes the
    new one in the background (:func:`refresh_later`), so that no reader
    waits for counts after a write. Such an answer marks the request
    (:func:`served_stale`): its page is neither kept nor validated as the
    version's. Older than that, or with the setting at 0, it is made at
    once, as without ``stale``."""
    if not settings.COOPSITE_KEEP_COUNTS:
        return compute()
    token = dated_token(freshness or cached_current())
    key = "kept:" + hashlib.sha256(f"{token}|{name}".encode()).hexdigest()
    cache = caches[settings.COOPSITE_FRESHNESS_CACHE]
    try:
        found = cache.get(key, _MISSING)
    except Exception:
        logger.warning("The shared cache is unreachable", exc_info=True)
        return compute()
    if found is not _MISSING:
        return found
    latest = _latest_key(name) if stale else None
    if latest is not None and settings.COOPSITE_STALE_COUNTS_SECONDS > 0:
        last = _last_value(cache, latest)
        if last is not _MISSING:
            if _claim_refresh(cache, key):
                refresh_later(partial(_refresh, name, key, latest, compute, keep))
            _stale_served.set(True)
            return cast("T", last)
    value = compute()
    _file(cache, key, latest, value, keep)
    return value


def kept_rendering(
    name: str,
    render: Callable[[], str],
    freshness: Freshness | None = None,
    *,
    keep: bool = True,
) -> SafeString:
    """``render()`` (a template's own, escaped, output: rows of the data a
    page shows), kept as :func:`kept_for_version` keeps a value: for the
    data's version and the day, under ``name`` (what else the rows are made
    from: which list, filters, page) with the code's version and the
    language. Never stale: drafts, publishes and a scheduled article's time
    are all in the version. With ``keep`` False (a refused form, rows
    particular to a reader), rendered each time."""
    if not keep:
        return mark_safe(render())  # noqa: S308 - the template's own (escaped) output
    kept = kept_for_version(
        f"rendered:{code_version()[0]}:{get_language()}:{name}", render, freshness
    )
    return mark_safe(kept)  # noqa: S308 - the template's own (escaped) output


_MISSING = object()

# The version-less value of each stale-able name: (when it was made, value).
LATEST_PREFIX = "kept-latest:"
# A process making a version's value holds this for its key: the others
# answer the last value meanwhile. Should it die, another one tries again
# once this has passed.
REFRESH_CLAIM_SECONDS = 120

_stale_served: ContextVar[bool] = ContextVar("coopsite_stale_served", default=False)


def _latest_key(name: str) -> str:
    return LATEST_PREFIX + hashlib.sha256(name.encode()).hexdigest()


def _last_value(cache, latest: str) -> object:
    """The last value made under ``latest``'s name, if recent enough."""
    try:
        found = cache.get(latest)
    except Exception:
        logger.warning("The shared cache is unreachable", exc_info=True)
        return _MISSING
    if not isinstance(found, tuple) or len(found) != 2:
        return _MISSING
    made, value = found
    if time.time() - made > settings.COOPSITE_STALE_COUNTS_SECONDS:
        return _MISSING
    return value


def _claim_refresh(cache, key: str) -> bool:
    """Whether this process is the one to make ``key``'s value now."""
    try:
        return cache.add(f"kept-making:{key}", 1, REFRESH_CLAIM_SECONDS)
    except Exception:
        logger.warning("The shared cache is unreachable", exc_info=True)
        return False


def _file(cache, key: str, latest: str | None, value, keep) -> None:
    if keep is not None and not keep(value):
        return
    try:
        cache.set(key, value, settings.COOPSITE_FRESHNESS_MEMO_SECONDS)
        if latest is not None:
            cache.set(
                latest, (time.time(), value), settings.COOPSITE_STALE_COUNTS_SECONDS
            )
    except Exception:
        logger.warning("The shared cache is unreachable", exc_info=True)


def _refresh(name: str, key: str, latest: str, compute, keep) -> None:
    try:
        value = compute()
    except Exception:
        # The claim stays until it expires: a value that cannot be made is
        # not tried again on every request meanwhile.
        logger.exception("Could not make the kept value %r", name)
        return
    cache = caches[settings.COOPSITE_FRESHNESS_CACHE]
    _file(cache, key, latest, value, keep)


def served_stale() -> bool:
    """Whether this request was answered a kept value older than the
    data's version (see :func:`kept_for_version`)."""
    return _stale_served.get()


def start_counting_stale() -> Token[bool]:
    """Start a request's :func:`served_stale` afresh (the page cache does)."""
    return _stale_served.set(False)


def stop_counting_stale(token: Token[bool]) -> None:
    _stale_served.reset(token)


# --- Making values in the background ---------------------------------------------------------


class _Refresher:
    """One background thread per app process that makes the kept values
    readers were answered an older one of, one at a time, reading from the
    primary database (as everything outside a request does), each with a
    database connection closed when it is done."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future | None = None

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            # A process forked from one that had a thread has none.
            if self._executor is None or self._pid != os.getpid():
                self._executor = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="coopsite-kept"
                )
                self._pid = os.getpid()
            executor = self._executor
            self._last = executor.submit(self._run, job)

    def wait(self, timeout: float | None = None) -> None:
        """Until the jobs submitted so far are done (they run in order)."""
        with self._lock:
            last = self._last if self._pid == os.getpid() else None
        if last is not None:
            futures.wait([last], timeout=timeout)

    @staticmethod
    def _run(job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            logger.exception("A background refresh failed")
        finally:
            connections.close_all()


_refresher = _Refresher()


# The jobs a request asked for, held until it has its answer (per thread: a
# request's view and its end run in the one thread).
_held = threading.local()


def refresh_later(job: Callable[[], None]) -> None:
    """Run ``job`` in this process's background thread once the request
    that asks for it has its answer (at once outside a request), so that it
    neither waits for it nor shares the database with it meanwhile."""
    jobs = getattr(_held, "jobs", None)
    if jobs is not None:
        jobs.append(job)
    else:
        _refresher.submit(job)


def hold_refreshes(**kwargs) -> None:
    """A request starts (``request_started``): its jobs wait for its end."""
    _held.jobs = []


def release_refreshes(**kwargs) -> None:
    """A request has its answer (``request_finished``): its jobs start."""
    jobs, _held.jobs = getattr(_held, "jobs", None), None
    for job in jobs or ():
        _refresher.submit(job)


def wait_for_refreshes(timeout: float | None = None) -> None:
    """Until this process's background has made the values asked of it so
    far (a command that warms them, a benchmark)."""
    _refresher.wait(timeout)


def dated_token(freshness) -> str:
    """The data's version and today's date: a partnership's status "as of
    today" moves at midnight with no write, so what shows one (a page, its
    kept counts, an API answer) is of a version and a day."""
    return f"{freshness.token}|{timezone.localdate()}"


def today_began() -> dt.datetime:
    """Midnight today, local time: an answer showing statuses changed then
    at the latest (its Last-Modified is never earlier)."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
