"""Servers on loopback for the tests and benchmarks that need real HTTP:
a free port, a wait until an address answers, and gunicorn started as
production runs it.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


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


def wait_for(
    url: str, *, process: subprocess.Popen | None = None, timeout: float = 60
) -> None:
    """Return once ``url`` answers at all (any HTTP status); raise if it has
    not within ``timeout`` seconds, or at once if ``process`` has ended."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server for {url} exited") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_gunicorn(
    env: dict[str, str], *, port: int | None = None, args: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the site on 127.0.0.1 with ``env``; the process and
    its address, once it answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "coopsite.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--log-level", "error", *args],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/robots.txt", process=process)
    except BaseException:
        stop(process)
        raise
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn_servers(
    env: dict[str, str], count: int, *, args: tuple[str, ...] = ("--workers", "1")
) -> Iterator[list[str]]:
    """``count`` gunicorn processes sharing ``env``; their addresses."""
    started: list[subprocess.Popen] = []
    try:
        urls = []
        for _ in range(count):
            process, url = start_gunicorn(env, args=args)
            started.append(process)
            urls.append(url)
        yield urls
    finally:
        for process in started:
            stop(process)
