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
import difflib
from dataclasses import dataclass
from html import escape

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from coopsite import locking

from . import permissions, workflow
from .models import (
    Article,
    ArticleEntityLink,
    ArticleRevision,
    ArticleStatus,
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


def record_revision(
    *, article: Article, user, action: str, note: str = ""
) -> ArticleRevision:
    """Keep the article as it is now as its next revision."""
    number = (
        ArticleRevision.objects.filter(article=article).aggregate(n=Max("number"))["n"]
        or 0
    ) + 1
    return ArticleRevision.objects.create(
        article=article,
        number=number,
        action=action,
        note=note[:255],
        user=user if getattr(user, "pk", None) else None,
        edit_version=article.edit_version,
        **snapshot(article),
    )


# --- Saving edits, safely -------------------------------------------------------------


def check_not_stale(*, article: Article, base_version: int | None) -> None:
    """Raise ``coopsite.locking.StaleEdit`` if ``article`` was saved since
    ``base_version`` (and refuse a change that names no version): the
    optimistic lock articles share with the records."""
    locking.check_not_stale(instance=article, base_version=base_version)


@transaction.atomic
def article_saved(*, article: Article, user, created: bool) -> None:
    """After a save in the admin, keep a revision. (``Article.save()`` counts
    the edit and remembers an old address itself.)"""
    _require(permissions.can_edit(user, article), "You may not change this article.")
    action = RevisionAction.CREATED if created else RevisionAction.SAVED
    record_revision(article=article, user=user, action=action)


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


@transaction.atomic
def article_revert(
    *, article: Article, revision: ArticleRevision, user
) -> ArticleRevision:
    """Bring back ``revision``'s text, topics, authors and links exactly, as
    a new revision. The status and the address are left as they are."""
    _require(permissions.can_edit(user, article), "You may not change this article.")
    if revision.article_id != article.pk:
        raise ValueError("That revision belongs to another article.")
    article.title, article.standfirst, article.body = (
        revision.title,
        revision.standfirst,
        revision.body,
    )
    article.save(update_fields=["title", "standfirst", "body", "updated_at"])
    article.tags.set([pk for pk, _name in revision.tags])
    if revision.authors:
        article.authors.set([pk for pk, _name in revision.authors])
    wanted = {link["entity"]: link for link in revision.links}
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


@dataclass
class FieldChange:
    label: str
    html: SafeString  # a table of the differing lines, or a word-level change


def compare(older: ArticleRevision, newer: ArticleRevision) -> list[FieldChange]:
    """What changed from ``older`` to ``newer``, field by field."""
    changes = []
    for field, label in (("title", "Title"), ("standfirst", "Standfirst")):
        before, after = getattr(older, field), getattr(newer, field)
        if before != after:
            changes.append(FieldChange(label, word_diff(before, after)))
    if older.body != newer.body:
        changes.append(FieldChange("Body", line_diff(older.body, newer.body)))
    for field, label in (("tags", "Topics"), ("authors", "Authors")):
        before = {name for _pk, name in getattr(older, field)}
        after = {name for _pk, name in getattr(newer, field)}
        if before != after:
            changes.append(FieldChange(label, set_diff(before, after)))
    before = {(link["name"], link["state"], link["role"]) for link in older.links}
    after = {(link["name"], link["state"], link["role"]) for link in newer.links}
    if before != after:
        changes.append(
            FieldChange(
                "Links",
                set_diff(
                    {f"{n} ({s}, {r})" for n, s, r in before},
                    {f"{n} ({s}, {r})" for n, s, r in after},
                ),
            )
        )
    if (older.status, older.published_at) != (newer.status, newer.published_at):
        changes.append(
            FieldChange(
                "Publication",
                word_diff(_publication(older), _publication(newer)),
            )
        )
    return changes


def _publication(revision: ArticleRevision) -> str:
    when = (
        f", {timezone.localtime(revision.published_at):%d %b %Y %H:%M}"
        if revision.published_at
        else ""
    )
    return f"{revision.get_status_display()}{when}"


def word_diff(before: str, after: str) -> SafeString:
    """``before`` and ``after`` in one line, deletions and insertions marked."""
    a, b = before.split(" "), after.split(" ")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 - every piece escaped


def line_diff(before: str, after: str, context: int = 2) -> SafeString:
    """The lines that differ, with a little context, as table rows."""
    a, b = before.splitlines(), after.splitlines()
    rows = []
    for group in difflib.SequenceMatcher(None, a, b).get_grouped_opcodes(context):
        rows.append('<tr class="diff-gap"><td colspan="2">…</td></tr>')
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                rows += [
                    f'<tr><td class="diff-mark"></td><td>{escape(line)}</td></tr>'
                    for line in a[i1:i2]
                ]
                continue
            old, new = a[i1:i2], b[j1:j2]
            if op == "replace" and len(old) == len(new):
                rows += [
                    f'<tr class="diff-change"><td class="diff-mark">~</td>'
                    f"<td>{word_diff(o, n)}</td></tr>"
                    for o, n in zip(old, new, strict=True)
                ]
                continue
            rows += [
                f'<tr class="diff-del"><td class="diff-mark">−</td><td><del>{escape(line)}</del></td></tr>'
                for line in old
            ]
            rows += [
                f'<tr class="diff-ins"><td class="diff-mark">+</td><td><ins>{escape(line)}</ins></td></tr>'
                for line in new
            ]
    return mark_safe(  # noqa: S308 - every line escaped
        f'<table class="diff"><tbody>{"".join(rows)}</tbody></table>'
    )


def set_diff(before: set[str], after: set[str]) -> SafeString:
    removed = [f"<del>{escape(x)}</del>" for x in sorted(before - after)]
    added = [f"<ins>{escape(x)}</ins>" for x in sorted(after - before)]
    return mark_safe(", ".join(removed + added))  # noqa: S308 - every piece escaped
