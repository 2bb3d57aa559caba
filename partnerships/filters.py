"""Filters for the public partnership list (and its CSV and JSON exports)."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q, QuerySet

from coopsite.collation import FoldedName
from coopsite.filtering import (
    FacetedFilterSet,
    IndexedTextFilter,
    StableOrderingFilter,
    TextFilter,
    YearFilter,
)
from core import free_text
from core.names import (
    designation_spellings,
    normalise_name,
    without_stops_in_initials,
)

from .models import (
    Alias,
    Bloc,
    BlocKind,
    Country,
    Organisation,
    OrganisationKind,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    PartnershipSystem,
    System,
    SystemCategory,
    Tag,
)

# A country select in the order readers read names (Côte d'Ivoire among the
# C's, Åland among the A's: coopsite.collation).
COUNTRIES_A_TO_Z = Country.objects.order_by(FoldedName("name"), "name")

# Filters a reader reaches by following a link from a record's page; the
# list shows them as removable, not as form controls.
LINKED_FILTERS = ("organisation", "bloc", "system", "series")


def _choice_counts(field: str, choices):
    labels = dict(choices)

    def count(queryset):
        rows = (
            queryset.order_by()
            .values(field)
            .annotate(total=Count("pk", distinct=True))
            .values_list(field, "total")
        )
        totals = dict(rows)
        return [
            (value, labels[value], totals[value]) for value in labels if value in totals
        ]

    return count


def _country_counts(queryset, role: str = ""):
    """Each country's partnerships among ``queryset``: in any role, or in
    ``role`` (what choosing the country would then give)."""
    participants = Participant.objects.filter(
        partnership__in=queryset.values("pk"), country__isnull=False
    )
    if role:
        participants = participants.filter(role=role)
    rows = (
        participants.values("country__slug", "country__name")
        .annotate(total=Count("partnership", distinct=True))
        .order_by("country__name")
    )
    return [(r["country__slug"], r["country__name"], r["total"]) for r in rows]


def _category_counts(queryset):
    labels = dict(SystemCategory.choices)
    rows = (
        PartnershipSystem.objects.filter(partnership__in=queryset.values("pk"))
        .values("system__category")
        .annotate(total=Count("partnership", distinct=True))
        .order_by()
    )
    totals = {r["system__category"]: r["total"] for r in rows}
    return [
        (value, labels[value], totals[value]) for value in labels if value in totals
    ]


def _tag_counts(queryset):
    rows = (
        Tag.objects.filter(partnerships__in=queryset.values("pk"))
        .annotate(total=Count("partnerships", distinct=True))
        .order_by("name")
        .values_list("slug", "name", "total")
    )
    return list(rows)


def _among(queryset, rows):
    """The partnerships of ``queryset`` that ``rows`` name (by their
    ``partnership_id``). A semi-join (``pk IN (…)``), not a join: a list
    filtered by a participant, a system or a tag stays one row per
    partnership, and needs no DISTINCT over every column."""
    return queryset.filter(pk__in=rows.values("partnership_id"))


class PartnershipFilter(FacetedFilterSet):
    q = IndexedTextFilter()
    kind = django_filters.ChoiceFilter(
        choices=PartnershipKind.choices, empty_label="Any kind"
    )
    status = django_filters.ChoiceFilter(
        choices=PartnershipStatus.choices,
        field_name="status_now",  # today's, from the dates: with_status()
        label="Status",
        empty_label="Any status",
    )
    country = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="participants__country",
        method="filter_country",
        label="Country",
        empty_label="Any country",
    )
    role = django_filters.ChoiceFilter(
        choices=ParticipantRole.choices,
        method="filter_role",
        label="In the role of",
        empty_label="Any role",
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        field_name="participants__organisation",
        method="filter_organisation",
        label="Organisation",
    )
    bloc = django_filters.ModelChoiceFilter(
        queryset=Bloc.objects.all(),
        to_field_name="slug",
        field_name="participants__bloc",
        method="filter_bloc",
        label="Bloc",
    )
    system = django_filters.ModelChoiceFilter(
        queryset=System.objects.all(),
        to_field_name="slug",
        field_name="system_lines__system",
        method="filter_system",
        label="System",
    )
    category = django_filters.ChoiceFilter(
        choices=SystemCategory.choices,
        field_name="system_lines__system__category",
        method="filter_category",
        label="System category",
        empty_label="Any category",
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        field_name="tags",
        method="filter_tag",
        label="Tag",
        empty_label="Any tag",
    )
    series = TextFilter(field_name="series", lookup_expr="iexact", label="Series")
    year_from = YearFilter(
        field_name="start_date__year", lookup_expr="gte", label="From year"
    )
    year_to = YearFilter(
        field_name="start_date__year", lookup_expr="lte", label="To year"
    )
    sort = StableOrderingFilter(
        fields=(("start_date", "start"), ("name", "name"), ("updated_at", "updated")),
        field_labels={
            "start": "Earliest first",
            "-start": "Latest first",
            "name": "Name, A–Z",
            "-name": "Name, Z–A",
            "-updated": "Recently updated",
            "updated": "Least recently updated",
        },
        label="Sort",
        default="-start",
    )

    facets = {
        "kind": _choice_counts("kind", PartnershipKind.choices),
        "status": _choice_counts("status_now", PartnershipStatus.choices),
        "country": _country_counts,
        "category": _category_counts,
        "tag": _tag_counts,
    }

    class Meta:
        model = Partnership
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        # The status filter and its facet read today's status: every list
        # and picture of partnerships gets it, whatever queryset it passes.
        if queryset is not None and "status_now" not in queryset.query.annotations:
            queryset = queryset.with_status()
        super().__init__(data, queryset, **kwargs)

    def count(self, name: str) -> list[tuple[str, str, int]]:
        # With a role chosen, a country's count is of it in that role, as
        # choosing it gives.
        chosen = getattr(self.form, "cleaned_data", {})
        if name == "country" and (role := chosen.get("role")):
            return self._most(name, _country_counts(self.without(name), role))
        return super().count(name)

    def _in_role(self, **actor) -> QuerySet:
        """The participants that are ``actor``, in the role chosen if any."""
        participants = Participant.objects.filter(**actor)
        if role := self.form.cleaned_data.get("role"):
            participants = participants.filter(role=role)
        return participants

    def filter_country(self, queryset, name, country):
        """The country in any role, or in the role chosen."""
        return _among(queryset, self._in_role(country=country))

    def filter_organisation(self, queryset, name, organisation):
        return _among(queryset, self._in_role(organisation=organisation))

    def filter_bloc(self, queryset, name, bloc):
        return _among(queryset, self._in_role(bloc=bloc))

    def filter_system(self, queryset, name, system):
        return _among(queryset, PartnershipSystem.objects.filter(system=system))

    def filter_category(self, queryset, name, category):
        return _among(
            queryset, PartnershipSystem.objects.filter(system__category=category)
        )

    def filter_tag(self, queryset, name, tag):
        return _among(queryset, Partnership.tags.through.objects.filter(tag=tag))

    def filter_role(self, queryset, name, role):
        """A participant in the role: alone, any participant (every
        partnership with a host); with a country, an organisation or a bloc
        chosen, that one in it (their filters apply the role too)."""
        return _among(queryset, Participant.objects.filter(role=role))


# --- The lists of records (the API's; the site lists countries alphabetically) ---


def named(queryset, value: str):
    """The records of ``queryset`` with a part of their name or of an alias
    ``value``, as typed or with accents and case aside ("turkiye" finds
    Türkiye, "hisar" HİSAR-A): the index pages' "Name" box and the API's
    record lists' ``q``."""
    value = without_stops_in_initials(value)  # "U.S." as "US"
    # A designation written apart or together: "F16" finds "F-16".
    spellings = (
        sorted(designation_spellings(folded))
        if (folded := normalise_name(value))
        else []
    )
    aliases = Q(name__icontains=value)
    for spelling in spellings:
        aliases |= Q(normalised__contains=spelling)
    matches = Q(name__icontains=value) | Q(
        pk__in=Alias.objects.filter(aliases).values("entity_id")
    )
    for spelling in spellings:
        matches |= Q(pk__in=free_text.names_holding(queryset.model, spelling))
    return queryset.filter(matches)


