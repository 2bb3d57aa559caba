"""When the public data last changed: one row, bumped after every commit
that changed a record, an article, a tag or anything else readers see."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class DataVersion(models.Model):
    """The version of everything the public reads.

    A new random version and the time, after every committed change (see
    ``signals.py``; bulk writes call :func:`freshness.versions.data_changed`
    themselves). Conditional GET (ETag, Last-Modified) and the bulk
    download's "has anything changed since the last snapshot" read it.
    """

    version = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="data_version_single_row")
        ]

    def __str__(self):
        return f"Data version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
