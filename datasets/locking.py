"""One import at a time.

Two imports at once would each plan against what the other is writing. The
second one says "another import is running" and stops, before reading
anything: on PostgreSQL through a session advisory lock (released by the
server if the process dies), elsewhere through a row in ``ImportLock``
(taken over when the process that holds it is gone).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

from .models import ImportLock

LOCK_NAME = "dataset-import"
# pg_advisory_lock's key: any bigint the site uses for nothing else.
ADVISORY_KEY = int.from_bytes(b"coopimp", "big")


class AnotherImportRunning(Exception):
    def __init__(self, holder: str = ""):
        detail = f" ({holder})" if holder else ""
        super().__init__(
            f"another import is running{detail}; wait for it to finish and try again"
        )


@contextmanager
def import_lock() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with _advisory_lock():
            yield
    else:
        with _lock_row():
            yield


@contextmanager
def _advisory_lock() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
        if not cursor.fetchone()[0]:
            raise AnotherImportRunning()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])


def _me() -> str:
    return f"process {os.getpid()} on {socket.gethostname()}"


@contextmanager
def _lock_row() -> Iterator[None]:
    me = _me()
    try:
        with transaction.atomic():
            ImportLock.objects.create(name=LOCK_NAME, holder=me)
    except IntegrityError:
        holder = ImportLock.objects.filter(name=LOCK_NAME).first()
        if holder is not None and _alive(holder.holder):
            raise AnotherImportRunning(
                f"{holder.holder}, since {holder.since:%Y-%m-%d %H:%M} UTC"
            ) from None
        # The process that held it is gone: take the lock over.
        ImportLock.objects.filter(name=LOCK_NAME).delete()
        with transaction.atomic():
            ImportLock.objects.create(name=LOCK_NAME, holder=me)
    try:
        yield
    finally:
        ImportLock.objects.filter(name=LOCK_NAME, holder=me).delete()


def _alive(holder: str) -> bool:
    """Whether the process a lock row names still runs. One on another
    machine is taken to be alive: there is no asking it."""
    try:
        _, pid, _, host = holder.split(" ", 3)
        pid_number = int(pid)
    except ValueError:
        return True
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid_number, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
