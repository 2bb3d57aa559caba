"""Public pages for the partnership records.

Every queryset fetches what its template shows in a fixed number of queries,
whatever the number of rows; lists are paginated and filtered by
django-filter, and their filters travel in the URL.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView

from articles.selectors import articles_on, articles_tagged
from coopsite.filtering import FacetedListMixin
from coopsite.safety import script_safe_json, spreadsheet_safe

from . import charts
from .filters import LINKED_FILTERS, PartnershipFilter
from .models import (
    Bloc,
    BlocMembership,
    Country,
    Organisation,
    Participant,
    ParticipantRole,
    Partnership,
    System,
    Tag,
)

ARTICLES_PER_PAGE = 10
RECENT_PARTNERSHIPS = 10


def list_url(**params) -> str:
    """The partnership list, filtered by ``params``."""
    return f"{reverse('partnerships:partnership_list')}?{urlencode(params)}"


# --- The partnership list and its exports --------------------------------------


class PartnershipListView(FacetedListMixin, FilterView):
    filterset_class = PartnershipFilter
    template_name = "partnerships/partnership_list.html"
    context_object_name = "partnerships"
    list_filters = (
        "q",
        "kind",
        "status",
        "country",
        "role",
        "category",
        "tag",
        "year_from",
        "year_to",
        "sort",
    )
    linked_filters = LINKED_FILTERS

    def get_queryset(self):
        return Partnership.objects.for_lists()


EXPORT_FIELDS = [
    "name",
    "url",
    "kind",
    "status",
    "start",
    "start_is_estimate",
    "end",
    "end_is_estimate",
    "participants",
    "systems",
    "tags",
    "summary",
    "series",
    "location",
    "latitude",
    "longitude",
]
EXPORT_LIMIT = 100_000


class PartnershipExportView(View):
    """The partnership list, with the same filters, as CSV or JSON."""

    format = "csv"

    def get(self, request):
        filterset = PartnershipFilter(
            request.GET,
            queryset=Partnership.objects.for_lists().prefetch_related("tags"),
            request=request,
        )
        if not filterset.is_valid():
            return _bad_filter_response(filterset)
        rows = (_export_row(request, p) for p in filterset.qs.iterator(chunk_size=2000))
        filename = (
            "partnerships"
            + "".join(
                f"-{slugify(v)}" for k, v in request.GET.items() if v and k != "page"
            )[:80]
        )
        if self.format == "json":
            response = StreamingHttpResponse(
                _json_lines(rows), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = f'inline; filename="{filename}.json"'
        else:
            response = StreamingHttpResponse(
                _csv_lines(rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response


def _bad_filter_response(filterset):
    from django.http import JsonResponse

    return JsonResponse(
        {
            "errors": {
                name: [str(e) for e in errors]
                for name, errors in filterset.errors.items()
            }
        },
        status=400,
    )


def _export_row(request, partnership: Partnership) -> dict:
    start, end = partnership.start, partnership.end
    return {
        "name": partnership.name,
        "url": request.build_absolute_uri(partnership.get_absolute_url()),
        "kind": partnership.kind,
        "status": partnership.current_status,
        "start": start.iso if start else "",
        "start_is_estimate": partnership.start_is_estimate,
        "end": end.iso if end else "",
        "end_is_estimate": partnership.end_is_estimate,
        "participants": [
            {
                "role": p.role,
                "name": str(p.actor),
                "type": getattr(p.actor, "entity_type", ""),
            }
            for p in partnership.participants.all()
        ],
        "systems": [
            {
                "name": line.system.name,
                "ordered": line.quantity_ordered,
                "delivered": line.quantity_delivered,
                "condition": line.condition,
                "delivery_years": line.delivery_years,
                "tiv_per_unit": _number(line.tiv_per_unit),
                "tiv_order": _number(line.tiv_order),
                "tiv_delivered": _number(line.tiv_delivered),
            }
            for line in partnership.system_lines.all()
        ],
        "tags": [tag.name for tag in partnership.tags.all()],
        "summary": partnership.summary,
        "series": partnership.series,
        "location": partnership.location,
        "latitude": partnership.latitude,
        "longitude": partnership.longitude,
    }


def _number(value):
    """A Decimal as JSON can hold it: an int or a float, or None."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class _Echo:
    def write(self, value):
        return value


