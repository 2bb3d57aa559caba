"""Fixtures shared by the whole suite.

Every test is independent: it runs in its own transaction, rolled back after
it. Content that takes seconds to make and that many tests only read (the
demo, an imported dataset) is made once per module instead, by a
module-scoped fixture built with ``tests.sharing.shared_content``; each test still runs
in its own savepoint on top of it, so what a test changes is undone before
the next one, and the content itself is rolled back when the module ends.

- ``demo``: the demo content, as ``make run`` loads it, once per module.
- ``roles``, ``editor``, ``contributor``, ``researcher``, ``superuser`` and
  their ``*_client``: the staff groups exactly as ``setup_roles`` makes
  them (made once, with the test database), and a logged-in client for each
  role.
- ``country("TR")``: a country of the reference data (migrations load it).
- ``commit``: ``with commit(): ...`` runs at the end of the block what
  waits for the transaction to commit (search indexing), as a commit would.
- ``corpus_dir``, ``sipri_excerpt``, ``mme_excerpt``: the sample files in
  ../shared (skipped where absent).

To share other expensive content in a module, write a module-scoped fixture
that yields from ``shared_content(request, django_db_blocker, make)`` and a
function-scoped one that tests request (see ``demo`` here, ``site`` in
tests/backups/test_site_export.py). A test in that module
that does not request it fails with a clear message, instead of silently
seeing rows it did not ask for: put such tests in another module.
"""

import collections
import fcntl
import hashlib
import importlib.util
import os
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import factory.random
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.roles import ROLES
from partnerships.models import Country
from tests.factories import UserFactory
from tests.sharing import SHARED_IN_MODULE, shared_content

