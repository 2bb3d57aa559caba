"""Addresses reversed once, not on every request.

``reverse()`` walks the URL configuration each time it is called: a page
that prints twenty fixed links (the site's header and footer) or an address
per record spends a good part of its time there. What it returns depends
only on its arguments, the URL configuration and the script prefix, so it
is remembered for those.
"""

from __future__ import annotations

import re

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

# (URL configuration, script prefix, name, arguments) → address.
_REVERSED: dict[tuple, str] = {}
_MOST = 1000  # of configurations of the past (tests), not kept forever


def reverse_once(viewname: str, **kwargs: str) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered. The resolver, not
    its module's name, is part of the key: a changed URL configuration
    (``clear_url_caches``) is a new resolver, whose addresses are reversed
    anew."""
    key = (
        get_resolver(get_urlconf()),
        get_script_prefix(),
        viewname,
        tuple(sorted(kwargs.items())),
    )
    address = _REVERSED.get(key)
    if address is None:
        address = reverse(viewname, kwargs=kwargs or None)
        if len(_REVERSED) >= _MOST:
            _REVERSED.clear()
        _REVERSED[key] = address
    return address


# What the ``slug`` path converter accepts.
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_MARK = "slug-of-the-page"


def address_with_slug(viewname: str, slug: str) -> str:
    """``reverse(viewname, kwargs={"slug": slug})`` for a plain slug (what
    the ``slug`` path converter accepts needs no quoting), from the address
    around the slug reversed once: a page printing the addresses of many
    records does not walk the URL configuration for each."""
    if not _PLAIN_SLUG.fullmatch(slug):
        # Quoted, or refused, as reverse() does.
        return reverse(viewname, kwargs={"slug": slug})
    head, _, tail = reverse_once(viewname, slug=_SLUG_MARK).rpartition(_SLUG_MARK)
    return f"{head}{slug}{tail}"
