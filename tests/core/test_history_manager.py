"""A tracked record's history, read through a manager class made once."""

import pytest

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_each_records_history_is_its_own_through_one_manager_class():
    first = OrganisationFactory(name="Aselsan")
    second = OrganisationFactory(name="Roketsan")
    first.name = "ASELSAN A.Ş."
    first.save()

    assert [row.name for row in first.history.order_by("history_id")] == [
        "Aselsan",
        "ASELSAN A.Ş.",
    ]
    assert [row.name for row in second.history.all()] == ["Roketsan"]
    # Saves read ``instance.history`` to write their row: the same class
    # each time, not one made per save.
    assert type(first.history) is type(second.history)
    assert type(type(first).history) is type(first.history)
