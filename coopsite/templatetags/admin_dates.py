"""The admin changelists' date hierarchy (``date_hierarchy``), as Django
draws it, with what it reads kept for the data's version.

At the top of a changelist Django reads the first and last date of every
row the list holds, then every distinct year among them: two scans of the
whole table (100,000 articles) on each request. Here they are asked once
per version of the data (``freshness.versions.kept_for_version``) and per
list, the list named by its own query (its filters, search and the rows the
user may see). Any committed change gives the data a new version; its years
are then those last read, as a list's facet counts are (``stale``: the links
above the list, not what decides its rows), while one app process reads them
again in the background, so that no editor waits a scan of the table after
each save."""

import copy

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.core.exceptions import EmptyResultSet

from coopsite.filtering import query_text
from freshness.signals import versioned
from freshness.versions import kept_for_version

register = template.Library()


class KeptDates:
    """A changelist's queryset as the date hierarchy reads it: its date
    range and its years, months or days, kept for the data's version."""

    def __init__(self, queryset):
        self._queryset = queryset
        self._key = f"admin-dates|{queryset.model._meta.label}|{query_text(queryset)}"

    def aggregate(self, **aggregates):
        return kept_for_version(
            f"{self._key}|range|{sorted(aggregates)}",
            lambda: self._queryset.aggregate(**aggregates),
        )

    def dates(self, field_name, kind, order="ASC"):
        return kept_for_version(
            f"{self._key}|dates|{field_name}|{kind}|{order}",
            lambda: list(self._queryset.dates(field_name, kind, order)),
            stale=True,
        )

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        return kept_for_version(
            f"{self._key}|datetimes|{field_name}|{kind}|{order}|{tzinfo}",
            lambda: list(self._queryset.datetimes(field_name, kind, order, tzinfo)),
            stale=True,
        )


def kept_date_hierarchy(cl):
    if not versioned(cl.model):  # its rows' changes give no new version
        return admin_list.date_hierarchy(cl)
    kept = copy.copy(cl)
    try:
        kept.queryset = KeptDates(cl.queryset)
    except EmptyResultSet:  # a list nothing can match (an id out of range)
        return admin_list.date_hierarchy(cl)
    return admin_list.date_hierarchy(kept)


@register.tag(name="date_hierarchy")
def date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        "date_hierarchy",
        parser,
        token,
        func=kept_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
