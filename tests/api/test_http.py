"""HTTP around the data: a new ETag for a change, the rate limit, CORS
(conditional GET on every endpoint: tests/api/test_conditional_get.py)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from coopsite.settings import base
from tests.factories import PublishedArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(2)]


def test_a_change_gives_a_new_etag(client, records, django_capture_on_commit_callbacks):
    url = "/api/v1/partnerships/tb2-pakistan/"
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        records["deal"].name = "TB2 drones for Pakistan"
        records["deal"].save()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["name"] == "TB2 drones for Pakistan"
    assert response["ETag"] != etag


def test_a_scheduled_article_going_live_gives_a_new_etag(client, db):
    now = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    PublishedArticleFactory(published_at=now - dt.timedelta(days=1))
    PublishedArticleFactory(slug="due-at-one", published_at=now + dt.timedelta(hours=1))
    with time_machine.travel(now, tick=False):
        before = client.get("/api/v1/articles/")
        assert "due-at-one" not in before.content.decode()
    with time_machine.travel(now + dt.timedelta(hours=2), tick=False):
        after = client.get(
            "/api/v1/articles/", headers={"If-None-Match": before["ETag"]}
        )
    assert after.status_code == 200
    assert "due-at-one" in after.content.decode()


def test_the_same_data_at_another_address_has_another_etag(client, records):
    one = client.get("/api/v1/partnerships/?kind=export")["ETag"]
    two = client.get("/api/v1/partnerships/?kind=exercise")["ETag"]
    assert one != two


# --- The rate limit ------------------------------------------------------------------


def early_in_a_minute(*, day: int):
    """The clock at ten seconds past a minute: the limit's windows are
    minutes of the clock, and a few requests that ran across the turn of one
    would be counted in two (a day of its own per test, so no two share a
    window's counter)."""
    return time_machine.travel(dt.datetime(2026, 3, day, 12, 0, 10, tzinfo=dt.UTC))


def test_the_documented_rate_limit_then_429_with_retry_after(client, db, settings):
    settings.COOPSITE_API_RATE_LIMIT = base.COOPSITE_API_RATE_LIMIT
    assert base.COOPSITE_API_RATE_LIMIT == "120/minute"  # as the README says
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, 10, tzinfo=dt.UTC)):
        for number in range(120):
            response = client.get("/api/v1/tags/")
            assert response.status_code == 200, number
        refused = client.get("/api/v1/tags/")
        assert refused.status_code == 429
        assert 1 <= int(refused["Retry-After"]) <= 50
        assert "throttled" in refused.json()["detail"].lower()
        # Another address has its own allowance.
        other = client.get("/api/v1/tags/", REMOTE_ADDR="192.0.2.7")
        assert other.status_code == 200
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 1, 1, tzinfo=dt.UTC)):
        assert client.get("/api/v1/tags/").status_code == 200


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(
    client, db, settings
):
    settings.COOPSITE_API_RATE_LIMIT = "3/minute"
    with early_in_a_minute(day=2):
        for n in range(3):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}
            assert client.get("/api/v1/tags/", headers=headers).status_code == 200
        refused = client.get(
            "/api/v1/tags/", headers={"X-Forwarded-For": "203.0.113.99"}
        )
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_the_client(client, db, settings):
    settings.COOPSITE_API_RATE_LIMIT = "3/minute"
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"  # the proxy appends to it
    forged = {"X-Forwarded-For": "10.9.9.9, 198.51.100.1"}  # the client wrote the first
    someone_else = {"X-Forwarded-For": "10.9.9.9, 198.51.100.2"}
    with early_in_a_minute(day=3):
        for _ in range(3):
            assert client.get("/api/v1/tags/", headers=forged).status_code == 200
        assert client.get("/api/v1/tags/", headers=forged).status_code == 429
        assert client.get("/api/v1/tags/", headers=someone_else).status_code == 200


# --- CORS ----------------------------------------------------------------------------


def test_any_origin_may_read_the_api(client, records):
    response = client.get(
        "/api/v1/partnerships/", headers={"Origin": "https://newsroom.example"}
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/partnerships/",
        headers={
            "Origin": "https://newsroom.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, if-modified-since",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # A page of another site may revalidate what it read (→ 304).
    allowed = preflight["Access-Control-Allow-Headers"].split(", ")
    # Those, and nothing an API without accounts has no use for
    # (authorization, x-csrftoken...).
    assert set(allowed) == {"accept", "if-none-match", "if-modified-since"}


def test_cors_stops_at_the_api(client, records):
    response = client.get(
        "/partnerships/", headers={"Origin": "https://newsroom.example"}
    )
    assert "Access-Control-Allow-Origin" not in response


def test_being_logged_in_changes_nothing_the_api_says(editor_client, records):
    anonymous = Client().get("/api/v1/articles/").json()
    assert editor_client.get("/api/v1/articles/").json() == anonymous


def test_the_docs_load_everything_from_this_site_without_inline_code(client, db):
    page = client.get("/api/v1/docs/").content.decode()
    assert "<style" not in page
    assert "<script>" not in page  # every script has a src on this origin
    assert "https://" not in page  # no CDN
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_the_api_answers_when_the_rate_limits_cache_is_unreachable(
    client, db, settings, caplog
):
    settings.COOPSITE_API_RATE_LIMIT = "3/minute"
    settings.COOPSITE_API_THROTTLE_CACHE = "unreachable"
    settings.CACHES = {
        **settings.CACHES,
        "unreachable": {
            "BACKEND": "coopsite.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        },
    }
    for _ in range(5):  # past the limit: nothing could count them
        assert client.get("/api/v1/tags/").status_code == 200
    assert "rate limit's cache is unreachable" in caplog.text
