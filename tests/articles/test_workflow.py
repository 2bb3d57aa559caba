"""draft → review → published (or scheduled) → archived, as services, admin
buttons and actions; each step allowed only to whom it belongs, and kept in
the article's history."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from articles import services
from articles.models import Article, ArticleStatus, RevisionAction
from tests.admin_forms import article_form, scraped_form
from tests.factories import ArticleFactory, PublishedArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def publication_time(when: dt.datetime | None) -> dict[str, str]:
    """The form's publication time, as its date and time boxes send it."""
    if when is None:
        return {"published_at_0": "", "published_at_1": ""}
    return {
        "published_at_0": when.strftime("%Y-%m-%d"),
        "published_at_1": when.strftime("%H:%M:%S"),
    }


def actions(article):
    return [
        (r.action, r.user.username if r.user else None)
        for r in article.revisions.order_by("number")
    ]


# --- Services ---------------------------------------------------------------------


def test_a_contributor_submits_their_own_draft(contributor):
    draft = ArticleFactory(authors=[contributor])
    services.article_submit(article=draft, user=contributor)
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.REVIEW
    assert actions(draft) == [(RevisionAction.SUBMITTED, "contributor")]


def test_a_contributor_cannot_submit_someone_elses_draft(contributor):
    draft = ArticleFactory(authors=[UserFactory()])
    with pytest.raises(PermissionDenied):
        services.article_submit(article=draft, user=contributor)
    assert Article.objects.get(pk=draft.pk).status == ArticleStatus.DRAFT


@pytest.mark.parametrize(
    "step",
    [
        lambda a, u: services.article_publish(article=a, user=u),
        lambda a, u: services.article_publish(
            article=a, user=u, when=NOW + dt.timedelta(days=1)
        ),
        lambda a, u: services.article_unpublish(article=a, user=u),
        lambda a, u: services.article_archive(article=a, user=u),
        lambda a, u: services.article_return_to_draft(article=a, user=u),
    ],
    ids=["publish", "schedule", "unpublish", "archive", "return"],
)
def test_only_editors_publish_schedule_unpublish_archive_or_return(
    contributor, researcher, step
):
    article = ArticleFactory(authors=[contributor], status=ArticleStatus.REVIEW)
    for user in (contributor, researcher):
        with pytest.raises(PermissionDenied):
            step(article, user)
    article.refresh_from_db()
    assert article.status == ArticleStatus.REVIEW
    assert not article.revisions.exists()


@time_machine.travel(NOW, tick=False)
def test_an_editor_publishes_now(editor):
    article = ArticleFactory(status=ArticleStatus.REVIEW)
    services.article_publish(article=article, user=editor)
    article.refresh_from_db()
    assert article.is_public
    assert article.published_at == NOW
    assert actions(article) == [(RevisionAction.PUBLISHED, "editor")]


