"""``{% load safety %}``: output filters from coopsite.safety."""

from django import template

from coopsite import safety

register = template.Library()


@register.filter
def http_url(url):
    """The address if it is http(s), else "": ``{% if x|http_url %}``."""
    return safety.http_url(url)
