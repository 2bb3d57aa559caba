from django.conf import settings
from django.views.generic import DetailView, ListView

from partnerships.models import Partnership

from .models import Article


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
        return super().get_queryset().prefetch_related("tags")
