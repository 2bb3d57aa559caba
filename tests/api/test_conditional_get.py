"""Conditional GET on every endpoint and on a downloaded file: an ETag and
a Last-Modified, 304 for a client that has the answer, 200 for one that
has another.

The records and their snapshot are made once for this module's tests,
which only read them."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from api import snapshots
from partnerships.models import Country
from tests.api.conftest import make_records
from tests.sharing import shared_content

pytestmark = [pytest.mark.django_db, pytest.mark.long(2)]

ENDPOINTS = [
    "/api/v1/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/api/v1/downloads/",
    "/api/v1/articles/",
    "/api/v1/articles/drones-over-the-indus/",
    "/api/v1/partnerships/?country=pakistan&kind=export",
    "/api/v1/partnerships/tb2-pakistan/",
    "/api/v1/countries/",
    "/api/v1/countries/pakistan/",
    "/api/v1/blocs/",
    "/api/v1/organisations/",
    "/api/v1/organisations/baykar/",
    "/api/v1/systems/",
    "/api/v1/systems/bayraktar-tb2/",
    "/api/v1/tags/",
    "/api/v1/tags/drones/",
]


def _snapshot() -> snapshots.Manifest | None:
    make_records(lambda code: Country.objects.get(alpha_2=code, is_former=False))
    return snapshots.build()


@pytest.fixture(scope="module")
def snapshot_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _snapshot)


@pytest.fixture
def snapshot(snapshot_shared, db):
    """The small world of tests/api/conftest.py and a snapshot of it, made
    once for this module (the files in the module's media folder)."""
    return snapshot_shared


@pytest.fixture(autouse=True)
def _fresh_counters_and_files():
    """Rate-limit counters start at zero; the snapshot's files stay where
    the module made them."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_endpoint_answers_a_conditional_get_with_304(client, snapshot, url):
    response = client.get(url)
    assert response.status_code == 200
    etag, modified = response["ETag"], response["Last-Modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(url, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_a_downloaded_file_answers_a_conditional_get_with_304(client, snapshot):
    url = f"/api/v1/downloads/{snapshot.files['csv']['name']}"
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"] == f'"{snapshot.files["csv"]["sha256"][:32]}"'
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_an_answer_showing_todays_statuses_is_new_the_next_day(client, snapshot):
    """Statuses are "as of today": tomorrow's answer is another one."""
    url = "/api/v1/partnerships/tb2-pakistan/"
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=False):
        today = client.get(url)
    with time_machine.travel(noon + dt.timedelta(days=1), tick=False):
        assert today["ETag"] != client.get(url)["ETag"]
        assert (
            client.get(url, headers={"If-None-Match": today["ETag"]}).status_code == 200
        )
        since = client.get(url, headers={"If-Modified-Since": today["Last-Modified"]})
        assert since.status_code == 200
