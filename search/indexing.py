"""What goes into the search index, and keeping it up to date.

``index_article`` and ``index_entities`` write the entries; signals call
them on every save and delete (``signals.py``), bulk jobs call them once for
what they changed, and ``manage.py rebuild_search_index`` rebuilds it all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Prefetch

from articles.markdown import markdown_segments
from articles.models import Article
from partnerships.models import (
    Bloc,
    Country,
    Entity,
    EntityType,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    System,
)
from partnerships.names import fold, normalise_name

from .models import SearchEntry

# The highlighter marks matches with these two control characters, which the
# indexed text must therefore never contain.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BATCH = 500


def _clean(*parts: str) -> str:
    return _CONTROL.sub(" ", "\n".join(part for part in parts if part)).strip()


def _spellings(*names: str) -> list[str]:
    """Names as typed on a plain keyboard, where that differs from what
    full-text search makes of them: "Akıncı" is also "akinci", "Ørsted"
    also "orsted" (dotless i, slashed o and ligatures are not accents)."""
    plain = []
    for name in names:
        folded = fold(name)
        if (
            name
            and folded
            != unicodedata.normalize("NFKD", name.casefold())
            .encode("ascii", "ignore")
            .decode()
        ):
            plain.append(folded)
    return plain


def article_document(article: Article) -> dict[str, str]:
    tags = [tag.name for tag in article.tags.all()]
    return {
        "kind": "article",
        "title": _clean(article.title)[:500],
        "keywords": _clean(" · ".join([*tags, *_spellings(article.title)])),
        "body": _clean(article.standfirst, *markdown_segments(article.body)),
    }


def entity_document(entity: Entity) -> dict[str, str]:
    """The searchable text of an entity: its name, its other names and codes,
    its summary and the facts a reader would search it by."""
    keywords = [alias.name for alias in entity.aliases.all()]
    facts: list[str] = []
    if isinstance(entity, Country):
        keywords += [entity.alpha_2, entity.alpha_3, entity.official_name]
        facts += [entity.subregion, entity.region]
        if entity.is_former:
            facts.append("Former state")
    elif isinstance(entity, Bloc):
        keywords += [entity.abbreviation, entity.official_name]
    elif isinstance(entity, Organisation):
        facts.append(entity.get_kind_display())
        if entity.home_country:
            facts.append(entity.home_country.name)
    elif isinstance(entity, System):
        facts.append(entity.get_category_display())
        if entity.origin_country:
            facts.append(entity.origin_country.name)
        facts += [maker.name for maker in entity.makers.all()]
    elif isinstance(entity, Partnership):
        facts += [entity.get_kind_display(), entity.get_status_display()]
        facts += [str(p.actor) for p in entity.participants.all()]
        facts += [line.system.name for line in entity.system_lines.all()]
        keywords += [tag.name for tag in entity.tags.all()]
    keywords += _spellings(entity.name, *keywords)
    return {
        "kind": entity.entity_type,
        "title": _clean(entity.name)[:500],
        "keywords": _clean(" · ".join(k for k in keywords if k)),
        "body": _clean(entity.summary, " · ".join(f for f in facts if f)),
    }


def _upsert(entries: list[SearchEntry], key: str) -> None:
    for entry in entries:
        entry.title_key = normalise_name(entry.title)
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=[key],
        update_fields=["kind", "title", "title_key", "keywords", "body", "updated_at"],
        batch_size=BATCH,
    )


def index_articles(articles: Iterable[Article]) -> int:
    entries = [
        SearchEntry(article=article, **article_document(article))
        for article in articles
    ]
    _upsert(entries, "article")
    return len(entries)


def index_article(article: Article) -> None:
    index_articles([article])


# Each kind of entity, fetched with what its document needs in a fixed number
# of queries per batch.
def _entity_querysets():
    # Only the names a document uses: an import indexes thousands at a time.
    participants = Prefetch(
        "participants",
        queryset=Participant.objects.select_related(
            "country", "organisation", "bloc"
        ).only(
            "partnership_id",
            "role",
            "country__name",
            "organisation__name",
            "bloc__name",
        ),
    )
    lines = Prefetch(
        "system_lines",
        queryset=PartnershipSystem.objects.select_related("system").only(
            "partnership_id", "system__name"
        ),
    )
    return {
        EntityType.COUNTRY: Country.objects.prefetch_related("aliases"),
        EntityType.BLOC: Bloc.objects.prefetch_related("aliases"),
        EntityType.ORGANISATION: Organisation.objects.select_related(
            "home_country"
        ).prefetch_related("aliases"),
        EntityType.SYSTEM: System.objects.select_related(
            "origin_country"
        ).prefetch_related("aliases", "makers"),
        EntityType.PARTNERSHIP: Partnership.objects.prefetch_related(
            "aliases", "tags", participants, lines
        ),
    }


def _id_batches(ids: list[int] | None) -> Iterator[tuple[str, list[int]]]:
    """(entity type, up to BATCH ids of that type), for these ids or all.
    Ids go to the database a batch at a time: SQLite takes at most 32,766
    parameters in a query, and an import can touch more entities."""
    by_type: dict[str, list[int]] = {}
    if ids is None:
        for pk, entity_type in Entity.objects.order_by("pk").values_list(
            "pk", "entity_type"
        ):
            by_type.setdefault(entity_type, []).append(pk)
    else:
        unique = sorted(set(ids))
        for start in range(0, len(unique), BATCH):
            chunk = unique[start : start + BATCH]
            for pk, entity_type in Entity.objects.filter(pk__in=chunk).values_list(
                "pk", "entity_type"
            ):
                by_type.setdefault(entity_type, []).append(pk)
    for entity_type, pks in by_type.items():
        for start in range(0, len(pks), BATCH):
            yield entity_type, pks[start : start + BATCH]


def index_entities(ids: Iterable[int] | None = None) -> int:
    """(Re)index the entities with these ids, or every entity."""
    querysets = _entity_querysets()
    total = 0
    for entity_type, pks in _id_batches(None if ids is None else list(ids)):
        batch = list(querysets[entity_type].filter(pk__in=pks).order_by("pk"))
        _upsert([SearchEntry(entity=e, **entity_document(e)) for e in batch], "entity")
        total += len(batch)
    return total


# --- Deferring: many changes, one re-index each -------------------------------

_pending: ContextVar[dict[str, set[int]] | None] = ContextVar(
    "search_index_pending", default=None
)


@contextmanager
def deferred() -> Iterator[None]:
    """Within this block, changes are noted and each changed article or
    entity is re-indexed once, when the block ends (not if it fails). For
    bulk work: loading demo content, imports, an admin save with inlines."""
    if _pending.get() is not None:  # already deferring: the outer block indexes
        yield
        return
    token = _pending.set({"articles": set(), "entities": set()})
    try:
        yield
        pending = _pending.get()
        _pending.set(None)
        assert pending is not None  # set above, in this context  # noqa: S101
        if pending["articles"]:
            index_articles(
                Article.objects.filter(pk__in=pending["articles"]).prefetch_related(
                    "tags"
                )
            )
        if pending["entities"]:
            index_entities(pending["entities"])
    finally:
        _pending.reset(token)


def article_changed(article: Article) -> None:
    """Re-index ``article`` now, or at the end of a ``deferred()`` block."""
    pending = _pending.get()
    if pending is None:
        index_article(article)
    else:
        pending["articles"].add(article.pk)


def entities_changed(ids: Iterable[int]) -> None:
    """Re-index these entities now, or at the end of a ``deferred()`` block."""
    pending = _pending.get()
    if pending is None:
        index_entities(ids)
    else:
        pending["entities"].update(ids)


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Index every article and entity from scratch; returns the counts."""
    SearchEntry.objects.all().delete()
    articles = 0
    queryset = Article.objects.prefetch_related("tags").order_by("pk")
    for start in range(0, 10**12, BATCH):
        batch = list(queryset[start : start + BATCH])
        if not batch:
            break
        articles += index_articles(batch)
    return articles, index_entities()
