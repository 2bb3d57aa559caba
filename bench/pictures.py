"""Benchmark: what pictures cost.

1. Upload: checking and storing a 24-megapixel camera JPEG and making its
   15 renditions, beside decoding the same file once with Pillow (the least
   any upload must do).
2. Reading: the article page with a lead picture and five pictures in the
   body, beside the same article without pictures, rendered by Django's test
   client in one run, interleaved, medians and their ratio.

Goals: an article page with six pictures within 1.3× the plain one (the
pictures cost one query and no file access); an upload within 40× a bare
decode. Exits non-zero if either is missed.

    make bench-pictures            # or: python bench/pictures.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.test")

import django

django.setup()

from django.conf import settings
from django.test.utils import (
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from PIL import Image as PILImage
from PIL import ImageDraw

PAGE_GOAL, UPLOAD_GOAL = 1.3, 40.0


def camera_jpeg(width=6000, height=4000) -> bytes:
    picture = PILImage.new("RGB", (width, height), (90, 120, 160))
    draw = ImageDraw.Draw(picture)
    for i in range(0, width, 50):
        draw.line(
            [(i, 0), (width - i, height)], fill=(i % 255, 80, 200 - i % 200), width=9
        )
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def median_ms(samples) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="coopsite-bench-media-"))
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        from django.test import Client

        from images.services import image_create
        from images.uploads import clean_upload
        from tests.factories import ImageFactory, PublishedArticleFactory
        from tests.pictures import upload

        content = camera_jpeg()
        decode, store = [], []
        for n in range(3):
            started = time.perf_counter()
            PILImage.open(io.BytesIO(content)).load()
            decode.append(time.perf_counter() - started)
            started = time.perf_counter()
            image_create(
                upload=clean_upload(upload(content, name=f"camera{n}.jpg")),
                title=f"Camera {n}",
                alt_text="A test pattern",
            )
            store.append(time.perf_counter() - started)
        upload_ratio = statistics.median(store) / statistics.median(decode)

        pictures = [ImageFactory() for _ in range(6)]
        body = "\n\n".join(
            f'Paragraph {n} with some words in it.\n\n![](image:{p.pk} "Caption {n}")'
            for n, p in enumerate(pictures[1:])
        )
        with_pictures = PublishedArticleFactory(body=body, lead_image=pictures[0])
        plain = PublishedArticleFactory(
            body="\n\n".join(f"Paragraph {n} with some words in it." for n in range(5))
        )
        client = Client()
        times = {"plain": [], "pictures": []}
        for _ in range(args.repeat):
            for name, article in (("plain", plain), ("pictures", with_pictures)):
                started = time.perf_counter()
                response = client.get(article.get_absolute_url())
                times[name].append(time.perf_counter() - started)
                assert response.status_code == 200
        page_ratio = statistics.median(times["pictures"]) / statistics.median(
            times["plain"]
        )
    finally:
        teardown_databases(databases, verbosity=0)

    print(
        f"upload of a 24 MP JPEG, 15 renditions: {median_ms(store):8.0f} ms (median of 3)"
    )
    print(f"  bare decode of the same file:         {median_ms(decode):8.0f} ms")
    print(f"  ratio: {upload_ratio:.1f}× (goal ≤ {UPLOAD_GOAL:g}×)")
    print(
        f"article page, 6 pictures:  {median_ms(times['pictures']):6.1f} ms (median of {args.repeat})"
    )
    print(f"article page, no pictures: {median_ms(times['plain']):6.1f} ms")
    print(f"  ratio: {page_ratio:.2f}× (goal ≤ {PAGE_GOAL:g}×)")
    return 0 if page_ratio <= PAGE_GOAL and upload_ratio <= UPLOAD_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
