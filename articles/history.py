"""What a revision says about itself: a one-line summary of what changed
since the revision before ("Body +120 words; slug changed; 2 links
accepted; published"), and the field-by-field comparison of any two.

Both read revisions, or anything with the same attributes (a snapshot of
the article as it is, or as a revert would leave it), so the revert
confirmation compares exactly what the revert will write.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from html import escape
from types import SimpleNamespace

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .markdown import body_pictures
from .models import ArticleStatus, count_words

STATUS_LABELS = dict(ArticleStatus.choices)


def as_revision(snapshot: dict) -> SimpleNamespace:
    """A snapshot (``services.snapshot``) read like a revision."""
    return SimpleNamespace(**snapshot)


def words(text: str) -> int:
    return count_words(text or "")


def _picture(value) -> str | None:
    """A revision's picture, [id, title], as text."""
    return f"{value[1]} (#{value[0]})" if value else None


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --- The one-line summary ---------------------------------------------------------


def summarise(older, newer) -> str:
    """What changed from ``older`` (None for the first revision) to ``newer``."""
    if older is None:
        return f"Created; body {_plural(words(newer.body), 'word')}"
    parts = [
        *_body_changes(older, newer),
        *_text_changes(older, newer),
        *_picture_changes(older, newer),
        *_set_changes(older, newer),
        *_link_changes(older.links, newer.links),
        *_publication_changes(older, newer),
    ]
    if not parts:
        return "No changes"
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def _body_changes(older, newer) -> list[str]:
    parts = []
    before = set(body_pictures(older.body).ids)
    after = set(body_pictures(newer.body).ids)
    if older.body != newer.body:
        delta = words(newer.body) - words(older.body)
        if delta:
            sign = "+" if delta > 0 else "−"
            parts.append(f"body {sign}{_plural(abs(delta), 'word')}")
        elif before == after:
            parts.append("body edited")
    if after - before:
        parts.append(f"{_plural(len(after - before), 'picture')} added to the body")
    if before - after:
        parts.append(f"{_plural(len(before - after), 'picture')} removed from the body")
    return parts


def _text_changes(older, newer) -> list[str]:
    checks = (
        (older.title != newer.title, "title changed"),
        (older.slug != newer.slug, "slug changed"),
        (older.standfirst != newer.standfirst, "standfirst edited"),
    )
    return [label for changed, label in checks if changed]


def _picture_changes(older, newer) -> list[str]:
    parts = []
    for field, label in (
        ("lead_image", "lead picture"),
        ("social_image", "social picture"),
    ):
        was, now = _get(older, field), _get(newer, field)
        if was != now:
            verb = "set" if not was else "removed" if not now else "changed"
            parts.append(f"{label} {verb}")
    if _get(older, "meta_description", "") != _get(newer, "meta_description", ""):
        parts.append("description changed")
    return parts


def _set_changes(older, newer) -> list[str]:
    checks = (
        (_names(older.tags) != _names(newer.tags), "topics changed"),
        (_names(older.authors) != _names(newer.authors), "authors changed"),
    )
    return [label for changed, label in checks if changed]


def _get(revision, field, default=None):
    return getattr(revision, field, default) or default


def _names(pairs) -> set[str]:
    return {name for _pk, name in pairs or []}


def _link_changes(older: list[dict], newer: list[dict]) -> list[str]:
    was = {link["entity"]: link["state"] for link in older or []}
    now = {link["entity"]: link["state"] for link in newer or []}
    moves = Counter(state for entity, state in now.items() if was.get(entity) != state)
    removed = len(set(was) - set(now))
    parts = []
    for state, verb in (
        ("accepted", "accepted"),
        ("rejected", "rejected"),
        ("suggested", "suggested"),
    ):
        if moves[state]:
            parts.append(f"{_plural(moves[state], 'link')} {verb}")
    if removed:
        parts.append(f"{_plural(removed, 'link')} removed")
    return parts


