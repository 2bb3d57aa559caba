"""What the API answers that needs no records: its root, its addresses,
one filter definition with the public lists, and clear answers for
parameters and records that do not exist."""

import pytest
from django.urls import resolve, reverse

from api import views
from articles.filters import ArticleFilter
from articles.views import ArticleListView
from partnerships.filters import PartnershipFilter
from partnerships.views import PartnershipListView
from tests.api.test_endpoints import LISTS, get

pytestmark = pytest.mark.django_db


def test_the_root_lists_every_list_and_the_schema_docs_and_downloads(client):
    response, data = get(client, "/api/v1/")
    assert response.status_code == 200
    assert set(data["lists"]) == set(LISTS)
    for name in LISTS:
        assert data["lists"][name] == f"http://testserver/api/v1/{name}/"
    assert data["schema"].endswith("/api/v1/schema/")
    assert data["docs"].endswith("/api/v1/docs/")
    assert data["downloads"].endswith("/api/v1/downloads/")


def test_the_api_and_the_public_list_filter_with_one_definition():
    assert views.PartnershipViewSet.filterset_class is PartnershipFilter
    assert PartnershipListView.filterset_class is PartnershipFilter
    assert views.ArticleViewSet.filterset_class is ArticleFilter
    assert ArticleListView.filterset_class is ArticleFilter


def test_an_unknown_parameter_is_named_with_the_ones_that_exist(client):
    response = client.get("/api/v1/partnerships/", {"contry": "pakistan"})
    message = response.json()["detail"]
    assert "contry" in message
    assert "country" in message


def test_an_unknown_record_is_a_404(client, db):
    response = client.get("/api/v1/systems/no-such-system/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No System matches the given query."}


def test_api_urls_round_trip():
    assert reverse("api:partnership-detail", kwargs={"slug": "x"}) == (
        "/api/v1/partnerships/x/"
    )
    assert resolve("/api/v1/partnerships/x/").url_name == "partnership-detail"
    assert resolve("/api/v1/").url_name == "root"
