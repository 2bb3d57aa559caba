"""Public reads from a read replica, everything else from the primary.

With ``DATABASE_REPLICA_URL`` set (see settings), the ``replica`` database
alias is a PostgreSQL streaming replica of ``default``. This module decides,
per request, which one reads:

* an anonymous reader's GET or HEAD reads from the replica: those are nearly
  all the requests a public site gets, and a replica that lags a second
  behind shows them nothing wrong (the page cache files each page under the
  version of the data it was read from, see ``freshness.pages``);
* everybody else reads from the primary: a request that writes (POST and
  the like), anyone with a session (editors, staff: they see what they just
  saved), and anyone who wrote in the last ``DATABASE_REPLICA_PIN_SECONDS``
  (a short-lived cookie set after a write pins them to the primary, so a
  reader never reads from before their own write, whatever the replica's
  lag);
* so does everything outside a request: management commands, imports,
  scheduled jobs, the shell. The replica is opt-in, per request.

Inside a transaction on the primary every read stays on the primary, and
every write goes to the primary. Migrations run on the primary only.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "coopsite_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reading_from: ContextVar[str] = ContextVar("coopsite_reading_from", default=PRIMARY)


def replica_configured() -> bool:
    return settings.COOPSITE_READ_REPLICA


def read_database() -> str:
    """The alias that reads in the current context."""
    return _reading_from.get()


@contextmanager
def reading_from(alias: str):
    """Reads in the block go to ``alias`` (``replica`` only if configured)."""
    if alias == REPLICA and not replica_configured():
        alias = PRIMARY
    token = _reading_from.set(alias)
    try:
        yield
    finally:
        _reading_from.reset(token)


class PrimaryReplicaRouter:
    """Reads where :func:`read_database` says, writes to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias == REPLICA and connections[PRIMARY].in_atomic_block:
            return PRIMARY  # a transaction reads what it is about to write
        return alias

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reads_from_replica(request) -> bool:
    """Whether ``request`` may read from the replica (see the module's doc)."""
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and PIN_COOKIE not in request.COOKIES
    )


class ReplicaRoutingMiddleware:
    """Chooses the database a request reads from, and pins whoever writes to
    the primary for a while (read-your-writes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        alias = REPLICA if reads_from_replica(request) else PRIMARY
        with reading_from(alias):
            response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
