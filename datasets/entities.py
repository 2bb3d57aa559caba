"""Entities as an import sees them: known by the dataset's ids, found by
name, created and updated in bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

from django.utils import timezone

from core.names import normalise_name, reserve_slug
from partnerships.models import Alias, Entity, ExternalIdentifier

BATCH = 1000


def batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pk_of(value: int | Entity) -> int:
    """An entity's id, whether it is an id already or a saved entity."""
    return value if isinstance(value, int) else value.pk


class Slugs:
    """Unique slugs for new entities of one kind, checked in memory."""

    def __init__(self, entity_type: str):
        self.taken = set(
            Entity.objects.filter(entity_type=entity_type).values_list(
                "slug", flat=True
            )
        )

    def new(self, name: str) -> str:
        return reserve_slug(name, self.taken)


# --- Bulk writes ----------------------------------------------------------------------


def bulk_create_entities(model: type[Entity], objs: list[Entity]) -> list[Entity]:
    """Create entities of a kind that extends Entity, in bulk.

    Django's bulk_create does not do multi-table inheritance, so: the shared
    Entity rows first (their ids come back), then the kind's own rows with
    the same ids.
    """
    if not objs:
        return objs
    now = timezone.now()
    local_fields = list(model._meta.local_concrete_fields)
    for batch in batches(objs):
        parents = [
            Entity(
                entity_type=model.ENTITY_TYPE,
                name=obj.name,
                slug=obj.slug,
                summary=obj.summary,
                created_at=now,
                updated_at=now,
            )
            for obj in batch
        ]
        Entity.objects.bulk_create(parents)
        for obj, parent in zip(batch, parents, strict=True):
            obj.entity_ptr_id = obj.id = parent.pk
            obj.entity_type = model.ENTITY_TYPE
            obj.created_at = obj.updated_at = now
            obj._state.adding = False
        # QuerySet._batched_insert is what bulk_create itself uses per table.
        model._base_manager.all()._batched_insert(  # type: ignore[attr-defined]
            batch, local_fields, batch_size=BATCH
        )
    return objs


def bulk_update_entities(
    model: type[Entity], objs: list[Entity], fields: list[str]
) -> None:
    """Update entities in bulk: the Entity table's fields and the kind's own."""
    if not objs:
        return
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now
    parent_fields = {f.name for f in Entity._meta.concrete_fields}
    shared = [f for f in fields if f in parent_fields] + ["updated_at"]
    own = [f for f in fields if f not in parent_fields]
    for batch in batches(objs):
        Entity.objects.bulk_update(
            [Entity(pk=o.pk, **{f: getattr(o, f) for f in shared}) for o in batch],
            shared,
        )
        if own:
            model._base_manager.bulk_update(batch, own)


class HistoryType(StrEnum):
    """django-simple-history's marks for what happened to a row."""

    CREATED = "+"
    CHANGED = "~"
    DELETED = "-"


def record_history(objs: list, kind: HistoryType, reason: str, user=None) -> None:
    """History rows for objects written in bulk, as django-simple-history
    writes them for single saves."""
    if not objs or not hasattr(type(objs[0]), "history"):
        return
    manager = type(objs[0]).history
    rows = manager.bulk_history_create(
        objs,
        batch_size=2000,
        update=kind == HistoryType.CHANGED,
        default_change_reason=reason,
        default_user=user,
    )
    if kind == HistoryType.DELETED:  # bulk_history_create knows only + and ~
        for chunk in batches([row.pk for row in rows]):
            manager.model.objects.filter(pk__in=chunk).update(
                history_type=HistoryType.DELETED
            )


# --- What a dataset created before ------------------------------------------------------


