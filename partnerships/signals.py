"""Keep the mention detector in step with names and aliases, in every process."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Alias, Entity, MentionIndex


@receiver(post_save)
def entity_or_alias_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if isinstance(instance, Entity):
        if created or getattr(instance, "name_changed", True):
            MentionIndex.bump()
    elif isinstance(instance, Alias):
        MentionIndex.bump()


@receiver(post_delete)
def entity_or_alias_deleted(sender, instance, **kwargs):
    if isinstance(instance, (Entity, Alias)):
        MentionIndex.bump()
