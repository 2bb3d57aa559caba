"""The sitemap: an index (``/sitemap.xml``) of sections, one per kind of
page, each split into pages of at most ``COOPSITE_SITEMAP_SIZE`` addresses
(``/sitemap-articles.xml?p=2``), well under the protocol's 50,000.

Every section reads only what an address and its ``lastmod`` need (the
slug and the change time, as plain rows), never whole rows or model
instances, and sums itself up in one query (how many addresses, changed
when last), kept per version of the data: the index takes at most one query
per section, and a section's page two. Its pages are in primary-key order,
so an address stays on its page as new ones are added at the end, and a page
is read from the key it starts at (kept per version of the data with the
others'), not by skipping the addresses before it: the last page of 100,000
articles costs what the first does. A page is written by one template tag
(``sitemap_section.xml``), not a template loop per address.
"""

from __future__ import annotations

from functools import cached_property, partial
from urllib.parse import quote

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.expressions import Combinable
from django.db.models.functions import Mod, RowNumber
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from articles.models import MODIFIED_AT, Article
from freshness.versions import kept_for_version
from partnerships.models import Bloc, Country, Organisation, Partnership, System, Tag


def address_parts(url_name: str) -> tuple[str, str]:
    """What comes before and after the slug in the addresses ``url_name``
    reverses to: reversed once, not once per address."""
    marker = "0slug0"
    return tuple(reverse(url_name, kwargs={"slug": marker}).split(marker, 1))  # type: ignore[return-value]


class SectionSitemap(Sitemap):
    """A section over a queryset of (slug, change time) rows, with its size
    and latest change read together, in one query. A page of it is one
    query for its rows, and its addresses are made from the slug with the
    section's address reversed once (``url_name``)."""

    changefreq = "weekly"
    priority = 0.5
    url_name = ""

    @property
    def limit(self) -> int:  # type: ignore[override]  # read from settings
        return settings.COOPSITE_SITEMAP_SIZE

    # When an address last changed (its lastmod), in a query.
    changed_at: Combinable = F("updated_at")

    def items(self) -> QuerySet:
        """The section's addresses, as (slug, lastmod), in a lasting order."""
        raise NotImplementedError

    @cached_property
    def summary(self) -> dict:
        """How many addresses the section holds, and when the latest changed:
        summed up once per version of the data (``kept_for_version``), so
        the index and each page read it from the shared cache while nothing
        has changed."""
        return kept_for_version(
            f"sitemap:{self.url_name}",
            lambda: (
                self.items()
                .order_by()
                .aggregate(total=Count("pk"), latest=Max(self.changed_at))
            ),
        )

    @property
    def paginator(self) -> Paginator:
        pages = Paginator(self.items(), self.limit)
        pages.count = self.summary["total"]  # known already: no second count
        return pages

    def get_latest_lastmod(self):
        return self.summary["latest"]

    def page_starts(self) -> list[int]:
        """The key each page starts at, in one query (numbering the
        section's rows), kept per version of the data as the summary is."""
        limit = self.limit

        def starts() -> list[int]:
            numbered = Window(RowNumber(), order_by=F("pk").asc())
            return list(
                self.items()
                .order_by()
                .alias(place=Mod(numbered - 1, limit))
                .filter(place=0)
                .values_list("pk", flat=True)
            )

        return kept_for_version(f"sitemap:{self.url_name}:{limit}", starts)

    def page_rows(self, page) -> QuerySet:
        """The rows of page ``page`` (a number, as the address gives it):
        from the key it starts at, never skipping the pages before it."""
        starts = self.page_starts()
        # One start per page: a page that is not a number, or past the last,
        # raises as Paginator.page() does (and the view answers 404).
        number = Paginator(starts, 1).validate_number(page)
        if not starts:
            return self.items().none()
        return self.items().filter(pk__gte=starts[number - 1])[: self.limit]

    def get_urls(self, page=1, site=None, protocol=None):
        """A page's entries, as ``Sitemap.get_urls`` makes them, from plain
        rows: no model instance and no ``reverse()`` per address."""
        rows = self.page_rows(page)
        start = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        before, after = address_parts(self.url_name)
        before = start + before
        changefreq, priority = self.changefreq, str(self.priority)
        urls = [
            {
                "location": f"{before}{quote(slug, safe=_SAFE)}{after}",
                "lastmod": updated_at,
                "changefreq": changefreq,
                "priority": priority,
                "alternates": [],
            }
            for slug, updated_at in rows
        ]
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            # For the view's Last-Modified header, as Sitemap.get_urls sets it.
            self.latest_lastmod = max(lastmods)
        return urls


# What reverse() leaves unquoted in an address (RFC 3986's sub-delimiters
# and "/~:@"): a slug is written into its address as reverse() would.
_SAFE = RFC3986_SUBDELIMS + "/~:@"


class ArticleSitemap(SectionSitemap):
    priority = 0.8
    url_name = "articles:detail"
    changed_at = MODIFIED_AT  # a scheduled article's going public changes it

    def items(self):
        return (
            Article.objects.published()
            .order_by("pk")
            .values_list("slug", self.changed_at)
        )


class RecordSitemap(SectionSitemap):
    changefreq = "monthly"

    def __init__(self, model):
        self.model = model
        self.url_name = f"partnerships:{model.ENTITY_TYPE}_detail"

    def items(self):
        return self.model.objects.order_by("pk").values_list("slug", "updated_at")


class TagSitemap(SectionSitemap):
    priority = 0.4
    url_name = "partnerships:tag_detail"

    def items(self):
        return Tag.objects.order_by("pk").values_list("slug", "updated_at")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "home",
            "articles:list",
            "partnerships:partnership_list",
            "partnerships:country_list",
            "partnerships:organisation_list",
            "partnerships:system_list",
            "partnerships:bloc_list",
            "partnerships:tag_list",
            "partnerships:network",
            "partnerships:timeline",
        ]

    def location(self, name):
        return reverse(name)


# Each value makes a new sitemap per request (a section's summary is read
# once per request, never kept between them).
SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "partnerships": partial(RecordSitemap, Partnership),
    "countries": partial(RecordSitemap, Country),
    "organisations": partial(RecordSitemap, Organisation),
    "systems": partial(RecordSitemap, System),
    "blocs": partial(RecordSitemap, Bloc),
    "tags": TagSitemap,
}
