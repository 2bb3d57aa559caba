from django.urls import path

from articles.feeds import EntityArticlesFeed, TagArticlesFeed

from . import views
from .models import Bloc, Country, Organisation, Partnership, System

app_name = "partnerships"

urlpatterns = [
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership_list"),
    path(
        "partnerships/export.csv",
        views.PartnershipExportView.as_view(format="csv"),
        name="partnership_export_csv",
    ),
    path(
        "partnerships/export.json",
        views.PartnershipExportView.as_view(format="json"),
        name="partnership_export_json",
    ),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipDetailView.as_view(),
        name="partnership_detail",
    ),
    path(
        "partnerships/<slug:slug>/feed/",
        EntityArticlesFeed(Partnership),
        name="partnership_feed",
    ),
    path("countries/", views.CountryListView.as_view(), name="country_list"),
    path(
        "countries/<slug:slug>/",
        views.CountryDetailView.as_view(),
        name="country_detail",
    ),
    path(
        "countries/<slug:slug>/feed/", EntityArticlesFeed(Country), name="country_feed"
    ),
    path(
        "organisations/", views.OrganisationListView.as_view(), name="organisation_list"
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisations/<slug:slug>/feed/",
        EntityArticlesFeed(Organisation),
        name="organisation_feed",
    ),
    path("systems/", views.SystemListView.as_view(), name="system_list"),
    path(
        "systems/<slug:slug>/", views.SystemDetailView.as_view(), name="system_detail"
    ),
    path("systems/<slug:slug>/feed/", EntityArticlesFeed(System), name="system_feed"),
    path("blocs/", views.BlocListView.as_view(), name="bloc_list"),
    path("blocs/<slug:slug>/", views.BlocDetailView.as_view(), name="bloc_detail"),
    path("blocs/<slug:slug>/feed/", EntityArticlesFeed(Bloc), name="bloc_feed"),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("tags/<slug:slug>/feed/", TagArticlesFeed(), name="tag_feed"),
    path("network/", views.NetworkView.as_view(), name="network"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
]
