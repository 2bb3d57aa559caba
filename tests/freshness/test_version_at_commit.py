"""A transaction can learn the data version its changes will have once
committed (an import run keeps it), and no later change shares it."""

import pytest

from freshness import versions
from tests.factories import CountryFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_the_version_a_transaction_takes_is_the_one_readers_get(
    django_capture_on_commit_callbacks,
):
    before = versions.cached_current().token
    with django_capture_on_commit_callbacks(execute=True):
        CountryFactory()
        assert versions.committed_version() is None  # not committed yet
        taken = versions.version_at_commit()

    assert versions.committed_version() == taken
    assert versions.cached_current().token != before  # the cache learnt of it


def test_a_change_after_the_version_was_taken_gets_a_version_of_its_own(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        CountryFactory()
        taken = versions.version_at_commit()
        TagFactory()

    assert versions.committed_version() not in (None, taken)


def test_a_transaction_that_changed_nothing_takes_the_version_there_is(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        CountryFactory()
    there = versions.committed_version()

    with django_capture_on_commit_callbacks(execute=True):
        assert versions.version_at_commit() == there

    assert versions.committed_version() == there
