"""Content made once for all the tests of a module (see tests/conftest.py)."""

from collections import defaultdict
from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from django.test import TestCase

# Which shared content each module has made, by the fixture's name.
SHARED_IN_MODULE: dict[str, set[str]] = defaultdict(set)


def shared_content[T](
    request: pytest.FixtureRequest, django_db_blocker, make: Callable[[], T]
) -> Iterator[T]:
    """Make content once for the tests of a module (a module-scoped fixture
    yields from this): ``make()`` runs in a transaction that stays open
    while the module's tests run (each in a savepoint of its own) and is
    rolled back after the last one. Callbacks registered with
    ``transaction.on_commit`` while making it run at once, as they would on
    a real commit."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                made = make()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    name = request.fixturename.removesuffix("_shared")
    SHARED_IN_MODULE[request.module.__name__].add(name)
    try:
        yield made
    finally:
        SHARED_IN_MODULE[request.module.__name__].discard(name)
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
