"""What an uploaded file must be to enter the library, and how it is stored.

The file's real type is read from its content by Pillow, never from its
name or the browser's word: a JPEG, PNG or WebP of at most
``COOPSITE_IMAGE_MAX_BYTES`` bytes and ``COOPSITE_IMAGE_MAX_PIXELS`` pixels
(checked from the header, before any pixel is decoded), no side more than
``MAX_SHAPE`` times the other, one frame only.
It is then stored re-encoded without its metadata (EXIF, XMP, text
chunks: camera, owner, GPS position), turned upright first if its EXIF
said it was rotated. A JPEG keeps its quantisation tables when nothing
else changed, so re-encoding loses nothing visible; colour profiles are
kept.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
# How much longer one side may be than the other: far beyond a panorama or
# a long infographic, short of a strip that no page could show.
MAX_SHAPE = 100


@dataclass(frozen=True)
class CleanUpload:
    content: bytes
    format: str  # jpeg, png or webp
    width: int
    height: int
    has_alpha: bool

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def max_bytes() -> int:
    return settings.COOPSITE_IMAGE_MAX_BYTES


def max_pixels() -> int:
    return settings.COOPSITE_IMAGE_MAX_PIXELS


def read_upload(uploaded) -> bytes:
    """The uploaded file's bytes, refusing one that is too large before
    reading it whole."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError(
            "This file is %(size)s; pictures may be at most %(limit)s.",
            code="too_large",
            params={
                "size": filesizeformat(size),
                "limit": filesizeformat(max_bytes()),
            },
        )
    uploaded.seek(0)
    data = uploaded.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ValidationError(
            "This file is larger than %(limit)s, the most a picture may be.",
            code="too_large",
            params={"limit": filesizeformat(max_bytes())},
        )
    return data


def inspect(data: bytes) -> PILImage.Image:
    """Open ``data`` as a picture the library accepts, or say why not."""
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            picture = PILImage.open(io.BytesIO(data))
    except PILImage.DecompressionBombError:
        raise _too_many_pixels(None) from None  # far past the warning's size
    except (UnidentifiedImageError, OSError):
        raise ValidationError(
            "This file is not a picture this site can show: upload a JPEG, PNG "
            "or WebP image (the file's content is checked, not its name).",
            code="not_an_image",
        ) from None
    except PILImage.DecompressionBombWarning:
        raise _too_many_pixels(None) from None
    if picture.format not in FORMATS:
        raise ValidationError(
            "This is a %(format)s file; upload a JPEG, PNG or WebP image.",
            code="unsupported_format",
            params={"format": picture.format},
        )
    width, height = picture.size
    if width * height > max_pixels():
        raise _too_many_pixels(picture)
    if max(width, height) > MAX_SHAPE * min(width, height):
        raise ValidationError(
            "This picture is %(width)s × %(height)s pixels: one side may be at "
            "most %(shape)s times the other. Crop it and upload it again.",
            code="shape",
            params={"width": f"{width:,}", "height": f"{height:,}", "shape": MAX_SHAPE},
        )
    if getattr(picture, "n_frames", 1) > 1:
        raise ValidationError(
            "Animated pictures are not supported: upload a still image.",
            code="animated",
        )
    try:
        picture.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            "This picture is damaged and cannot be read (%(error)s).",
            code="damaged",
            params={"error": exc},
        ) from None
    return picture


def _too_many_pixels(picture) -> ValidationError:
    size = f" ({picture.size[0]:,} × {picture.size[1]:,} pixels)" if picture else ""
    megapixels = max_pixels() / 1_000_000
    return ValidationError(
        "This picture is too large%(size)s: at most %(limit)s megapixels. "
        "Scale it down and upload it again.",
        code="too_many_pixels",
        params={"size": size, "limit": f"{megapixels:g}"},
    )


def clean_upload(uploaded) -> CleanUpload:
    """Check an uploaded file and return it as it will be stored."""
    data = read_upload(uploaded)
    picture = inspect(data)
    fmt = FORMATS[str(picture.format)]
    icc = picture.info.get("icc_profile")
    exif = picture.getexif()
    turned = exif.get(0x0112, 1) not in (None, 1)  # EXIF Orientation
    upright = ImageOps.exif_transpose(picture) if turned else picture
    options: dict = {"icc_profile": icc} if icc else {}
    if fmt == "jpeg":
        if not turned and picture.mode in ("RGB", "L", "CMYK"):
            # Same pixels, same quantisation: no visible loss.
            options.update(quality="keep", subsampling="keep")
            out_picture = picture
        else:
            out_picture = upright
            options.update(quality=92)
            if out_picture.mode not in ("RGB", "L", "CMYK"):
                out_picture = out_picture.convert("RGB")
    elif fmt == "png":
        out_picture = upright
        options.update(optimize=False)
    else:
        out_picture = upright
        lossless = picture.info.get("lossless", False)
        options.update(lossless=True) if lossless else options.update(quality=90)
    # A comment segment (JPEG's COM, GIF's comment) is text anyone can put
    # there, as a polyglot's script: Pillow writes it back unless told not to.
    out_picture.info.pop("comment", None)
    out = io.BytesIO()
    out_picture.save(out, picture.format, **options)
    has_alpha = out_picture.mode in ("RGBA", "LA", "PA") or (
        out_picture.mode == "P" and "transparency" in out_picture.info
    )
    return CleanUpload(
        content=out.getvalue(),
        format=fmt,
        width=out_picture.size[0],
        height=out_picture.size[1],
        has_alpha=has_alpha,
    )
