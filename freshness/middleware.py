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

The middleware is the first of ``settings.MIDDLEWARE``, so a page is kept
with the headers the others gave it (security, permissions, CSP, frames)
and served from the cache without running any of them; ``coopsite.wsgi``
serves it even before Django (:mod:`freshness.wsgi`). A page that carries
the request's CSP nonce, in its body and its ``Content-Security-Policy``,
is kept with a placeholder in its place, and served with a new nonce every
time.
"""

from __future__ import annotations

import hashlib
import logging
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.csp import generate_nonce
from django.utils.http import http_date

from coopsite.replicas import (
    REPLICA,
    reading_from,
    reads_from_replica,
    replica_configured,
)

from . import versions

logger = logging.getLogger(__name__)

# Where a kept page had its reader's CSP nonce: in the body (bytes no page
# holds) and in its headers (text a policy never holds).
NONCE_PLACEHOLDER = b"\x00coopsite-csp-nonce\x00"
NONCE_IN_HEADERS = "{coopsite-csp-nonce}"
KEY_PREFIX = "page:2:"  # (status, headers, body, has a nonce)
SAFE = frozenset({"GET", "HEAD"})
REFUSED_CACHE_CONTROL = ("private", "no-store", "no-cache")
# Headers a kept page is not served with again: made for each answer.
NOT_KEPT = frozenset(
    {"set-cookie", "date", "content-length", "x-cache", "etag", "last-modified"}
)


class KeptAnswer(NamedTuple):
    """A kept page as it is sent again (status, headers, body)."""

    status: int
    headers: list[tuple[str, str]]
    content: bytes


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
        # The validators of the last version served, and what they are of.
        self._validators: tuple = (None, None)

    @property
    def cache(self):
        return caches[settings.COOPSITE_PAGE_CACHE]

    def __call__(self, request):
        if not settings.COOPSITE_PUBLIC_CACHE or not self.applies_to(request):
            # Whether this request was answered older values is its own
            # (the admin keeps no part written from them): a thread serves
            # one request after another in the same context.
            counting = versions.start_counting_stale()
            try:
                return self.get_response(request)
            finally:
                versions.stop_counting_stale(counting)

        # The day the answer is of, read once: a page made across midnight
        # is filed under the day it was asked on, as it was validated.
        request.coopsite_day = timezone.localdate()
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
            status, headers, content = self.served(kept, etag, last_modified)
            return HttpResponse(content, status=status, headers=headers)

        if self.reads_from_replica(request):
            # The page is filed and validated under the version of the data
            # it is read from, read before it: a replica may lag behind the
            # version looked up (one query, on the replica).
            with reading_from(REPLICA):
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

    def kept_page(self, request) -> KeptAnswer | None:
        """The page kept for an anonymous reader's GET, as :meth:`__call__`
        would serve it, or None: the request is for Django to answer (the
        WSGI shortcut, :mod:`freshness.wsgi`, asks this for unconditional
        requests only)."""
        if not settings.COOPSITE_PUBLIC_CACHE or not self.applies_to(request):
            return None
        request.coopsite_day = timezone.localdate()
        code, code_modified = versions.code_version()
        freshness, kept = self.current_and_kept(request, code)
        if kept is _UNKNOWN:
            kept = self.lookup(self.key(request, freshness.token, code))
        if kept is None:
            return None
        return self.served(kept, *self.validators(freshness, code, code_modified))

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

    def validators(self, freshness, code: str, code_modified) -> tuple[str, int]:
        made_for, made = self._validators
        token = versions.dated_token(freshness)
        if made_for != (freshness, token, code, code_modified):
            digest = hashlib.sha256(f"{code}|{token}".encode()).hexdigest()
            last_modified = max(
                freshness.last_modified, code_modified, versions.today_began()
            )
            made = f'W/"{digest[:32]}"', int(last_modified.timestamp())
            self._validators = (freshness, token, code, code_modified), made
        return made

    @staticmethod
    def reads_from_replica(request) -> bool:
        """Whether the view will read from the replica (this middleware is
        outside the one that chooses)."""
        return replica_configured() and reads_from_replica(request)

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
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return False  # SecurityMiddleware's, below, to send to https
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
        # Of today too: statuses move at midnight (versions.dated_token).
        day = getattr(request, "coopsite_day", None) or timezone.localdate()
        digest = hashlib.sha256(f"{token}|{day}|{code}|{address}".encode()).hexdigest()
        return KEY_PREFIX + digest

    def lookup(self, key: str):
        try:
            return self.cache.get(key)
        except Exception:
            logger.warning("The page cache is unreachable", exc_info=True)
            return None

    def keep(self, request, response, key: str) -> None:
        content = response.content
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in NOT_KEPT
        ]
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:  # generated: the page and its policy may carry it
            nonce = str(nonce)
            content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)
            headers = [
                (name, value.replace(nonce, NONCE_IN_HEADERS))
                for name, value in headers
            ]
        try:
            self.cache.set(
                key,
                (response.status_code, headers, content, bool(nonce)),
                settings.COOPSITE_PAGE_CACHE_SECONDS,
            )
        except Exception:
            logger.warning("The page cache is unreachable", exc_info=True)

    @staticmethod
    def served(kept, etag: str, last_modified: int) -> KeptAnswer:
        """A kept page as it is sent again: the headers it was kept with
        (its Cache-Control says ``no-cache``: it was kept validated), the
        validators of this version, and a new nonce."""
        status, headers, content, has_nonce = kept
        if has_nonce:  # a new one for this reader
            nonce = generate_nonce()
            content = content.replace(NONCE_PLACEHOLDER, nonce.encode())
            headers = [
                (name, value.replace(NONCE_IN_HEADERS, nonce))
                for name, value in headers
            ]
        headers = [
            *headers,
            ("ETag", etag),
            ("Last-Modified", http_date(last_modified)),
            ("Content-Length", str(len(content))),
            ("X-Cache", "hit"),
        ]
        return KeptAnswer(status, headers, content)