@dataclass
class ExternalIds:
    """The entities a dataset already created, by their id in the dataset,
    with the fingerprint of the row last imported and the rows it wrote."""

    scheme: str
    ids: dict[str, int] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    imported: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, scheme: str, model: type[Entity] | None = None) -> ExternalIds:
        rows = ExternalIdentifier.objects.filter(scheme=scheme)
        if model is not None:
            rows = rows.filter(entity__entity_type=model.ENTITY_TYPE)
        known = cls(scheme)
        for value, entity_id, print_, imported in rows.values_list(
            "value", "entity_id", "fingerprint", "imported"
        ):
            known.ids[value] = entity_id
            known.fingerprints[value] = print_
            known.imported[value] = imported or {}
        return known

    def rename(self, old: str, new: str) -> None:
        """Know the record ``old`` by ``new`` from now on (in memory: the
        writer stores it)."""
        mappings: tuple[dict[str, Any], ...] = (
            self.ids,
            self.fingerprints,
            self.imported,
        )
        for mapping in mappings:
            if old in mapping:
                mapping[new] = mapping.pop(old)

    def add(self, rows: Iterable[tuple[str, int, str, dict]]) -> None:
        """Record (value, entity id, fingerprint, rows imported) for new entities."""
        new = [
            ExternalIdentifier(
                scheme=self.scheme,
                value=value,
                entity_id=entity_id,
                fingerprint=print_,
                imported=imported,
            )
            for value, entity_id, print_, imported in rows
        ]
        ExternalIdentifier.objects.bulk_create(new, batch_size=BATCH)
        for item in new:
            self.ids[item.value] = item.entity_id
            self.fingerprints[item.value] = item.fingerprint
            self.imported[item.value] = item.imported

    def refresh(self, values: dict[str, tuple[str, dict]]) -> None:
        """Store the new fingerprint and rows imported of updated entities."""
        for chunk in batches(list(values)):
            rows = list(
                ExternalIdentifier.objects.filter(scheme=self.scheme, value__in=chunk)
            )
            for row in rows:
                row.fingerprint, row.imported = values[row.value]
            ExternalIdentifier.objects.bulk_update(rows, ["fingerprint", "imported"])


def ids_by_name(model: type[Entity]) -> dict[str, int]:
    """The entities of a kind by their normalised names, then aliases (a
    name wins over another entity's alias)."""
    by_name: dict[str, int] = {}
    for pk, name in model.objects.values_list("pk", "name"):
        by_name.setdefault(normalise_name(name), pk)
    for entity_id, normalised in Alias.objects.filter(
        entity__entity_type=model.ENTITY_TYPE
    ).values_list("entity_id", "normalised"):
        by_name.setdefault(normalised, entity_id)
    return by_name


class Catalogue[E: Entity]:
    """The entities of one kind that a dataset names (its organisations,
    its systems): the one the dataset's key found before, else one already
    known by that name (its "match" — the normalised name, and for systems
    the category too), else a new one, queued until ``create`` runs."""

    def __init__(
        self,
        model: type[E],
        scheme: str,
        match: Callable[[E], tuple] | None = None,
    ):
        self.model = model
        self.known = ExternalIds.load(scheme, model)
        self.match = match or (lambda entity: ())
        extra = {}
        if match is not None:
            entities = cast("Iterable[E]", model._default_manager.all())
            extra = {e.pk: match(e) for e in entities}
        self.by_match: dict[tuple, int] = {}
        for name, pk in ids_by_name(model).items():
            self.by_match.setdefault((name, *extra.get(pk, ())), pk)
        self.pending: dict[str, E] = {}

    def get(self, key: str, new: E) -> int | E:
        """The entity the dataset calls ``key``; ``new`` (unsaved) is what it
        becomes when none is known. An id, or an entity ``create`` saves."""
        if key in self.known.ids:
            return self.known.ids[key]
        if key in self.pending:
            return self.pending[key]
        existing = self.by_match.get((normalise_name(new.name), *self.match(new)))
        if existing is not None:
            self.known.add([(key, existing, "", {})])
            return existing
        self.pending[key] = new
        return new

    def create(self) -> list[int]:
        """Create the queued entities, in bulk; their ids."""
        if not self.pending:
            return []
        slugs = Slugs(self.model.ENTITY_TYPE)
        for entity in self.pending.values():
            entity.slug = slugs.new(entity.name)
        bulk_create_entities(self.model, list(self.pending.values()))
        self.known.add((key, e.pk, "", {}) for key, e in self.pending.items())
        created = [e.pk for e in self.pending.values()]
        self.pending.clear()
        return created
