"""Writing to the picture library: uploads, changes and deletions, each in
one transaction, with the files stored (and renditions made) through the
``default`` storage, which every app server shares."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Image
from .renditions import delete_folder, make_renditions
from .uploads import CleanUpload


def original_name(*, upload: CleanUpload, title: str, when: dt.datetime) -> str:
    """Where the original is stored: by month, named after its title, with
    part of its checksum so names never collide and cannot be guessed."""
    stem = slugify(title)[:60] or "picture"
    return (
        f"images/originals/{when:%Y/%m}/{stem}-{upload.checksum[:12]}"
        f".{upload.extension}"
    )


@transaction.atomic
def image_create(
    *,
    upload: CleanUpload,
    title: str,
    alt_text: str,
    caption: str = "",
    credit: str = "",
    licence: str = "",
    focal_x: float | None = None,
    focal_y: float | None = None,
    user=None,
    image: Image | None = None,
) -> Image:
    """Store a checked upload (see ``uploads.clean_upload``) with its
    description, and make its renditions. ``image`` is an unsaved instance
    to fill (the admin's), else a new one is made."""
    image = image or Image()
    image.title, image.alt_text, image.caption = title, alt_text, caption
    image.credit, image.licence = credit, licence
    image.focal_x, image.focal_y = focal_x, focal_y
    image.uploaded_by = user if getattr(user, "pk", None) else None
    _set_file(image, upload)
    try:
        image.save()
        make_renditions(image)
    except BaseException:
        # Files are not transactional: take back what was stored.
        delete_files(name=image.file.name or "", pk=image.pk)
        raise
    return image


@transaction.atomic
def image_update(*, image: Image, upload: CleanUpload | None = None, **fields) -> Image:
    """Change a picture's description, focal point or file; renditions are
    remade when the file or focal point changed."""
    for name, value in fields.items():
        setattr(image, name, value)
    old_name = image.file.name if upload is not None else None
    if upload is not None:
        _set_file(image, upload)
    image.save()
    make_renditions(image)
    if old_name and old_name != image.file.name:
        transaction.on_commit(lambda: default_storage.delete(old_name))
    return image


@transaction.atomic
def image_delete(*, image: Image) -> None:
    """Delete a picture no article shows, with its files (once committed)."""
    image.delete()


def delete_files(*, name: str, pk: int | None) -> None:
    """Remove a picture's original and renditions from the storage."""
    default_storage.delete(name)
    if pk is not None:
        delete_folder(f"images/renditions/{pk}")


def _set_file(image: Image, upload: CleanUpload) -> None:
    name = original_name(
        upload=upload, title=image.title, when=image.created_at or timezone.now()
    )
    # The storage picks another name if this one is taken.
    image.file.name = default_storage.save(name, ContentFile(upload.content))
    image.width, image.height = upload.width, upload.height
    image.format = upload.format
    image.has_alpha = upload.has_alpha
    image.file_size = len(upload.content)
    image.checksum = upload.checksum
    image.__dict__.pop("renditions", None)
