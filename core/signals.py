"""Signals that say what was written, for whatever keeps derived data in step.

Django sends ``post_save`` for every ``save()``, but nothing for rows
written in bulk (``bulk_create``, ``bulk_update``, ``QuerySet.update``,
raw deletes). Code that writes that way sends :data:`bulk_saved` once it is
done, and the listeners (the search index, the mention detector) treat it
as they treat a ``post_save`` of each row: the writer neither knows nor
calls them.
"""

from django.dispatch import Signal

bulk_saved = Signal()
"""Rows were written in bulk. ``sender`` is their model (``Entity`` will do
for records of several kinds); ``pks`` the primary keys of the rows created
or changed; ``using`` the database alias."""


def send_bulk_saved(model, pks, *, using: str = "default") -> None:
    """Announce ``pks`` of ``model`` as written in bulk (nothing if empty)."""
    pks = list(pks)
    if pks:
        bulk_saved.send(sender=model, pks=pks, using=using)
