"""The admin changelists' filter choices (``admin/filter.html``), the
markup Django's template writes, written in one piece: the partnership
list's sidebar holds some two hundred and fifty choices (its countries and
tags), and the template's loop, its conditions and its escaping for each of
them were a sixth of the page's time. ``tests/core/test_admin_filters.py``
compares the sidebar with Django's template on every registered admin."""

import html
import re

from django import template
from django.template.defaultfilters import iriencode
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()


# An address of these characters only (what urlencode writes) is the same
# once ``iriencode`` has quoted it: they are all in its safe set.
ENCODED = re.compile(r"[A-Za-z0-9_.~%+=&?-]*")


def _address(query_string) -> str:
    if type(query_string) is str and ENCODED.fullmatch(query_string):
        return html.escape(query_string)
    return conditional_escape(iriencode(query_string))


def _text(display) -> str:
    if type(display) is str:
        return html.escape(display)
    return conditional_escape(display)


@register.simple_tag
def filter_choices(choices) -> SafeString:
    """Each choice's item as Django's ``admin/filter.html`` loop writes it."""
    return SafeString(
        "".join(
            [
                "\n    <li"
                + (' class="selected"' if choice.get("selected") else "")
                + '>\n    <a href="'
                + _address(choice.get("query_string", ""))
                + '">'
                + _text(choice.get("display", ""))
                + "</a></li>\n  "
                for choice in choices
            ]
        )
    )
