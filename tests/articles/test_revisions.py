"""Revisions: every save kept; any two compared; a revert brings back the
exact earlier content and links, as a new revision. A save from a stale form
is refused, showing what changed, and loses nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from articles import services
from articles.linking import article_scan_mentions, link_decide
from articles.models import Article, ArticleEntityLink, LinkState, RevisionAction
from tests.admin_forms import article_form
from tests.factories import ArticleFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def links_of(article):
    return {
        link.entity.name: (link.state, link.role, link.source)
        for link in ArticleEntityLink.objects.filter(article=article).select_related(
            "entity"
        )
    }


def test_every_admin_save_keeps_a_revision_with_its_links(
    editor_client, editor, country
):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_form(
            title="First draft", slug="first-draft", body="Pakistan and Qatar."
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="first-draft")
    editor_client.post(
        change(article),
        article_form(
            title="Second draft",
            slug="first-draft",
            body="Oman.",
            base_version=article.edit_version,
        ),
    )
    revisions = list(article.revisions.order_by("number"))
    assert [(r.number, r.action, r.user) for r in revisions] == [
        (1, RevisionAction.CREATED, editor),
        (2, RevisionAction.SAVED, editor),
    ]
    assert revisions[0].title == "First draft"
    assert {link["name"] for link in revisions[0].links} == {"Pakistan", "Qatar"}
    assert {link["name"] for link in revisions[1].links} == {"Oman"}


def test_the_history_page_lists_who_did_what_and_when(
    editor_client, editor, contributor
):
    article = ArticleFactory(authors=[contributor])
    services.article_submit(article=article, user=contributor)
    services.article_publish(article=article, user=editor)
    page = editor_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Submitted for review" in text
    assert "Published" in text
    assert [r.user for r in page.context["revisions"]] == [editor, contributor]


def test_any_two_revisions_can_be_compared(editor_client, editor):
    article = ArticleFactory(title="Old title", body="Line one\nLine two\nLine three")
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    article.title, article.body = (
        "New title",
        "Line one\nLine 2\nLine three\nLine four",
    )
    article.save()
    article.tags.add(TagFactory(name="Drones"))
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    response = editor_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": 1, "to": 2},
    )
    assert response.status_code == 200
    changes = {change.label: str(change.html) for change in response.context["changes"]}
    assert changes["Title"] == "<del>Old</del> <ins>New</ins> title"
    assert "<ins>Line four</ins>" in changes["Body"]
    assert "<del>two</del>" in changes["Body"]
    assert "<ins>2</ins>" in changes["Body"]
    assert changes["Topics"] == "<ins>Drones</ins>"


@pytest.mark.parametrize("params", [{}, {"from": 1, "to": 9}, {"from": "x", "to": 1}])
def test_comparing_missing_revisions_is_not_found(editor_client, editor, params):
    article = ArticleFactory()
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    url = reverse("admin:articles_article_compare", args=[article.pk])
    assert editor_client.get(url, params).status_code == 404


def test_a_revert_round_trip_restores_the_exact_content_and_links(editor, country):
    drones, naval = TagFactory(name="Drones"), TagFactory(name="Naval")
    leyla, omar = UserFactory(username="leyla"), UserFactory(username="omar")
    article = ArticleFactory(
        title="Version one",
        standfirst="Standfirst one",
        body="Pakistan and Qatar signed.",
        tags=[drones],
        authors=[leyla],
    )
    article_scan_mentions(article=article)
    link_decide(
        link=article.entity_links.get(entity__name="Pakistan"),
        state=LinkState.ACCEPTED,
        user=editor,
    )
    link_decide(
        link=article.entity_links.get(entity__name="Qatar"),
        state=LinkState.REJECTED,
        user=editor,
    )
    first = services.record_revision(
        article=article, user=editor, action=RevisionAction.SAVED
    )
    before = (
        Article.objects.values("title", "standfirst", "body").get(pk=article.pk),
        links_of(article),
        set(article.tags.values_list("name", flat=True)),
        set(article.authors.values_list("username", flat=True)),
    )

    # Everything changes: text, topics, authors, links.
    article.title, article.standfirst, article.body = (
        "Version two",
        "Other",
        "Oman and Jordan.",
    )
    article.save()
    article.tags.set([naval])
    article.authors.set([omar])
    article_scan_mentions(article=article)
    article.entity_links.filter(entity__name="Qatar").update(state=LinkState.ACCEPTED)
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    assert links_of(article) != before[1]

    reverted = services.article_revert(article=article, revision=first, user=editor)
    article.refresh_from_db()
    after = (
        Article.objects.values("title", "standfirst", "body").get(pk=article.pk),
        links_of(article),
        set(article.tags.values_list("name", flat=True)),
        set(article.authors.values_list("username", flat=True)),
    )
    assert after == before
    assert (reverted.number, reverted.action, reverted.note) == (
        3,
        RevisionAction.REVERTED,
        "to revision 1",
    )
    # The revert is itself a revision, identical in content to the first.
    assert (reverted.title, reverted.body, reverted.links) == (
        first.title,
        first.body,
        first.links,
    )


def test_reverting_in_the_admin_asks_first_then_reverts(editor_client, editor):
    article = ArticleFactory(title="Original")
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    article.title = "Changed"
    article.save()
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    url = reverse("admin:articles_article_revert", args=[article.pk, 1])
    confirm = editor_client.get(url)
    assert confirm.status_code == 200
    assert "<del>Changed</del> <ins>Original</ins>" in confirm.content.decode()
    assert Article.objects.get(pk=article.pk).title == "Changed"
    editor_client.post(url)
    assert Article.objects.get(pk=article.pk).title == "Original"


def test_a_researcher_may_read_the_history_but_not_revert(researcher, editor):
    article = ArticleFactory(title="Original")
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)
    client = Client()
    client.force_login(researcher)
    assert (
        client.get(
            reverse("admin:articles_article_history", args=[article.pk])
        ).status_code
        == 200
    )
    assert (
        client.post(
            reverse("admin:articles_article_revert", args=[article.pk, 1])
        ).status_code
        == 403
    )


# --- Two editors at once -----------------------------------------------------------


def test_a_save_from_a_stale_form_is_refused_and_loses_nothing(editor, roles):
    other = UserFactory(
        username="other-editor",
        first_name="Other",
        last_name="Editor",
        groups=[roles["Editors"]],
    )
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(other)
    article = ArticleFactory(title="Shared", body="Original body.")
    services.record_revision(article=article, user=editor, action=RevisionAction.SAVED)

    # Both open the form.
    base_first = (
        first.get(change(article)).context["adminform"].form.initial["base_version"]
    )
    base_second = (
        second.get(change(article)).context["adminform"].form.initial["base_version"]
    )
    # The second editor saves first.
    assert (
        second.post(
            change(article),
            article_form(
                title="Shared",
                slug=article.slug,
                body="Their careful edit.",
                base_version=base_second,
            ),
        ).status_code
        == 302
    )

    # The first editor's save, from the stale form, is refused.
    response = first.post(
        change(article),
        article_form(
            title="Shared",
            slug=article.slug,
            body="My own edit.",
            base_version=base_first,
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this while you were editing it" in page
    assert "Saved meanwhile by Other Editor" in page
    assert "<ins>Their careful edit.</ins>" in page
    assert "My own edit." in page  # still in the form
    assert "Replace their changes with mine" in page
    article.refresh_from_db()
    assert article.body == "Their careful edit."

    # Saving the same form again is refused again: their change is not
    # overwritten by a second click.
    form = response.context["adminform"].form
    again = first.post(
        change(article),
        article_form(
            title="Shared",
            slug=article.slug,
            body="My own edit.",
            base_version=form["base_version"].value(),
            overwrite_version=form["overwrite_version"].value(),
        ),
    )
    assert again.status_code == 200
    article.refresh_from_db()
    assert article.body == "Their careful edit."

    # Saying so, having seen their change, replaces it.
    assert (
        first.post(
            change(article),
            article_form(
                title="Shared",
                slug=article.slug,
                body="Merged edit.",
                base_version=form["base_version"].value(),
                overwrite_version=form["overwrite_version"].value(),
                overwrite="on",
            ),
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.body == "Merged edit."


def test_replacing_is_refused_again_when_someone_saved_after_the_refusal(editor_client):
    article = ArticleFactory(title="Shared", body="v1")
    base = article.edit_version
    article.body = "v2"
    article.save()
    refused = editor_client.post(
        change(article),
        article_form(title="Shared", slug=article.slug, body="mine", base_version=base),
    )
    shown = refused.context["adminform"].form["overwrite_version"].value()
    article.body = "v3, saved after the refusal"
    article.save()
    response = editor_client.post(
        change(article),
        article_form(
            title="Shared",
            slug=article.slug,
            body="mine",
            base_version=base,
            overwrite_version=shown,
            overwrite="on",
        ),
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.body == "v3, saved after the refusal"


def test_a_change_that_names_no_version_is_refused_and_writes_nothing(editor_client):
    article = ArticleFactory(title="Kept", body="Kept body.")
    revisions = article.revisions.count()
    data = article_form(title="Overwritten", slug=article.slug, body="Lost?")
    assert "base_version" not in data
    response = editor_client.post(change(article), data)
    assert response.status_code == 200
    assert "does not say which version it was opened on" in response.content.decode()
    article.refresh_from_db()
    assert (article.title, article.body) == ("Kept", "Kept body.")
    assert article.revisions.count() == revisions


def test_a_workflow_step_meanwhile_also_makes_a_form_stale(
    editor_client, editor, contributor
):
    article = ArticleFactory(authors=[contributor])
    base = (
        editor_client.get(change(article))
        .context["adminform"]
        .form.initial["base_version"]
    )
    services.article_submit(article=article, user=contributor)
    response = editor_client.post(
        change(article),
        article_form(
            title="x",
            slug=article.slug,
            base_version=base,
        ),
    )
    assert response.status_code == 200
    assert "Someone else saved this while you" in response.content.decode()