def _publication_changes(older, newer) -> list[str]:
    if older.status != newer.status:
        if newer.status == ArticleStatus.PUBLISHED:
            if newer.published_at and newer.published_at > timezone.now():
                return [
                    "scheduled for "
                    f"{timezone.localtime(newer.published_at):%d %b %Y %H:%M}"
                ]
            return ["published"]
        if newer.status == ArticleStatus.REVIEW:
            return ["submitted for review"]
        if newer.status == ArticleStatus.ARCHIVED:
            return ["archived"]
        if older.status == ArticleStatus.PUBLISHED:
            return ["unpublished"]
        return ["returned to draft"]
    if older.published_at != newer.published_at:
        return ["publication time changed"]
    return []


# --- The comparison, field by field -------------------------------------------------


@dataclass
class FieldChange:
    label: str
    html: SafeString  # a table of the differing lines, or a word-level change


def compare(older, newer) -> list[FieldChange]:
    """What changed from ``older`` to ``newer``, field by field: every field
    a revision keeps."""
    return [
        *_compare_text(older, newer),
        *_compare_pictures(older, newer),
        *_compare_sets(older, newer),
        *_compare_publication(older, newer),
    ]


def _compare_text(older, newer) -> list[FieldChange]:
    changes = []
    for field, label in (
        ("title", "Title"),
        ("slug", "Address (slug)"),
        ("standfirst", "Standfirst"),
    ):
        before, after = getattr(older, field), getattr(newer, field)
        if before != after:
            changes.append(FieldChange(label, word_diff(before, after)))
    if older.body != newer.body:
        changes.append(FieldChange("Body", line_diff(older.body, newer.body)))
    before = _get(older, "meta_description", "")
    after = _get(newer, "meta_description", "")
    if before != after:
        changes.append(
            FieldChange("Search and social description", _text_diff(before, after))
        )
    return changes


def _compare_pictures(older, newer) -> list[FieldChange]:
    changes = []
    for field, label in (
        ("lead_image", "Lead picture"),
        ("social_image", "Social picture"),
    ):
        before, after = _picture(_get(older, field)), _picture(_get(newer, field))
        if before != after:
            changes.append(FieldChange(label, set_diff(_one(before), _one(after))))
    was = {f"#{n}" for n in body_pictures(older.body).ids}
    now = {f"#{n}" for n in body_pictures(newer.body).ids}
    if was != now:
        changes.append(FieldChange("Pictures in the body", set_diff(was, now)))
    return changes


def _compare_sets(older, newer) -> list[FieldChange]:
    changes = []
    for field, label in (("tags", "Topics"), ("authors", "Authors")):
        before, after = _names(getattr(older, field)), _names(getattr(newer, field))
        if before != after:
            changes.append(FieldChange(label, set_diff(before, after)))
    was = {f"{x['name']} ({x['state']}, {x['role']})" for x in older.links}
    now = {f"{x['name']} ({x['state']}, {x['role']})" for x in newer.links}
    if was != now:
        changes.append(FieldChange("Links", set_diff(was, now)))
    return changes


def _compare_publication(older, newer) -> list[FieldChange]:
    changes = []
    if older.status != newer.status:
        changes.append(
            FieldChange(
                "Status",
                word_diff(STATUS_LABELS[older.status], STATUS_LABELS[newer.status]),
            )
        )
    if older.published_at != newer.published_at:
        changes.append(
            FieldChange(
                "Publication time",
                word_diff(_when(older.published_at), _when(newer.published_at)),
            )
        )
    return changes


def _one(value: str | None) -> set[str]:
    return {value} if value else set()


def _text_diff(before: str, after: str) -> SafeString:
    if not before or not after:
        return set_diff({before} - {""}, {after} - {""})
    return word_diff(before, after)


def _when(value) -> str:
    return f"{timezone.localtime(value):%d %b %Y %H:%M}" if value else "none"


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
