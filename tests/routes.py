"""Reading the site's URL patterns, so that tests that ask every page reach
pages added later too."""

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def url_routes(patterns=None, prefix: str = "") -> Iterator[tuple[str, str | None]]:
    """Every pattern under ``patterns`` (the whole site's by default), as its
    full route (``countries/<slug:slug>/``, ``admin/(.+)/history/``) and its
    name."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name
