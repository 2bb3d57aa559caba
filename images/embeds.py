"""Pictures on pages: the ``<picture>`` markup every place shares (article
bodies, lead pictures, cards), and the Markdown syntax that puts a library
picture in an article's body::

    ![What the picture shows](image:42 "A caption")

``42`` is the picture's number in the library. The alt text and caption
written there replace the library's for this article; left empty, the
library's are used. A picture alone in its paragraph becomes a figure with
its caption and credit; one inside a sentence is shown inline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Image

REFERENCE = re.compile(r"^image:(\d{1,18})$")
# What an article page's column is wide: the body and lead picture fill it.
ARTICLE_SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2.5rem)"
CARD_SIZES = "(min-width: 36rem) 10rem, calc(100vw - 2.5rem)"


def image_id(src: str) -> int | None:
    """The library number in an ``image:N`` address, else None."""
    match = REFERENCE.match((src or "").strip())
    return int(match.group(1)) if match else None


def is_external(src: str) -> bool:
    return bool(re.match(r"^(https?:)?//", (src or "").strip(), re.IGNORECASE))


def picture_html(
    image: Image,
    *,
    spec: str = "full",
    sizes: str = ARTICLE_SIZES,
    loading: str = "lazy",
    alt: str | None = None,
    title: str | None = None,
    fetchpriority: str | None = None,
) -> SafeString:
    """A ``<picture>``: WebP first, the JPEG or PNG fallback for browsers
    without it, every width in ``srcset``, the largest's size as ``width``
    and ``height`` so the page does not shift while it loads."""
    renditions = image.renditions
    webp = renditions.of(spec, "webp") if spec != "social" else []
    fallback = renditions.of(spec)
    largest = fallback[-1]
    source = (
        format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">',
            renditions.srcset(webp),
            sizes,
        )
        if webp
        else ""
    )
    extra = []
    if title:
        extra.append(format_html(' title="{}"', title))
    if fetchpriority:
        extra.append(format_html(' fetchpriority="{}"', fetchpriority))
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" '
        'alt="{}" loading="{}" decoding="async"{}></picture>',
        source,
        largest.url,
        renditions.srcset(fallback),
        sizes,
        largest.width,
        largest.height,
        image.alt_text if alt is None or not alt.strip() else alt,
        loading,
        mark_safe("".join(extra)),  # noqa: S308 - each part made by format_html
    )


def caption_html(image: Image, caption: str | None = None) -> SafeString:
    """The figure's caption: this article's, else the library's; then the credit."""
    text = caption if caption and caption.strip() else image.caption
    parts = []
    if text:
        parts.append(escape(text))
    if image.credit:
        parts.append(format_html('<span class="credit">{}</span>', image.credit))
    if not parts:
        return mark_safe("")
    return format_html("<figcaption>{}</figcaption>", mark_safe(" ".join(parts)))  # noqa: S308 - each part escaped


def figure_html(
    image: Image,
    *,
    alt: str | None = None,
    caption: str | None = None,
    loading: str = "lazy",
    css_class: str = "figure",
    spec: str = "full",
    sizes: str = ARTICLE_SIZES,
    fetchpriority: str | None = None,
) -> SafeString:
    return format_html(
        '<figure class="{}">{}{}</figure>',
        css_class,
        picture_html(
            image,
            alt=alt,
            loading=loading,
            spec=spec,
            sizes=sizes,
            fetchpriority=fetchpriority,
        ),
        caption_html(image, caption),
    )


def images_by_id(ids: Iterable[int]) -> dict[int, Image]:
    ids = sorted(set(ids))
    return Image.objects.in_bulk(ids) if ids else {}
