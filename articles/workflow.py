"""The editorial workflow, as one table: which step moves an article from
which states to which, and who may take it.

    step       from                                 to          who
    submit     draft                                review      its author, or an editor
    publish    draft, review, scheduled, archived   published   editors
    return     review, archived                     draft       editors
    unpublish  scheduled, published                 draft       editors
    archive    published                            archived    editors

(Publishing with a future publication time schedules the article: it is
then "scheduled" until its time comes.) ``services.article_transition``
enforces the table, refusing any step outside it; the admin's buttons and
actions, and any later entry point, only ask it (:func:`available`,
:func:`offered`, :func:`check`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models

from . import permissions
from .models import Article, ArticleStatus, RevisionAction


class State(models.TextChoices):
    """Where an article stands: its status, with a published article whose
    time has not come yet told apart as scheduled."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


def state_of(article: Article) -> State:
    if article.is_scheduled:
        return State.SCHEDULED
    return State(article.status)


class Who(models.TextChoices):
    """Who may take a step."""

    AUTHOR = "author", "the article's author, or an editor"
    EDITOR = "editor", "editors"


def permitted(who: Who, user, article: Article | None = None) -> bool:
    """Whether ``user`` is among ``who`` for ``article`` (or, without one,
    for some article: what the admin offers them at all)."""
    if permissions.is_editor(user):
        return True
    if who == Who.AUTHOR and permissions.is_contributor(user):
        return article is None or permissions.is_author(user, article)
    return False


@dataclass(frozen=True)
class Transition:
    """One step: from which states, to which status, taken by whom; the
    revision it records, and how the admin names it."""

    name: str
    sources: frozenset[State]
    target: ArticleStatus
    who: Who
    revision: str  # the RevisionAction it records
    button: str  # the button under the article's form
    action: str  # the action on the article list: its name and description
    action_label: str
    done: str  # what the admin says afterwards

    def allows(self, user, article: Article) -> bool:
        return state_of(article) in self.sources and permitted(self.who, user, article)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        name="submit",
        sources=frozenset({State.DRAFT}),
        target=ArticleStatus.REVIEW,
        who=Who.AUTHOR,
        revision=RevisionAction.SUBMITTED,
        button="Save and submit for review",
        action="submit_for_review",
        action_label="Submit the selected drafts for review",
        done="Submitted for review",
    ),
    Transition(
        name="publish",  # now, or scheduled for the publication time given
        sources=frozenset({State.DRAFT, State.REVIEW, State.SCHEDULED, State.ARCHIVED}),
        target=ArticleStatus.PUBLISHED,
        who=Who.EDITOR,
        revision=RevisionAction.PUBLISHED,
        button="Save and publish",
        action="publish_now",
        action_label="Publish the selected articles now",
        done="Published",
    ),
    Transition(
        name="return",
        sources=frozenset({State.REVIEW, State.ARCHIVED}),
        target=ArticleStatus.DRAFT,
        who=Who.EDITOR,
        revision=RevisionAction.RETURNED,
        button="Save and return to draft",
        action="return_to_draft",
        action_label="Return the selected articles to draft",
        done="Returned to draft",
    ),
    Transition(
        name="unpublish",
        sources=frozenset({State.SCHEDULED, State.PUBLISHED}),
        target=ArticleStatus.DRAFT,
        who=Who.EDITOR,
        revision=RevisionAction.UNPUBLISHED,
        button="Unpublish",
        action="unpublish",
        action_label="Unpublish the selected articles (back to draft)",
        done="Unpublished",
    ),
    Transition(
        name="archive",
        sources=frozenset({State.PUBLISHED}),
        target=ArticleStatus.ARCHIVED,
        who=Who.EDITOR,
        revision=RevisionAction.ARCHIVED,
        button="Archive",
        action="archive",
        action_label="Archive the selected articles",
        done="Archived",
    ),
)
BY_NAME = {transition.name: transition for transition in TRANSITIONS}


class StepNotAllowed(PermissionDenied):
    """The step does not start from the article's state."""


def check(name: str, user, article: Article) -> Transition:
    """The transition ``name``, if ``user`` may take it on ``article`` now;
    raises PermissionDenied (StepNotAllowed for a wrong state) otherwise."""
    transition = BY_NAME.get(name)
    if transition is None:
        raise StepNotAllowed(f"There is no step called {name!r}.")
    if not permitted(transition.who, user, article):
        raise PermissionDenied(
            f"Only {transition.who.label} may {transition.button.lower()}."
        )
    state = state_of(article)
    if state not in transition.sources:
        raise StepNotAllowed(
            f"“{article}” is {state.label.lower()}: "
            f"“{transition.button}” is not a step from there."
        )
    return transition


def available(user, article: Article) -> list[Transition]:
    """The steps ``user`` may take on ``article`` now, in the table's order.
    A new article (the Add page) will be a draft of the user's own, so the
    steps from a draft open to its author are offered on it: saving it and
    taking the step go together."""
    if article.pk is None:
        return [
            t
            for t in TRANSITIONS
            if State.DRAFT in t.sources and permitted(t.who, user)
        ]
    return [t for t in TRANSITIONS if t.allows(user, article)]


def offered(user) -> list[Transition]:
    """The steps ``user`` may take on some article: the admin's actions."""
    return [t for t in TRANSITIONS if permitted(t.who, user)]
