"""``{% address "articles:list" %}``: the address of a page that takes no
arguments, as ``{% url %}`` gives it, reversed once rather than on every
page (``core.addresses.reverse_once``): the header and footer every page
shows hold a dozen and a half."""

from django import template

from core.addresses import reverse_once

register = template.Library()


@register.simple_tag
def address(viewname: str) -> str:
    return reverse_once(viewname)
