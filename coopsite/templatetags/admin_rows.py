"""The admin changelists' rows (``result_list``), the markup Django's
``items_for_result`` writes, with what it works out for each of a page's
thousand cells worked out once per column.

For every cell Django finds the column's field or method again, its empty
value, its CSS class and whether it links; it builds a dict of a field's
choices to show one of them, and asks the static files storage for a
yes/no icon's address. Here each column is read once per page, and a row
costs its values and their display. The display itself is Django's
(``display_for_field``, ``display_for_value``). An editable list
(``list_editable``) is Django's own, and so are the rows of a list with a column of any other kind (an
attribute or property of the model, a ``__`` path), which only a look-up
per row can read. ``tests/core/test_admin_rows.py`` compares the rows with Django's on
every registered admin, hostile values included."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,  # Django's own look-up, private: django-stubs omits it
    display_for_field,
    display_for_value,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.urls import NoReverseMatch
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import (  # type: ignore[attr-defined]
    template_localtime,  # Django's own, public: django-stubs omits it
)
from django.utils.translation import get_language

from coopsite.templatetags.admin_sidebar import permission_signature
from freshness.signals import versioned
from freshness.versions import code_version, kept_for_version, served_stale

register = template.Library()

Cell = Callable[[Any], str]
NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)


def _value_of(cl, name) -> tuple[Any, Any, Callable[[Any], Any]] | None:
    """(field, attr, a row's value) for column ``name`` as ``lookup_field``
    finds them for every row, or None where only a look-up per row can
    say (an attribute or property of the model, a ``__`` path)."""
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        if callable(name):
            return None, name, name
        if hasattr(cl.model_admin, name) and name != "__str__":
            attr = getattr(cl.model_admin, name)
            return None, attr, attr
        if name == "__str__":
            return None, cl.model.__str__, lambda row: row.__str__()
        return None
    return field, None, lambda row: getattr(row, name)


def _column(cl, index: int, name, link: str | None, found) -> Cell:
    """One column's cell writer; ``link`` is its tag ("th", "td") when its
    cells link to the row's change page; ``found`` is :func:`_value_of`'s."""
    default_empty = cl.model_admin.get_empty_value_display()
    classes = [f"field-{admin_list._coerce_field_name(name, index)}"]  # type: ignore[attr-defined]
    # A cell whose look-up failed has the column's first class only.
    failed = SafeString(f' class="{" ".join(classes)}"')
    field, attr, value_of = found
    display, more_classes, dated = _display(
        field, attr, getattr(attr, "empty_value_display", default_empty), link
    )
    if name == "action_checkbox" and (field is None or field.auto_created):
        classes = ["action-checkbox"]
    classes = [*classes, *more_classes]
    plain = SafeString(f' class="{" ".join(classes)}"')
    nowrap = SafeString(f' class="{" ".join([*classes, "nowrap"])}"')
    tag = link or "td"
    linked = _link_writer(cl) if link else None

    def cell(row) -> str:
        try:
            value = value_of(row)
        except ObjectDoesNotExist:
            shown, row_class = default_empty, failed
        else:
            shown = display(value)
            row_class = (
                nowrap
                if dated and isinstance(value, (datetime.date, datetime.time))
                else plain
            )
        if linked is not None:
            shown = linked(row, shown)
        # The class is the column's; the content escaped as format_html would.
        return mark_safe(f"<{tag}{row_class}>{_escaped(shown)}</{tag}>")  # noqa: S308

    return cell


def _escaped(shown) -> str:
    """``conditional_escape(shown)``, without its lazy-string wrapper for
    each of a page's cells: safe text as it is, any other escaped."""
    if isinstance(shown, Promise):
        shown = str(shown)
    if hasattr(shown, "__html__"):
        return shown.__html__()
    return html.escape(str(shown))


def _display(field, attr, empty, link) -> tuple[Callable[[Any], Any], list[str], bool]:
    """How a column shows a row's value, the classes that adds, and whether
    a date or time value adds "nowrap" to its cell (as Django decides)."""
    if field is None or field.auto_created:
        boolean = getattr(attr, "boolean", False)
        if boolean:
            return (lambda value: display_for_value(value, empty, True)), [], True
        return (lambda value: _value_display(value, empty)), [], True
    nowrap = ["nowrap"] if isinstance(field, NOWRAP_FIELDS) else []
    if isinstance(field.remote_field, models.ManyToOneRel):
        return (lambda value: empty if value is None else value), nowrap, False
    return _field_display(field, empty, avoid_link=link is not None), nowrap, False


def _field_display(field, empty, *, avoid_link: bool) -> Callable[[Any], Any]:
    """``display_for_field`` for one field, with what does not change from
    row to row (a field's choices, a boolean's icons) made once."""
    choices = getattr(field, "flatchoices", None)
    if not choices and isinstance(field, models.DateField) and field.name != "password":
        return _date_display(field, empty, avoid_link=avoid_link)
    if field.name == "password" or not (
        choices or isinstance(field, models.BooleanField)
    ):
        return lambda value: display_for_field(
            value, field, empty, avoid_link=avoid_link
        )
    if choices:
        try:
            labels = dict(choices)
        except TypeError:  # list-like choices: Django's own way
            return lambda value: display_for_field(
                value, field, empty, avoid_link=avoid_link
            )

        def chosen(value):
            try:
                return labels.get(value, empty)
            except TypeError:
                return display_for_field(value, field, empty, avoid_link=avoid_link)

        return chosen
    icons = {key: admin_list._boolean_icon(key) for key in (True, False, None)}  # type: ignore[attr-defined]

    def icon(value):
        if isinstance(value, DatabaseDefault):
            return icons[None]
        if value is True or value is False or value is None:
            return icons[value]
        return admin_list._boolean_icon(value)

    return icon


class _PageDateFormat(dateformat.DateFormat):
    """Django's ``DateFormat``, the words it writes (month and day names,
    a.m. and p.m.) translated once per column of a page, not for each
    cell: a date column's translations were half a changelist's dates."""

    def __init__(self, obj, words: dict):
        super().__init__(obj)
        self._words = words

    def _word(self, name: str, key, method) -> str:
        try:
            return self._words[name, key]
        except KeyError:
            word = self._words[name, key] = str(method(self))
            return word

    def a(self):
        return self._word("a", self.data.hour > 11, dateformat.DateFormat.a)

    def A(self):
        return self._word("A", self.data.hour > 11, dateformat.DateFormat.A)

    def b(self):
        return self._word("b", self.data.month, dateformat.DateFormat.b)

    def D(self):
        return self._word("D", self.data.weekday(), dateformat.DateFormat.D)

    def E(self):
        return self._word("E", self.data.month, dateformat.DateFormat.E)

    def F(self):
        return self._word("F", self.data.month, dateformat.DateFormat.F)

    def l(self):  # noqa: E743 (Django's name for the format character)
        return self._word("l", self.data.weekday(), dateformat.DateFormat.l)

    def M(self):
        return self._word("M", self.data.month, dateformat.DateFormat.M)

    def N(self):
        return self._word("N", self.data.month, dateformat.DateFormat.N)


def _date_display(field, empty, *, avoid_link: bool) -> Callable[[Any], Any]:
    """``display_for_field`` for a date or date-and-time column: the
    localised format read once per page, its words translated once
    (:class:`_PageDateFormat`); any value not of the column's own type is
    Django's."""
    timed = isinstance(field, models.DateTimeField)
    kind = datetime.datetime if timed else datetime.date
    pattern = get_format("DATETIME_FORMAT" if timed else "DATE_FORMAT")
    words: dict = {}

    def shown(value):
        if type(value) is not kind:
            return display_for_field(value, field, empty, avoid_link=avoid_link)
        if timed:
            value = template_localtime(value)
        return _PageDateFormat(value, words).format(pattern)

    return shown


def _value_display(value, empty):
    """``display_for_value`` for a column that is not yes/no: a method's
    text (most of them) stripped as Django strips it, any other value
    Django's."""
    if type(value) is str:
        return value.strip() or empty
    return display_for_value(value, empty)


def _link_writer(cl) -> Callable[[Any, Any], Any]:
    """:func:`_linked` for one page: where each row's address is the page's
    one address with the row's whole-number key in it (``RowAddressChangeList``),
    the address with the page's filters kept is worked out once, not parsed,
    resolved and encoded again for each row. A popup's rows, and any key
    of another kind, are linked by :func:`_linked`."""

    def each(row, shown):
        return _linked(cl, row, shown)

    try:
        parts = None if cl.is_popup else getattr(cl, "_row_address_parts", None)
    except NoReverseMatch:
        parts = None
    if parts is None:
        return each
    context = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    zero, one = (
        str(escape(add_preserved_filters(context, f"{parts[0]}{key}{parts[1]}")))
        for key in "01"
    )
    differ = [i for i, (a, b) in enumerate(zip(zero, one, strict=False)) if a != b]
    if len(zero) != len(one) or len(differ) != 1:
        return each
    head, tail = zero[: differ[0]], zero[differ[0] + 1 :]

    def linked(row, shown):
        key = getattr(row, cl.pk_attname)
        if type(key) is not int or key < 0:
            return _linked(cl, row, shown)
        return SafeString(f'<a href="{head}{key}{tail}">{_escaped(shown)}</a>')

    return linked


def _linked(cl, row, shown):
    """A cell's text linked to the row's change page, as Django links it."""
    try:
        url = cl.url_for_result(row)
    except NoReverseMatch:
        return shown
    url = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
    )
    value = row.serializable_value(str(cl.to_field) if cl.to_field else cl.pk_attname)
    return format_html(
        '<a href="{}"{}>{}</a>',
        url,
        format_html(' data-popup-opener="{}"', value) if cl.is_popup else "",
        shown,
    )


