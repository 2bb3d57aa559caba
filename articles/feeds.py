"""Atom feeds: every article, and the articles on any one entity or topic,
so a reader can follow a country, a system or a programme."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from partnerships.models import Tag

from .models import Article

FEED_LENGTH = 30


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "coopsite: latest articles"
    subtitle = "Essays on international defence-industrial cooperation."

    def link(self):
        return reverse("articles:list")

    def articles(self):
        return Article.objects.published().prefetch_related("authors", "tags")

    def items(self):
        return self.articles().order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.standfirst

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return (
            ", ".join(author.display_name for author in article.authors.all()) or None
        )

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]


class EntityArticlesFeed(LatestArticlesFeed):
    """The published articles linked to one entity of ``model``."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, entity):
        return f"coopsite: articles on {entity.name}"

    def subtitle(self, entity):
        return f"Articles that mention {entity.name}, newest first."

    def link(self, entity):
        return entity.get_absolute_url()

    def items(self, entity):
        return (
            self.articles()
            .linking(entity)
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )


class TagArticlesFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def title(self, tag):
        return f"coopsite: articles on {tag.name}"

    def subtitle(self, tag):
        return f"Articles on {tag.name}, newest first."

    def link(self, tag):
        return tag.get_absolute_url()

    def items(self, tag):
        return (
            self.articles()
            .filter(tags=tag)
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )
