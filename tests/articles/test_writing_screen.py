"""The writing screen's server side: the live preview renders with the
public page's code, for staff who may write; autosaves keep a working copy
that changes nothing readers see; the Add page publishes in one step for
those allowed; pictures the public page cannot show are flagged on save."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.markdown import render_markdown
from articles.models import Article, ArticleStatus, ArticleWorkingCopy, RevisionAction
from tests.admin_forms import article_form
from tests.factories import ArticleFactory, ImageFactory, PublishedArticleFactory

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/articles/article/render-preview/"
AUTOSAVE = "/admin/articles/article/autosave/"
ADD = "/admin/articles/article/add/"


def change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_the_preview_is_the_public_pages_rendering_with_counts(editor_client):
    picture = ImageFactory(alt_text="A map")
    body = f"# Heading\n\nSome [words](https://example.org/x) here.\n\n![](image:{picture.pk})"
    answer = editor_client.post(PREVIEW, {"body": body}).json()
    assert answer["html"] == str(render_markdown(body))
    assert 'alt="A map"' in answer["html"]
    # Prose only: link addresses and picture references are not read.
    assert (answer["words"], answer["minutes"]) == (4, 1)
    hostile = editor_client.post(PREVIEW, {"body": "<script>alert(1)</script>"})
    assert "<script>" not in hostile.json()["html"]


def test_the_preview_links_the_articles_accepted_entities_like_the_page(
    editor_client, editor, country
):
    from articles.linking import article_accept_suggestions, article_scan_mentions

    article = PublishedArticleFactory(body="Poland signs.")
    article_scan_mentions(article=article)
    article_accept_suggestions(article=article, user=editor)
    answer = editor_client.post(
        PREVIEW, {"body": "Later, Poland signs again.", "article": article.pk}
    ).json()
    assert 'href="/countries/poland/"' in answer["html"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("endpoint", [PREVIEW, AUTOSAVE])
def test_the_writing_endpoints_answer_only_staff_who_may_write(
    researcher, contributor, editor, endpoint
):
    assert Client().post(endpoint, {"body": "x"}).status_code == 302  # to log in
    assert logged_in(researcher).post(endpoint, {"body": "x"}).status_code == 403
    others = ArticleFactory(authors=[editor])
    as_contributor = logged_in(contributor)
    response = as_contributor.post(endpoint, {"body": "x", "article": others.pk})
    assert response.status_code == 404  # not theirs: not even said to exist
    assert as_contributor.post(endpoint, {"body": "x"}).status_code == 200
    assert as_contributor.get(endpoint).status_code == 405


def test_an_oversized_preview_is_refused_with_a_message(editor_client):
    response = editor_client.post(PREVIEW, {"body": "word " * 100_001})
    assert response.status_code == 400
    assert "too long" in response.json()["error"]


def public_page(article) -> str:
    html = Client().get(article.get_absolute_url()).content.decode()
    return re.sub(r' nonce="[^"]*"', "", html)  # new with every response


def test_an_autosave_that_arrives_after_a_save_keeps_nothing(editor_client, editor):
    # The form was opened at one version; the editor saved (a new version)
    # while an autosave of the old form was still on its way.
    article = PublishedArticleFactory(body="Saved text.")
    opened_at = article.edit_version
    article.save()
    response = editor_client.post(
        AUTOSAVE,
        {"article": article.pk, "body": "Older text", "base_version": opened_at},
    )
    assert response.status_code == 409
    assert "saved after this form was opened" in response.json()["error"]
    assert not ArticleWorkingCopy.objects.filter(article=article).exists()


@pytest.mark.parametrize(
    # A superscript two is a digit to str.isdigit() but no number to int();
    # the rest are no version, or beyond what the column holds.
    "version",
    ["²", "abc", "-1", "1.5", "99999999999999999999"],
)
def test_an_autosave_with_a_version_no_article_has_is_refused(
    editor_client, editor, version
):
    article = ArticleFactory(authors=[editor], body="Saved text.")
    response = editor_client.post(
        AUTOSAVE, {"article": article.pk, "body": "Typed", "base_version": version}
    )
    assert response.status_code == 400
    assert "nothing was autosaved" in response.json()["error"]
    assert not ArticleWorkingCopy.objects.exists()


def test_an_autosave_changes_nothing_readers_see(editor_client, editor):
    article = PublishedArticleFactory(title="As published", body="Public text.")
    version = article.edit_version
    page_before = public_page(article)
    response = editor_client.post(
        AUTOSAVE,
        {
            "article": article.pk,
            "title": "Half-written new title",
            "body": "Unfinished thoughts",
            "base_version": version,
        },
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert (article.title, article.body, article.edit_version) == (
        "As published",
        "Public text.",
        version,
    )
    assert public_page(article) == page_before
    copy = ArticleWorkingCopy.objects.get(user=editor, article=article)
    assert copy.fields["body"] == "Unfinished thoughts"
    assert (copy.autosaves, copy.base_version) == (1, version)


def test_the_form_offers_to_restore_a_newer_working_copy_or_discard_it(
    editor_client, editor
):
    article = ArticleFactory(authors=[editor])
    editor_client.post(AUTOSAVE, {"article": article.pk, "body": "Lost words"})
    page = editor_client.get(change(article)).content.decode()
    assert "that were never saved" in page
    assert '"body": "Lost words"' in page  # for the restore button
    response = editor_client.post(
        reverse("admin:articles_article_discard_autosave"), {"article": article.pk}
    )
    assert response.status_code == 302
    assert not ArticleWorkingCopy.objects.exists()
    assert (
        "that were never saved"
        not in editor_client.get(change(article)).content.decode()
    )


def test_a_working_copy_older_than_the_last_save_is_not_offered(editor_client, editor):
    article = ArticleFactory(authors=[editor])
    editor_client.post(AUTOSAVE, {"article": article.pk, "body": "Old"})
    ArticleWorkingCopy.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert "never saved" not in editor_client.get(change(article)).content.decode()


def test_the_add_page_offers_save_and_publish_to_editors_only(editor, contributor):
    editor_buttons = logged_in(editor).get(ADD).context["transitions"]
    contributor_buttons = logged_in(contributor).get(ADD).context["transitions"]
    assert [name for name, _ in editor_buttons] == ["submit", "publish"]
    assert [name for name, _ in contributor_buttons] == ["submit"]


def test_save_and_publish_on_the_add_page_publishes_at_once(editor_client, editor):
    response = editor_client.post(
        ADD,
        article_form(title="Straight out", slug="straight-out", _workflow="publish"),
    )
    article = Article.objects.get(slug="straight-out")
    assert response.status_code == 302
    assert response["Location"] == change(article)
    assert article.is_public
    assert [r.action for r in article.revisions.order_by("number")] == [
        RevisionAction.CREATED,
        RevisionAction.PUBLISHED,
    ]


def test_save_and_publish_with_a_future_time_schedules(editor_client):
    when = timezone.localtime() + dt.timedelta(days=3)
    editor_client.post(
        ADD,
        article_form(
            title="Later",
            slug="later",
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
            _workflow="publish",
        ),
    )
    article = Article.objects.get(slug="later")
    assert (article.status, article.is_scheduled) == (ArticleStatus.PUBLISHED, True)


def test_a_contributor_cannot_publish_from_the_add_page(contributor_client):
    response = contributor_client.post(
        ADD, article_form(title="Mine", slug="mine", _workflow="publish")
    )
    assert response.status_code == 403
    assert not Article.objects.filter(status=ArticleStatus.PUBLISHED).exists()


def test_saving_flags_pictures_from_other_sites_and_unknown_numbers(editor_client):
    response = editor_client.post(
        ADD,
        article_form(
            title="Hotlinked",
            slug="hotlinked",
            body="![A tank](https://example.org/tank.jpg)\n\n![x](image:99999)",
            _continue="1",
        ),
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "picture from another site (https://example.org/tank.jpg)" in m
        and "upload it to the" in m
        for m in messages
    )
    assert any("picture 99999, which is not in the library" in m for m in messages)