def _csv_lines(rows) -> Iterator[str]:
    """The export as CSV. A text cell a spreadsheet would evaluate as a
    formula (starting with =, +, -, @, a tab or a carriage return) is written
    with a leading ' (OWASP's advice), so that it shows as typed."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_FIELDS)  # a BOM, for spreadsheets
    for count, row in enumerate(rows):
        if count >= EXPORT_LIMIT:
            break
        yield writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
                row["name"],
                row["url"],
                row["kind"],
                row["status"],
                row["start"],
                "yes" if row["start_is_estimate"] else "",
                row["end"],
                "yes" if row["end_is_estimate"] else "",
                "; ".join(f"{p['name']} ({p['role']})" for p in row["participants"]),
                "; ".join(
                    s["name"]
                    + (f" ×{s['ordered']}" if s["ordered"] is not None else "")
                    for s in row["systems"]
                ),
                "; ".join(row["tags"]),
                row["summary"],
                row["series"],
                row["location"],
                "" if row["latitude"] is None else row["latitude"],
                "" if row["longitude"] is None else row["longitude"],
            ]
        )


def _json_lines(rows) -> Iterator[str]:
    yield "[\n"
    for count, row in enumerate(rows):
        if count >= EXPORT_LIMIT:
            break
        yield ("" if count == 0 else ",\n") + script_safe_json(row)
    yield "\n]\n"


# --- Entity pages ---------------------------------------------------------------


class EntityArticlesMixin:
    """Adds the "articles on this" panel: the published articles that link
    this entity, newest first, paginated by ``?page=`` (as the articles app
    selects them)."""

    def articles(self):
        return articles_on(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.articles(), ARTICLES_PER_PAGE)
        try:
            context["articles_page"] = paginator.page(self.request.GET.get("page", 1))
        except InvalidPage:
            raise Http404("No such page of articles.") from None
        context["feed_url"] = f"{self.object.get_absolute_url()}feed/"
        return context


class EntityPartnershipsMixin:
    """Adds the actor's most recent partnerships and how many there are,
    with a link to all of them in the filtered list."""

    filter_name = ""

    def partnerships(self):
        return Partnership.objects.involving(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnerships = self.partnerships()
        context["partnership_total"] = partnerships.count()
        context["partnerships"] = (
            Partnership.objects.for_lists().filter(pk__in=partnerships.values("pk"))
        )[:RECENT_PARTNERSHIPS]
        context["partnerships_url"] = list_url(**{self.filter_name: self.object.slug})
        return context


class CountryListView(ListView):
    template_name = "partnerships/country_list.html"
    context_object_name = "countries"

    def get_queryset(self):
        return (
            Country.objects.only(
                "entity_type", "name", "slug", "region", "subregion", "is_former"
            )
            .annotate(
                partnership_total=Count("participations__partnership", distinct=True)
            )
            .order_by("is_former", "region", "name")
        )


class CountryDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/country_detail.html"
    context_object_name = "country"
    filter_name = "country"

    def get_queryset(self):
        return Country.objects.prefetch_related(
            Prefetch(
                "bloc_memberships",
                queryset=BlocMembership.objects.select_related("bloc").order_by(
                    "bloc__name"
                ),
            ),
            "aliases",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        roles = dict(
            Participant.objects.filter(country=country)
            .values_list("role")
            .annotate(total=Count("partnership", distinct=True))
            .values_list("role", "total")
        )
        context["roles"] = [
            (value, label, roles[value])
            for value, label in ParticipantRole.choices
            if value in roles
        ]
        partners = list(
            Participant.objects.filter(
                partnership__participants__country=country, country__isnull=False
            )
            .exclude(country=country)
            .values("country__name", "country__slug")
            .annotate(total=Count("partnership", distinct=True))
            .order_by("-total", "country__name")[: charts.PARTNERS_SHOWN]
        )
        context["partners_chart"] = charts.partners_chart(country, partners)
        return context


class OrganisationDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/organisation_detail.html"
    context_object_name = "organisation"
    filter_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("home_country").prefetch_related(
            "aliases", Prefetch("systems", queryset=System.objects.order_by("name"))
        )


class SystemDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/system_detail.html"
    context_object_name = "system"
    filter_name = "system"

    def get_queryset(self):
        return System.objects.select_related("origin_country").prefetch_related(
            "aliases",
            Prefetch("makers", queryset=Organisation.objects.order_by("name")),
        )

    def partnerships(self):
        return Partnership.objects.filter(system_lines__system=self.object).distinct()


class BlocDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/bloc_detail.html"
    context_object_name = "bloc"
    filter_name = "bloc"

    def get_queryset(self):
        return Bloc.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=BlocMembership.objects.select_related("country").order_by(
                    "country__name"
                ),
            ),
            "aliases",
        )


class PartnershipDetailView(EntityArticlesMixin, DetailView):
    template_name = "partnerships/partnership_detail.html"
    context_object_name = "partnership"

    def get_queryset(self):
        return Partnership.objects.for_lists().prefetch_related(
            "sources", "tags", "aliases"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        by_role: dict[str, list[Participant]] = {}
        for participant in self.object.participants.all():
            by_role.setdefault(participant.get_role_display(), []).append(participant)
        context["participants_by_role"] = list(by_role.items())
        context["has_transfer_data"] = any(
            line.has_transfer_data for line in self.object.system_lines.all()
        )
        return context


class TagDetailView(EntityArticlesMixin, DetailView):
    template_name = "partnerships/tag_detail.html"
    context_object_name = "tag"
    model = Tag

    def articles(self):
        return articles_tagged(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnerships = self.object.partnerships.all()
        context["partnership_total"] = partnerships.count()
        context["partnerships"] = Partnership.objects.for_lists().filter(
            tags=self.object
        )[:RECENT_PARTNERSHIPS]
        context["partnerships_url"] = list_url(tag=self.object.slug)
        return context


# --- Pictures -------------------------------------------------------------------


class FilteredPictureMixin:
    """A picture of the partnerships the reader's filters select."""

    shown_filters: tuple[str, ...] = ()

    def filtered_partnerships(self):
        filterset = PartnershipFilter(
            self.request.GET or None,
            queryset=Partnership.objects.all(),
            request=self.request,
        )
        valid = not filterset.is_bound or filterset.is_valid()
        self.filterset = filterset
        return filterset.qs if valid else Partnership.objects.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["shown_filters"] = [
            self.filterset.form[name] for name in self.shown_filters
        ]
        return context


class NetworkView(FilteredPictureMixin, TemplateView):
    template_name = "partnerships/network.html"
    shown_filters = ("kind", "year_from", "year_to")

    def get_context_data(self, **kwargs):
        partnerships = self.filtered_partnerships()
        context = super().get_context_data(**kwargs)
        context["network"] = charts.network(partnerships)
        return context


class TimelineView(FilteredPictureMixin, TemplateView):
    template_name = "partnerships/timeline.html"
    shown_filters = ("country", "category", "year_from", "year_to")

    def get_context_data(self, **kwargs):
        partnerships = self.filtered_partnerships()
        context = super().get_context_data(**kwargs)
        context["timeline"] = charts.timeline(partnerships)
        return context
