"""The admin changelists' filter choices (``admin/filter.html``), the
markup Django's template writes, written in one piece: the partnership
list's sidebar holds some two hundred and fifty choices (its countries and
tags), and the template's loop, its conditions and its escaping for each of
them were a sixth of the page's time. ``tests/core/test_admin_filters.py``
compares the sidebar with Django's template on every registered admin."""

from django import template
from django.template.defaultfilters import iriencode
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def filter_choices(choices) -> SafeString:
    """Each choice's item as Django's ``admin/filter.html`` loop writes it."""
    return SafeString(
        "".join(
            [
                "\n    <li"
                + (' class="selected"' if choice.get("selected") else "")
                + '>\n    <a href="'
                + conditional_escape(iriencode(choice.get("query_string", "")))
                + '">'
                + conditional_escape(choice.get("display", ""))
                + "</a></li>\n  "
                for choice in choices
            ]
        )
    )
