"""Cursor pagination over any ordering the list's filters allow.

Django REST framework's ``CursorPagination`` keeps one field's value as the
position and counts an offset through ties, which breaks down on the
orderings readers choose here (thousands of partnerships share a start
year; undated ones have none). This keyset version keeps the whole sort
key, with the primary key last, so every position is unique, pages never
skip or repeat a row, and each page is one indexed comparison away from
the last whatever its depth. Empty values sort last in both directions.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from base64 import urlsafe_b64decode, urlsafe_b64encode
from binascii import Error as Base64Error
from dataclasses import dataclass
from functools import reduce

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from coopsite.collation import FoldedName

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# Stand-ins for empty values, so that they sort last either way.
_LAST = {
    models.DateField: (dt.date.min, dt.date.max),
    models.DateTimeField: (
        dt.datetime(1, 1, 2, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 30, tzinfo=dt.UTC),
    ),
    models.IntegerField: (-(2**62), 2**62),
    models.FloatField: (-1e300, 1e300),
}


@dataclass(frozen=True)
class Key:
    """One term of the sort key: the field, its direction, and the name it
    is read by (an annotation where empty values need a stand-in)."""

    field: str
    descending: bool
    alias: str
    model_field: models.Field
    # A name in the order readers read names (coopsite.collation): read by
    # this expression, its alias compared as the list is ordered.
    expression: models.Expression | None = None


class KeysetCursorPagination(CursorPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size_query_description = (
        f"Items per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
    )
    cursor_query_description = (
        "Where a page starts: copy it from `next` or `previous`; "
        "made for the same filters and sort."
    )
    invalid_cursor_message = (
        "This cursor is not one this list gave out, or it was made for another sort."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.keys = self.sort_key(queryset, view)
        queryset = queryset.annotate(
            **{
                key.alias: key.expression
                if key.expression is not None
                else Coalesce(
                    key.field, self._stand_in(key), output_field=key.model_field
                )
                for key in self.keys
                if key.alias != key.field
            }
        )
        position, backwards = self.decode_cursor(request) or (None, False)
        self.position = position
        order = [
            f"-{k.alias}" if k.descending != backwards else k.alias for k in self.keys
        ]
        queryset = queryset.order_by(*order)
        if position is not None:
            queryset = queryset.filter(self._after(position, backwards))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.page = rows
        # Going forwards there is a next page if a row was left over, and a
        # previous one if we came from somewhere; backwards the other way.
        if backwards:
            self.has_next, self.has_previous = position is not None, more
        else:
            self.has_next, self.has_previous = more, position is not None
        return rows

    def sort_key(self, queryset, view) -> list[Key]:
        """The list's order (the ``sort`` filter's, else the view's), with
        the primary key as the last tie-breaker."""
        terms = list(queryset.query.order_by) or list(
            getattr(view, "ordering", None) or queryset.model._meta.ordering
        )
        keys: list[Key] = []
        model = queryset.model
        for term in [*terms, "pk"]:
            if _is_folded_name(term):
                name = term.expression.source_expressions[0].name
                keys.append(
                    Key(
                        name,
                        term.descending,
                        f"_sort_folded_{name}",
                        models.CharField(),
                        FoldedName(name),
                    )
                )
                continue
            if not isinstance(term, str):
                raise TypeError(
                    f"Cursor pagination sorts by field names, not {term!r}."
                )
            name = term.lstrip("-")
            if name == "pk":
                name = model._meta.pk.name
            if any(k.field == name and k.expression is None for k in keys):
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                raise TypeError(f"Cannot sort {model.__name__} by {name!r}.") from None
            if field.primary_key and field.remote_field:  # a child's parent link
                name, field = "pk", field.target_field
            alias = f"_sort_{name}" if field.null else name
            keys.append(Key(name, term.startswith("-"), alias, field))
            if field.primary_key or name == "pk":
                break
        return keys

    def _stand_in(self, key: Key):
        for field_class, (low, high) in _LAST.items():
            if isinstance(key.model_field, field_class):
                return models.Value(low if key.descending else high)
        raise TypeError(f"No stand-in for an empty {key.model_field!r}.")

    def _after(self, position: list, backwards: bool) -> Q:
        """Rows after ``position`` in the sort order (before it, backwards):
        the first key beyond it, or equal on it and beyond on the next..."""
        conditions = []
        equal = Q()
        for key, value in zip(self.keys, position, strict=True):
            greater = key.descending == backwards
            lookup = f"{key.alias}__{'gt' if greater else 'lt'}"
            conditions.append(equal & Q(**{lookup: value}))
            equal &= Q(**{key.alias: value})
        return reduce(operator.or_, conditions)

    # --- Cursors -----------------------------------------------------------------

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Digits only: int() also reads "+5", " 5" and "５" (full width).
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            data = json.loads(urlsafe_b64decode(encoded.encode("ascii")))
            position, backwards = data["p"], data.get("r", 0)
            if backwards not in (0, 1) or isinstance(backwards, (bool, float)):
                raise ValueError
            backwards = bool(backwards)
            if not isinstance(position, list) or len(position) != len(self.keys):
                raise ValueError
            position = [
                _checked(key.model_field, value)
                for key, value in zip(self.keys, position, strict=True)
            ]
        except (
            ValueError,
            TypeError,
            KeyError,
            OverflowError,
            UnicodeError,
            Base64Error,
            DjangoValidationError,
        ):
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None
        return position, backwards

    def encode_cursor(self, row, backwards: bool) -> str:
        return self._link([getattr(row, key.alias) for key in self.keys], backwards)

    def _link(self, values: list, backwards: bool) -> str:
        position = [_plain(value) for value in values]
        payload = json.dumps(
            {"p": position, "r": int(backwards)}, separators=(",", ":")
        )
        encoded = urlsafe_b64encode(payload.encode()).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.page:
            # Backwards from before the first row (a list that shrank since
            # its "previous" was given): what comes next is the first page.
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor(self.page[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:
            # Past the end (a list that shrank since its "next" was given):
            # the rows before the place asked for, the list's last page.
            return self._link(self.position, backwards=True)
        return self.encode_cursor(self.page[0], backwards=True)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        """A page: its items, and the addresses of the next and the previous
        page, or null at either end (JSON Schema's null: OpenAPI 3.1)."""
        link = {
            "type": ["string", "null"],
            "format": "uri",
            "description": "Follow it for the next (previous) page; null at the end.",
        }
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters


def _checked(field: models.Field, value):
    """A position's value as the field holds it; ValueError for anything a
    database would refuse."""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError
        value.encode()  # a lone surrogate: UnicodeEncodeError
    value = field.to_python(value)
    if isinstance(value, int) and not -(2**63) < value < 2**63:
        raise ValueError
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value.astimezone(dt.UTC)  # beyond the calendar in UTC: OverflowError
    return value


def _plain(value):
    """A sort key's value as JSON holds it."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _is_folded_name(term) -> bool:
    """Whether ``term`` orders by a name as readers read names."""
    return (
        isinstance(term, models.OrderBy)
        and isinstance(term.expression, FoldedName)
        and isinstance(term.expression.source_expressions[0], models.F)
    )
