"""The browser suite: Playwright driving the system's Chromium against a live
server with the demo content. Run by `make test-browser` (and CI), not by
`make test`: it needs Chromium, Java and the npm tools in package.json.

One Chromium and one live server serve the whole run. The test database is
SQLite in memory, whose one connection the live server's threads share with
the tests, so the server sees what a test's transaction holds:

- ``site``: the demo, loaded once per module (``demo`` in tests/conftest.py);
  each test runs in a savepoint on top of it, rolled back after it. For the
  tests that read pages, or that change data themselves in ``with commit():``.
- ``fresh_site``: the demo loaded for one test and committed, the database
  emptied after it (a transactional test). For journeys that write through
  the admin, so that what waits for the commit (the search index, the
  network's table) runs as in production. Mark such tests
  ``django_db(transaction=True, serialized_rollback=True)``, in a module of
  their own: a module that shares content runs none.

`make test-browser` runs the modules on one worker per core (pytest-xdist),
each worker with its own database, live server and Chromium.
"""

import os
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from partnerships.models import Country
from tests.conftest import _load_demo as load_demo
from tests.sharing import shared_content

# Playwright's synchronous API runs an event loop in this thread; the ORM
# calls the tests make themselves are safe (one thread, one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Assertions wait as long as actions do: CI machines are slower and busier
# than a laptop, and an answer the server gives in 6 s is not a failure.
expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("COOPSITE_CHROMIUM", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# axe-core on the page as it is; only the violations come back (axe skips
# the details of what passed, and nothing else crosses to Python).
AXE_RUN = """
tags => axe.run(document, {
  runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations'],
}).then(result => result.violations.map(
  v => `${v.id}: ${JSON.stringify(v.nodes.slice(0, 3).map(n => n.target))}`))
"""


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page now shown, one line each."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        assert AXE.exists(), "npm ci first: axe-core is missing"
        page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, AXE_TAGS)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(django_db_setup):
    """One live server for the run, on the tests' database connection.
    (pytest-django's ``live_server`` would make every test that uses it
    transactional: the database emptied, the demo loaded again, each time.)"""
    server = LiveServer(
        os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    _one_request_at_a_time(server.thread.httpd)
    yield server
    # Stopped, its connection left shared: the threads of connections
    # Chromium keeps alive close theirs after this; the database goes with
    # the session.
    server.thread.terminate()


def _one_request_at_a_time(httpd) -> None:
    """The server's threads answer one request at a time: they share one
    SQLite connection, which two threads at once misuse ("bad parameter or
    other API misuse": a page's live preview fetched while its form posts
    lost the editor's session once in CI)."""
    app, lock = httpd.get_app(), threading.Lock()

    def serialized(environ, start_response):
        with lock:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return [body]

    httpd.set_app(serialized)


@pytest.fixture(scope="module")
def demo_shared(request, django_db_setup, django_db_blocker):
    """The demo, shared by a module's tests (tests/conftest.py), on the
    database as migrations left it. A ``fresh_site`` test empties the
    database after it, and only the next such test restores what
    migrations made (the countries, content types, permissions): xdist may
    give a worker a module that shares the demo after one of those."""
    with django_db_blocker.unblock():
        if not Country.objects.exists():
            connection.creation.deserialize_db_from_string(
                connection._test_serialized_contents
            )
    yield from shared_content(request, django_db_blocker, load_demo)


@pytest.fixture
def site(server, demo):
    """The live server's address, with the demo content: loaded once per
    module, what a test changes rolled back after it."""
    if not server.thread.connections_override:
        pytest.fail(
            "the live server sees a test's transaction only on SQLite in "
            "memory, as `make test-browser` runs (not with --reuse-db or "
            "PostgreSQL)"
        )
    return server.url


@pytest.fixture
def fresh_site(server, transactional_db):
    """The live server's address, with the demo content loaded and committed
    for this test alone."""
    call_command("load_demo", stdout=StringIO())
    return server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
