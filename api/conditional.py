"""Conditional GET for the API: an ETag and a Last-Modified on every
answer, and 304 Not Modified when the client already has it.

The validators come from :mod:`freshness.versions` (the data's version, the
newest public article, the code's version) and the request's address, so a
304 costs one query and renders nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from freshness import versions

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class NotModified(Exception):
    def __init__(self, response):
        super().__init__("Not modified")
        self.response = response


def validators(
    request, *, extra: str = "", changed_at: dt.datetime | None = None
) -> tuple[str, int]:
    """The ETag and Last-Modified (a timestamp) of the answer to ``request``;
    ``extra`` and ``changed_at``: what else it shows, and when that changed."""
    code, code_modified = versions.code_version()
    data = versions.current()
    token = versions.dated_token(data)  # statuses move at midnight
    key = "|".join([code, token, request.build_absolute_uri(), extra])
    etag = f'W/"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'
    last_modified = max(
        data.last_modified, code_modified, versions.today_began(), changed_at or EPOCH
    )
    return etag, int(last_modified.timestamp())


def check(request, etag: str, last_modified: int | None) -> None:
    """Raise :class:`NotModified` with a 304 if the client's copy is current."""
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is not None:
        stamp(response, etag, last_modified)
        raise NotModified(response)


def stamp(response, etag: str, last_modified: int | None) -> None:
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
