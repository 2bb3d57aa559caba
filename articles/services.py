"""The editorial workflow: every change to an article goes through here.

draft → in review → published (now, or scheduled for later) → archived,
and back where that makes sense, as ``workflow.py``'s table says and only
as it says. Each step checks who is asking and from which state, runs in
one transaction, and records a revision: the article's text, topics,
authors and links as they are after the step, with who did it and why. A
revert is a new revision too.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coopsite import locking
from images.models import Image
from partnerships.models import Entity, Tag

from . import history, permissions, workflow
from .models import (
    Article,
    ArticleEntityLink,
    ArticleRevision,
    ArticleStatus,
    ArticleWorkingCopy,
    RevisionAction,
)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- Revisions ----------------------------------------------------------------------


def snapshot(article: Article) -> dict:
    """What a revision keeps of ``article`` as it is in the database now."""
    links = (
        ArticleEntityLink.objects.filter(article=article)
        .select_related("entity")
        .order_by("entity__name", "entity_id")
    )
    return {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "meta_description": article.meta_description,
        "lead_image": _picture(article.lead_image_id),
        "social_image": _picture(article.social_image_id),
        "status": article.status,
        "published_at": article.published_at,
        "tags": [[t.pk, t.name] for t in article.tags.order_by("name")],
        "authors": [[u.pk, u.display_name] for u in article.authors.order_by("pk")],
        "links": [
            {
                "entity": link.entity_id,
                "name": link.entity.name,
                "type": link.entity.entity_type,
                "role": link.role,
                "source": link.source,
                "state": link.state,
                "mentions": link.mention_count,
                "snippet": link.snippet,
            }
            for link in links
        ],
    }


def _picture(pk: int | None) -> list | None:
    """A picture as a revision keeps it: [id, title]."""
    if pk is None:
        return None
    title = Image.objects.filter(pk=pk).values_list("title", flat=True).first()
    return [pk, title] if title is not None else None


def record_revision(
    *, article: Article, user, action: str, note: str = "", autosaves: int = 0
) -> ArticleRevision:
    """Keep the article as it is now as its next revision, with a one-line
    summary of what changed since the revision before."""
    previous = (
        ArticleRevision.objects.filter(article=article).order_by("-number").first()
    )
    state = snapshot(article)
    summary = history.summarise(previous, history.as_revision(state))
    if action == RevisionAction.REVERTED and note:
        summary = f"Reverted {note}: {summary[0].lower()}{summary[1:]}"
    return ArticleRevision.objects.create(
        article=article,
        number=(previous.number if previous else 0) + 1,
        action=action,
        note=note[:255],
        summary=summary[:500],
        autosaves=autosaves,
        user=user if getattr(user, "pk", None) else None,
        edit_version=article.edit_version,
        **state,
    )


# --- Saving edits, safely -------------------------------------------------------------


def check_not_stale(*, article: Article, base_version: int | None) -> None:
    """Raise ``coopsite.locking.StaleEdit`` if ``article`` was saved since
    ``base_version`` (and refuse a change that names no version): the
    optimistic lock articles share with the records."""
    locking.check_not_stale(instance=article, base_version=base_version)


@transaction.atomic
def article_saved(
    *, article: Article, user, created: bool, went_public: bool = False
) -> None:
    """After a save in the admin, keep a revision. (``Article.save()`` counts
    the edit and remembers an old address itself.) The editor's autosaved
    working copy has served its purpose: it goes, counted in the revision.
    ``went_public``: the save made a scheduled article public (its time
    moved to now or before), which its history records as its publishing."""
    _require(permissions.can_edit(user, article), "You may not change this article.")
    action = RevisionAction.CREATED if created else RevisionAction.SAVED
    if went_public:
        action = RevisionAction.PUBLISHED
    copies = ArticleWorkingCopy.objects.filter(user=user).filter(
        Q(article=None) if created else Q(article=article)
    )
    autosaves = sum(copies.values_list("autosaves", flat=True))
    copies.delete()
    record_revision(article=article, user=user, action=action, autosaves=autosaves)


class StaleWorkingCopy(Exception):
    """The article was saved after the form being autosaved was opened: a
    copy of that form would hold text older than the article's."""


@transaction.atomic
def working_copy_autosave(
    *, user, article: Article | None, fields: dict, base_version: int | None
) -> ArticleWorkingCopy:
    """Keep what ``user`` has typed in the form: the article itself, and so
    what readers see, does not change."""
    if article is not None:
        _require(
            permissions.can_edit(user, article), "You may not change this article."
        )
        saved = (
            Article.objects.select_for_update()
            .values_list("edit_version", flat=True)
            .get(pk=article.pk)
        )
        if base_version is not None and saved > base_version:
            # Typically an autosave still on its way when the editor saved.
            raise StaleWorkingCopy
    copy, _created = ArticleWorkingCopy.objects.select_for_update().get_or_create(
        user=user, article=article
    )
    copy.fields, copy.base_version = fields, base_version
    copy.autosaves += 1
    copy.updated_at = timezone.now()
    copy.save()
    return copy


# --- Moving through the workflow -----------------------------------------------------


