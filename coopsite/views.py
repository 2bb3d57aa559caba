"""Pages that compose the articles and the records: they live above both
apps, which know nothing of them."""

from functools import wraps

from django.urls import reverse
from django.views.generic import ListView, TemplateView

from articles.models import Article
from partnerships.models import Country, Organisation, Partnership, System

from .safety import strip_xml_illegal


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


def xml_safe(view):
    """The last line for an XML view (the sitemap): characters XML 1.0 cannot
    hold are dropped from what it renders, whatever reached the database."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        charset = response.charset
        response.content = strip_xml_illegal(response.content.decode(charset)).encode(
            charset
        )
        return response

    return wrapped
