"""Every (role, state, step) of the editorial workflow: the service, the
buttons under the article's form and the actions on the article list agree
with each other and with the table (``articles/workflow.py``)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import ArticleStatus
from articles.workflow import TRANSITIONS, State, StepNotAllowed, state_of
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(5)]

# What each role may do, written out here rather than read from the table.
EDITOR_STEPS = {"submit", "publish", "return", "unpublish", "archive"}
MAY = {
    "editor": EDITOR_STEPS,
    "superuser": EDITOR_STEPS,
    "author": {"submit"},  # a contributor, on their own article
    "other contributor": set(),  # on someone else's
    "researcher": set(),
}
# The actions on the list: the steps a role may take on some article.
OFFERED = {**MAY, "other contributor": {"submit"}}
FROM = {
    "submit": {State.DRAFT},
    "publish": {State.DRAFT, State.REVIEW, State.SCHEDULED, State.ARCHIVED},
    "return": {State.REVIEW, State.ARCHIVED},
    "unpublish": {State.SCHEDULED, State.PUBLISHED},
    "archive": {State.PUBLISHED},
}
TO = {
    "submit": State.REVIEW,
    "publish": State.PUBLISHED,
    "return": State.DRAFT,
    "unpublish": State.DRAFT,
    "archive": State.ARCHIVED,
}


class Rollback(Exception):
    """Undo one try, so that the next starts from the same state."""


def make(state: State, author):
    now = timezone.now()
    fields = {
        State.DRAFT: {"status": ArticleStatus.DRAFT},
        State.REVIEW: {"status": ArticleStatus.REVIEW},
        State.SCHEDULED: {
            "status": ArticleStatus.PUBLISHED,
            "published_at": now + dt.timedelta(days=2),
        },
        State.PUBLISHED: {
            "status": ArticleStatus.PUBLISHED,
            "published_at": now - dt.timedelta(days=2),
        },
        State.ARCHIVED: {
            "status": ArticleStatus.ARCHIVED,
            "published_at": now - dt.timedelta(days=9),
        },
    }[state]
    return ArticleFactory(authors=[author], **fields)


def attempt(article, run) -> State | None:
    """The state ``run`` leaves the article in, or None if it was refused;
    undone either way."""
    try:
        with transaction.atomic():
            try:
                run()
            except PermissionDenied:
                return None
            article.refresh_from_db()
            result = state_of(article)
            raise Rollback
    except Rollback:
        article.refresh_from_db()
        return result


@pytest.fixture
def people(roles, contributor, editor, researcher, superuser):
    return {
        "editor": editor,
        "superuser": superuser,
        "author": contributor,
        "other contributor": UserFactory(
            username="other", groups=[roles["Contributors"]]
        ),
        "researcher": researcher,
    }


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("role", list(MAY))
def test_service_buttons_and_actions_agree_on_every_step(people, role, state):
    user = people[role]
    article = make(state, people["author"])
    assert state_of(article) == state
    client = Client()
    client.force_login(user)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    buttons = [name for name, _ in (page.context or {}).get("transitions", [])]
    changelist = reverse("admin:articles_article_changelist")
    listing = client.get(changelist)
    action_form = listing.context and listing.context.get("action_form")
    offered = (
        {name for name, _ in action_form.fields["action"].choices}
        if action_form
        else set()  # no list at all (403), or no action to offer
    )

    for transition in TRANSITIONS:
        name = transition.name
        expected = name in MAY[role] and state in FROM[name]

        by_service = attempt(
            article,
            lambda t=transition: services.article_transition(
                article=article, user=user, name=t.name
            ),
        )
        assert (by_service is not None) is expected, (role, state, name)
        if expected:
            assert by_service == TO[name]

        assert (name in buttons) is expected, (role, state, name)

        # The action is on the list for whoever may take the step on some
        # article; run on this one, it does exactly what the service does.
        assert (transition.action in offered) is (name in OFFERED[role]), (role, name)
        if transition.action in offered:
            by_action = attempt(
                article,
                lambda t=transition: client.post(
                    changelist,
                    {
                        "action": t.action,
                        "_selected_action": [article.pk],
                        "post": "yes",
                    },
                ),
            )
            assert by_action == (TO[name] if expected else state), (role, state, name)


def test_a_step_from_the_wrong_state_says_so_and_changes_nothing(editor):
    draft = ArticleFactory()
    with pytest.raises(StepNotAllowed, match="is draft"):
        services.article_archive(article=draft, user=editor)
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT
    assert not draft.revisions.exists()


def test_the_service_reads_the_state_from_the_database_not_a_stale_copy(editor):
    article = ArticleFactory(status=ArticleStatus.REVIEW)
    stale = type(article).objects.get(pk=article.pk)
    services.article_return_to_draft(article=article, user=editor)
    with pytest.raises(StepNotAllowed):  # it is a draft now, whatever the copy says
        services.article_return_to_draft(article=stale, user=editor)
    assert article.revisions.count() == 1
