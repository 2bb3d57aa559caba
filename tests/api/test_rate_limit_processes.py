"""The rate limit holds across app processes: two gunicorn servers that
share a cache count one client's requests together (as production does with
Redis); with a cache of their own each, they would let twice as many
through. Real HTTP on loopback, a handful of requests."""

import datetime as dt
import os
import time
import urllib.error
import urllib.request

import pytest

from tests.servers import database_url, gunicorn_servers

pytestmark = pytest.mark.django_db

LIMIT = 5


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/tags/", timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def not_at_the_end_of_an_hour():
    now = dt.datetime.now(dt.UTC)
    if now.minute == 59 and now.second > 30:
        time.sleep(61 - now.second)


@pytest.mark.parametrize(
    ("cache", "shared"), [("filecache", True), ("locmemcache", False)]
)
def test_app_processes_count_one_clients_requests_together_in_a_shared_cache(
    tmp_path, cache, shared
):
    cache_url = (
        f"filecache://{tmp_path / 'cache'}" if shared else "locmemcache://per-process"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coopsite.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(tmp_path),
        "CACHE_URL": cache_url,
        "DJANGO_API_RATE_LIMIT": f"{LIMIT}/hour",
    }
    with gunicorn_servers(env, 2) as servers:
        not_at_the_end_of_an_hour()
        answers = [status(servers[n % 2]) for n in range(LIMIT + 1)]
    assert answers[:LIMIT] == [200] * LIMIT
    # Shared: the sixth request is one too many, whichever process gets it.
    # Each process on its own has seen only three.
    assert answers[LIMIT] == (429 if shared else 200)
