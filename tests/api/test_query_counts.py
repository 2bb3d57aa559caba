"""Every API endpoint takes the same number of queries with 20 items as
with 100: nothing is fetched row by row."""

import pytest

from tests.test_query_counts import World

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]

# What each endpoint takes, exactly; one of them is the data version that
# conditional GET reads. A change here is a change in how an endpoint fetches.
ENDPOINTS = {
    "/api/v1/articles/?page_size=100": 4,
    "/api/v1/articles/?country=poland&tag=drones&page_size=100": 6,
    "/api/v1/articles/the-article/": 5,
    "/api/v1/partnerships/?page_size=100": 9,
    "/api/v1/partnerships/?country=poland&kind=export&tag=drones&page_size=100": 11,
    "/api/v1/partnerships/the-deal/": 9,
    "/api/v1/countries/?page_size=100": 5,
    "/api/v1/countries/poland/": 5,
    "/api/v1/blocs/?page_size=100": 5,
    "/api/v1/blocs/test-pact/": 5,
    "/api/v1/organisations/?page_size=100": 4,
    "/api/v1/organisations/baykar/": 4,
    "/api/v1/systems/?page_size=100": 5,
    "/api/v1/systems/tb2/": 5,
    "/api/v1/tags/?page_size=100": 2,
    "/api/v1/tags/drones/": 2,
}


def test_api_queries_do_not_grow_from_20_to_100_items(
    client, country, django_assert_num_queries
):
    # One world, grown once: every endpoint measured with 20 and 100 items.
    world = World(country)
    for items in (20, 100):
        world.grow(items)
        for url, expected in ENDPOINTS.items():
            with django_assert_num_queries(expected):
                response = client.get(url)
            assert response.status_code == 200, url
            results = response.json().get("results")
            if results is not None and "partnerships" in url and "kind" not in url:
                assert len(results) == min(items + 1, 100)


def test_a_304_takes_one_query(client, country, django_assert_num_queries):
    World(country).grow(20)
    etag = client.get("/api/v1/partnerships/")["ETag"]
    with django_assert_num_queries(1):
        response = client.get("/api/v1/partnerships/", headers={"If-None-Match": etag})
    assert response.status_code == 304
