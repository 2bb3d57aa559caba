"""Atom feeds: every article, and the articles on any one entity or topic,
so a reader can follow a country, a system or a programme.

A standfirst is plain text and goes out as ``<summary type="text">``: a feed
reader shows markup typed into it as characters, never as HTML. Links are
only ever http(s), and any character XML cannot carry is dropped on the way
out, whatever reached the database."""

import copy

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.xmlutils import SimplerXMLGenerator

from coopsite.safety import http_url, strip_xml_illegal
from partnerships.models import Tag

from .models import Article

FEED_LENGTH = 30


class _XMLSafeGenerator(SimplerXMLGenerator):
    """Writes text and attributes without the characters XML forbids, and
    never a link that is not http(s)."""

    def characters(self, content):
        super().characters(strip_xml_illegal(content) if content else content)

    def startElement(self, name, attrs):
        attrs = {
            key: strip_xml_illegal(value) if isinstance(value, str) else value
            for key, value in attrs.items()
        }
        if "href" in attrs and not http_url(attrs["href"]):
            attrs.pop("href")
        super().startElement(name, attrs)


class TextSummaryAtomFeed(Atom1Feed):
    """Atom with plain-text summaries and nothing XML cannot hold."""

    def write(self, outfile, encoding):
        handler = _XMLSafeGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def feed_authority() -> str:
    """The domain entries' ids are minted under: one for every host the
    site answers to (``COOPSITE_FEED_AUTHORITY``, else the first allowed
    host), so that an entry has one id whichever address a reader uses."""
    if settings.COOPSITE_FEED_AUTHORITY:
        return settings.COOPSITE_FEED_AUTHORITY
    for host in settings.ALLOWED_HOSTS:
        if (name := host.lstrip(".").strip("[]")) and name != "*":
            return name
    return "coopsite.invalid"


class LatestArticlesFeed(Feed):
    feed_type = TextSummaryAtomFeed
    title = "coopsite: latest articles"
    subtitle = "Essays on international defence-industrial cooperation."

    def link(self):
        return reverse("articles:list")

    def articles(self):
        return (
            Article.objects.published()
            .select_related("lead_image")
            .prefetch_related("authors", "tags")
        )

    def items(self):
        return self.articles().newest_first()[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.standfirst

    def item_pubdate(self, article):
        return article.published_at

    # An entry's id is the article's own, not its address: a new slug must
    # not read as a new article to subscribers (RFC 4151 tag URIs).
    item_guid_is_permalink = False

    def item_guid(self, article):
        return (
            f"tag:{feed_authority()},{article.created_at:%Y-%m-%d}:article:{article.pk}"
        )

    def item_updateddate(self, article):
        return article.modified_at

    def item_author_name(self, article):
        return ", ".join(author.byline_name for author in article.authors.all()) or None

    def get_feed(self, obj, request):
        # One feed object serves every request: give this request's copy
        # the request, for absolute picture addresses.
        feed = copy.copy(self)
        feed.request = request
        return Feed.get_feed(feed, obj, request)

    def item_enclosures(self, article):
        """The lead picture, as the original file (its size is known)."""
        image = article.lead_image
        if image is None:
            return []
        return [
            Enclosure(
                self.request.build_absolute_uri(image.file.url),
                str(image.file_size),
                image.mime_type,
            )
        ]

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
        return self.articles().linking(entity).newest_first()[:FEED_LENGTH]


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
        return self.articles().filter(tags=tag).newest_first()[:FEED_LENGTH]
