from django.urls import path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("partnerships/", views.PartnershipListView.as_view(), name="partnership_list"),
    path(
        "partnerships/<slug:slug>/",
        views.PartnershipDetailView.as_view(),
        name="partnership_detail",
    ),
    path("countries/", views.CountryListView.as_view(), name="country_list"),
    path(
        "countries/<slug:slug>/",
        views.CountryDetailView.as_view(),
        name="country_detail",
    ),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "systems/<slug:slug>/", views.SystemDetailView.as_view(), name="system_detail"
    ),
    path("blocs/<slug:slug>/", views.BlocDetailView.as_view(), name="bloc_detail"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
]
