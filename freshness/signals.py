"""Every committed save, delete or many-to-many change of a model readers
see gives the data a new version."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core.signals import bulk_saved

from .versions import data_changed

# The apps whose rows reach readers (pages, API, feeds, downloads).
PUBLIC_APPS = frozenset({"accounts", "articles", "datasets", "images", "partnerships"})
# Rows that change with no change a reader could see: an import's run and
# lock are the admin's (an import that changed no record changes nothing a
# reader sees, and leaves the downloads and every ETag as they were).
IGNORED_MODELS = frozenset(
    {"partnerships.mentionindex", "datasets.importrun", "datasets.importlock"}
)


def _public(sender) -> bool:
    meta = sender._meta
    return meta.app_label in PUBLIC_APPS and meta.label_lower not in IGNORED_MODELS


@receiver(post_save)
def saved(sender, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login is not a change readers see
    if _public(sender):
        data_changed()


@receiver(post_delete)
def deleted(sender, **kwargs):
    if _public(sender):
        data_changed()


@receiver(m2m_changed)
def related_changed(sender, action, **kwargs):
    if action.startswith("post_") and _public(sender):
        data_changed()


@receiver(bulk_saved)
def written_in_bulk(sender, **kwargs):
    """Imports and restores announce what they wrote without signals."""
    if _public(sender):
        data_changed()
