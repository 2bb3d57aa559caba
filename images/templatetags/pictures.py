"""``{% picture image spec sizes loading %}`` and ``{% figure image %}``: the
same markup as pictures in article bodies (images/embeds.py)."""

from django import template

from images import embeds

register = template.Library()


@register.simple_tag
def picture(image, spec="full", sizes=embeds.ARTICLE_SIZES, loading="lazy", **extra):
    if image is None:
        return ""
    return embeds.picture_html(
        image,
        spec=spec,
        sizes=sizes,
        loading=loading,
        fetchpriority=extra.get("fetchpriority"),
    )


@register.simple_tag
def figure(image, loading="lazy", css_class="figure lead-figure", **extra):
    if image is None:
        return ""
    return embeds.figure_html(
        image,
        loading=loading,
        css_class=css_class,
        fetchpriority=extra.get("fetchpriority"),
    )


@register.simple_tag
def card_sizes():
    return embeds.CARD_SIZES


@register.simple_tag(takes_context=True)
def absolute_image_url(context, image, spec="social"):
    """The absolute address of ``image``'s largest ``spec`` rendition (for
    Open Graph, JSON-LD and feeds)."""
    if image is None:
        return ""
    url = image.renditions.largest(spec).url
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url
