"""The sitemap: an index (``/sitemap.xml``) of sections, one per kind of
page, each split into pages of at most ``COOPSITE_SITEMAP_SIZE`` addresses
(``/sitemap-articles.xml?p=2``), well under the protocol's 50,000.

Every section reads only what an address and its ``lastmod`` need (the slug,
the kind, the change time), never whole rows, and sums itself up in one
query (how many addresses, changed when last), so the index takes one
query per section and a section's page two. Its pages are in primary-key
order, so an address stays on its page as new ones are added at the end.
"""

from __future__ import annotations

from functools import cached_property, partial

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.urls import reverse

from articles.models import Article
from partnerships.models import Bloc, Country, Organisation, Partnership, System, Tag


class SectionSitemap(Sitemap):
    """A section over a queryset, with its size and latest change read
    together, in one query."""

    changefreq = "weekly"
    priority = 0.5

    @property
    def limit(self) -> int:  # type: ignore[override]  # read from settings
        return settings.COOPSITE_SITEMAP_SIZE

    def items(self) -> QuerySet:
        raise NotImplementedError

    @cached_property
    def summary(self) -> dict:
        """How many addresses the section holds, and when the latest changed."""
        return (
            self.items()
            .order_by()
            .aggregate(total=Count("pk"), latest=Max("updated_at"))
        )

    @property
    def paginator(self) -> Paginator:
        pages = Paginator(self.items(), self.limit)
        pages.count = self.summary["total"]  # known already: no second count
        return pages

    def get_latest_lastmod(self):
        return self.summary["latest"]

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(SectionSitemap):
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("pk")


class RecordSitemap(SectionSitemap):
    changefreq = "monthly"

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.only("slug", "entity_type", "updated_at").order_by(
            "pk"
        )


class TagSitemap(SectionSitemap):
    priority = 0.4

    def items(self):
        return Tag.objects.only("slug", "updated_at").order_by("pk")


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
