from django.urls import path, re_path
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from articles.markdown import render_markdown

from . import downloads, views
from .views import PublicAPIMixin

app_name = "api"

router = SimpleRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("countries", views.CountryViewSet, basename="country")
router.register("blocs", views.BlocViewSet, basename="bloc")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("systems", views.SystemViewSet, basename="system")
router.register("tags", views.TagViewSet, basename="tag")


class SchemaView(PublicAPIMixin, SpectacularJSONAPIView):
    """The OpenAPI 3 schema, as JSON."""


class DocsView(PublicAPIMixin, SpectacularSwaggerSplitView):
    """Swagger UI, served from this site (no CDN: the CSP allows none); its
    start-up script is a separate file, so no inline script is needed."""

    known_parameters = frozenset({"script", "lang"})
    template_name = "api/swagger_ui.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is None:
            # The heading and introduction are the page's own (Swagger UI's
            # are hidden): one h1, then its h2 sections, as a reader expects.
            response.data |= {
                "version": spectacular_settings.VERSION,
                "description": render_markdown(spectacular_settings.DESCRIPTION),
            }
        return response

    def check_parameters(self, request) -> None:
        unknown = set(request.query_params) - self.known_parameters
        if unknown:
            super().check_parameters(request)  # the 400 that names them


urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("downloads/", downloads.DownloadsView.as_view(), name="downloads"),
    path(
        "downloads/latest.zip",
        downloads.LatestDownloadView.as_view(kind="csv"),
        name="latest_csv",
    ),
    path(
        "downloads/latest.jsonl.gz",
        downloads.LatestDownloadView.as_view(kind="jsonl"),
        name="latest_jsonl",
    ),
    path("downloads/<str:name>", downloads.DownloadView.as_view(), name="download"),
    *router.urls,
    # Anything else under /api/v1/ is a JSON 404, like the rest of the API.
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
