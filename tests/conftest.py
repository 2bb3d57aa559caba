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
  them, and a logged-in client for each role.
- ``country("TR")``: a country of the reference data (migrations load it).
- ``corpus_dir``, ``sipri_excerpt``, ``mme_excerpt``: the sample files in
  ../shared (skipped where absent).

To share other expensive content in a module, write a module-scoped fixture
that yields from ``shared_content(request, django_db_blocker, make)`` and a
function-scoped one that tests request (see ``demo`` here, ``site`` in
tests/backups/test_site_export.py). A test in that module
that does not request it fails with a clear message, instead of silently
seeing rows it did not ask for: put such tests in another module.
"""

import importlib.util
import os
from io import StringIO
from pathlib import Path

import factory.random
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from partnerships.models import Country
from tests.factories import UserFactory
from tests.sharing import SHARED_IN_MODULE, shared_content

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


@pytest.fixture
def sipri_excerpt() -> Path:
    """SIPRI's trade register, 635 deals (../shared/data); skipped where absent."""
    return _shared_data("sipri-trade-register-excerpt.csv")


@pytest.fixture
def mme_excerpt() -> Path:
    """150 exercises of the MME dataset (../shared/data); skipped where absent."""
    return _shared_data("mme-exercises-excerpt.csv")


@pytest.fixture
def roles(db):
    """The staff groups exactly as setup_roles makes them."""
    call_command("setup_roles", stdout=StringIO())
    return {group.name: group for group in Group.objects.all()}


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


@pytest.fixture(scope="module")
def demo_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(
        request,
        django_db_blocker,
        lambda: call_command("load_demo", stdout=StringIO()),
    )


@pytest.fixture
def demo(demo_shared, db):
    """The demo content, as `make run` loads it: loaded once per module,
    every test's changes to it rolled back."""
