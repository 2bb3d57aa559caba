"""A history that tells the truth: each revision says in one line what
changed; every field that can change shows in the diff; autosaves collapse
into the revision they lead to; and a revert's confirmation shows exactly
what the revert then does."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import history, services
from articles.linking import article_accept_suggestions, article_scan_mentions
from articles.models import Article, ArticleStatus, ArticleWorkingCopy, RevisionAction
from tests.admin_forms import article_form
from tests.factories import ArticleFactory, ImageFactory, TagFactory

pytestmark = pytest.mark.django_db


def change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def latest(article):
    return article.revisions.order_by("-number").first()


def test_each_revision_summarises_what_changed_in_one_line(editor, country):
    article = ArticleFactory(slug="first-slug", body="Four words stand here.")
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    assert latest(article).summary == "Created; body 4 words"

    article.body += " Poland and Qatar signed a deal with several more words."
    article.slug = "second-slug"
    article.save()
    article_scan_mentions(article=article)
    article_accept_suggestions(article=article, user=editor)
    services.article_publish(article=article, user=editor)

    assert latest(article).summary == (
        "Body +10 words; slug changed; 2 links accepted; published"
    )


def test_an_admin_save_that_changes_nothing_says_so(editor_client, editor):
    article = ArticleFactory(
        title="Same", slug="same", standfirst="", body="Text.", authors=[editor]
    )
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    article.body = "Text.\nSecond line."
    article.save()
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    editor_client.post(
        change(article),
        article_form(
            title="Same",
            slug="same",
            body="Text.\r\nSecond line.",  # as a browser sends a textarea
            base_version=article.edit_version,
        ),
    )
    assert latest(article).summary == "No changes"


def test_pictures_topics_description_and_scheduling_are_summarised(editor):
    article = ArticleFactory(body="Text.")
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    picture = ImageFactory()
    article.lead_image = picture
    article.meta_description = "For search engines."
    article.body = f"Text.\n\n![](image:{picture.pk})"
    article.save()
    article.tags.add(TagFactory())
    services.article_publish(
        article=article, user=editor, when=timezone.now() + dt.timedelta(days=2)
    )
    summary = latest(article).summary
    assert summary.startswith(
        "1 picture added to the body; lead picture set; description changed; "
        "topics changed; scheduled for "
    )


def test_the_diff_shows_the_slug_status_time_pictures_and_description(
    editor_client, editor
):
    old_lead, new_lead = ImageFactory(title="Old map"), ImageFactory(title="New map")
    article = ArticleFactory(slug="before", lead_image=old_lead)
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    article.slug, article.lead_image = "after", new_lead
    article.meta_description = "Now described."
    article.save()
    services.article_publish(article=article, user=editor)
    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": 1, "to": 2},
    )
    changes = {c.label: str(c.html) for c in response.context["changes"]}
    assert changes["Address (slug)"] == "<del>before</del> <ins>after</ins>"
    assert changes["Lead picture"] == (
        f"<del>Old map (#{old_lead.pk})</del>, <ins>New map (#{new_lead.pk})</ins>"
    )
    assert changes["Search and social description"] == "<ins>Now described.</ins>"
    assert changes["Status"] == "<del>Draft</del> <ins>Published</ins>"
    assert changes["Publication time"].startswith("<del>none</del> <ins>")


def test_the_revert_preview_equals_the_reverts_effect(editor_client, editor, country):
    """Revision 1: a draft with one title, slug, topic, lead picture and links.
    Then the article is renamed, re-illustrated, re-tagged and published.
    Reverting to revision 1 brings the content back; the status, time and
    address stay. The confirmation page says exactly that, no more."""
    first_lead, drones = ImageFactory(title="First"), TagFactory(name="Drones")
    article = ArticleFactory(
        title="First title",
        slug="first-title",
        body="Poland buys drones.",
        lead_image=first_lead,
        tags=[drones],
    )
    article_scan_mentions(article=article)
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    article.title, article.slug = "Second title", "second-title"
    article.body = "Qatar buys ships, many ships."
    article.lead_image = ImageFactory(title="Second")
    article.save()
    article.tags.set([TagFactory(name="Naval")])
    article_scan_mentions(article=article)
    article_accept_suggestions(article=article, user=editor)
    services.article_publish(article=article, user=editor)
    article.refresh_from_db()

    before = services.snapshot(article)
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])
    page = editor_client.get(url)
    preview = {c.label: str(c.html) for c in page.context["changes"]}

    assert editor_client.post(url).status_code == 302
    article.refresh_from_db()
    after = services.snapshot(article)
    effect = {
        c.label: str(c.html)
        for c in history.compare(
            history.as_revision(before), history.as_revision(after)
        )
    }

    assert preview == effect
    assert set(preview) == {"Title", "Body", "Lead picture", "Topics", "Links"}
    # What the page promises to keep, the revert kept.
    assert (after["status"], after["slug"], after["published_at"]) == (
        ArticleStatus.PUBLISHED,
        "second-title",
        before["published_at"],
    )
    text = page.content.decode()
    assert "Unchanged by the revert: the status (<strong>Published</strong>" in text
    assert "<code>/articles/second-title/</code>" in text
    assert (after["title"], after["lead_image"][0]) == ("First title", first_lead.pk)
    assert latest(article).summary.startswith(
        "Reverted to revision 1: body −2 words; title changed; lead picture changed"
    )


def test_reverting_keeps_only_what_still_exists_and_the_preview_says_so(
    editor_client, editor
):
    gone = TagFactory(name="Deleted topic")
    article = ArticleFactory(title="One", tags=[gone])
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    article.title = "Two"
    article.save()
    article.tags.clear()
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    gone.delete()
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])
    labels = [c.label for c in editor_client.get(url).context["changes"]]
    assert labels == ["Title"]  # the topic cannot come back, so none is promised
    editor_client.post(url)
    article.refresh_from_db()
    assert (article.title, list(article.tags.all())) == ("One", [])


def test_autosaves_collapse_into_the_revision_they_lead_to(editor_client, editor):
    article = ArticleFactory(
        title="Draft", slug="draft", standfirst="", body="Text.", authors=[editor]
    )
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    autosave = reverse("admin:articles_article_autosave")
    for body in ("Text. More", "Text. More and more"):
        response = editor_client.post(
            autosave, {"article": article.pk, "title": "Draft", "body": body}
        )
        assert response.status_code == 200
    assert article.revisions.count() == 1
    editor_client.post(
        change(article),
        article_form(
            title="Draft",
            slug="draft",
            body="Text. More and more",
            base_version=article.edit_version,
        ),
    )
    revision = latest(article)
    assert (revision.number, revision.autosaves) == (2, 2)
    assert revision.summary == "Body +3 words"
    assert not ArticleWorkingCopy.objects.exists()
    history_page = editor_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    ).content.decode()
    assert "Body +3 words" in history_page
    assert "(after 2 autosaves)" in history_page


def test_existing_revisions_get_summaries_from_the_migration():
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "articles.migrations.0005_revision_summaries_and_working_copies"
    )
    article = ArticleFactory(body="One two.")
    revision = services.record_revision(
        article=article, user=None, action=RevisionAction.CREATED
    )
    Article.objects.filter(pk=article.pk).update(body="One two three.")
    article.refresh_from_db()
    second = services.record_revision(
        article=article, user=None, action=RevisionAction.SAVED
    )
    type(revision).objects.update(summary="")
    migration.summarise_existing(apps, None)
    revision.refresh_from_db()
    second.refresh_from_db()
    assert (revision.summary, second.summary) == (
        "Created; body 2 words",
        "Body +1 word",
    )


def test_a_contributor_reverting_their_draft_leaves_its_authors_as_they_are(
    contributor_client, contributor, editor
):
    """Authors are an editor's to credit (read-only in a contributor's form):
    a contributor's revert brings back the text, never an older byline,
    and the confirmation says so by not listing it."""
    other = type(contributor).objects.create(username="second-writer", is_staff=True)
    article = ArticleFactory(body="First text.", authors=[contributor, other])
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    article.body = "Second text."
    article.save()
    article.authors.set([contributor])
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])

    page = contributor_client.get(url)
    assert {c.label for c in page.context["changes"]} == {"Body"}
    assert contributor_client.post(url).status_code == 302

    article.refresh_from_db()
    assert article.body == "First text."
    assert list(article.authors.all()) == [contributor]


def test_a_save_that_changed_nothing_of_a_body_ending_in_a_line_break_edits_nothing(
    editor_client, editor
):
    """The form takes off a text's last line break (as a browser sends it
    back, in CRLF): the body is kept as it was, and the history says no
    word of it changed."""
    article = ArticleFactory(title="Kept", body="First line.\nSecond line.\n")
    services.record_revision(
        article=article, user=editor, action=RevisionAction.CREATED
    )
    response = editor_client.post(
        change(article),
        article_form(
            article,
            title="Kept, renamed",
            slug=article.slug,
            body="First line.\r\nSecond line.\r\n",
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "First line.\nSecond line.\n"
    assert latest(article).number == 2
    assert "body" not in latest(article).summary.lower()
