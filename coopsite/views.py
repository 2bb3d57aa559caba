"""Pages that compose the articles and the records: they live above both
apps, which know nothing of them."""

from django.urls import reverse
from django.views.generic import ListView, TemplateView

from articles.models import Article
from partnerships.models import Country, Organisation, Partnership, System


class HomeView(ListView):
    """The latest articles, featured partnerships, and what the records hold."""

    template_name = "home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return (
            Article.objects.published()
            .prefetch_related("authors")
            .order_by("-published_at", "-pk")[:7]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured_partnerships"] = Partnership.objects.for_lists().filter(
            is_featured=True
        )[:6]
        context["counts"] = {
            "articles": Article.objects.published().count(),
            "partnerships": Partnership.objects.count(),
            "countries": Country.objects.filter(participations__isnull=False)
            .distinct()
            .count(),
            "organisations": Organisation.objects.count(),
            "systems": System.objects.count(),
        }
        return context


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sitemap_url"] = self.request.build_absolute_uri(reverse("sitemap"))
        return context
