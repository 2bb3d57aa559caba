"""The shared cache's backend (coopsite/cache.py): Django's Redis cache,
with one Redis client per pool. Against the Redis server of the run
(scripts/with-redis), as production uses it; skipped without one."""

import os
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangosRedisCache

from coopsite.cache import RedisCache

REDIS_URL = os.environ.get("COOPSITE_TEST_REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs a Redis server: scripts/with-redis"
)


@pytest.fixture
def cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "coopsite-backend-test"})
    cache.clear()
    yield cache
    cache.clear()


def test_it_is_djangos_backend_in_every_respect_but_its_clients(cache):
    assert isinstance(cache, DjangosRedisCache)
    cache.set("deal", {"kind": "export", "units": 12}, 60)
    assert cache.get("deal") == {"kind": "export", "units": 12}
    assert cache.get_many(["deal", "missing"]) == {
        "deal": {"kind": "export", "units": 12}
    }
    assert cache.add("deal", "other") is False
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
    cache.delete("deal")
    assert cache.get("deal", "gone") == "gone"


def test_one_client_serves_every_call_and_every_thread(cache):
    first = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is first
    seen = []

    def worker():
        cache.set(f"from-{threading.get_ident()}", "ok")
        seen.append(cache._cache.get_client())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(client is first for client in seen)
    assert len(cache.get_many([f"from-{t.ident}" for t in threads])) == 4


def test_replicas_keep_their_own_client():
    servers = [REDIS_URL, REDIS_URL]  # a primary and one replica
    cache = RedisCache(servers, {"KEY_PREFIX": "coopsite-backend-test"})
    primary = cache._cache.get_client(write=True)
    replica = cache._cache.get_client(write=False)
    assert primary is not replica
    assert primary.connection_pool is cache._cache._get_connection_pool(True)
    assert replica.connection_pool is cache._cache._get_connection_pool(False)
