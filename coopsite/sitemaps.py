"""sitemap.xml: the public pages, published articles and every record."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article
from partnerships.models import Bloc, Country, Organisation, Partnership, System, Tag


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().order_by("-published_at", "pk")

    def lastmod(self, article):
        return article.updated_at


class RecordSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def __init__(self, model):
        self.model = model

    def items(self):
        return self.model.objects.only("slug", "entity_type", "updated_at").order_by(
            "pk"
        )

    def lastmod(self, entity):
        return entity.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Tag.objects.order_by("pk")

    def lastmod(self, tag):
        return tag.updated_at


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "home",
            "articles:list",
            "partnerships:partnership_list",
            "partnerships:country_list",
            "partnerships:network",
            "partnerships:timeline",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "partnerships": RecordSitemap(Partnership),
    "countries": RecordSitemap(Country),
    "organisations": RecordSitemap(Organisation),
    "systems": RecordSitemap(System),
    "blocs": RecordSitemap(Bloc),
    "tags": TagSitemap,
}
