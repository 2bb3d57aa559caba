"""The admin lists' "related only" filters (an article's authors and tags, a
partnership's countries and tags) find their choices once per version of
the data and per user, not by reading every row on every request; a
committed change is in them on the next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PartnershipFactory, PublishedArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"
PARTNERSHIPS = "/admin/partnerships/partnership/"


def choice_queries(client, path) -> tuple[str, list[str]]:
    """The page, and the queries that looked up a filter's choices: those
    that read the related table for the keys the list's rows have."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    lookups = [
        q["sql"]
        for q in captured.captured_queries
        if " IN (SELECT DISTINCT" in q["sql"]
    ]
    return response.content.decode(), lookups


def test_article_filters_are_looked_up_once_per_version(
    kept_counts, editor_client, commit
):
    with commit():
        PublishedArticleFactory(tags=[TagFactory(name="Drones")])
    page, first = choice_queries(editor_client, ARTICLES)
    assert len(first) == 2  # authors, tags
    assert "Drones" in page

    page, again = choice_queries(editor_client, ARTICLES)
    assert again == []
    assert "Drones" in page

    with commit():
        PublishedArticleFactory(tags=[TagFactory(name="Radars")])
    page, after_change = choice_queries(editor_client, ARTICLES)
    assert len(after_change) == 2
    assert "Radars" in page


def test_partnership_filters_follow_a_new_tag(kept_counts, superuser_client, commit):
    with commit():
        PartnershipFactory(tags=[TagFactory(name="Air defence")])
    page, first = choice_queries(superuser_client, PARTNERSHIPS)
    assert len(first) == 2  # countries, tags
    assert "Air defence" in page
    assert choice_queries(superuser_client, PARTNERSHIPS)[1] == []

    with commit():
        PartnershipFactory(tags=[TagFactory(name="Armour")])
    page, _ = choice_queries(superuser_client, PARTNERSHIPS)
    assert "Armour" in page


def test_each_user_has_the_choices_of_the_rows_they_see(
    kept_counts, editor, contributor, commit
):
    editor_client, contributor_client = Client(), Client()
    editor_client.force_login(editor)
    contributor_client.force_login(contributor)
    with commit():
        PublishedArticleFactory(tags=[TagFactory(name="Someone else's tag")])
        PublishedArticleFactory(authors=[contributor], tags=[TagFactory(name="Mine")])
    editor_page, _ = choice_queries(editor_client, ARTICLES)
    assert "Someone else" in editor_page

    contributor_page, lookups = choice_queries(contributor_client, ARTICLES)
    assert lookups, "the editor's choices are not the contributor's"
    assert "Mine" in contributor_page
    assert "Someone else" not in contributor_page
