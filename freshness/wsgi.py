"""The page cache's shortcut, in front of Django (``coopsite.wsgi``).

An anonymous reader's unconditional GET or HEAD of a page the shared cache
holds under the data's current version is answered here, from the one
round trip to the cache that finds both, without Django's request cycle:
no middleware, no signals, no URL resolving. It is the same answer
:class:`freshness.middleware.PublicPageCacheMiddleware` gives (that class
decides, keeps and serves; this only asks it earlier), with the headers
the page was kept with (security headers and all), a new CSP nonce,
validators and ``X-Cache: hit``.

Everything else goes to Django as before: a request with a session or
messages, a conditional request (the middleware answers 304), the admin,
the API, previews, a page not kept, a version this process has not seen
yet, a host Django would refuse.
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest

from .middleware import SAFE, PublicPageCacheMiddleware

# Left to Django's conditional GET (a 304, or a precondition failing).
CONDITIONAL = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


class KeptPagesFirst:
    """WSGI middleware: kept pages answered before ``application``."""

    def __init__(self, application):
        self.application = application
        self.pages = PublicPageCacheMiddleware(get_response=None)

    def __call__(self, environ, start_response):
        kept = None
        if environ.get("REQUEST_METHOD") in SAFE and not any(
            name in environ for name in CONDITIONAL
        ):
            try:
                # A copy: a WSGIRequest writes its decoded path back into the
                # environ it is given, which Django would then decode again.
                kept = self.pages.kept_page(WSGIRequest(environ.copy()))
            except SuspiciousOperation:  # a bad Host: Django answers 400
                kept = None
        if kept is None:
            return self.application(environ, start_response)
        start_response(f"{kept.status} {HTTPStatus(kept.status).phrase}", kept.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.content]
