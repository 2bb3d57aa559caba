"""Every committed save, delete or many-to-many change of a model readers
see gives the data a new version.

The receivers are connected to each public model by name (``connect()``,
from the app's ``ready()``), never to every save of every model: a login's
session, a log entry or a cache row does not wake them, and Django keeps
deleting the rows of models no one listens to in one statement."""

from django.apps import apps
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.signals import bulk_saved

from .versions import data_changed

# The apps whose rows reach readers (pages, API, feeds, downloads).
PUBLIC_APPS = frozenset({"accounts", "articles", "datasets", "images", "partnerships"})
# Rows that change with no change a reader could see: an import's run and
# lock are the admin's (an import that changed no record changes nothing a
# reader sees, and leaves the downloads and every ETag as they were); an
# editor's autosaved working copy is what they typed, not the article (an
# open form autosaves every half minute: were it a new version, every page
# readers have cached would be made again as often).
IGNORED_MODELS = frozenset(
    {
        "partnerships.mentionindex",
        "datasets.importrun",
        "datasets.importlock",
        "articles.articleworkingcopy",
    }
)


def public_models() -> list[type[Model]]:
    """The models whose rows readers see, the many-to-many tables Django
    makes for them and their history included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if versioned(model)
    ]


def versioned(model: type[Model]) -> bool:
    """Whether every committed change of ``model``'s rows gives the data a
    new version (what is kept for a version may be kept of its rows: an
    import run's, a login attempt's or a group's may not)."""
    meta = model._meta
    return meta.app_label in PUBLIC_APPS and meta.label_lower not in IGNORED_MODELS


def saved(sender, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login is not a change readers see
    data_changed()


def deleted(sender, **kwargs):
    data_changed()


def related_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        data_changed()


def written_in_bulk(sender, **kwargs):
    """Imports and restores announce what they wrote without signals."""
    data_changed()


def connect() -> None:
    """Connect the receivers, each to its own sender. Idempotent."""
    for model in public_models():
        uid = f"freshness:{model._meta.label_lower}"
        post_save.connect(saved, sender=model, dispatch_uid=uid)
        post_delete.connect(deleted, sender=model, dispatch_uid=uid)
        bulk_saved.connect(written_in_bulk, sender=model, dispatch_uid=uid)
        # A many-to-many change is sent by its table, made by Django or named.
        m2m_changed.connect(related_changed, sender=model, dispatch_uid=uid)
