"""The editorial workflow, as one table: which step moves an article from
which states to which, and who may take it.

    draft ──submit──▶ review ──publish──▶ published (or scheduled)
      ▲                 │                     │
      └──return─────────┘                     ├──archive──▶ archived
      ▲                                       │                │
      └──────────────unpublish────────────────┘   publish ◀────┤
      └──────────────return────────────────────────────────────┘

``services.py`` enforces the table (every step is refused outside it); the
admin's buttons and actions, and any later entry point, only ask it
(:func:`available`, :func:`offered`).
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
    name: str
    sources: frozenset[State]
    target: ArticleStatus
    who: Who
    revision: str  # the RevisionAction it records
    button: str  # the admin's button under the form
    action: str  # the admin action's name and description
    action_label: str
    done: str  # what the admin says afterwards

    def allows(self, user, article: Article) -> bool:
        return state_of(article) in self.sources and permitted(self.who, user, article)


_ = frozenset
TRANSITIONS: tuple[Transition, ...] = (
    # name, from, to, who, revision kept, admin button, admin action
    Transition(
        "submit",
        _({State.DRAFT}),
        ArticleStatus.REVIEW,
        Who.AUTHOR,
        RevisionAction.SUBMITTED,
        "Save and submit for review",
        "submit_for_review",
        "Submit the selected drafts for review",
        "Submitted for review",
    ),
    Transition(
        "publish",  # now, or scheduled for the publication time given
        _({State.DRAFT, State.REVIEW, State.SCHEDULED, State.ARCHIVED}),
        ArticleStatus.PUBLISHED,
        Who.EDITOR,
        RevisionAction.PUBLISHED,
        "Save and publish",
        "publish_now",
        "Publish the selected articles now",
        "Published",
    ),
    Transition(
        "return",
        _({State.REVIEW, State.ARCHIVED}),
        ArticleStatus.DRAFT,
        Who.EDITOR,
        RevisionAction.RETURNED,
        "Save and return to draft",
        "return_to_draft",
        "Return the selected articles to draft",
        "Returned to draft",
    ),
    Transition(
        "unpublish",
        _({State.SCHEDULED, State.PUBLISHED}),
        ArticleStatus.DRAFT,
        Who.EDITOR,
        RevisionAction.UNPUBLISHED,
        "Unpublish",
        "unpublish",
        "Unpublish the selected articles (back to draft)",
        "Unpublished",
    ),
    Transition(
        "archive",
        _({State.PUBLISHED}),
        ArticleStatus.ARCHIVED,
        Who.EDITOR,
        RevisionAction.ARCHIVED,
        "Archive",
        "archive",
        "Archive the selected articles",
        "Archived",
    ),
)
del _
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
    """The steps ``user`` may take on ``article`` now, in the table's order."""
    if article.pk is None:
        return []
    return [t for t in TRANSITIONS if t.allows(user, article)]


def offered(user) -> list[Transition]:
    """The steps ``user`` may take on some article: the admin's actions."""
    return [t for t in TRANSITIONS if permitted(t.who, user)]
