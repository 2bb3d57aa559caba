"""What goes into the search index, and keeping it up to date.

Each indexed model describes its own document: ``index_components()`` gives
its title, keywords and body (weighed in that order, see ``backends.py``),
and ``index_queryset()`` fetches a batch of rows with what those read. This
module turns them into entries and writes them, nothing more.

Nothing outside ``search`` calls it. ``signals.py`` listens to saves and
deletes of the indexed models and of the rows their documents read, and to
``core.signals.bulk_saved`` from bulk writers (the importers); every change
is noted with :func:`index_on_commit`, and the rows a transaction changed
are indexed once, in bulk, when it commits. ``manage.py
rebuild_search_index`` rebuilds it all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from asgiref.local import Local
from django.db import connections, transaction
from django.db.models import Model

from articles.models import Article
from core.names import fold, normalise_name
from partnerships.models import (
    Bloc,
    Country,
    Entity,
    Organisation,
    Partnership,
    System,
)

from .models import SearchEntry

# The models with entries. Each entry points at an article or at an entity
# (of any kind); each kind of entity is fetched by its own model, by the
# ``entity_type`` that names it.
ENTITY_MODELS: dict[str, type[Entity]] = {
    str(model._meta.model_name): model
    for model in (Country, Bloc, Organisation, System, Partnership)
}
INDEXED_MODELS: tuple[type[Model], ...] = (Article, *ENTITY_MODELS.values())

# The highlighter marks matches with these two control characters, which the
# indexed text must therefore never contain.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BATCH = 500


def entry_field(model: type[Model]) -> str:
    """The entry's field pointing at rows of ``model``: article or entity."""
    return "article" if issubclass(model, Article) else "entity"


# --- Documents ------------------------------------------------------------------


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


def document(obj: Any) -> dict[str, Any]:
    """The entry for ``obj``, from its ``index_components()``: the title,
    the keywords (with plain-keyboard spellings of them and of the title)
    joined by " · ", the body's parts one per line, and from when readers
    may find it (``visible_from``; never, if it says nothing)."""
    components = obj.index_components()
    title = components["title"]
    keywords = [k for k in components.get("keywords", ()) if k]
    return {
        "kind": str(obj._meta.model_name),
        "visible_from": components.get("visible_from"),
        "title": _clean(title)[:500],
        "keywords": _clean(" · ".join([*keywords, *_spellings(title, *keywords)])),
        "body": _clean(*components.get("body", ())),
    }


def _upsert(objs: Iterable[Model], field: str) -> int:
    entries = []
    for obj in objs:
        entry = SearchEntry(**{field: obj}, **document(obj))
        entry.title_key = normalise_name(entry.title)
        entries.append(entry)
    SearchEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=[field],
        update_fields=[
            "kind",
            "visible_from",
            "title",
            "title_key",
            "keywords",
            "body",
            "updated_at",
        ],
        batch_size=BATCH,
    )
    return len(entries)


# --- Indexing rows now ------------------------------------------------------------


def batches(pks: list[int]) -> Iterator[list[int]]:
    # Ids go to the database a batch at a time: SQLite takes at most 32,766
    # parameters in a query, and an import can touch more rows.
    for start in range(0, len(pks), BATCH):
        yield pks[start : start + BATCH]


def index_articles(pks: Iterable[int] | None = None) -> int:
    """(Re)index the articles with these ids, or every article."""
    queryset = Article.index_queryset().order_by("pk")
    if pks is None:
        pks = list(queryset.values_list("pk", flat=True))
    total = 0
    for chunk in batches(sorted(set(pks))):
        total += _upsert(queryset.filter(pk__in=chunk), "article")
    return total


def index_entities(pks: Iterable[int] | None = None) -> int:
    """(Re)index the entities with these ids (of any kind), or every entity:
    each kind through its own model, a batch at a time."""
    entities = Entity.objects.order_by("pk")
    by_type: dict[str, list[int]] = {}
    chunks = [None] if pks is None else batches(sorted(set(pks)))
    for chunk in chunks:
        rows = entities if chunk is None else entities.filter(pk__in=chunk)
        for pk, entity_type in rows.values_list("pk", "entity_type"):
            by_type.setdefault(entity_type, []).append(pk)
    total = 0
    for entity_type, type_pks in by_type.items():
        queryset = ENTITY_MODELS[entity_type].index_queryset().order_by("pk")
        for chunk in batches(type_pks):
            total += _upsert(queryset.filter(pk__in=chunk), "entity")
    return total


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Index every article and entity from scratch; returns the counts."""
    SearchEntry.objects.all().delete()
    return index_articles(), index_entities()


# --- Indexing what a transaction changed, once, when it commits ---------------------


class _Pending:
    """The rows one transaction changed, indexed when it commits."""

    def __init__(self, using: str):
        self.using = using
        self.pks: dict[str, set[int]] = {"article": set(), "entity": set()}
        self.done = False

    def __call__(self) -> None:
        self.done = True
        with transaction.atomic(using=self.using):
            if self.pks["article"]:
                index_articles(self.pks["article"])
            if self.pks["entity"]:
                index_entities(self.pks["entity"])


_state = Local()


def _open_batch(using: str) -> tuple[_Pending, bool]:
    """This transaction's batch of pending rows, and whether it is new.

    A batch belongs to the transaction whose commit will run it: once run,
    or dropped with a rollback (Django then forgets its callback), the next
    change starts a new one."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = {}
    batch = pending.get(using)
    if batch is not None and not batch.done:
        queued = connections[using].run_on_commit
        if any(entry[1] is batch for entry in queued):
            return batch, False
    batch = pending[using] = _Pending(using)
    return batch, True


def index_on_commit(
    model: type[Model], pks: Iterable[int], *, using: str = "default"
) -> None:
    """Index these rows of ``model`` (an indexed model) when the current
    transaction commits, with every other row it changed; at once outside
    a transaction. A row deleted meanwhile is skipped (its entry went with
    it)."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    batch, new = _open_batch(using)
    batch.pks[entry_field(model)].update(pks)
    if new:
        transaction.on_commit(batch, using=using)