# Hypothesis checks what the properties say, not how fast this machine makes
# examples: on a shared, loaded machine (CI's included) making them can be
# slow, and no test should fail for it, nor for one example that took long.
hypothesis_settings.register_profile(
    "coopsite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("coopsite")

# The browser suite needs Playwright, which `make test-browser` installs; the
# rest of the suite does not collect it where Playwright is missing.
collect_ignore = [] if importlib.util.find_spec("playwright") else ["browser"]

# The sample essays and datasets live beside the project, outside it; point
# COOPSITE_SHARED_DIR elsewhere if they are somewhere else.
SHARED = Path(
    os.environ.get(
        "COOPSITE_SHARED_DIR", Path(__file__).resolve().parent.parent.parent / "shared"
    )
)


# Where `--reuse-db` keeps SQLite test databases between runs (git-ignored).
TEST_DATABASES = Path(__file__).resolve().parent.parent / ".pytest_cache" / "databases"


def _schema_fingerprint() -> str:
    """A hash of every migration and of the reference data they load: a
    reused test database is reused only while these are unchanged."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(
        [*root.glob("*/migrations/*.py"), *root.glob("partnerships/reference_data.py")]
    ):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# What a test must ask for to reach the database (directly, or through a
# fixture that does): pytest-django refuses every other test a connection.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help=(
            "run only the tests that use the database: the same suite again on "
            "another database (CI's PostgreSQL run) need not repeat the others"
        ),
    )


def uses_database(item) -> bool:
    return bool(
        item.get_closest_marker("django_db")
        or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_configure(config):
    # xdist hands out modules (``--dist loadfile``) in the order
    # pytest_collection_modifyitems leaves them, not re-sorted by how many
    # tests each holds: that would start the longest modules, which hold one
    # or two tests, last.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def _module_seconds(item) -> float:
    """About how many seconds of one core the item's module takes, as its
    ``long`` marker says (0 for a module without one)."""
    marker = item.get_closest_marker("long")
    return float(marker.args[0]) if marker else 0.0


def pytest_collection_modifyitems(config, items):
    # The modules marked ``long(seconds)`` run first, longest first, then the
    # others, those with more tests first: xdist hands out modules in this
    # order, and a long one started last would keep one worker busy long
    # after the others ran out of work.
    def module(item):
        return item.nodeid.split("::", 1)[0]

    tests_in = collections.Counter(module(item) for item in items)
    items.sort(key=lambda item: (-_module_seconds(item), -tests_in[module(item)]))
    if not config.getoption("database_tests_only"):
        return
    kept = [item for item in items if uses_database(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(
            items=[item for item in items if not uses_database(item)]
        )
        items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """With `--reuse-db` (as `make test` runs), SQLite's test database is a
    file named after the migrations' fingerprint (one per xdist worker), kept
    for the next run: a new or changed migration gets a new database, so
    reuse never meets a stale schema. A second run at the same time in the
    same checkout falls back to the usual in-memory database. Without the
    flag, or on PostgreSQL, nothing changes."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not request.config.getvalue("reuse_db") or "sqlite3" not in database["ENGINE"]:
        yield
        return
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    TEST_DATABASES.mkdir(parents=True, exist_ok=True)
    name = TEST_DATABASES / f"test-{_schema_fingerprint()}-{worker}.sqlite3"
    with open(f"{name}.lock", "w") as lock:  # held until the run ends
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another run uses it: keep to memory
            yield
            return
        for stale in TEST_DATABASES.glob(f"test-*-{worker}.sqlite3*"):
            if not stale.name.startswith(name.name):
                stale.unlink(missing_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(name)
        yield


@pytest.fixture(autouse=True, scope="session")
def _repeatable_fake_data():
    """The same Faker data on every run, so a failure can be reproduced."""
    factory.random.reseed_random("coopsite")


@pytest.fixture
def corpus_dir() -> Path:
    """The sample essays shipped beside the project; skipped where absent."""
    path = SHARED / "corpus"
    if not path.is_dir() or not any(path.iterdir()):
        pytest.skip("the sample essay corpus is not on this machine")
    return path


def _shared_data(name: str) -> Path:
    path = SHARED / "data" / name
    if not path.is_file():
        pytest.skip(f"the dataset excerpt {name} is not on this machine")
    return path


@pytest.fixture(scope="session")
def sipri_excerpt() -> Path:
    """SIPRI's trade register, 635 deals (../shared/data); skipped where absent."""
    return _shared_data("sipri-trade-register-excerpt.csv")


@pytest.fixture(scope="session")
def mme_excerpt() -> Path:
    """150 exercises of the MME dataset (../shared/data); skipped where absent."""
    return _shared_data("mme-exercises-excerpt.csv")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated (so holding the reference data), with the
    staff groups as ``setup_roles`` makes them (as ``make run`` does), made
    once for the whole run."""
    with django_db_blocker.unblock():
        call_command("setup_roles", stdout=StringIO())
        if connection.vendor == "postgresql":
            _without_autovacuum()


def _without_autovacuum() -> None:
    """Keep PostgreSQL's autovacuum off the test database's tables.

    Every test's rows are rolled back and left dead; autovacuum, cleaning
    them up, records a table as empty over its pages (12 pages, 0 rows).
    A later test that fills the table in its own transaction is then
    planned as if each of its tables held one row: nested loops over
    thousands of links, minutes for one facet count. Never vacuumed, a
    table is estimated from its size on disk, which grows with the test's
    own rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            DO $$
            DECLARE name regclass;
            BEGIN
                FOR name IN
                    SELECT c.oid::regclass FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind = 'r' AND n.nspname = current_schema()
                LOOP
                    EXECUTE format(
                        'ALTER TABLE %s SET (autovacuum_enabled = false,'
                        ' toast.autovacuum_enabled = false)',
                        name
                    );
                END LOOP;
            END $$
            """
        )


@pytest.fixture(autouse=True, scope="module")
def _media_root(tmp_path_factory):
    """Uploaded pictures go to a folder of each test module's own, so that
    content a module shares (the demo's pictures) has its files there too."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True, scope="session")
def _renditions_encoded_once():
    """The same picture's renditions are the same bytes: encode them once per
    run (the demo's drawings are loaded in many modules), store them in each
    module's own media folder as usual."""
    from images import renditions

    encoded: dict = {}
    real_render = renditions.render

    def render(image, wanted):
        def tail(name):
            return name.rsplit("/", 1)[-1]

        key = (
            image.checksum,
            image.renditions.key,
            tuple(sorted(tail(r.name) for r in wanted)),
        )
        if key not in encoded:
            made = real_render(image, wanted)
            encoded[key] = {tail(name): content for name, content in made.items()}
        by_tail = encoded[key]
        return {r.name: by_tail[tail(r.name)] for r in wanted}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(renditions, "render", render)
        yield


@pytest.fixture
def roles(db):
    """The staff groups exactly as setup_roles makes them, by name."""
    groups = {group.name: group for group in Group.objects.all()}
    if set(groups) != set(ROLES):  # a transactional test emptied the database
        call_command("setup_roles", stdout=StringIO())
        groups = {group.name: group for group in Group.objects.all()}
    return groups


@pytest.fixture
def editor(roles):
    return UserFactory(username="editor", groups=[roles["Editors"]])


@pytest.fixture
def contributor(roles):
    return UserFactory(username="contributor", groups=[roles["Contributors"]])


@pytest.fixture
def contributor_client(client, contributor):
    client.force_login(contributor)
    return client


@pytest.fixture
def researcher(roles):
    return UserFactory(username="researcher", groups=[roles["Researchers"]])


@pytest.fixture
def superuser(db):
    return UserFactory(username="boss", is_superuser=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def researcher_client(client, researcher):
    client.force_login(researcher)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def country(db):
    """A real country from the reference data, by ISO alpha-2 code."""

    def get(alpha_2: str) -> Country:
        return Country.objects.get(alpha_2=alpha_2, is_former=False)

    return get


@pytest.fixture(autouse=True)
def _no_kept_admin_sidebars():
    """Each test writes the admin's sidebars it shows (they are kept per
    process for each permission set and page: coopsite's admin_sidebar)."""
    from coopsite.templatetags.admin_sidebar import forget_sidebars

    forget_sidebars()


@pytest.fixture(autouse=True)
def _only_the_shared_content_asked_for(request):
    """A test must not see shared content it did not request (see above)."""
    active = SHARED_IN_MODULE.get(request.module.__name__, set())
    unasked = sorted(name for name in active if name not in request.fixturenames)
    if unasked:
        pytest.fail(
            f"{request.node.name} runs while this module's shared "
            f"{', '.join(unasked)} content is loaded, without requesting it: "
            "request the fixture, or move the test to another module."
        )


@pytest.fixture
def commit(db):
    """``with commit(): ...`` does at the end of the block what committing
    the test's transaction would do there: run every ``on_commit`` callback
    queued so far (search indexing), each once. A test's own transaction
    never commits, so without it nothing queued for the commit ever runs."""
    done: set[int] = set()

    @contextmanager
    def block():
        yield
        while queued := [
            callback
            for _sids, callback, _robust in connection.run_on_commit
            if id(callback) not in done
        ]:
            for callback in queued:
                done.add(id(callback))
                callback()

    return block


def _load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _load_demo)


@pytest.fixture
def demo(demo_shared, db) -> str:
    """The demo content, as `make run` loads it: loaded once per module,
    every test's changes to it rolled back. Returns load_demo's output."""
    return demo_shared


@pytest.fixture
def kept_counts(settings):
    """Facet counts and the home page's figures kept per data version, as in
    production, in a cache emptied before and after the test (off in the
    rest of the suite, so that query counts are the pages' own)."""
    from django.core.cache import caches

    settings.COOPSITE_KEEP_COUNTS = True
    cache = caches[settings.COOPSITE_FRESHNESS_CACHE]
    cache.clear()
    yield cache
    cache.clear()


class Refreshes:
    """The values to make again that kept_for_version handed to the
    background, kept here until the test runs them."""

    def __init__(self):
        self.pending = []

    def __call__(self, job):
        self.pending.append(job)

    def run(self):
        jobs, self.pending = self.pending, []
        for job in jobs:
            job()


@pytest.fixture
def stale_counts(kept_counts, settings, monkeypatch):
    """Counts answered as last counted after a change, as in production;
    the background's work done when the test says (``.run()``)."""
    from freshness import versions

    settings.COOPSITE_STALE_COUNTS_SECONDS = 600
    refreshes = Refreshes()
    monkeypatch.setattr(versions._refresher, "submit", refreshes)
    return refreshes


@pytest.fixture
def public_cache(settings):
    """Conditional GET and the anonymous page cache on, as in production,
    in a cache emptied before and after the test (the suite runs with them
    off: a test's own transaction never commits the changes that would give
    the data a new version; use ``commit`` to commit them)."""
    from django.core.cache import caches

    settings.COOPSITE_PUBLIC_CACHE = True
    cache = caches[settings.COOPSITE_PAGE_CACHE]
    cache.clear()
    yield cache
    cache.clear()
