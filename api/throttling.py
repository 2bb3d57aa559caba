"""The API's rate limit: so many requests a minute per client address,
counted in the shared cache so that it holds across every app process.

A fixed window per client: the first request of a window creates its
counter (``cache.add``), every request increments it (``cache.incr``, one
atomic step on Redis or Memcached), and past the limit the answer is 429
with ``Retry-After`` set to the seconds left in the window. The client's
address is the site's one rule (``coopsite.clients.client_ip``), as login
throttling counts it. When the cache cannot be reached, nothing is counted
and every request is answered (with a warning in the log), as pages are.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from coopsite.clients import client_ip

logger = logging.getLogger(__name__)


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        self.cache = caches[settings.COOPSITE_API_THROTTLE_CACHE]
        super().__init__()

    def get_rate(self):
        return settings.COOPSITE_API_RATE_LIMIT or None

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        return f"throttle:{self.scope}:{self.get_ident(request)}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        now = int(self.timer())
        window_start = now - now % self.duration
        self.window_end = window_start + self.duration
        key = f"{self.get_cache_key(request, view)}:{window_start}"
        try:
            count = self._count(key)
        except Exception:
            logger.warning(
                "The rate limit's cache is unreachable: not counted", exc_info=True
            )
            return True
        return count <= self.num_requests

    def _count(self, key: str) -> int:
        self.cache.add(key, 0, timeout=self.duration + 5)
        try:
            return self.cache.incr(key)
        except ValueError:  # the counter expired between add and incr
            self.cache.add(key, 1, timeout=self.duration + 5)
            return 1

    def wait(self):
        return max(1, self.window_end - int(self.timer()))
