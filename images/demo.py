"""Pictures for the demo, drawn here with Pillow: nothing is fetched from
anywhere. Each is drawn the same way every time, so loading the demo
again finds it in the library (by its checksum) instead of adding it twice."""

from __future__ import annotations

import io
import math

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from PIL import ImageDraw

from .models import Image
from .services import image_create
from .uploads import clean_upload

W, H = 1600, 1000  # the drawing's coordinates
SIZE = (1200, 750)  # the stored picture's


def _sky(top, bottom) -> PILImage.Image:
    picture = PILImage.new("RGB", (W, H))
    draw = ImageDraw.Draw(picture)
    for y in range(H):
        t = y / H
        draw.line(
            [(0, y), (W, y)],
            fill=tuple(
                round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)
            ),
        )
    return picture


def drone_on_a_runway() -> PILImage.Image:
    picture = _sky((118, 160, 204), (226, 214, 190))
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 620, W, H], fill=(112, 118, 96))  # the airfield
    draw.polygon([(640, 620), (960, 620), (1500, H), (100, H)], fill=(70, 72, 76))
    for i in range(7):  # centre-line dashes, closer together into the distance
        y0 = 630 + i * i * 9
        draw.rectangle(
            [795 - i * 3, y0, 805 + i * 3, y0 + 8 + i * 5], fill=(236, 236, 228)
        )
    for x in range(0, W, 160):  # hangars far off
        draw.rectangle([x + 20, 570, x + 130, 620], fill=(150, 150, 140))
    # The drone: fuselage, long straight wings, inverted-V tail, propeller.
    cx, cy = 800, 760
    draw.ellipse([cx - 230, cy - 28, cx + 170, cy + 28], fill=(214, 216, 218))
    draw.polygon(
        [(cx - 40, cy - 8), (cx + 30, cy - 8), (cx + 470, cy - 40), (cx + 470, cy - 24),
         (cx + 30, cy + 10), (cx - 40, cy + 10), (cx - 480, cy - 24), (cx - 480, cy - 40)],
        fill=(196, 198, 202),
    )  # fmt: skip
    draw.polygon(
        [(cx + 150, cy), (cx + 250, cy + 70), (cx + 270, cy + 62), (cx + 175, cy - 6)],
        fill=(180, 182, 186),
    )
    draw.polygon(
        [(cx + 150, cy), (cx + 60, cy + 72), (cx + 40, cy + 64), (cx + 130, cy - 6)],
        fill=(180, 182, 186),
    )
    draw.ellipse([cx + 170, cy - 60, cx + 184, cy + 60], fill=(60, 60, 64))
    for wx in (cx - 330, cx + 300):  # wheels
        draw.line([(wx, cy), (wx, cy + 56)], fill=(50, 50, 52), width=6)
        draw.ellipse([wx - 14, cy + 48, wx + 14, cy + 76], fill=(30, 30, 32))
    return picture


def signing_ceremony() -> PILImage.Image:
    picture = PILImage.new("RGB", (W, H), (92, 34, 42))  # a panelled hall
    draw = ImageDraw.Draw(picture)
    for x in range(0, W, 200):
        draw.rectangle([x + 12, 60, x + 188, 560], outline=(120, 52, 60), width=6)
    # Flags on poles behind the table.
    flags = [((200, 30, 40), (255, 255, 255)), ((0, 100, 60), (255, 255, 255))]
    for i, (a, b) in enumerate(flags):
        x = 420 + i * 660
        draw.line([(x, 120), (x, 640)], fill=(210, 180, 90), width=10)
        draw.rectangle([x + 6, 130, x + 226, 280], fill=a)
        draw.ellipse([x + 80, 170, x + 150, 240], fill=b)
    draw.rectangle([0, 640, W, H], fill=(58, 40, 32))  # the floor
    draw.rectangle([260, 600, 1340, 700], fill=(40, 70, 54))  # the table
    draw.rectangle([260, 700, 1340, 860], fill=(30, 54, 42))
    for x, tie in ((560, (150, 30, 40)), (1040, (30, 60, 140))):  # two signatories
        draw.ellipse([x - 55, 330, x + 55, 450], fill=(214, 176, 146))
        draw.rounded_rectangle(
            [x - 120, 450, x + 120, 640], radius=40, fill=(34, 36, 44)
        )
        draw.polygon([(x - 14, 455), (x + 14, 455), (x, 560)], fill=tie)
        draw.rectangle([x - 90, 610, x + 90, 630], fill=(245, 242, 232))  # papers
        draw.line([(x + 40, 600), (x + 100, 640)], fill=(20, 20, 20), width=5)  # pen
    return picture


