"""What the public lists' filters share: faceted counts beside the choices,
years, and a capped page size."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from functools import cached_property, partial
from typing import Any, cast

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_filters.constants import EMPTY_VALUES

from core.free_text import FoundKeys, among, found_pks, pack_keys
from freshness.versions import (
    Freshness,
    cached_current,
    code_version,
    kept_for_version,
    kept_rendering,
)

from .collation import FoldedName
from .safety import refuse_control_characters
from .widgets import OptionListSelect

PAGE_SIZES = (25, 50, 100)
TEXT_MAX_LENGTH = 200
# A facet lists at most this many choices: those with the most results (and
# the one chosen), in the facet's own order. With the full datasets an
# "organisation" facet would otherwise list thousands, a page of options
# no reader scrolls and every request renders; the rest are reached from
# their own pages, or by the text filter. A facet whose choices are few
# however large the data (the countries: about 270 states ever) lists them
# all (``FacetedFilterSet.facets_listed_whole``).
FACET_CHOICES_MAX = 100


def distinct_if_repeated(queryset: QuerySet) -> QuerySet:
    """``queryset`` made distinct if a filter joined a list of rows (an
    article's links or topics, a partnership's participants), where a row
    would come once for each that matched; as it is otherwise, so that
    counting a list of 100,000 articles does not compare them whole."""
    for join in queryset.query.alias_map.values():
        field = getattr(join, "join_field", None)
        if field is not None and (field.one_to_many or field.many_to_many):
            return queryset.distinct()
    return queryset


# Fields sorted as a reader reads them, case and accents aside.
FOLDED_FIELDS = {"name"}


class StableOrderingFilter(django_filters.OrderingFilter):
    """A reader's choice of order, with rows that tie on it (deals of the
    same year, countries with as many partnerships) in the order they were
    recorded: every page of a list, and every download of it, has the same
    rows in the same order, and paging shows each row exactly once.

    The tie-break follows the direction of the last key chosen, so that an
    index on (key, primary key) read forwards or backwards serves both.

    ``default`` names the choice that is the list's own order (the order its
    queryset comes in): it is offered first, in place of an empty "any
    order" choice that would read the same, and choosing it keeps that
    order, ties and all. The choices are the ones ``field_labels`` names,
    by their parameter ("start", "-start"), each once.
    """

    def __init__(self, *args, default: str | None = None, **kwargs):
        self.default = default
        if default:
            kwargs["empty_label"] = None
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        if not labels:
            return super().build_choices(fields, labels)
        choices = []
        for field, param in fields.items():
            for name in (param, f"-{param}"):
                label = labels.get(name) or (
                    labels.get(field) if name == param else None
                )
                if label:
                    choices.append((name, label))
        if self.default:
            choices.sort(key=lambda choice: choice[0] != self.default)
        return choices

    def filter(self, qs, value):
        if self.default and value and list(value) == [self.default]:
            return qs  # the list's own order
        qs = super().filter(qs, value)
        if value in EMPTY_VALUES:
            return qs
        ordering = list(qs.query.order_by)
        last = str(ordering[-1]) if ordering else ""
        # A name in the order readers read names (coopsite.collation), its
        # stored form breaking ties.
        keys: list[Any] = []
        for key in ordering:
            field = str(key).lstrip("-")
            if isinstance(key, str) and field in FOLDED_FIELDS:
                folded = FoldedName(field)
                keys.append(folded.desc() if key.startswith("-") else folded.asc())
            keys.append(key)
        return qs.order_by(*keys, "-pk" if last.startswith("-") else "pk")


class YearFilter(django_filters.NumberFilter):
    """A year. A text box with a numeric keypad rather than a number input:
    whatever a reader typed is shown back, valid HTML, with the error."""

    field_class = forms.IntegerField  # type: ignore[assignment]  # years are whole

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 2200)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}
            ),
        )
        super().__init__(*args, **kwargs)


class TextFilter(django_filters.CharFilter):
    """Free text: at most TEXT_MAX_LENGTH characters, no control characters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        kwargs.setdefault("label", "Text")
        kwargs.setdefault("validators", [refuse_control_characters])
        super().__init__(*args, **kwargs)


