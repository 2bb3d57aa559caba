"""Linking articles to the entities they mention.

``article_scan_mentions`` runs the detector over an article and turns what
it finds into suggested links; editors accept or reject them
(``link_decide``), add links by hand (``link_add``) or unlink
(``link_remove``); the admin's link panels do all of it through these.
Editors' decisions
survive every later scan: an accepted link stays accepted, and a rejected
entity is never suggested again for that article.

``link_first_mentions`` is the reading side: it links the first mention of
each accepted entity in an article's rendered HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.signals import send_bulk_saved
from partnerships.mentions import Detection, MentionDetector, get_detector
from partnerships.models import Entity

from .models import Article, ArticleEntityLink, LinkRole, LinkSource, LinkState


@dataclass
class ScanSummary:
    suggested: int = 0  # new suggestions
    updated: int = 0  # existing links whose counts or snippets changed
    withdrawn: int = 0  # suggestions no longer found in the text

    def __str__(self):
        return (
            f"{self.suggested} new suggestion{'s' if self.suggested != 1 else ''}, "
            f"{self.updated} updated, {self.withdrawn} withdrawn"
        )


def detect_article_mentions(
    article: Article, detector: MentionDetector | None = None
) -> dict[int, Detection]:
    """What the detector finds in ``article``, by entity id; saves nothing."""
    return (detector or get_detector()).detect(article.text_segments())


@transaction.atomic
def article_scan_mentions(
    *, article: Article, detector: MentionDetector | None = None
) -> ScanSummary:
    """Bring ``article``'s suggested links in line with its text.

    New mentions become suggestions; counts and snippets of every link are
    refreshed; suggestions whose entity the text no longer names are
    withdrawn. Accepted, rejected and hand-made links are kept.
    """
    found = detect_article_mentions(article, detector)
    summary = ScanSummary()
    existing = {
        link.entity_id: link
        for link in ArticleEntityLink.objects.select_for_update().filter(
            article=article
        )
    }
    to_update, to_withdraw = [], []
    for entity_id, link in existing.items():
        detection = found.get(entity_id)
        count = detection.count if detection else 0
        snippet = detection.snippet if detection else ""
        if detection is None and link.state == LinkState.SUGGESTED:
            to_withdraw.append(link.pk)
        elif (link.mention_count, link.snippet) != (count, snippet):
            link.mention_count, link.snippet = count, snippet
            to_update.append(link)
    new_links = [
        ArticleEntityLink(
            article=article,
            entity_id=entity_id,
            source=LinkSource.DETECTED,
            state=LinkState.SUGGESTED,
            mention_count=detection.count,
            snippet=detection.snippet,
        )
        for entity_id, detection in found.items()
        if entity_id not in existing
    ]
    ArticleEntityLink.objects.bulk_create(new_links)
    now = timezone.now()
    for link in to_update:
        link.updated_at = now
    ArticleEntityLink.objects.bulk_update(
        to_update, ["mention_count", "snippet", "updated_at"]
    )
    ArticleEntityLink.objects.filter(pk__in=to_withdraw).delete()
    summary.suggested, summary.updated = len(new_links), len(to_update)
    summary.withdrawn = len(to_withdraw)
    return summary


def _require_editor(user, article: Article) -> None:
    from .permissions import can_edit

    if not can_edit(user, article):
        raise PermissionDenied("You may not change this article's links.")


@transaction.atomic
def link_decide(
    *, link: ArticleEntityLink, state: str, user, role: str | None = None
) -> ArticleEntityLink:
    """Accept or reject a suggested link (or reconsider an earlier decision),
    and set what the article does with the entity (``role``). Who decided,
    and when, is kept with a change of state."""
    _require_editor(user, link.article)
    if state not in LinkState.values:
        raise ValueError(f"Unknown link state {state!r}.")
    if role is not None and role not in LinkRole.values:
        raise ValueError(f"Unknown link role {role!r}.")
    current = ArticleEntityLink.objects.select_for_update().get(pk=link.pk)
    link.state = state
    link.role = current.role if role is None else role
    fields = ["state", "role", "updated_at"]
    if state != current.state:
        link.decided_by = user
        link.decided_at = timezone.now()
        fields += ["decided_by", "decided_at"]
    link.save(update_fields=fields)
    return link


@transaction.atomic
def article_accept_suggestions(*, article: Article, user) -> int:
    """Accept every suggested link of ``article``; returns how many."""
    _require_editor(user, article)
    suggested = article.entity_links.suggested()
    pks = list(suggested.values_list("pk", flat=True))
    accepted = ArticleEntityLink.objects.filter(pk__in=pks).update(
        state=LinkState.ACCEPTED,
        decided_by=user,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )
    # Written without signals: say so (pages, caches and search follow).
    send_bulk_saved(ArticleEntityLink, pks)
    return accepted


@transaction.atomic
def link_add(
    *, article: Article, entity: Entity, user, role: str = LinkRole.MENTIONS
) -> ArticleEntityLink:
    """Link ``entity`` to ``article`` by hand (or accept it, if suggested or
    rejected before)."""
    _require_editor(user, article)
    link, _ = ArticleEntityLink.objects.get_or_create(
        article=article,
        entity=entity,
        defaults={"source": LinkSource.MANUAL, "role": role},
    )
    link.state, link.role = LinkState.ACCEPTED, role
    link.decided_by, link.decided_at = user, timezone.now()
    link.save()
    return link


@transaction.atomic
def link_remove(*, link: ArticleEntityLink, user) -> None:
    """Unlink: a link the detector found is rejected, so that it is not
    suggested again; a link made by hand is simply removed."""
    _require_editor(user, link.article)
    if link.source == LinkSource.DETECTED:
        link_decide(link=link, state=LinkState.REJECTED, user=user)
    else:
        link.delete()


# --- Reading: link the first mention of each accepted entity ------------------

# Never put a link inside one of these.
_NO_LINKS_INSIDE = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre"}


class _FirstMentionLinker(HTMLParser):
    def __init__(self, detector: MentionDetector, urls: dict[int, str]):
        super().__init__(convert_charrefs=True)
        self.detector, self.urls = detector, urls
        self.out: list[str] = []
        self.blocked: list[str] = []
        self.linked: set[int] = set()

    def handle_starttag(self, tag, attrs):
        if tag in _NO_LINKS_INSIDE:
            self.blocked.append(tag)
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if self.blocked and self.blocked[-1] == tag:
            self.blocked.pop()
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.blocked or len(self.linked) == len(self.urls):
            self.out.append(escape(data, quote=False))
            return
        position = 0
        for mention in self.detector.find(data):
            if mention.entity_id in self.linked or mention.start < position:
                continue
            self.linked.add(mention.entity_id)
            self.out.append(escape(data[position : mention.start], quote=False))
            self.out.append(
                f'<a class="entity-link" href="{escape(self.urls[mention.entity_id])}">'
                f"{escape(mention.text, quote=False)}</a>"
            )
            position = mention.end
        self.out.append(escape(data[position:], quote=False))


def link_first_mentions(html: str, entities: list[Entity]) -> SafeString:
    """``html`` with the first mention of each of ``entities`` linked to its
    page; never inside an existing link, a heading or code. Each entity's
    ``aliases`` should be prefetched."""
    if not entities:
        return mark_safe(html)  # noqa: S308 - already sanitised
    names = [(e.pk, e.name) for e in entities]
    names += [(e.pk, alias.name) for e in entities for alias in e.aliases.all()]
    linker = _FirstMentionLinker(
        MentionDetector(names), {e.pk: e.get_absolute_url() for e in entities}
    )
    linker.feed(html)
    linker.close()
    return mark_safe("".join(linker.out))  # noqa: S308 - rebuilt from sanitised HTML