def row_writers(cl) -> list[Cell] | None:
    """Each column's cell writer, in ``list_display`` order; None if a
    column can only be looked up row by row (then the rows are Django's)."""
    writers = []
    first = True
    for index, name in enumerate(cl.list_display):
        found = _value_of(cl, name)
        if found is None:
            return None
        link = None
        if cl.list_display_links is not None and (
            (first and not cl.list_display_links) or name in cl.list_display_links
        ):
            link = "th" if first else "td"
            first = False
        writers.append(_column(cl, index, name, link, found))
    return writers


def results(cl):
    # The page's rows, read with what their columns show of other tables
    # (an admin's prepare_changelist_rows), only when they are written.
    rows = cl.result_list = list(cl.result_list)
    prepare = getattr(cl.model_admin, "prepare_changelist_rows", None)
    if prepare is not None and rows:
        prepare(rows)
    writers = None if cl.formset else row_writers(cl)
    if writers is None:
        yield from admin_list.results(cl)
        return
    # A row's cells as one piece of markup: the page's template writes a
    # row's item at a time, a thousand items for a page of a hundred rows.
    for row in cl.result_list:
        yield admin_list.ResultList(
            None,
            [mark_safe("".join([write(row) for write in writers]))],  # noqa: S308
        )


def result_list(cl):
    """Django's ``result_list``, its rows written by :func:`results`."""
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(results(cl)),
    }