def test_a_scheduled_article_goes_public_by_itself_everywhere(
    client, editor, country, commit
):
    from articles.models import ArticleEntityLink, LinkState

    with time_machine.travel(NOW, tick=False), commit():
        article = ArticleFactory(title="Scheduled essay", body="About Poland.")
        ArticleEntityLink.objects.create(
            article=article, entity=country("PL"), state=LinkState.ACCEPTED
        )
        services.article_publish(
            article=article, user=editor, when=NOW + dt.timedelta(hours=6)
        )
        article.refresh_from_db()
        assert article.is_scheduled
        assert actions(article)[-1][0] == RevisionAction.SCHEDULED
    surfaces = [
        article.get_absolute_url(),
        "/articles/",
        "/",
        "/feeds/articles/",
        "/countries/poland/",
        "/countries/poland/feed/",
        "/search/?q=scheduled",
        "/sitemap-articles.xml",
    ]
    with time_machine.travel(NOW + dt.timedelta(hours=5, minutes=59), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 404
        for url in surfaces[1:]:
            assert article.get_absolute_url() not in client.get(url).content.decode(), (
                url
            )
    with time_machine.travel(NOW + dt.timedelta(hours=6), tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200
        for url in surfaces[1:]:
            assert article.get_absolute_url() in client.get(url).content.decode(), url


def test_unpublish_and_archive_take_an_article_off_the_site(client, editor):
    article = PublishedArticleFactory()
    services.article_unpublish(article=article, user=editor)
    assert client.get(article.get_absolute_url()).status_code == 404
    services.article_publish(article=article, user=editor)
    assert client.get(article.get_absolute_url()).status_code == 200
    services.article_archive(article=article, user=editor)
    assert client.get(article.get_absolute_url()).status_code == 410  # withdrawn
    assert [a for a, _ in actions(article)] == [
        RevisionAction.UNPUBLISHED,
        RevisionAction.PUBLISHED,
        RevisionAction.ARCHIVED,
    ]


# --- The admin's buttons and actions ----------------------------------------------


def change(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_the_buttons_a_contributor_and_an_editor_see(contributor, editor):
    draft = ArticleFactory(authors=[contributor])
    as_contributor, as_editor = Client(), Client()
    as_contributor.force_login(contributor)
    as_editor.force_login(editor)
    assert [n for n, _ in as_contributor.get(change(draft)).context["transitions"]] == [
        "submit"
    ]
    assert [n for n, _ in as_editor.get(change(draft)).context["transitions"]] == [
        "submit",
        "publish",
    ]
    published = PublishedArticleFactory()
    assert [n for n, _ in as_editor.get(change(published)).context["transitions"]] == [
        "unpublish",
        "archive",
    ]


def test_a_contributor_saves_and_submits_with_one_button(
    contributor_client, contributor
):
    draft = ArticleFactory(authors=[contributor], title="My draft")
    response = contributor_client.post(
        change(draft),
        article_form(
            draft, title="My draft, finished", slug=draft.slug, _workflow="submit"
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("My draft, finished", ArticleStatus.REVIEW)
    assert [a for a, _ in actions(draft)] == [
        RevisionAction.SAVED,
        RevisionAction.SUBMITTED,
    ]


def test_a_forged_publish_button_from_a_contributor_is_refused(
    contributor_client, contributor
):
    draft = ArticleFactory(authors=[contributor])
    response = contributor_client.post(
        change(draft),
        article_form(draft, title="x", slug=draft.slug, _workflow="publish"),
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT
    assert not draft.revisions.exists()  # the whole save was rolled back


def test_an_editor_schedules_with_the_publication_time_and_button(editor_client):
    article = ArticleFactory(status=ArticleStatus.REVIEW)
    later = (NOW + dt.timedelta(days=3)).astimezone(dt.UTC)
    with time_machine.travel(NOW, tick=False):
        response = editor_client.post(
            change(article),
            article_form(
                article,
                title=article.title,
                slug=article.slug,
                **publication_time(later),
                _workflow="publish",
            ),
        )
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.is_scheduled
        assert article.published_at == later


def test_a_contributor_only_sees_their_own_articles(contributor_client, contributor):
    mine = ArticleFactory(title="Mine", authors=[contributor])
    ArticleFactory(title="Not mine")
    listed = contributor_client.get(reverse("admin:articles_article_changelist"))
    assert [a.title for a in listed.context["cl"].result_list] == ["Mine"]
    other = Article.objects.get(title="Not mine")
    assert contributor_client.get(change(other)).status_code == 302  # "does not exist"
    assert contributor_client.get(change(mine)).status_code == 200


def test_once_submitted_a_contributor_can_no_longer_change_it(
    contributor_client, contributor
):
    article = ArticleFactory(authors=[contributor], status=ArticleStatus.REVIEW)
    response = contributor_client.post(
        change(article), article_form(article, title="Late edit", slug=article.slug)
    )
    assert response.status_code == 403


def test_bulk_actions_refuse_what_the_user_may_not_do(contributor_client, contributor):
    mine = ArticleFactory(authors=[contributor])
    contributor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "submit_for_review", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.status == ArticleStatus.REVIEW
    response = contributor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [mine.pk]},
        follow=True,
    )
    assert "No action selected" in response.content.decode()  # not offered at all
    mine.refresh_from_db()
    assert mine.status == ArticleStatus.REVIEW


def test_editor_bulk_actions_publish_and_archive(editor_client):
    articles = ArticleFactory.create_batch(2, status=ArticleStatus.REVIEW)
    url = reverse("admin:articles_article_changelist")
    editor_client.post(
        url, {"action": "publish_now", "_selected_action": [a.pk for a in articles]}
    )
    assert Article.objects.published().count() == 2
    # Taking them off the site asks first, naming them, and changes nothing yet.
    asked = editor_client.post(
        url, {"action": "archive", "_selected_action": [a.pk for a in articles]}
    )
    assert asked.status_code == 200
    assert "Archive these articles?" in asked.text
    assert all(a.title in asked.text for a in articles)
    assert Article.objects.published().count() == 2
    form = scraped_form(asked.text)
    editor_client.post(url, form)
    assert set(Article.objects.values_list("status", flat=True)) == {
        ArticleStatus.ARCHIVED
    }


@pytest.mark.parametrize(
    "published_at",
    [NOW - dt.timedelta(hours=1), None],
    ids=["a past time", "no time"],
)
def test_an_editor_brings_a_scheduled_article_forward_from_its_form(
    editor_client, published_at
):
    """ "Save and publish" on a scheduled article with the time moved to the
    past, or cleared, publishes it now: the step starts from the state the
    editor saw, not from the time the form's save had just written."""
    article = PublishedArticleFactory(published_at=NOW + dt.timedelta(days=3))
    when = publication_time(published_at)
    with time_machine.travel(NOW, tick=False):
        assert Article.objects.get(pk=article.pk).is_scheduled
        response = editor_client.post(
            change(article),
            article_form(
                article,
                title="Brought forward",
                slug=article.slug,
                _workflow="publish",
                **when,
            ),
        )
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.title == "Brought forward"
        assert Article.objects.published().filter(pk=article.pk).exists()
        assert article.published_at == (published_at or NOW)
        assert actions(article)[-1] == (RevisionAction.PUBLISHED, "editor")


def test_after_a_step_the_admin_says_where_the_article_stands(editor_client):
    article = ArticleFactory(title="Plans", status=ArticleStatus.REVIEW)
    later = NOW + dt.timedelta(days=3)
    with time_machine.travel(NOW, tick=False):
        response = editor_client.post(
            change(article),
            article_form(
                article,
                title="Plans",
                slug=article.slug,
                **publication_time(later),
                _workflow="publish",
            ),
            follow=True,
        )
        said = [str(m) for m in response.context["messages"]]
        assert "“Plans” is now scheduled for 26 Nov 2026 09:00." in said
        response = editor_client.post(
            change(article),
            article_form(
                article, title="Plans", slug=article.slug, _workflow="unpublish"
            ),
            follow=True,
        )
        said = [str(m) for m in response.context["messages"]]
        assert "“Plans” is now a draft." in said


def test_a_plain_save_that_moves_a_scheduled_time_to_the_past_is_its_publishing(
    editor_client,
):
    """ "Save" with the time moved before now makes a scheduled article
    public: its history records that as its publishing, not a save."""
    article = PublishedArticleFactory(published_at=NOW + dt.timedelta(days=3))
    earlier = NOW - dt.timedelta(hours=1)
    with time_machine.travel(NOW, tick=False):
        response = editor_client.post(
            change(article),
            article_form(
                article,
                title=article.title,
                slug=article.slug,
                **publication_time(earlier),
            ),
        )
        assert response.status_code == 302
        assert Article.objects.published().filter(pk=article.pk).exists()
        assert actions(article)[-1] == (RevisionAction.PUBLISHED, "editor")
        # A later plain save of the public article is a save again.
        article.refresh_from_db()
        editor_client.post(
            change(article),
            article_form(article, title="Retitled", slug=article.slug),
        )
        assert actions(article)[-1] == (RevisionAction.SAVED, "editor")


def test_a_plain_save_never_takes_a_live_article_off_the_site(editor_client):
    """A future time on a live article's plain "Save" is a form error, and
    the article stays on the site; a past one is saved as it is."""
    article = PublishedArticleFactory(published_at=NOW - dt.timedelta(days=3))
    with time_machine.travel(NOW, tick=False):
        refused = editor_client.post(
            change(article),
            article_form(
                article,
                title="Retitled",
                slug=article.slug,
                **publication_time(NOW + dt.timedelta(days=30)),
            ),
        )
        assert refused.status_code == 200
        assert "This article is live" in refused.text
        article.refresh_from_db()
        assert article.title != "Retitled"
        assert Article.objects.published().filter(pk=article.pk).exists()

        earlier = NOW - dt.timedelta(days=1)
        saved = editor_client.post(
            change(article),
            article_form(
                article,
                title="Retitled",
                slug=article.slug,
                **publication_time(earlier),
            ),
        )
        assert saved.status_code == 302
        article.refresh_from_db()
        assert (article.title, article.published_at) == ("Retitled", earlier)


def test_an_editor_returns_an_article_to_its_writer_with_a_note(
    editor_client, contributor
):
    article = ArticleFactory(status=ArticleStatus.REVIEW, authors=[contributor])
    page = editor_client.get(change(article)).text
    assert 'name="_return_note"' in page

    editor_client.post(
        change(article),
        article_form(
            article,
            title=article.title,
            slug=article.slug,
            _workflow="return",
            _return_note="  Cite the 2021\ncontract, please. ",
        ),
    )

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    latest = article.revisions.order_by("-number").first()
    assert (latest.action, latest.note) == (
        RevisionAction.RETURNED,
        "Cite the 2021 contract, please.",
    )
    assert (
        "Cite the 2021 contract, please."
        in editor_client.get(
            reverse("admin:articles_article_history", args=[article.pk])
        ).text
    )


def test_the_unpublish_button_says_what_unpublishing_does_to_this_article(
    editor_client,
):
    live = PublishedArticleFactory(published_at=NOW - dt.timedelta(days=1))
    due = PublishedArticleFactory(published_at=NOW + dt.timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        assert "Readers lose it at once" in editor_client.get(change(live)).text
        page = editor_client.get(change(due)).text
    assert "It will not go public at its time" in page
    assert "Readers lose it at once" not in page
