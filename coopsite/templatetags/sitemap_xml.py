"""``{% load sitemap_xml %}``: a sitemap page's entries, written in one pass."""

from __future__ import annotations

import datetime as dt
from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _day(value: dt.date, zone) -> str:
    """``lastmod`` as the template's ``|date:"Y-m-d"`` writes it: an aware
    time on its day in the site's time zone."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(zone)
        value = value.date()
    return value.isoformat()


@register.simple_tag
def sitemap_entries(urlset) -> SafeString:
    """The ``<url>`` entries of a sitemap page, byte for byte as Django's own
    ``sitemap.xml`` writes them (after its ``{% spaceless %}``), but in one
    pass: a page of 2,000 addresses without 16,000 template lookups. Every
    value is escaped as the template's autoescape would."""
    zone = timezone.get_current_timezone()
    # A section's frequency and priority are the same on every entry.
    escaped: dict[str, str] = {}
    parts: list[str] = []
    add = parts.append
    for url in urlset:
        add(f"<url><loc>{escape(url['location'])}</loc>")
        if lastmod := url["lastmod"]:
            add(f"<lastmod>{_day(lastmod, zone)}</lastmod>")
        if changefreq := url["changefreq"]:
            if changefreq not in escaped:
                escaped[changefreq] = escape(changefreq)
            add(f"<changefreq>{escaped[changefreq]}</changefreq>")
        if priority := url["priority"]:
            if priority not in escaped:
                escaped[priority] = escape(priority)
            add(f"<priority>{escaped[priority]}</priority>")
        for alternate in url.get("alternates") or ():
            add(
                f'<xhtml:link rel="alternate"'
                f' hreflang="{escape(alternate["lang_code"])}"'
                f' href="{escape(alternate["location"])}"/>'
            )
        add("</url>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
