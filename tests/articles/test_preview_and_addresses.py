"""Previews for staff and by signed link; old addresses redirect."""

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleSlugRedirect, ArticleStatus
from articles.previews import SALT, preview_token, signed_preview_url
from tests.admin_forms import article_form
from tests.factories import ArticleFactory, PublishedArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def preview(article):
    return reverse("articles:preview", args=[article.pk])


def test_staff_see_a_draft_with_the_public_template(editor_client):
    draft = ArticleFactory(title="Work in progress", body="## Part one\n\nText.")
    response = editor_client.get(preview(draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Work in progress</h1>" in page
    assert "<h2>Part one</h2>" in page
    assert "Preview: this article is <strong>draft</strong>" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_a_contributor_previews_only_their_own(contributor_client, contributor):
    mine = ArticleFactory(authors=[contributor])
    theirs = ArticleFactory(authors=[UserFactory()])
    assert contributor_client.get(preview(mine)).status_code == 200
    assert contributor_client.get(preview(theirs)).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_anyone_else_gets_a_404_that_reveals_nothing(client, who):
    draft = ArticleFactory(title="Secret draft")
    if who == "reader":
        client.force_login(UserFactory(username="reader", is_staff=False))
    response = client.get(preview(draft))
    missing = client.get(reverse("articles:preview", args=[draft.pk + 1000]))
    assert response.status_code == missing.status_code == 404
    assert "Secret draft" not in response.content.decode()
    assert "login" not in response.get("Location", "")


def test_a_signed_link_shows_the_draft_to_anyone_for_a_day(client, editor_client):
    draft = ArticleFactory(title="Shared draft")
    with time_machine.travel(timezone.now(), tick=False):
        url = signed_preview_url(draft)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23)):
        assert client.get(url).status_code == 200
        assert "Shared draft" in client.get(url).content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, seconds=5)):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("token", ["nonsense", "1:abc:def", "99:1vJbqP:forged"])
def test_a_forged_signed_link_is_a_404(client, token):
    ArticleFactory()
    assert (
        client.get(reverse("articles:shared_preview", args=[token])).status_code == 404
    )


@pytest.mark.parametrize(
    "signer",
    [
        lambda value: signing.Signer(salt=SALT).sign(value),
        lambda value: signing.TimestampSigner(salt=SALT).sign(f"x{value}"),
        lambda value: signing.TimestampSigner(salt="another.salt").sign(value),
    ],
)
def test_a_token_signed_another_way_is_a_404_not_an_error(client, signer):
    article = ArticleFactory()
    token = signer(str(article.pk))
    response = client.get(reverse("articles:shared_preview", args=[token]))
    assert response.status_code == 404


def test_a_token_for_one_article_does_not_open_another(client):
    first, second = ArticleFactory(), ArticleFactory(title="Other draft")
    token = preview_token(first)
    other = token.replace(str(first.pk), str(second.pk), 1)
    assert (
        client.get(reverse("articles:shared_preview", args=[other])).status_code == 404
    )


def test_editors_get_a_share_link_on_the_article_page(editor, contributor):
    draft = ArticleFactory(authors=[contributor])
    url = reverse("admin:articles_article_change", args=[draft.pk])
    as_editor, as_contributor = Client(), Client()
    as_editor.force_login(editor)
    as_contributor.force_login(contributor)
    share = as_editor.get(url).context["share_url"]
    assert share.startswith("http://testserver/articles/preview/shared/")
    assert as_contributor.get(url).context["share_url"] is None


# --- Old addresses ---------------------------------------------------------------


def test_a_changed_slug_keeps_the_old_address_working(client, editor_client):
    article = PublishedArticleFactory(slug="old-address")
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(
            title=article.title, slug="new-address", base_version=article.edit_version
        ),
    )
    assert response.status_code == 302
    old = client.get("/articles/old-address/")
    assert old.status_code == 301
    assert old["Location"] == "/articles/new-address/"
    assert client.get("/articles/new-address/").status_code == 200


def test_every_earlier_address_leads_to_the_current_one(client):
    article = PublishedArticleFactory(slug="first")
    for slug in ("second", "third"):
        article.slug = slug
        article.save()
    for old in ("first", "second"):
        assert client.get(f"/articles/{old}/")["Location"] == "/articles/third/"
    assert ArticleSlugRedirect.objects.count() == 2


def test_an_old_address_of_an_unpublished_article_is_a_404(client):
    article = ArticleFactory(slug="was-here", status=ArticleStatus.DRAFT)
    article.slug = "now-here"
    article.save()
    assert client.get("/articles/was-here/").status_code == 404


def test_a_new_article_may_take_an_old_address(client):
    moved = PublishedArticleFactory(slug="popular")
    moved.slug = "popular-2024"
    moved.save()
    newcomer = PublishedArticleFactory(slug="popular", title="The newcomer")
    response = client.get("/articles/popular/")
    assert response.status_code == 200
    assert response.context["article"] == newcomer


def test_the_admin_keeps_an_articles_old_address_leading_to_it(client, editor_client):
    """An editor giving an article another's former address is told whose
    it is and nothing is saved: links shared to it keep leading there. An
    article may take back an address of its own."""
    moved = PublishedArticleFactory(slug="drones-caspian", title="Drones")
    moved.slug = "drones-and-the-caspian"
    moved.save()
    other = PublishedArticleFactory(slug="turksom", title="TURKSOM")
    url = reverse("admin:articles_article_change", args=[other.pk])
    response = editor_client.post(
        url,
        article_form(other, title=other.title, slug="drones-caspian"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "This address was “Drones”'s before it moved: links shared to it lead "
        "there. Choose another address."
    ]
    assert client.get("/articles/drones-caspian/")["Location"] == (
        "/articles/drones-and-the-caspian/"
    )
    back = editor_client.post(
        reverse("admin:articles_article_change", args=[moved.pk]),
        article_form(moved, title=moved.title, slug="drones-caspian"),
    )
    assert back.status_code == 302
    assert client.get("/articles/drones-caspian/").status_code == 200


def test_a_contributor_is_not_told_the_title_of_an_article_they_may_not_see(
    contributor_client, contributor
):
    moved = PublishedArticleFactory(slug="old-secret", title="Someone else's essay")
    moved.slug = "new-secret"
    moved.save()
    mine = ArticleFactory(authors=[contributor], slug="mine")
    response = contributor_client.post(
        reverse("admin:articles_article_change", args=[mine.pk]),
        article_form(mine, title=mine.title, slug="old-secret"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "This address was another article's before it moved: links shared to "
        "it lead there. Choose another address."
    ]
    assert "Someone else" not in response.content.decode()
