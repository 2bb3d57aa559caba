"""Every index takes as many queries with 100 records as with 20.

The first 20 records of every kind are made once for this module's tests;
each test grows them to 100 in its own savepoint, rolled back after it.
"""

import copy

import pytest

from partnerships.models import Country
from tests.partnerships.test_indexes import INDEXES, Records
from tests.sharing import shared_content

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]

# Counted once (the test below shows they do not grow): the count of the
# list, its page, one query per facet; the region filter's choices.
QUERIES = {
    "/organisations/": 4,  # count, page, kinds, countries
    "/systems/": 4,  # count, page, categories, origins
    "/blocs/": 3,  # count, page, kinds
    "/tags/": 2,  # count, page
    "/countries/": 4,  # count, page, regions, current or former
}


def _twenty() -> Records:
    records = Records(
        lambda alpha_2: Country.objects.get(alpha_2=alpha_2, is_former=False)
    )
    records.grow(20)
    return records


@pytest.fixture(scope="module")
def twenty_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _twenty)


@pytest.fixture
def twenty(twenty_shared, db) -> Records:
    """20 records of every kind (made once for this module), to grow from:
    a copy of their count for each test, as its rows are rolled back."""
    return copy.copy(twenty_shared)


@pytest.mark.parametrize("path", INDEXES)
def test_an_index_takes_as_many_queries_with_100_records_as_with_20(
    client, twenty, django_assert_num_queries, path
):
    for size in (20, 100):
        twenty.grow(size)
        with django_assert_num_queries(QUERIES[path]):
            response = client.get(path, {"per_page": 100})
        assert response.status_code == 200
        shown = response.context["records"]
        assert len(shown) == min(100, response.context["paginator"].count)
        assert response.context["paginator"].count >= size
