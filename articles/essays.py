"""Importing essays written as Markdown or plain-text files.

A file's first ``# `` heading is the title, the rest is the body. Text that
went through a wrong encoding on its way here ("â€™" for "’") is repaired
with ftfy. The whole batch is read and checked before anything is written,
and written in one transaction: one bad file and nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from core.names import slugify_name
from partnerships.mentions import get_detector

from .linking import article_scan_mentions
from .markdown import opening_text
from .models import (
    Article,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleStatus,
    RevisionAction,
)
from .services import record_revision

ESSAY_SUFFIXES = {".md", ".markdown", ".txt"}
_TITLE = re.compile(r"^#[ \t]+(?P<title>.+?)(?:[ \t]+#+)?[ \t]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
STANDFIRST_LENGTH = 280


class EssayError(Exception):
    """A file that cannot be imported, and why."""

    def __init__(self, path: Path, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Essay:
    path: Path
    title: str
    slug: str
    body: str

    @property
    def standfirst(self) -> str:
        """The opening sentences of the first paragraph, as plain text."""
        if not (text := opening_text(self.body)):
            return ""
        sentences = _SENTENCE_END.split(text)
        standfirst = sentences[0]
        for sentence in sentences[1:]:
            if len(standfirst) + len(sentence) + 1 > STANDFIRST_LENGTH:
                break
            standfirst = f"{standfirst} {sentence}"
        return Truncator(standfirst).chars(STANDFIRST_LENGTH)


@dataclass
class ImportSummary:
    created: list[Article] = field(default_factory=list)
    updated: list[Article] = field(default_factory=list)
    unchanged: list[Article] = field(default_factory=list)
    # Changed in the admin since the import last wrote them (or never
    # written by an import): the file's changes are not applied over them.
    kept: list[Article] = field(default_factory=list)
    suggestions: int = 0  # links to entities found in the new or changed essays

    @property
    def total(self) -> int:
        return (
            len(self.created) + len(self.updated) + len(self.unchanged) + len(self.kept)
        )


def find_essay_files(paths: list[Path]) -> list[Path]:
    """Every essay file named, or inside a folder named, in order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in ESSAY_SUFFIXES
            )
            if not found:
                raise EssayError(
                    path, "the folder holds no .md, .markdown or .txt files"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise EssayError(path, "no such file or folder")
    return files


def read_essay(path: Path) -> Essay:
    """Read and check one essay file; raise EssayError if it is unusable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EssayError(path, f"cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise EssayError(path, "the file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EssayError(
            path,
            f"is not UTF-8 text (undecodable byte 0x{raw[exc.start]:02x} at "
            f"offset {exc.start}); save it as UTF-8 and import it again",
        ) from None
    if "\x00" in text:
        raise EssayError(path, "is a binary file, not text")
    # Unicode's line and paragraph separators (U+2028, U+2029) and NEL break
    # lines, as Unicode defines them (ftfy makes them line breaks); a
    # paragraph separator also ends a paragraph.
    text = text.replace("\u2029", "\n\n")
    text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, line in enumerate(lines):
        match = _TITLE.match(line)
        if match:
            title = match["title"].strip()
            body = "\n".join(lines[:index] + lines[index + 1 :]).strip()
            break
    else:
        raise EssayError(
            path,
            "has no '# ' heading to take the title from (the first line "
            "starting with '# ' is the title)",
        )
    slug = slugify_name(title)[:200].strip("-")
    if not slug:
        raise EssayError(
            path, f"the title “{title}” has no letters or digits for an address"
        )
    if not body:
        raise EssayError(path, "has a title but no body")
    if len(title) > (Article._meta.get_field("title").max_length or 0):
        raise EssayError(path, "the title is longer than 255 characters")
    return Essay(path=path, title=title, slug=slug, body=body)


def read_essays(paths: list[Path]) -> list[Essay]:
    essays = [read_essay(path) for path in find_essay_files(paths)]
    seen: dict[str, Essay] = {}
    for essay in essays:
        if essay.slug in seen:
            raise EssayError(
                essay.path,
                f"has the same title as {seen[essay.slug].path} "
                f"(both would be /articles/{essay.slug}/)",
            )
        seen[essay.slug] = essay
    return essays


@transaction.atomic
def import_essays(
    essays: list[Essay], *, publish: bool = False, authors=()
) -> ImportSummary:
    """Create or update one article per essay, keyed on the slug (an
    article's former slugs too: an editor may have moved it).

    New articles are drafts unless ``publish``, which also publishes updated
    ones that are not published yet; an update never unpublishes or moves a
    scheduled time. An article whose title or text an editor changed since
    the import last wrote it (or that no import wrote) is kept as it is:
    the file's changes are not applied over an editor's work. Editors'
    standfirsts are kept; an empty one is filled from the body. Mentions of
    known entities in new and changed essays become suggested links.
    """
    summary = ImportSummary()
    detector = get_detector()
    slugs = [e.slug for e in essays]
    existing = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
    for moved in (
        ArticleSlugRedirect.objects.filter(old_slug__in=slugs)
        .exclude(old_slug__in=list(existing))
        .select_related("article")
    ):
        existing[moved.old_slug] = moved.article
    imported = _as_last_imported(existing.values())
    now = timezone.now()
    for essay in essays:
        article = existing.get(essay.slug)
        if article is None:
            article = Article(slug=essay.slug, status=ArticleStatus.DRAFT)
            outcome = summary.created
        elif (
            article.title == essay.title
            and article.body == essay.body
            and not (publish and article.status != ArticleStatus.PUBLISHED)
        ):
            summary.unchanged.append(article)
            continue
        elif imported.get(article.pk) != (article.title, article.body):
            summary.kept.append(article)
            continue
        else:
            outcome = summary.updated
        article.title = essay.title
        article.body = essay.body
        if not article.standfirst:
            article.standfirst = essay.standfirst
        if publish and article.status != ArticleStatus.PUBLISHED:
            article.status = ArticleStatus.PUBLISHED
            article.published_at = now
        article.save()
        if authors and outcome is summary.created:
            article.authors.set(authors)
        summary.suggestions += article_scan_mentions(
            article=article, detector=detector
        ).suggested
        record_revision(
            article=article,
            user=authors[0] if authors else None,
            action=RevisionAction.IMPORTED,
            note=essay.path.name,
        )
        outcome.append(article)
    return summary


def _as_last_imported(articles) -> dict[int, tuple[str, str]]:
    """Each article's title and text as the import last wrote them."""
    found: dict[int, tuple[str, str]] = {}
    revisions = (
        ArticleRevision.objects.filter(
            article__in=[a.pk for a in articles], action=RevisionAction.IMPORTED
        )
        .order_by("article_id", "-number")
        .values_list("article_id", "title", "body")
    )
    for article_id, title, body in revisions:
        found.setdefault(article_id, (title, body))
    return found
