"""Pages that compose the articles and the records: they live above both
apps, which know nothing of them."""

import sys
from functools import wraps

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token
from django.views.generic import ListView, RedirectView, TemplateView

from articles.models import Article
from articles.selectors import kept_article_cards
from freshness.versions import kept_for_version
from partnerships.models import Country, Organisation, Partnership, System
from partnerships.views import kept_partnership_rows

from .safety import strip_xml_illegal


class HomeView(ListView):
    """The latest articles, featured partnerships, and what the records hold."""

    template_name = "home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_cards().newest_first()[:7]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Kept rendered for the version of the data, as a list's rows are.
        context["article_cards"] = kept_article_cards("latest", self.object_list)
        context.update(
            kept_partnership_rows(
                "featured",
                Partnership.objects.for_lists().filter(is_featured=True)[:6],
            )
        )
        context["counts"] = kept_for_version("home figures", self.figures, stale=True)
        return context

    @staticmethod
    def figures() -> dict[str, int]:
        """What the records hold: counted once per change of the data."""
        return {
            "articles": Article.objects.published().count(),
            "partnerships": Partnership.objects.count(),
            "countries": Country.objects.filter(participations__isnull=False)
            .distinct()
            .count(),
            "organisations": Organisation.objects.count(),
            "systems": System.objects.count(),
        }


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


RETRY_AFTER_SECONDS = 10


@requires_csrf_token
def server_error(request):
    """An unhandled error. While the database is away (restarting, failing
    over), that is not the site's fault nor the reader's: 503 with
    Retry-After, so browsers, crawlers and load balancers come back, rather
    than a 500. A lost or refused connection (OperationalError,
    InterfaceError) is that; a query the database rejected is a real 500.
    The page needs no database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        body = loader.render_to_string("503.html", {"retry": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


def serve_media(request, path):
    """An uploaded file from MEDIA_ROOT, for development and tests only
    (COOPSITE_SERVE_MEDIA); production serves them from the web server or
    object storage. A name the file system cannot look up (too long, say)
    is a 404, like any name it does not hold."""
    from django.views.static import serve

    try:
        return serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError as error:
        raise Http404("No such file") from error


class FaviconView(RedirectView):
    """The site's icon where browsers look for one on pages that name none
    (the admin's): its address read at request time, as the static files'
    manifest names it in production."""

    # Not permanent: the address names the icon's current version.
    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")
