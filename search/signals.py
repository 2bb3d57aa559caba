"""Keep the search index in step with every save and delete.

Deleting an article or an entity needs nothing: its entry cascades.
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles.models import Article
from partnerships.models import (
    Alias,
    Entity,
    EntityType,
    Participant,
    Partnership,
    PartnershipSystem,
    System,
)

from . import indexing

# Where a partnership's document names other entities: renaming one of them
# re-indexes those partnerships.
_NAMED_IN_PARTNERSHIPS = {
    EntityType.COUNTRY: "participants__country",
    EntityType.ORGANISATION: "participants__organisation",
    EntityType.BLOC: "participants__bloc",
    EntityType.SYSTEM: "system_lines__system",
}


@receiver(post_save, sender=Article)
def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        indexing.article_changed(instance)


@receiver(m2m_changed, sender=Article.tags.through)
def article_tags_changed(sender, instance, action, reverse, **kwargs):
    if action.startswith("post_") and not reverse:
        indexing.article_changed(instance)


@receiver(post_save)
def entity_saved(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, Entity):
        return
    ids = {instance.pk}
    field = _NAMED_IN_PARTNERSHIPS.get(instance.entity_type)
    if field and getattr(instance, "name_changed", False):
        ids.update(
            Partnership.objects.filter(**{field: instance.pk}).values_list(
                "pk", flat=True
            )
        )
    indexing.entities_changed(ids)


def _deleting_the_parent(origin, model) -> bool:
    """True when the row goes because its entity or partnership is deleted."""
    if isinstance(origin, QuerySet):
        return issubclass(origin.model, model)
    return isinstance(origin, model)


@receiver(post_save, sender=Alias)
@receiver(post_delete, sender=Alias)
def alias_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _deleting_the_parent(origin, Entity):
        indexing.entities_changed([instance.entity_id])


@receiver(post_save, sender=Participant)
@receiver(post_delete, sender=Participant)
@receiver(post_save, sender=PartnershipSystem)
@receiver(post_delete, sender=PartnershipSystem)
def partnership_part_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _deleting_the_parent(origin, Entity):
        indexing.entities_changed([instance.partnership_id])


@receiver(m2m_changed, sender=Partnership.tags.through)
@receiver(m2m_changed, sender=System.makers.through)
def record_m2m_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a tag or an organisation changed: re-index the records it touches
        indexing.entities_changed(pk_set or ())
    else:
        indexing.entities_changed([instance.pk])
