from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.feeds import LatestArticlesFeed

from .sitemaps import SITEMAPS
from .views import FaviconView, HomeView, RobotsView, xml_safe

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("articles/", include("articles.urls")),
    path("search/", include("search.urls")),
    path("feeds/articles/", LatestArticlesFeed(), name="articles_feed"),
    path("", include("partnerships.urls")),
    path(
        "sitemap.xml",
        xml_safe(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        xml_safe(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "sitemap_section.xml"},
        name="sitemap_section",
    ),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    # Where browsers look for an icon on pages that name none (the admin's).
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]

if settings.COOPSITE_SERVE_MEDIA:
    # Uploaded pictures, straight from MEDIA_ROOT: for development and tests.
    # In production the web server or object storage serves them.
    from .views import serve_media

    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve_media,
            name="media",
        )
    ]

handler500 = "coopsite.views.server_error"
