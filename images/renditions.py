"""Renditions: the sizes and formats a picture is shown in, made once when
it is uploaded (or its focal point moves) and kept in the same storage as
the original, so every app server sees them.

Each *spec* is a place a picture appears: ``full`` (the picture as it is,
in the article), ``card`` (a 3:2 crop for lists) and ``social`` (the
1.91:1 crop Open Graph and Twitter cards want). Each is made at several
widths (never wider than the original), as WebP and as a JPEG or PNG
fallback. Their names are derived from the picture's content and focal
point, so a page finds them without asking the database, and a changed
picture gets new addresses that no cache can confuse with the old ones.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.functional import cached_property
from PIL import Image as PILImage
from PIL import ImageOps

if TYPE_CHECKING:
    from .models import Image

# Bump when the way renditions are made changes: every picture then gets
# new names, and `make_renditions` makes them.
VERSION = 1
ROOT = "images/renditions"


@dataclass(frozen=True)
class Spec:
    name: str
    ratio: float | None  # width / height of the crop; None keeps the picture's shape
    widths: tuple[int, ...]
    webp: bool = True


SPECS = {
    "full": Spec("full", None, (320, 640, 960, 1280, 1920)),
    "card": Spec("card", 3 / 2, (400, 800)),
    "social": Spec("social", 1200 / 630, (1200,), webp=False),
}

ENCODERS = {
    "webp": ("WEBP", {"quality": 80, "method": 3}),
    "jpeg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
    "png": ("PNG", {"compress_level": 6}),
}
EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}
# The most pixels a rendition has on a side: WebP holds no more (JPEG 65,535).
# A tall picture (a long infographic) is made narrower rather than taller.
MAX_SIDE = 16_383
MIME = {"webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Rendition:
    spec: str
    width: int
    height: int
    format: str  # webp, jpeg or png
    name: str  # in the storage

    @property
    def url(self) -> str:
        return default_storage.url(self.name)

    @property
    def mime_type(self) -> str:
        return MIME[self.format]


def crop_box(
    width: int, height: int, ratio: float | None, focus: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of ``ratio`` inside the picture, centred on ``focus``
    (fractions of width and height) as far as the edges allow."""
    if ratio is None:
        return (0, 0, width, height)
    if width / height > ratio:
        crop_w, crop_h = max(1, round(height * ratio)), height
    else:
        crop_w, crop_h = width, max(1, round(width / ratio))
    left = min(max(round(focus[0] * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focus[1] * height - crop_h / 2), 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


class RenditionSet:
    """Every rendition of one picture, computed from its fields alone."""

    def __init__(self, image: Image):
        self.image = image

    @cached_property
    def key(self) -> str:
        image = self.image
        # The focal point as the database gives it back (50 and 50.0 alike).
        focus = ":".join(
            "none" if value is None else f"{float(value):.3f}"
            for value in (image.focal_x, image.focal_y)
        )
        seed = f"{VERSION}:{image.checksum}:{focus}"
        return hashlib.sha256(seed.encode()).hexdigest()[:12]

    @property
    def folder(self) -> str:
        return f"{ROOT}/{self.image.pk}"

    @property
    def fallback_format(self) -> str:
        """JPEG for photographs, PNG for pictures with transparency or drawn as PNG."""
        image = self.image
        if image.format == "png" or image.has_alpha:
            return "png"
        return "jpeg"

    def box(self, spec: Spec) -> tuple[int, int, int, int]:
        return crop_box(
            self.image.width, self.image.height, spec.ratio, self.image.focal_point
        )

    def sizes_for(self, spec: Spec) -> list[tuple[int, int]]:
        """(width, height) of each rendition of ``spec``, smallest first."""
        left, top, right, bottom = self.box(spec)
        crop_w, crop_h = right - left, bottom - top
        # Never wider than the crop or the spec's widest, nor so wide that
        # the height passes MAX_SIDE.
        widest = min(crop_w, max(spec.widths), max(1, crop_w * MAX_SIDE // crop_h))
        widths = [w for w in spec.widths if w < widest] + [widest]
        return [(w, max(1, round(crop_h * w / crop_w))) for w in widths]

    def formats_for(self, spec: Spec) -> list[str]:
        return ["webp", self.fallback_format] if spec.webp else ["jpeg"]

    def of(self, spec_name: str, fmt: str | None = None) -> list[Rendition]:
        spec = SPECS[spec_name]
        fmt = fmt or self.fallback_format
        if not spec.webp:
            fmt = "jpeg"
        return [
            Rendition(
                spec.name,
                w,
                h,
                fmt,
                posixpath.join(
                    self.folder, self.key, f"{spec.name}-{w}.{EXTENSIONS[fmt]}"
                ),
            )
            for w, h in self.sizes_for(spec)
        ]

    def all(self) -> list[Rendition]:
        return [
            rendition
            for spec in SPECS.values()
            for fmt in self.formats_for(spec)
            for rendition in self.of(spec.name, fmt)
        ]

    def largest(self, spec_name: str, fmt: str | None = None) -> Rendition:
        return self.of(spec_name, fmt)[-1]

    @staticmethod
    def srcset(renditions: list[Rendition]) -> str:
        return ", ".join(f"{r.url} {r.width}w" for r in renditions)


def make_renditions(image: Image, *, storage=None, force: bool = False) -> int:
    """Make every rendition ``image`` lacks; returns how many were made.

    Renditions already in the storage are left alone (made once), unless
    ``force``. Renditions of an earlier focal point or version are removed."""
    storage = storage or default_storage
    wanted = image.renditions.all()
    missing = [r for r in wanted if force or not storage.exists(r.name)]
    for name, content in render(image, missing).items():
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, ContentFile(content))
    remove_stale_renditions(image, storage=storage)
    return len(missing)


def render(image: Image, renditions: list[Rendition]) -> dict[str, bytes]:
    """Encode ``renditions`` of ``image``: storage name → file content."""
    if not renditions:
        return {}
    with image.file.open("rb") as handle:
        opened = PILImage.open(io.BytesIO(handle.read()))
        opened.load()
    source = ImageOps.exif_transpose(opened)
    by_spec: dict[str, list[Rendition]] = {}
    for rendition in renditions:
        by_spec.setdefault(rendition.spec, []).append(rendition)
    made = {}
    for spec_name, wanted in by_spec.items():
        cropped = source.crop(image.renditions.box(SPECS[spec_name]))
        # Scale down from the largest size wanted, not from the original each time.
        largest = max(wanted, key=lambda r: r.width)
        base = cropped.resize(
            (largest.width, largest.height), PILImage.Resampling.LANCZOS
        )
        for rendition in wanted:
            frame = (
                base
                if (rendition.width, rendition.height) == base.size
                else base.resize(
                    (rendition.width, rendition.height), PILImage.Resampling.LANCZOS
                )
            )
            made[rendition.name] = encode(frame, rendition.format)
    return made


def encode(frame: PILImage.Image, fmt: str) -> bytes:
    pil_format, options = ENCODERS[fmt]
    if fmt == "jpeg":
        frame = _flatten(frame)
    elif frame.mode not in ("RGB", "RGBA", "L", "LA"):
        frame = frame.convert("RGBA" if "A" in frame.getbands() else "RGB")
    frame.info.pop("comment", None)  # as the original's (images/uploads.py)
    out = io.BytesIO()
    frame.save(out, pil_format, **options)
    return out.getvalue()


def _flatten(frame: PILImage.Image) -> PILImage.Image:
    """RGB on white: JPEG has no transparency."""
    if frame.mode in ("RGBA", "LA", "P", "PA"):
        frame = frame.convert("RGBA")
        background = PILImage.new("RGB", frame.size, (255, 255, 255))
        background.paste(frame, mask=frame.getchannel("A"))
        return background
    return frame.convert("RGB")


def remove_stale_renditions(image: Image, *, storage=None) -> None:
    """Delete renditions made for an earlier focal point or version."""
    storage = storage or default_storage
    try:
        keys, _files = storage.listdir(image.renditions.folder)
    except FileNotFoundError:
        return
    for key in keys:
        if key != image.renditions.key:
            delete_folder(f"{image.renditions.folder}/{key}", storage=storage)


def delete_folder(folder: str, *, storage=None) -> None:
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{folder}/{name}")
    for sub in folders:
        delete_folder(f"{folder}/{sub}", storage=storage)
