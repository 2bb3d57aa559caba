"""Quieter surfaces: readers address authors by a public slug, never by
username, and learn nothing about staff who published nothing; the admin's
"Used in" panel shows an unpublished article only to those who may read it."""

import pytest
from django.urls import reverse

from articles.linking import article_scan_mentions
from articles.models import LinkState
from tests.factories import ArticleFactory, PublishedArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def byline():
    author = UserFactory(
        username="l.aydin-login", first_name="Leyla", last_name="Aydın"
    )
    PublishedArticleFactory(title="Drones for Poland", authors=[author])
    return author


def test_authors_are_filtered_by_a_slug_made_from_their_name(client, byline):
    assert byline.author_slug == "leyla-aydin"
    response = client.get("/articles/", {"author": "leyla-aydin"})
    assert [a.title for a in response.context["articles"]] == ["Drones for Poland"]
    page = response.content.decode()
    assert 'value="leyla-aydin"' in page
    assert "l.aydin-login" not in page


def test_a_username_confirms_nothing(client, byline, superuser):
    for probe in ("l.aydin-login", superuser.username, superuser.author_slug):
        response = client.get("/articles/", {"author": probe})
        page = response.content.decode()
        assert "Select a valid choice" in page, probe
        assert superuser.get_full_name() not in page


def test_namesakes_get_numbered_slugs_and_nameless_staff_no_username():
    first = UserFactory(username="a1", first_name="Hana", last_name="Kim")
    second = UserFactory(username="a2", first_name="Hana", last_name="Kim")
    nameless = UserFactory(username="secret-login", first_name="", last_name="")
    assert (first.author_slug, second.author_slug) == ("hana-kim", "hana-kim-2")
    assert "secret" not in nameless.author_slug


def test_used_in_shows_unpublished_titles_only_to_who_may_read_them(
    contributor, superuser, country
):
    from django.test import Client

    contributor_client, superuser_client = Client(), Client()
    contributor_client.force_login(contributor)
    superuser_client.force_login(superuser)
    pakistan = country("PK")
    own = ArticleFactory(title="My own draft", body="Pakistan.", authors=[contributor])
    other = ArticleFactory(title="Someone else's secret draft", body="Pakistan.")
    public = PublishedArticleFactory(title="A published essay", body="Pakistan.")
    for article in (own, other, public):
        article_scan_mentions(article=article)
        article.entity_links.update(state=LinkState.ACCEPTED)
    url = reverse("admin:partnerships_country_change", args=[pakistan.pk])

    page = contributor_client.get(url).content.decode()
    assert "My own draft" in page
    assert "A published essay" in page
    assert "secret draft" not in page
    used_in = page[page.index("<h2>Used in</h2>") :]
    assert "1 unpublished article you cannot" in " ".join(used_in.split()), used_in[
        :600
    ]

    page = superuser_client.get(url).content.decode()
    assert "secret draft" in page
    assert "you cannot" not in page