@register.tag(name="result_list")
def result_list_tag(parser, token):
    return InclusionAdminNode(
        "result_list",
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


# --- Parts of a changelist kept written -----------------------------------------


class KeptChangelistPartNode(template.Node):
    def __init__(self, changelist, part: str, nodelist):
        self.changelist, self.part, self.nodelist = changelist, part, nodelist

    def render(self, context):
        cl = self.changelist.resolve(context)
        request = context.get("request")
        if (
            request is None
            or request.method != "GET"
            or cl.formset
            or not versioned(cl.model)
        ):
            return self.nodelist.render(context)
        return kept_for_version(
            changelist_part_name(request, cl, self.part),
            lambda: str(self.nodelist.render(context)),
            # Not kept for the version when the request was answered values
            # older than it (a filter's choices, read again meanwhile).
            keep=lambda _written: not served_stale(),
        )


def changelist_part_name(request, cl, part: str) -> str:
    """What a changelist's ``part`` (its rows, its filters, its actions) is
    written from, besides the data's version and the day: the list, the
    user and their permissions (the rows they may see, the actions they may
    take), the page's address (its filters, search, sorting and page), the
    columns, the language, the time zone and the code."""
    user = request.user
    return "|".join(
        [
            f"admin-{part}",
            code_version()[0],
            get_language() or "",
            timezone.get_current_timezone_name(),
            cl.opts.label,
            str(user.pk),
            permission_signature(user),
            repr((list(cl.list_display), cl.list_display_links, cl.is_popup)),
            request.get_full_path(),
        ]
    )


@register.tag(name="kept_for_changelist")
def kept_for_changelist(parser, token):
    """``{% kept_for_changelist cl "rows" %}…{% endkept_for_changelist %}``:
    what is inside, written once for the data's version and kept
    (``freshness.versions.kept_for_version``, never stale: any committed
    change, a scheduled article's time coming and midnight give a new key)
    for the same user asking for the same page of the same list
    (:func:`changelist_part_name`). Written each time for an editable list,
    whose rows are a form, for a list of rows whose changes give the data no
    new version (import runs, login attempts, groups), and for anything but
    a GET; written and not kept
    in a request answered a value older than the data (the filters' choices
    after a save, until they are read again)."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a changelist and a name")
    nodelist = parser.parse(("endkept_for_changelist",))
    parser.delete_first_token()
    part = bits[2].strip("\"'")
    return KeptChangelistPartNode(parser.compile_filter(bits[1]), part, nodelist)