class IndexedTextFilter(TextFilter):
    """Free text found through the search index: the articles or records
    the site's search finds for it (its words, or longer words they start,
    stemmed: "defence" finds "defences"; the names of a record it names),
    never a scan of the bodies (``core.free_text``).

    The index is asked once a request: a list applies its filters for its
    page and again for each facet's counts, and each time filters by the
    keys found the first time."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        found = self._found(qs.model, value)
        if not found:
            return qs.none()
        return qs.filter(among("pk", found))

    def _found(self, model, text: str) -> FoundKeys:
        # Kept for the request (a page may filter with several FilterSets),
        # or, without one, for this FilterSet (each copies its filters).
        parent = getattr(self, "parent", None)
        holder = getattr(parent, "request", None) or self
        memo = holder.__dict__.setdefault("_free_text_found", {})
        key = (model._meta.label, text)
        if key not in memo:
            freshness = getattr(parent, "freshness", None)
            memo[key] = kept_found(model, text, freshness)
        return memo[key]


def kept_found(
    model: type[Model], text: str, freshness: Freshness | None = None
) -> FoundKeys:
    """The keys ``text`` finds among ``model``'s rows (sorted), kept in the
    shared cache for as long as the data keeps its version, as the facets
    are: a text asked again is not looked up again until something is saved
    or published. Kept packed (``core.free_text.pack_keys``), and only up
    to COOPSITE_FOUND_KEYS_MAX_BYTES packed: past that, looked up again on
    each request, so that no text a reader types fills the shared cache."""
    fresh: list[list[int]] = []

    def look_up() -> bytes:
        keys = sorted(set(found_pks(model, text)))
        fresh.append(keys)
        return pack_keys(keys)

    packed = kept_for_version(
        f"found-packed|{model._meta.label}|{text}",
        look_up,
        freshness,
        keep=lambda packed: len(packed) <= settings.COOPSITE_FOUND_KEYS_MAX_BYTES,
    )
    return FoundKeys(packed, fresh[0] if fresh else None)


class OnceEachForm(forms.Form):
    """A filter form that refuses a filter given twice (``?kind=export&
    kind=exercise``), which would otherwise be read as its last value and
    list what the address does not say."""

    def clean(self):
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name, field in self.fields.items():
                several = getattr(field.widget, "allow_multiple_selected", False)
                if not several and len(getlist(self.add_prefix(name))) > 1:
                    self.add_error(name, "Given more than once: choose one.")
        return cleaned


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters show, beside each choice, how many
    results it would give with the other filters as they are.

    Subclasses list their facets in ``facets``: filter name → a function
    from a queryset (filtered by everything but that facet) to a list of
    (value, label, count).
    """

    facets: dict[str, Callable[[QuerySet], list[tuple[str, str, int]]]] = {}
    # Facets listed with every choice that has results: those bounded by the
    # world, not by the data (countries), where FACET_CHOICES_MAX would leave
    # out some with as many results as others shown.
    facets_listed_whole: tuple[str, ...] = ("country",)
    # Facets that may be counted together, in one query: their names → a
    # function from a queryset to each one's (value, label, count). Used
    # when the reader chose none of them, as then each counts the results of
    # the same queryset (every other filter as set); else each is counted
    # on its own, by ``facets``.
    facet_groups: dict[
        tuple[str, ...],
        Callable[[QuerySet], dict[str, list[tuple[str, str, int]]]],
    ] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each choice filter's <select>, written without a template per
        # option (the same markup: coopsite.widgets.OptionListSelect).
        for filter_ in self.filters.values():
            if (
                "widget" not in filter_.extra
                and filter_.field_class.widget is forms.Select
            ):
                filter_.extra["widget"] = OptionListSelect

    def filter_queryset(self, queryset):
        return distinct_if_repeated(super().filter_queryset(queryset))

    def get_form_class(self):
        return type(
            f"{type(self).__name__}Form", (OnceEachForm, super().get_form_class()), {}
        )

    def without(self, name: str) -> QuerySet:
        """The results filtered by every valid filter except ``name``."""
        queryset = self.queryset
        assert queryset is not None  # a FilterSet built with its queryset  # noqa: S101
        for filter_name, value in getattr(self.form, "cleaned_data", {}).items():
            if filter_name != name and filter_name in self.filters:
                queryset = self.filters[filter_name].filter(queryset, value)
        return distinct_if_repeated(queryset)

    @cached_property
    def freshness(self) -> Freshness | None:
        """The data's version, read once for every count this filter set
        keeps (the list's, each facet's, the text's keys)."""
        return cached_current() if settings.COOPSITE_KEEP_COUNTS else None

    def add_facet_counts(self) -> None:
        """Put the counts in the choices' labels (one query per facet, or
        per group of facets counted together). Just after a change, they
        may be the counts before it, while they are counted again in the
        background (``kept_for_version``'s ``stale``): they say how many
        results a choice gives, the list itself then shows them all."""
        counted: dict[str, list[tuple[str, str, int]]] = {}
        for names in self.facet_groups:
            if not any(self._chosen(name) for name in names):
                counted.update(
                    kept_for_version(
                        self.facet_group_key(names),
                        partial(self.count_group, names),
                        self.freshness,
                        stale=True,
                    )
                )
        for name in self.facets:
            field = self.form.fields[name]
            selected = (self.data or {}).get(name, "")
            if name in counted:
                rows = counted[name]
            else:
                rows = kept_for_version(
                    self.facet_key(name),
                    partial(self.count, name),
                    self.freshness,
                    stale=True,
                )
            # The "any" choice reads as the filter itself names it.
            choices = [("", self.filters[name].extra.get("empty_label") or "Any")]
            seen = set()
            for value, label, count in rows:
                choices.append((value, f"{label} ({count})"))
                seen.add(str(value))
            if selected and selected not in seen and not self.form.errors.get(name):
                choices.append((selected, f"{self._label_for(name, selected)} (0)"))
            field.widget.choices = choices

    def _chosen(self, name: str) -> bool:
        """Whether the reader chose a value for the facet ``name``."""
        cleaned = getattr(self.form, "cleaned_data", {}).get(name)
        return bool((self.data or {}).get(name)) or cleaned not in (None, "")

    def count(self, name: str) -> list[tuple[str, str, int]]:
        """One facet's choices and counts, with the other filters applied:
        the FACET_CHOICES_MAX with the most results, and the one chosen."""
        return self._most(name, list(self.facets[name](self.without(name))))

    def count_group(
        self, names: tuple[str, ...]
    ) -> dict[str, list[tuple[str, str, int]]]:
        """The counts of the facets ``names`` (none chosen), in one query."""
        counted = self.facet_groups[names](self.without(names[0]))
        return {name: self._most(name, list(counted[name])) for name in names}

    def _most(
        self, name: str, rows: list[tuple[str, str, int]]
    ) -> list[tuple[str, str, int]]:
        if len(rows) <= FACET_CHOICES_MAX or name in self.facets_listed_whole:
            return rows
        selected = str((self.data or {}).get(name, ""))
        ranked = sorted(range(len(rows)), key=lambda i: -rows[i][2])
        kept = set(ranked[:FACET_CHOICES_MAX])
        return [
            row
            for i, row in enumerate(rows)
            if i in kept or (selected and str(row[0]) == selected)
        ]

    def facet_group_key(self, names: tuple[str, ...]) -> str:
        """What the counts of a group of facets, none chosen, depend on."""
        return (
            f"facets|{type(self).__module__}.{type(self).__qualname__}"
            f"|{'+'.join(names)}|{self.values_key()}"
        )

    def facet_key(self, name: str) -> str:
        """What a facet's counts depend on: the list, the facet and its
        choice, and every other filter as the reader set it."""
        # The choice made in this facet: always listed, whatever its count.
        chosen = str((self.data or {}).get(name, ""))
        return (
            f"facet|{type(self).__module__}.{type(self).__qualname__}|{name}"
            f"|{chosen!r}|{self.values_key(leaving_out=name)}"
        )

    def values_key(self, *, leaving_out: str = "") -> str:
        """Every filter as the reader set it but ``leaving_out``, as a key:
        valid values only, as ``without`` and ``qs`` apply them."""
        values = []
        for filter_name, value in sorted(
            getattr(self.form, "cleaned_data", {}).items()
        ):
            if filter_name == leaving_out or filter_name not in self.filters:
                continue
            if value in (None, "", [], ()):
                continue
            values.append(f"{filter_name}={getattr(value, 'pk', value)!r}")
        return "&".join(values)

    def kept_count(self, list_name: str, count: Callable[[], int]) -> int:
        """``count()``, the number of results of the list ``list_name``
        (a view) with these filters, kept for the data's version, as the
        facets are. Not kept for a filter set with errors: its list is
        empty whatever its valid values say. The key holds the view, the
        filter set and its values, not the queryset: right while a list view
        starts from the same queryset for every request (as every one does);
        a view that narrows it by its URL must add that to ``list_name``, and
        to ``facet_key``, which rests on the same condition."""
        if self.is_bound and self.errors:
            return count()
        return kept_for_version(
            f"count|{list_name}|{type(self).__module__}.{type(self).__qualname__}"
            f"|{self.values_key()}",
            count,
            self.freshness,
        )

    def _label_for(self, name: str, value: str) -> str:
        cleaned = getattr(self.form, "cleaned_data", {}).get(name)
        return str(cleaned) if cleaned is not None else value


