"""Keep the mention detector in step with names and aliases, in every process.

Connected to exactly the models whose rows carry names: each kind of entity
and ``Alias``; rows written in bulk announce themselves with
``core.signals.bulk_saved``.
"""

from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from core.signals import bulk_saved

from . import links
from .models import Alias, Entity, EntityType, MentionIndex, Participant, Partnership


def entity_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and (created or getattr(instance, "name_changed", True)):
        MentionIndex.bump()


def names_changed(sender, raw=False, **kwargs):
    if not raw:
        MentionIndex.bump()


# --- The network's table (links.py) ------------------------------------------------


def _countries_of(partnership_id) -> list[int]:
    return list(
        Participant.objects.filter(partnership_id=partnership_id, country__isnull=False)
        .order_by()
        .values_list("country_id", flat=True)
    )


def participant_changing(sender, instance, raw=False, **kwargs):
    # The country it had: its rows change too when it is replaced.
    if not raw and instance.pk is not None:
        instance._country_before = (
            Participant.objects.filter(pk=instance.pk)
            .values_list("country_id", flat=True)
            .first()
        )


def participant_changed(sender, instance, raw=False, using="default", **kwargs):
    if raw:
        return
    countries = {
        instance.country_id,
        getattr(instance, "_country_before", None),
        *_countries_of(instance.partnership_id),
    }
    links.refresh_on_commit(countries, using=using)


def partnership_saved(sender, instance, created, raw=False, using="default", **kw):
    # Its kind or its year may have changed: its countries' rows move.
    if not raw and not created:
        links.refresh_on_commit(_countries_of(instance.pk), using=using)


def records_imported(sender, pks, using="default", **kwargs):
    links.rebuild_on_commit(using=using)


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
    pre_save.connect(participant_changing, sender=Participant, dispatch_uid="links")
    for signal in (post_save, post_delete):
        signal.connect(participant_changed, sender=Participant, dispatch_uid="links")
    post_save.connect(partnership_saved, sender=Partnership, dispatch_uid="links")
    for sender in (Entity, Partnership, Participant):
        bulk_saved.connect(records_imported, sender=sender, dispatch_uid="links")
