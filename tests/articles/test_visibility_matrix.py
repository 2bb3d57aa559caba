"""{anonymous, contributor, editor, researcher} × {draft, review, scheduled,
published, archived} × {article page, lists, search, feeds, sitemap, entity
pages, the API, preview} (every API endpoint and the bulk downloads:
tests/api/test_visibility.py) × {page cache off, on}: readers only ever see
what is published and due, whoever is logged in, whether a page is made for
them or comes from the cache (filled before the article was saved, and
again after); preview is for staff who may see the article; and each role
may do exactly what it should in the admin."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import permissions
from articles.admin import workflow_buttons
from articles.models import ArticleEntityLink, ArticleStatus, LinkState
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(16)]

ROLES = ["anonymous", "contributor", "editor", "researcher"]
STATES = ["draft", "review", "scheduled", "published", "archived"]
TITLE = "Matrix essay about Poland"


@pytest.fixture
def people(contributor, editor, researcher):
    return {
        "anonymous": None,
        "contributor": contributor,
        "editor": editor,
        "researcher": researcher,
    }


def make(state, author, country):
    now = timezone.now()
    fields = {
        "draft": {"status": ArticleStatus.DRAFT},
        "review": {"status": ArticleStatus.REVIEW},
        "scheduled": {
            "status": ArticleStatus.PUBLISHED,
            "published_at": now + dt.timedelta(days=2),
        },
        "published": {
            "status": ArticleStatus.PUBLISHED,
            "published_at": now - dt.timedelta(days=2),
        },
        "archived": {
            "status": ArticleStatus.ARCHIVED,
            "published_at": now - dt.timedelta(days=9),
        },
    }[state]
    article = ArticleFactory(
        title=TITLE, body="Poland signed.", authors=[author], **fields
    )
    ArticleEntityLink.objects.create(
        article=article, entity=country("PL"), state=LinkState.ACCEPTED
    )
    return article


SURFACES = {
    "article page": lambda a: a.get_absolute_url(),
    "home": lambda a: "/",
    "article list": lambda a: "/articles/",
    "filtered list": lambda a: "/articles/?country=poland",
    "list filtered by text": lambda a: "/articles/?q=matrix",
    "list filtered by text and country": lambda a: "/articles/?q=matrix&country=poland",
    "search": lambda a: "/search/?q=matrix",
    "feed": lambda a: "/feeds/articles/",
    "entity feed": lambda a: "/countries/poland/feed/",
    "sitemap": lambda a: "/sitemap-articles.xml",
    "entity page": lambda a: "/countries/poland/",
    "api article": lambda a: f"/api/v1/articles/{a.slug}/",
    "api article list": lambda a: "/api/v1/articles/",
    "api filtered list": lambda a: "/api/v1/articles/?country=poland",
}
# Answer 404 unless the article is public; the rest list it or not.
DETAIL_SURFACES = {"article page", "api article"}


def check_public_surfaces(client, article, *, public: bool, from_cache: bool):
    """Every public surface lists the article (or answers 200) only if it
    is public; ``from_cache``: the pages come from the page cache."""
    for surface, url_of in SURFACES.items():
        response = client.get(url_of(article))
        if from_cache and response.status_code == 200:
            hit = response.get("X-Cache") == "hit"
            assert hit is not surface.startswith("api"), surface
        if surface in DETAIL_SURFACES:
            # An article withdrawn after it was public: gone on purpose (410),
            # its title, text and byline nowhere on the page.
            withdrawn = surface == "article page" and article.status == "archived"
            assert response.status_code == (
                200 if public else 410 if withdrawn else 404
            ), surface
            if not public:
                assert TITLE not in response.content.decode(), surface
                assert article.body not in response.content.decode(), surface
            continue
        body = response.content.decode()
        assert (article.get_absolute_url() in body) == public, surface


@pytest.mark.parametrize("cache", ["no cache", "page cache"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_and_does_what(request, people, country, role, state, cache, commit):
    user = people[role]
    cached = cache == "page cache"
    if cached:
        request.getfixturevalue("public_cache")
        for url_of in SURFACES.values():  # the cache as a reader left it
            Client().get(url_of(ArticleFactory.build(slug="not-yet")))
    with commit():  # indexed for search, as it would be once saved
        article = make(state, people["contributor"], country)
    client = Client()
    if user is not None:
        client.force_login(user)
    public = state == "published"

    # Public surfaces: the same for everyone, logged in or not; with the
    # cache, made, then (for readers) from the cache.
    check_public_surfaces(client, article, public=public, from_cache=False)
    if cached:
        check_public_surfaces(client, article, public=public, from_cache=not user)

    # Preview: staff who may see the article; a bare 404 for anyone else.
    preview = client.get(reverse("articles:preview", args=[article.pk]))
    may_preview = role in ("contributor", "editor", "researcher")
    assert preview.status_code == (200 if may_preview else 404)

    # What each role may do with it.
    if user is None:
        return
    may_edit = role == "editor" or (role == "contributor" and state == "draft")
    assert permissions.can_edit(user, article) is may_edit
    change = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "title": "Edited",
            "slug": article.slug,
            "body": "x",
            "base_version": article.edit_version,
            **{
                f"{p}-{k}": v
                for p in ("entity_links", "entity_links-2", "entity_links-3")
                for k, v in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
            },
        },
    )
    assert (change.status_code == 302) is may_edit, change.status_code
    steps = {name for name, _ in workflow_buttons(user, article)}
    expected = set()
    if state == "draft" and may_edit:
        expected.add("submit")
    if role == "editor":
        expected |= {
            "draft": {"publish"},
            "review": {"publish", "return"},
            "scheduled": {"publish", "unpublish"},
            "published": {"unpublish", "archive"},
            "archived": {"publish", "return"},
        }[state]
    assert steps == expected
