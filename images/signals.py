"""A deleted picture's files go once the deletion is committed."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Image


@receiver(post_delete, sender=Image)
def remove_files(sender, instance: Image, **kwargs):
    from .services import delete_files

    name, pk = instance.file.name or "", instance.pk
    transaction.on_commit(lambda: delete_files(name=name, pk=pk))
