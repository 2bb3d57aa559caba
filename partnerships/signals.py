"""Keep the mention detector in step with names and aliases, in every process.

Connected to exactly the models whose rows carry names: each kind of entity
and ``Alias``; rows written in bulk announce themselves with
``core.signals.bulk_saved``.
"""

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from core.signals import bulk_saved

from .models import Alias, Entity, EntityType, MentionIndex


def entity_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and (created or getattr(instance, "name_changed", True)):
        MentionIndex.bump()


def names_changed(sender, raw=False, **kwargs):
    if not raw:
        MentionIndex.bump()


def connect() -> None:
    """Connect the receivers, each to its own sender (from ``ready()``)."""
    entity_models = [entity_type.model for entity_type in EntityType]
    for entity_model in entity_models:
        post_save.connect(entity_saved, sender=entity_model, dispatch_uid="mentions")
    named: list[type[Model]] = [*entity_models, Entity, Alias]
    for model in named:
        post_delete.connect(names_changed, sender=model, dispatch_uid="mentions")
        bulk_saved.connect(names_changed, sender=model, dispatch_uid="mentions")
    post_save.connect(names_changed, sender=Alias, dispatch_uid="mentions")