class RecordFilter(django_filters.FilterSet):
    """Filters every list of records has: text in the name or an alias."""

    q = TextFilter(method="filter_text")

    def filter_text(self, queryset, name, value):
        return named(queryset, value)


class CountryFilter(RecordFilter):
    region = django_filters.CharFilter(
        lookup_expr="iexact", max_length=64, label="Region"
    )
    is_former = django_filters.ChoiceFilter(
        choices=[("true", "Former states"), ("false", "Current states")],
        method="filter_former",
        label="A former state",
    )
    bloc = django_filters.ModelChoiceFilter(
        queryset=Bloc.objects.all(),
        to_field_name="slug",
        field_name="bloc_memberships__bloc",
        label="Member of the bloc",
    )

    class Meta:
        model = Country
        fields: list[str] = []

    def filter_former(self, queryset, name, value: str):
        return queryset.filter(is_former=value == "true")


class BlocFilter(RecordFilter):
    member = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="memberships__country",
        label="Has the member",
    )

    class Meta:
        model = Bloc
        fields: list[str] = []


class OrganisationFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)
    country = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="home_country",
        label="Home country",
    )

    class Meta:
        model = Organisation
        fields: list[str] = []


class SystemFilter(RecordFilter):
    category = django_filters.ChoiceFilter(choices=SystemCategory.choices)
    origin = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="origin_country",
        label="Country of origin",
    )
    maker = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        field_name="makers",
        label="Made by",
    )

    class Meta:
        model = System
        fields: list[str] = []