def page_size(request, default: int = PAGE_SIZES[0]) -> int:
    """The page size asked for, never above the largest allowed."""
    try:
        asked = int(request.GET.get("per_page", default))
    except (TypeError, ValueError):
        return default
    return max(1, min(asked, PAGE_SIZES[-1]))


def _plain(choices) -> list:
    """Choices as plain text (lazy labels, iterators and groups made lists
    of strings), to name what a form is made from."""
    return [
        (str(value), _plain(label) if isinstance(label, list | tuple) else str(label))
        for value, label in choices
    ]


class KeptCountPaginator(Paginator):
    """A list's pages, its count kept for the data's version by
    ``keep_count`` (``FacetedFilterSet.kept_count``): counting the 100,000
    articles a common word finds costs about what reading them would."""

    def __init__(self, *args, keep_count: Callable[[Callable[[], int]], int], **kwargs):
        super().__init__(*args, **kwargs)
        self._keep_count = keep_count

    @cached_property
    def count(self) -> int:
        # Paginator's own count (a cached_property's function), when kept
        # nowhere yet.
        counted = cast(Any, Paginator.count).func
        return self._keep_count(partial(counted, self))


class PastTheLastPage(Exception):
    """A page number past a list's last page: the view sends readers there."""

    def __init__(self, last: int):
        super().__init__(last)
        self.last = last

    @staticmethod
    def of(page_number: str, last: int) -> PastTheLastPage | None:
        """The redirect's reason where ``page_number`` is a page past
        ``last`` (None where it is no page number at all: "abc", "0")."""
        if page_number.isdecimal() and int(page_number) > 1:
            return PastTheLastPage(max(last, 1))
        return None

    def redirect(self, request) -> HttpResponseRedirect:
        """To the last page (a list that shrank since its address was
        shared), with the same filters."""
        query = request.GET.copy()
        if self.last > 1:
            query["page"] = str(self.last)
        else:
            query.pop("page", None)
        return HttpResponseRedirect(
            f"{request.path}?{query.urlencode()}" if query else request.path
        )


