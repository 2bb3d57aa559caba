from django.conf import settings
from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from partnerships.models import EntityType, Partnership

from .linking import link_first_mentions
from .models import ENTITY_GROUP_LABELS, Article, ArticleEntityLink


class PublishedArticleMixin:
    """Every public article view starts from ``Article.objects.published()``."""

    def get_queryset(self):
        return Article.objects.published().prefetch_related("authors")


class HomeView(PublishedArticleMixin, ListView):
    template_name = "articles/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return super().get_queryset()[:10]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured_partnerships"] = Partnership.objects.filter(
            is_featured=True
        ).with_participants()[:6]
        return context


class ArticleListView(PublishedArticleMixin, ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.COOPSITE_ARTICLES_PER_PAGE


class ArticleDetailView(PublishedArticleMixin, DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                "tags",
                Prefetch(
                    "entity_links",
                    queryset=ArticleEntityLink.objects.accepted()
                    .select_related("entity")
                    .prefetch_related("entity__aliases")
                    .order_by("entity__name"),
                    to_attr="accepted_links",
                ),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entities = [link.entity for link in self.object.accepted_links]
        context["body_html"] = link_first_mentions(self.object.body_html, entities)
        context["entity_groups"] = [
            (ENTITY_GROUP_LABELS[entity_type], members)
            for entity_type in EntityType.values
            if (members := [e for e in entities if e.entity_type == entity_type])
        ]
        return context
