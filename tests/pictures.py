"""Picture files for tests, drawn on the spot with Pillow."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def drawing(width=1600, height=1000, mode="RGB", color=(40, 90, 140)) -> Image.Image:
    picture = Image.new(mode, (width, height), color if mode != "L" else 128)
    draw = ImageDraw.Draw(picture)
    draw.rectangle(
        [width // 4, height // 4, width * 3 // 4, height * 3 // 4],
        fill=(230, 200, 60) if mode != "L" else 220,
    )
    draw.line([0, height, width, 0], fill=(255, 255, 255) if mode != "L" else 255)
    return picture


def encoded(picture: Image.Image, fmt: str = "JPEG", **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, **options)
    return out.getvalue()


def jpeg_bytes(width=1600, height=1000, **options) -> bytes:
    return encoded(drawing(width, height), "JPEG", quality=85, **options)


def png_bytes(width=800, height=600, mode="RGBA") -> bytes:
    return encoded(
        drawing(
            width,
            height,
            mode=mode,
            color=(0, 0, 0, 0) if mode == "RGBA" else (0, 0, 0),
        ),
        "PNG",
    )


def webp_bytes(width=1000, height=700) -> bytes:
    return encoded(drawing(width, height), "WEBP", quality=80)


def jpeg_with_camera_data(width=1200, height=800, orientation=1) -> bytes:
    """A JPEG whose EXIF says who took it, with what, and where."""
    exif = Image.Exif()
    exif[0x010F] = "Spycam Inc."  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x013B] = "Jane Photographer"  # Artist
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 30.0), 3: "E", 4: (21.0, 0.0, 0.0)}  # GPS
    return jpeg_bytes(width, height, exif=exif)


def upload(content: bytes, name="picture.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)
