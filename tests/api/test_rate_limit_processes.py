"""The rate limit holds across app processes: two gunicorn servers that
share a cache count one client's requests together (as production does with
Redis); with a cache of their own each, they would let twice as many
through. Real HTTP on loopback, a handful of requests."""

import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

LIMIT = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(folder: Path) -> str:
    """The test database, for other processes: SQLite's in-memory one
    copied to a file; PostgreSQL's test database as it is (its tables are
    committed; nothing these requests read is in the test's transaction)."""
    if connection.vendor == "sqlite":
        path = folder / "db.sqlite3"
        connection.ensure_connection()
        # (The backup API would wait forever on the test's open transaction;
        # the full-text index is left out, as the API does not read it.)
        script = "\n".join(
            statement
            for statement in connection.connection.iterdump()
            if "_fts" not in statement
        )
        with sqlite3.connect(path) as target:
            target.executescript(script)
        return f"sqlite:///{path}"
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_servers(folder: Path, cache_url: str, count: int = 2):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coopsite.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(folder),
        "CACHE_URL": cache_url,
        "DJANGO_API_RATE_LIMIT": f"{LIMIT}/hour",
    }
    servers = []
    for _ in range(count):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "coopsite.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "error"],
            cwd=settings.BASE_DIR,
            env=env,
        )  # fmt: skip
        servers.append((process, f"http://127.0.0.1:{port}"))
    for process, url in servers:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/robots.txt", timeout=5).close()  # noqa: S310
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    return servers


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/tags/", timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def not_at_the_end_of_an_hour():
    now = dt.datetime.now(dt.UTC)
    if now.minute == 59 and now.second > 30:
        time.sleep(61 - now.second)


@pytest.mark.parametrize(
    ("cache", "shared"), [("filecache", True), ("locmemcache", False)]
)
def test_app_processes_count_one_clients_requests_together_in_a_shared_cache(
    tmp_path, cache, shared
):
    cache_url = (
        f"filecache://{tmp_path / 'cache'}" if shared else "locmemcache://per-process"
    )
    servers = start_servers(tmp_path, cache_url)
    try:
        not_at_the_end_of_an_hour()
        answers = [status(servers[n % 2][1]) for n in range(LIMIT + 1)]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=20)
    assert answers[:LIMIT] == [200] * LIMIT
    # Shared: the sixth request is one too many, whichever process gets it.
    # Each process on its own has seen only three.
    assert answers[LIMIT] == (429 if shared else 200)
