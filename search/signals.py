"""Search listens: every change to what a document reads re-indexes it.

For each indexed model (``indexing.INDEXED_MODELS``) receivers are connected
to exactly the senders its document depends on, as the model declares them
in ``index_related``: lookup paths from the model to related rows.

- The model itself: a save re-indexes the row. A deleted row needs
  nothing: its entry cascades.
- Rows that belong to it, through a reverse foreign key ("aliases",
  "participants"): any save or delete of one re-indexes its owner.
- Records it names, through a foreign key or a many-to-many field
  ("home_country", "makers", "participants__country"): their names are in
  its document, so renaming one, or deleting it, re-indexes the rows that
  name it. Adding or removing a many-to-many link re-indexes both ends'
  indexed rows.

Rows written in bulk send ``core.signals.bulk_saved``, which counts as a
save of each. Everything is noted with ``indexing.index_on_commit``: one
transaction's changes are indexed together when it commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import ForeignKey, ManyToManyField, ManyToOneRel, Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from core.signals import bulk_saved

from .indexing import INDEXED_MODELS, batches, entry_field, index_on_commit


@dataclass(frozen=True)
class Dependency:
    """``indexed`` rows read rows of ``sender`` along ``path``."""

    indexed: type[Model]
    sender: type[Model]
    path: str
    # "own": sender rows belong to one indexed row, by the foreign key
    # ``owner_field``; "named": the indexed rows show the sender row's name.
    kind: str
    owner_field: str = ""
    through: type[Model] | None = None  # for a many-to-many field of ``indexed``

    def rows_reading(self, pks) -> set[int]:
        """The indexed rows whose documents read these sender rows."""
        found: set[int] = set()
        for chunk in batches(list(pks)):
            if self.owner_field:
                rows = self.sender._default_manager.filter(pk__in=chunk)
                found.update(rows.values_list(self.owner_field, flat=True))
            else:
                rows = self.indexed._default_manager.filter(
                    **{f"{self.path}__in": chunk}
                )
                found.update(rows.order_by().values_list("pk", flat=True))
        return found


def dependencies(model: type[Model]) -> list[Dependency]:
    """What ``model``'s documents read besides its own row, from its
    ``index_related`` paths: one dependency per step of each path."""
    found: dict[str, Dependency] = {}
    for path in getattr(model, "index_related", ()):
        current = model
        steps = path.split("__")
        for depth, name in enumerate(steps, start=1):
            try:
                field = current._meta.get_field(name)
            except FieldDoesNotExist:
                raise ImproperlyConfigured(
                    f"{model.__name__}.index_related: {path!r} is not a relation."
                ) from None
            prefix = "__".join(steps[:depth])
            target = field.related_model
            if not isinstance(target, type):
                raise ImproperlyConfigured(
                    f"{model.__name__}.index_related: {path!r} is not a relation."
                )
            if isinstance(field, ManyToOneRel) and depth == 1:
                owner = field.field.attname
                found[prefix] = Dependency(model, target, prefix, "own", owner)
            elif isinstance(field, ForeignKey):
                found[prefix] = Dependency(model, target, prefix, "named")
            elif isinstance(field, ManyToManyField) and depth == 1:
                through = field.remote_field.through
                found[prefix] = Dependency(model, target, prefix, "named", "", through)
            else:
                raise ImproperlyConfigured(
                    f"{model.__name__}.index_related: {path!r} must start with "
                    "the model's own rows (a reverse foreign key) or its "
                    "many-to-many fields, then follow foreign keys."
                )
            current = target
    return list(found.values())


# --- The receivers --------------------------------------------------------------


def _index_saved_row(sender, instance, using="default", **kwargs):
    # Raw saves (loading an export) count too: the rows are indexed at
    # commit, when everything they refer to is there.
    index_on_commit(sender, [instance.pk], using=using)


def _reindex_owner(dependency: Dependency):
    def receiver(sender, instance, using="default", **kwargs):
        pks = [getattr(instance, dependency.owner_field)]
        index_on_commit(dependency.indexed, pks, using=using)

    return receiver


def _reindex_namers(dependency: Dependency):
    def saved(sender, instance, created=False, using="default", **kwargs):
        # Entities say whether their name changed (``Entity.save``); other
        # rows (a tag) count as renamed on every save.
        if not created and getattr(instance, "name_changed", True):
            pks = dependency.rows_reading([instance.pk])
            index_on_commit(dependency.indexed, pks, using=using)

    def deleting(sender, instance, using="default", **kwargs):
        # Before the delete, while the rows that name it can still be found.
        pks = dependency.rows_reading([instance.pk])
        index_on_commit(dependency.indexed, pks, using=using)

    return saved, deleting


def _reindex_linked(dependency: Dependency):
    """A many-to-many link added or removed, from either end."""

    def receiver(sender, instance, action, reverse, pk_set, using="default", **kw):
        if not reverse:  # instance is the indexed row
            if action.startswith("post_"):
                index_on_commit(dependency.indexed, [instance.pk], using=using)
        elif action in ("post_add", "post_remove"):
            index_on_commit(dependency.indexed, pk_set or (), using=using)
        elif action == "pre_clear":  # the links are still there to find
            pks = dependency.rows_reading([instance.pk])
            index_on_commit(dependency.indexed, pks, using=using)

    return receiver


def _bulk_saved(indexed: type[Model], dependency: Dependency | None):
    def receiver(sender, pks, using="default", **kwargs):
        if dependency is None:
            index_on_commit(indexed, pks, using=using)
        else:
            index_on_commit(indexed, dependency.rows_reading(pks), using=using)

    return receiver


def connect() -> None:
    """Connect the receivers, each to its own sender (from the app's
    ``ready()``). Idempotent."""
    from partnerships.models import Entity

    # Importers announce records of several kinds as entities.
    bulk_saved.connect(
        _bulk_saved(Entity, None), sender=Entity, weak=False, dispatch_uid="search"
    )
    for model in INDEXED_MODELS:
        uid = f"search:{model._meta.label}"
        post_save.connect(_index_saved_row, sender=model, dispatch_uid=uid)
        bulk_saved.connect(
            _bulk_saved(model, None), sender=model, weak=False, dispatch_uid=uid
        )
        for dependency in dependencies(model):
            # A kind of row that belongs to several indexed models (every
            # entity has aliases) is listened to once.
            owner = entry_field(model) if dependency.owner_field else model._meta.label
            uid = f"search:{owner}:{dependency.path}"
            sender = dependency.sender
            bulk_saved.connect(
                _bulk_saved(model, dependency),
                sender=sender,
                weak=False,
                dispatch_uid=uid,
            )
            if dependency.kind == "own":
                receiver = _reindex_owner(dependency)
                for signal in (post_save, post_delete):
                    signal.connect(
                        receiver, sender=sender, weak=False, dispatch_uid=uid
                    )
                continue
            saved, deleting = _reindex_namers(dependency)
            post_save.connect(saved, sender=sender, weak=False, dispatch_uid=uid)
            pre_delete.connect(deleting, sender=sender, weak=False, dispatch_uid=uid)
            if dependency.through is not None:
                m2m_changed.connect(
                    _reindex_linked(dependency),
                    sender=dependency.through,
                    weak=False,
                    dispatch_uid=uid,
                )
