from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView
from django_filters.views import FilterView

from coopsite.filtering import FacetedListMixin
from coopsite.safety import script_safe_json
from partnerships.models import EntityType

from . import permissions
from .filters import ArticleFilter
from .models import Article
from .previews import article_id_from_token
from .rendering import page_parts
from .selectors import cards_are_shared

SCHEMA_TYPES = {
    EntityType.COUNTRY: "Country",
    EntityType.BLOC: "Organization",
    EntityType.ORGANISATION: "Organization",
    EntityType.SYSTEM: "Product",
    EntityType.PARTNERSHIP: "Thing",
}


class PublishedArticleMixin:
    """Every public article view starts from ``Article.objects.published()``."""

    def get_queryset(self):
        return Article.objects.published().for_cards()


class ArticleListView(PublishedArticleMixin, FacetedListMixin, FilterView):
    filterset_class = ArticleFilter
    template_name = "articles/article_list.html"
    results_template = "includes/article_results.html"
    context_object_name = "articles"
    list_filters = (
        "q",
        "country",
        "organisation",
        "system",
        "kind",
        "tag",
        "author",
        "published_after",
        "published_before",
        "sort",
    )

    def get_default_page_size(self):
        return settings.COOPSITE_ARTICLES_PER_PAGE

    def results_may_be_kept(self) -> bool:
        return cards_are_shared()  # not where the cards' pictures' addresses expire


class ArticleDetailView(PublishedArticleMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An old address of a published article: send readers on.
            moved = Article.objects.published().formerly_at(kwargs["slug"]).first()
            if moved is not None:
                return HttpResponsePermanentRedirect(moved.get_absolute_url())
            if Article.objects.withdrawn().filter(slug=kwargs["slug"]).exists():
                # Archived after it was public: gone on purpose, not missing
                # (410, for readers and search engines); nothing of it shown.
                return TemplateResponse(request, "articles/withdrawn.html", status=410)
            raise

    def get_queryset(self):
        return self.readable_articles().select_related("lead_image", "social_image")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The body, byline, topics and linked records as kept for readers
        # (made again only after a change to what they show): one row read.
        parts = page_parts(self.object)
        context["body_html"] = parts.body
        context["authors"], context["tags"] = parts.authors, parts.tags
        entities = parts.entities
        context["entity_groups"] = [
            (entity_type.plural, members)
            for entity_type in EntityType
            if (members := [e for e in entities if e.entity_type == entity_type])
        ]
        context["share_picture"] = self.share_picture()
        context["json_ld"] = self.json_ld(parts, context["share_picture"])
        return context

    def share_picture(self) -> dict | None:
        """The picture of link previews: its social crop, absolute."""
        image = self.object.share_image
        if image is None:
            return None
        rendition = image.renditions.largest("social")
        return {
            "url": self.request.build_absolute_uri(rendition.url),
            "type": rendition.mime_type,
            "width": rendition.width,
            "height": rendition.height,
            "alt": image.alt_text,
        }

    def readable_articles(self):
        return Article.objects.published()

    def json_ld(self, parts, share_picture=None):
        """schema.org NewsArticle, with the linked entities as ``mentions``."""
        article, absolute = self.object, self.request.build_absolute_uri
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.description,
            "datePublished": article.published_at.isoformat()
            if article.published_at
            else None,
            "dateModified": article.modified_at.isoformat(),
            "mainEntityOfPage": absolute(article.get_absolute_url()),
            "url": absolute(article.get_absolute_url()),
            "author": [
                {"@type": "Person", "name": author.byline_name}
                for author in parts.authors
            ],
            "publisher": {"@type": "Organization", "name": "coopsite"},
            "keywords": [tag.name for tag in parts.tags],
            "wordCount": parts.words,
            "mentions": [
                {
                    "@type": SCHEMA_TYPES[entity.entity_type],
                    "name": entity.name,
                    "url": absolute(entity.url),
                }
                for entity in parts.entities
            ],
        }
        if share_picture:
            data["image"] = [
                {
                    "@type": "ImageObject",
                    "url": share_picture["url"],
                    "width": share_picture["width"],
                    "height": share_picture["height"],
                    "caption": article.share_image.caption or None,
                }
            ]
        # Inside <script>: no "<", ">", "&", U+2028 or U+2029 as themselves.
        return mark_safe(script_safe_json(data))  # noqa: S308 - escaped for <script>


# A draft is never kept by a browser, a proxy or the page cache.
@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    """A draft as it will look, for staff who may see it in the admin. To
    anyone else it is a plain 404: the page does not say a draft exists."""

    template_name = "articles/article_detail.html"

    def get(self, request, *args, **kwargs):
        return DetailView.get(self, request, *args, **kwargs)

    def readable_articles(self):
        return Article.objects.all()

    def get_object(self, queryset=None):
        article = super().get_object(queryset)
        if not permissions.can_view(self.request.user, article):
            raise Http404("No article found matching the query")
        return article

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "preview": True}


class SharedPreviewView(ArticlePreviewView):
    """A preview through a signed link, valid for a day, for anyone who has it."""

    def get_object(self, queryset=None):
        article_id = article_id_from_token(self.kwargs["token"])
        article = (
            self.get_queryset().filter(pk=article_id).first() if article_id else None
        )
        if article is None:
            raise Http404("No article found matching the query")
        return article
