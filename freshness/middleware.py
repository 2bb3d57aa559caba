"""Conditional GET and the page cache for anonymous readers.

Every public page, feed and sitemap answers an anonymous reader's GET with
an ``ETag`` and a ``Last-Modified`` taken from the data's version
(:func:`freshness.versions.cached_current`: every committed change to an
article, a record, a link, a picture or a tag gives a new one, and so does
a scheduled article's time coming) and the code's version (a deploy); a
reader who already has the page gets ``304 Not Modified`` without the page
being made again, in no query while the shared cache holds the version and
in one otherwise.

The page itself is kept in the shared cache (Redis in production) under the
data version it was read from, for ``COOPSITE_PAGE_CACHE_SECONDS``. So there
is nothing to invalidate: a publish, an edit, a link decision or an import
gives the data a new version, every app process looks pages up under that
version from its next request, and the pages of the old one expire unread.
A page served from the cache costs one read of it: the version and the page
filed under the version this process saw last are read together.

What is never kept, and never answered 304 before the view has spoken:

* anything but an anonymous reader's GET or HEAD: a request with a session
  (editors and staff see their own pages) or with messages waiting;
* the admin, the API (it does its own conditional GET, per answer) and draft
  previews (also marked ``never_cache``);
* an answer that is not a plain 200, that streams (the downloads), that sets
  a cookie, that uses the CSRF token, or whose ``Cache-Control`` says
  ``private``, ``no-store`` or ``no-cache``;
* an answer made with counts from before the version (just after a change,
  while they are counted again: ``versions.kept_for_version``'s ``stale``).

A page that carries the request's CSP nonce is kept with a placeholder in
its place, and served with a new nonce every time (the
Content-Security-Policy middleware, outside this one, sends the header).
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import versions

logger = logging.getLogger(__name__)

NONCE_PLACEHOLDER = b"\x00coopsite-csp-nonce\x00"
KEY_PREFIX = "page:"
SAFE = frozenset({"GET", "HEAD"})
REFUSED_CACHE_CONTROL = ("private", "no-store", "no-cache")
# Headers a kept page is served with again; the rest are the outer
# middleware's to add on every answer (CSP, security, permissions).
NOT_KEPT = frozenset(
    {"set-cookie", "content-security-policy", "date", "content-length", "x-cache"}
)


# A kept page not looked up yet (None: looked up, and not there).
_UNKNOWN = object()


def private_prefixes() -> tuple[str, ...]:
    """Paths no anonymous cache or early 304 may touch."""
    preview = reverse("articles:preview", args=[1])
    return (
        reverse("admin:index"),
        reverse("api:root"),
        preview[: preview.index("1/")],  # every draft preview, shared or not
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
        settings.MEDIA_URL,
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._private: tuple[str, ...] | None = None
        # The data version this process last served (a guess at the next).
        self._last_token: str | None = None

    @property
    def cache(self):
        return caches[settings.COOPSITE_PAGE_CACHE]

    def __call__(self, request):
        if not settings.COOPSITE_PUBLIC_CACHE or not self.applies_to(request):
            return self.get_response(request)

        code, code_modified = versions.code_version()
        freshness, kept = self.current_and_kept(request, code)
        etag, last_modified = self.validators(freshness, code, code_modified)
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=last_modified
        )
        if not_modified is not None:
            return self.validated(not_modified, etag, last_modified)

        if kept is _UNKNOWN:
            kept = self.lookup(self.key(request, freshness.token, code))
        if kept is not None:
            response = self.rebuild(request, kept)
            response["X-Cache"] = "hit"
            return self.validated(response, etag, last_modified)

        if self.reads_from_replica():
            # The page is filed and validated under the version of the data
            # it is read from, read before it: a replica may lag behind the
            # version looked up (one query, on the replica).
            freshness = versions.current()
            etag, last_modified = self.validators(freshness, code, code_modified)
        counting = versions.start_counting_stale()
        try:
            response = self.get_response(request)
            # Counts from before the version: not the version's page.
            stale = versions.served_stale()
        finally:
            versions.stop_counting_stale(counting)
        if stale:
            patch_cache_control(response, no_cache=True)
            return response
        if not self.public(request, response):
            return response
        self.validated(response, etag, last_modified)
        if request.method == "GET" and self.keepable(response):
            self.keep(request, response, self.key(request, freshness.token, code))
            response["X-Cache"] = "miss"
        return response

    def current_and_kept(self, request, code: str):
        """The data's version and, when it is the one this process saw
        last (nearly always: it changes with each change of the data), the
        kept page (None if there is none), in one round trip to the shared
        cache; else ``_UNKNOWN`` for the page, to be looked up under the
        version found (a second trip)."""
        guess = self._last_token
        same_cache = settings.COOPSITE_PAGE_CACHE == settings.COOPSITE_FRESHNESS_CACHE
        if guess is None or not same_cache:
            freshness, found, key = versions.cached_current(), None, None
        else:
            key = self.key(request, guess, code)
            freshness, found = versions.cached_current_with(key)
        self._last_token = freshness.token
        if found is None or freshness.token != guess:
            return freshness, _UNKNOWN
        return freshness, found.get(key)

    @staticmethod
    def validators(freshness, code: str, code_modified) -> tuple[str, int]:
        digest = hashlib.sha256(f"{code}|{freshness.token}".encode()).hexdigest()
        last_modified = max(freshness.last_modified, code_modified)
        return f'W/"{digest[:32]}"', int(last_modified.timestamp())

    @staticmethod
    def reads_from_replica() -> bool:
        from coopsite.replicas import REPLICA, read_database

        return read_database() == REPLICA

    # Which requests and answers

    def applies_to(self, request) -> bool:
        if request.method not in SAFE:
            return False
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or CookieStorage.cookie_name in cookies
        ):
            return False
        if self._private is None:
            self._private = private_prefixes()
        return not request.path.startswith(self._private)

    @staticmethod
    def public(request, response) -> bool:
        """The same answer for every anonymous reader, until the data or
        the code change."""
        if response.status_code != 200:
            return False
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        control = response.get("Cache-Control", "").lower()
        return not any(word in control for word in REFUSED_CACHE_CONTROL)

    @staticmethod
    def keepable(response) -> bool:
        """Small enough to keep (a download streams, and is not kept)."""
        return (
            not response.streaming
            and len(response.content) <= settings.COOPSITE_PAGE_CACHE_MAX_BYTES
        )

    @staticmethod
    def validated(response, etag: str, last_modified: int):
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        # Browsers and proxies may keep it, and ask again each time (a 304).
        patch_cache_control(response, no_cache=True)
        return response

    # The shared cache

    def key(self, request, token: str, code: str) -> str:
        """The page at this address, as made from this version of the data
        by this version of the code (the host and scheme: canonical links)."""
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(f"{token}|{code}|{address}".encode()).hexdigest()
        return KEY_PREFIX + digest

    def lookup(self, key: str):
        try:
            return self.cache.get(key)
        except Exception:
            logger.warning("The page cache is unreachable", exc_info=True)
            return None

    def keep(self, request, response, key: str) -> None:
        content = response.content
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:  # generated: the page may carry it
            content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in NOT_KEPT
        ]
        try:
            self.cache.set(
                key,
                (response.status_code, headers, content),
                settings.COOPSITE_PAGE_CACHE_SECONDS,
            )
        except Exception:
            logger.warning("The page cache is unreachable", exc_info=True)

    @staticmethod
    def rebuild(request, kept) -> HttpResponse:
        status, headers, content = kept
        if NONCE_PLACEHOLDER in content:
            content = content.replace(
                NONCE_PLACEHOLDER, str(request._csp_nonce).encode()
            )
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(content))
        return response