def partnership_map() -> PILImage.Image:
    picture = PILImage.new("RGB", (W, H), (214, 232, 240))  # the sea
    draw = ImageDraw.Draw(picture)
    land = (232, 226, 206)
    for box in (
        [80, 120, 760, 560],
        [620, 80, 1500, 520],
        [860, 460, 1240, 900],
        [300, 560, 620, 940],
    ):
        draw.rounded_rectangle(box, radius=120, fill=land, outline=(180, 172, 150), width=4)  # fmt: skip
    places = {
        "A": (360, 330), "B": (820, 300), "C": (1120, 250), "D": (1380, 380),
        "E": (1040, 680), "F": (460, 760), "G": (640, 460),
    }  # fmt: skip
    links = [
        ("A", "B"),
        ("B", "C"),
        ("B", "D"),
        ("B", "G"),
        ("G", "E"),
        ("G", "F"),
        ("C", "E"),
        ("A", "F"),
    ]
    for a, b in links:
        (x0, y0), (x1, y1) = places[a], places[b]
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2 - 60
        points = [
            (
                (1 - t) ** 2 * x0 + 2 * (1 - t) * t * mx + t**2 * x1,
                (1 - t) ** 2 * y0 + 2 * (1 - t) * t * my + t**2 * y1,
            )
            for t in (i / 40 for i in range(41))
        ]
        draw.line(points, fill=(170, 40, 50), width=6)
    for x, y in places.values():
        r = 18 + 6 * math.sin(x)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(30, 60, 110), outline=(255, 255, 255), width=4)  # fmt: skip
    return picture


# (title, drawing, file format, alt text, caption, focal point)
PICTURES: dict[str, tuple] = {
    "drone": (
        "Drone on a runway",
        drone_on_a_runway,
        "JPEG",
        "A grey, long-winged drone with an inverted-V tail stands on a runway, "
        "hangars in the distance.",
        "A medium-altitude drone before take-off. Drawing.",
        (50, 76),
    ),
    "signing": (
        "Signing ceremony",
        signing_ceremony,
        "PNG",
        "Two officials sign papers at a green table in a panelled hall, each "
        "country's flag behind them.",
        "A defence cooperation agreement is signed. Drawing.",
        (50, 50),
    ),
    "map": (
        "Map of partnerships",
        partnership_map,
        "PNG",
        "A stylised map: dark blue dots for countries, joined by red arcs for "
        "the partnerships between them.",
        "Partnerships drawn as arcs between countries. Drawing.",
        None,
    ),
}


def demo_picture(key: str, *, user=None) -> Image:
    """The demo picture ``key``, uploaded once (found again by checksum)."""
    title, draw, fmt, alt_text, caption, focal = PICTURES[key]
    out = io.BytesIO()
    options = {"quality": 88} if fmt == "JPEG" else {}
    # Drawn large, stored at 1200 px: as wide as the article column needs at 2×.
    draw().resize(SIZE, PILImage.Resampling.LANCZOS).save(out, fmt, **options)
    upload = clean_upload(
        SimpleUploadedFile(
            f"{key}.{fmt.lower()}", out.getvalue(), f"image/{fmt.lower()}"
        )
    )
    existing = Image.objects.filter(checksum=upload.checksum).first()
    if existing is not None:
        return existing
    return image_create(
        upload=upload,
        title=title,
        alt_text=alt_text,
        caption=caption,
        credit="Illustration: coopsite",
        licence="CC BY 4.0",
        focal_x=focal[0] if focal else None,
        focal_y=focal[1] if focal else None,
        user=user,
    )