class TagFilter(django_filters.FilterSet):
    q = TextFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Tag
        fields: list[str] = []


# --- The index of each kind (the site's pages; faceted, counted) ---------------


def _field_counts(field: str, label_field: str):
    """Facet counts of a related record, by its slug: (slug, name, count)."""

    def count(queryset):
        rows = (
            queryset.order_by()
            .exclude(**{f"{field}__isnull": True})
            .values(f"{field}__slug", f"{field}__{label_field}")
            .annotate(total=Count("pk", distinct=True))
            .order_by(f"{field}__{label_field}")
        )
        return [
            (r[f"{field}__slug"], r[f"{field}__{label_field}"], r["total"])
            for r in rows
        ]

    return count


def _region_counts(queryset):
    rows = (
        queryset.order_by()
        .exclude(region="")
        .values("region")
        .annotate(total=Count("pk", distinct=True))
        .order_by("region")
    )
    return [(r["region"], r["region"], r["total"]) for r in rows]


def _status_counts(queryset):
    totals = dict(
        queryset.order_by()
        .values("is_former")
        .annotate(total=Count("pk", distinct=True))
        .values_list("is_former", "total")
    )
    return [
        (value, label, totals[former])
        for value, label, former in (
            ("current", "Current states", False),
            ("former", "Former states", True),
        )
        if totals.get(former)
    ]


def _index_sort():
    return StableOrderingFilter(
        fields=(("partnership_total", "partnerships"), ("name", "name")),
        field_labels={
            "-partnerships": "Most partnerships first",
            "partnerships": "Fewest partnerships first",
            "name": "Name, A–Z",
            "-name": "Name, Z–A",
        },
        label="Sort",
        default="-partnerships",
    )


class IndexFilter(FacetedFilterSet):
    """What every kind's index has: its name or an alias, and the order."""

    q = TextFilter(method="filter_text", label="Name")
    sort = _index_sort()

    def filter_queryset(self, queryset):
        # No filter of an index joins a list of rows (a name matches through
        # a subquery): nothing to make distinct, and so counting the list
        # leaves each row's totals unread.
        return django_filters.FilterSet.filter_queryset(self, queryset)

    def filter_text(self, queryset, name, value):
        return named(queryset, value)


class CountryIndexFilter(IndexFilter):
    region = django_filters.ChoiceFilter(
        choices=lambda: [
            (region, region)
            for region in Country.objects.exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        ],
        label="Region",
        empty_label="Any region",
    )
    status = django_filters.ChoiceFilter(
        choices=[("current", "Current states"), ("former", "Former states")],
        method="filter_status",
        label="Current or former",
        empty_label="Current and former",
    )

    facets = {
        "region": _region_counts,
        "status": _status_counts,
    }

    class Meta:
        model = Country
        fields: list[str] = []

    def filter_status(self, queryset, name, value: str):
        return queryset.filter(is_former=value == "former")


class OrganisationIndexFilter(IndexFilter):
    kind = django_filters.ChoiceFilter(
        choices=OrganisationKind.choices, label="Kind", empty_label="Any kind"
    )
    country = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="home_country",
        label="Home country",
        empty_label="Any country",
    )

    facets = {
        "kind": _choice_counts("kind", OrganisationKind.choices),
        "country": _field_counts("home_country", "name"),
    }

    class Meta:
        model = Organisation
        fields: list[str] = []


class SystemIndexFilter(IndexFilter):
    category = django_filters.ChoiceFilter(
        choices=SystemCategory.choices, label="Category", empty_label="Any category"
    )
    origin = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="origin_country",
        label="Country of origin",
        empty_label="Any country",
    )

    facets = {
        "category": _choice_counts("category", SystemCategory.choices),
        "origin": _field_counts("origin_country", "name"),
    }

    class Meta:
        model = System
        fields: list[str] = []


class BlocIndexFilter(IndexFilter):
    kind = django_filters.ChoiceFilter(
        choices=BlocKind.choices, label="Kind", empty_label="Any kind"
    )

    facets = {"kind": _choice_counts("kind", BlocKind.choices)}

    class Meta:
        model = Bloc
        fields: list[str] = []


class TagIndexFilter(IndexFilter):
    def filter_text(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    class Meta:
        model = Tag
        fields: list[str] = []