class FacetedListMixin:
    """A FilterView's list page (``templates/list_page.html``): what the
    items are called, the filter form's visible fields (``list_filters``),
    counts beside the choices, page sizes, and the filters reached by
    following a link (``linked_filters``: kept as hidden fields, shown as
    removable chips)."""

    list_filters: tuple[str, ...] = ()
    linked_filters: tuple[str, ...] = ()
    request: HttpRequest

    def get_default_page_size(self) -> int:
        return PAGE_SIZES[0]

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except PastTheLastPage as past:
            return past.redirect(request)

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            paginator = self.get_paginator(queryset, page_size)
            past = PastTheLastPage.of(
                self.request.GET.get("page", ""), paginator.num_pages
            )
            if past is None:
                raise  # no page number ("abc", "0", "-1"): not found
            raise past from None

    def get_paginate_by(self, queryset):
        return page_size(self.request, self.get_default_page_size())

    def get_paginator(
        self,
        queryset: Any,
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        **kwargs: Any,
    ) -> Paginator:
        """Pages whose count is kept for the data's version, per filter set
        (FilterView set ``self.filterset`` before paginating)."""
        filterset = getattr(self, "filterset", None)
        if not isinstance(filterset, FacetedFilterSet):
            return super().get_paginator(  # type: ignore[misc]
                queryset, per_page, orphans, allow_empty_first_page, **kwargs
            )
        view = f"{type(self).__module__}.{type(self).__qualname__}"
        return KeptCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            keep_count=partial(filterset.kept_count, view),
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        filterset.add_facet_counts()
        form = filterset.form
        names = filterset.queryset.model._meta
        context.update(
            item_name=names.verbose_name,
            items_name=names.verbose_name_plural,
            filterset=filterset,
            page_sizes=PAGE_SIZES,
            page_size=self.get_paginate_by(None),
            filter_fields=[form[name] for name in self.list_filters],
            hidden_names=self.linked_filters,
            linked_filters=self.linked_filter_chips(form),
        )
        context["filter_sidebar"] = self.filter_sidebar(context)
        context["results"] = self.results(context)
        return context

    # The template of a page's rows (its items, or the sentence saying none
    # match), rendered with the page's context.
    results_template = ""

    def results(self, context: dict) -> str:
        """The page's rows (``results_template``), rendered once per version
        of the data and kept for it under everything else they are made
        from: this list, its filters and sorting as asked, the page, the
        page size, the language and the code. A page served from them runs
        no query for its rows (the count is kept too). Parameters no filter
        reads are left out of the key; rows a reader may not share
        (``results_may_be_kept``) are rendered each time, and a form with
        errors has none (the page says the filters must be corrected)."""

        filterset = context["filterset"]
        if filterset.form.errors:
            return ""
        read = {*filterset.filters, "page", "per_page"}
        made_from = (
            f"{type(self).__module__}.{type(self).__qualname__}",
            self.request.path,
            sorted(
                (name, values)
                for name, values in self.request.GET.lists()
                if name in read
            ),
            context["page_size"],
        )
        return kept_rendering(
            f"rows:{made_from!r}",
            partial(render_to_string, self.results_template, context, self.request),
            filterset.freshness,
            keep=self.results_may_be_kept(),
        )

    def results_may_be_kept(self) -> bool:
        """Whether the rows are the same for every reader, for as long as
        the data keeps its version."""
        return True

    SIDEBAR_TEMPLATE = "includes/filter_form.html"

    def filter_sidebar(self, context: dict) -> str:
        """The filter form, rendered (``includes/filter_form.html``), and
        kept in the shared cache under all it is made from: the address, the
        reader's choices, every choice offered with its count, the page size,
        the language and the code. Nothing else goes into it, so it is never
        stale: new counts are another key. A form with errors is rendered
        and not kept."""
        form = context["filterset"].form
        parts = {
            "request": self.request,
            "filterset": context["filterset"],
            "fields": context["filter_fields"],
            "hidden_names": context["hidden_names"],
            "page_sizes": context["page_sizes"],
            "page_size": context["page_size"],
        }
        if form.errors:
            return render_to_string(self.SIDEBAR_TEMPLATE, parts, self.request)
        made_from = repr(
            (
                code_version()[0],
                get_language(),
                self.request.path,
                sorted(
                    (name, values)
                    for name, values in self.request.GET.lists()
                    if name != "page"
                ),
                context["page_size"],
                [
                    (field.name, _plain(getattr(field.field.widget, "choices", ())))
                    for field in context["filter_fields"]
                ],
            )
        )
        key = "sidebar:" + hashlib.sha256(made_from.encode()).hexdigest()
        cache = caches[settings.COOPSITE_PAGE_CACHE]
        try:
            kept = cache.get(key)
        except Exception:  # unreachable: made, as if not kept
            kept = None
        if kept is None:
            kept = render_to_string(self.SIDEBAR_TEMPLATE, parts, self.request)
            with contextlib.suppress(Exception):
                cache.set(key, kept, settings.COOPSITE_PAGE_CACHE_SECONDS)
        return mark_safe(kept)  # noqa: S308 - the template's own (escaped) output

    def linked_filter_chips(self, form) -> list[tuple[str, str, str]]:
        """(label, what, URL without it) for each linked filter in use."""
        chips = []
        for name in self.linked_filters:
            value = getattr(form, "cleaned_data", {}).get(name)
            if value:
                params = self.request.GET.copy()
                params.pop(name, None)
                params.pop("page", None)
                chips.append(
                    (form.fields[name].label, str(value), f"?{params.urlencode()}")
                )
        return chips


def query_text(queryset) -> str:
    """The SQL of ``queryset``'s query, as ``str(queryset.query)`` writes it,
    written once per queryset: a changelist names its list by it twice (its
    kept count and its kept dates), and compiling the partnership list's
    query, its status and article count included, is a millisecond each
    time. Kept on the queryset, which its clones (a filter, a slice) do not
    copy, and whose query only its clones change. Raises
    ``EmptyResultSet`` as ``str`` does."""
    text = queryset.__dict__.get("_coopsite_query_text")
    if text is None:
        text = queryset.__dict__["_coopsite_query_text"] = str(queryset.query)
    return text