@transaction.atomic
def article_transition(
    *,
    article: Article,
    user,
    name: str,
    when: dt.datetime | None = None,
    note: str = "",
) -> Article:
    """Take the workflow step ``name`` (see ``workflow.TRANSITIONS``): only
    from the states the table gives, only by whom it names; otherwise
    PermissionDenied, and nothing changes. ``when`` is the publication time
    for "publish": a future one schedules the article."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    article.status, article.published_at = locked.status, locked.published_at
    transition = workflow.check(name, user, article)
    article.status = transition.target
    fields = ["status", "updated_at"]
    action = transition.revision
    if transition.target == ArticleStatus.PUBLISHED:
        now = timezone.now()
        if when is not None and when > now:
            action = RevisionAction.SCHEDULED
            note = note or f"for {timezone.localtime(when):%d %b %Y %H:%M %Z}"
        article.published_at = when or now
        fields.append("published_at")
    article.save(update_fields=fields)
    record_revision(article=article, user=user, action=action, note=note)
    return article


def article_submit(*, article: Article, user) -> Article:
    """A draft goes to the editors for review."""
    return article_transition(article=article, user=user, name="submit")


def article_publish(
    *, article: Article, user, when: dt.datetime | None = None
) -> Article:
    """Publish now, or schedule for ``when``: it goes public by itself then."""
    return article_transition(article=article, user=user, name="publish", when=when)


def article_return_to_draft(*, article: Article, user, note: str = "") -> Article:
    """An article in review (or archived) goes back to its author as a draft."""
    return article_transition(article=article, user=user, name="return", note=note)


def article_unpublish(*, article: Article, user) -> Article:
    """Take a published (or scheduled) article off the site, back to draft."""
    return article_transition(article=article, user=user, name="unpublish")


def article_archive(*, article: Article, user) -> Article:
    """Retire a published article: off the public site, kept with its history."""
    return article_transition(article=article, user=user, name="archive")


# --- Reverting ---------------------------------------------------------------------------


def revert_plan(*, article: Article, revision: ArticleRevision, user=None) -> dict:
    """The article as reverting to ``revision`` will leave it (a snapshot):
    the revision's text, description, pictures, topics, authors and links,
    as far as they still exist, with the article's own status, publication
    time and address. The authors stay as they are for a ``user`` who may
    not credit authors (a contributor: the form shows them read-only). The
    revert writes exactly this; its confirmation page shows exactly this."""
    if revision.article_id != article.pk:
        raise ValueError("That revision belongs to another article.")
    current = snapshot(article)
    tags = dict(
        Tag.objects.filter(pk__in=[pk for pk, _ in revision.tags]).values_list(
            "pk", "name"
        )
    )
    authors = {
        user.pk: user.display_name
        for user in get_user_model().objects.filter(
            pk__in=[pk for pk, _ in revision.authors or []]
        )
    }
    entities = {
        entity.pk: entity
        for entity in Entity.objects.filter(
            pk__in=[link["entity"] for link in revision.links]
        )
    }
    links = [
        {
            **link,
            "name": entities[link["entity"]].name,
            "type": entities[link["entity"]].entity_type,
        }
        for link in revision.links
        if link["entity"] in entities
    ]
    links.sort(key=lambda link: (link["name"], link["entity"]))
    return {
        **current,
        "title": revision.title,
        "standfirst": revision.standfirst,
        "body": revision.body,
        "meta_description": revision.meta_description,
        "lead_image": _picture(revision.lead_image[0] if revision.lead_image else None),
        "social_image": _picture(
            revision.social_image[0] if revision.social_image else None
        ),
        "tags": sorted(([pk, name] for pk, name in tags.items()), key=lambda t: t[1]),
        "authors": (
            sorted([pk, name] for pk, name in authors.items())
            if authors and (user is None or permissions.can_publish(user))
            else current["authors"]
        ),
        "links": links,
    }


@transaction.atomic
def article_revert(
    *, article: Article, revision: ArticleRevision, user
) -> ArticleRevision:
    """Bring back ``revision``'s content exactly (see ``revert_plan``), as a
    new revision. The status, publication time and address stay as they are."""
    _require(permissions.can_edit(user, article), "You may not change this article.")
    plan = revert_plan(article=article, revision=revision, user=user)
    article.title, article.standfirst, article.body = (
        plan["title"],
        plan["standfirst"],
        plan["body"],
    )
    article.meta_description = plan["meta_description"]
    article.lead_image_id = plan["lead_image"][0] if plan["lead_image"] else None
    article.social_image_id = plan["social_image"][0] if plan["social_image"] else None
    article.save(
        update_fields=[
            "title",
            "standfirst",
            "body",
            "meta_description",
            "lead_image",
            "social_image",
            "updated_at",
        ]
    )
    article.tags.set([pk for pk, _name in plan["tags"]])
    article.authors.set([pk for pk, _name in plan["authors"]])
    wanted = {link["entity"]: link for link in plan["links"]}
    ArticleEntityLink.objects.filter(article=article).exclude(
        entity_id__in=list(wanted)
    ).delete()
    existing = {
        link.entity_id: link
        for link in ArticleEntityLink.objects.filter(
            article=article, entity_id__in=list(wanted)
        )
    }
    for entity_id, data in wanted.items():
        link = existing.get(entity_id) or ArticleEntityLink(
            article=article, entity_id=entity_id
        )
        link.role, link.source, link.state = data["role"], data["source"], data["state"]
        link.mention_count, link.snippet = data["mentions"], data["snippet"]
        link.save()
    return record_revision(
        article=article,
        user=user,
        action=RevisionAction.REVERTED,
        note=f"to revision {revision.number}",
    )


# --- Comparing revisions ---------------------------------------------------------------

# The comparison lives in history.py, beside the summaries.
FieldChange = history.FieldChange
compare = history.compare
word_diff, line_diff, set_diff = history.word_diff, history.line_diff, history.set_diff
