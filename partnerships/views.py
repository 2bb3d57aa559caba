"""Public pages for the partnership records.

Every queryset fetches what its template shows in a fixed number of queries,
whatever the number of rows; lists are paginated and filtered by
django-filter, and their filters travel in the URL.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Max, Min, Prefetch, Window
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpRequest,
    HttpResponsePermanentRedirect,
    StreamingHttpResponse,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views import View
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from articles.models import NEWEST_FIRST
from articles.selectors import articles_on, articles_tagged, kept_article_cards
from coopsite.filtering import PAGE_SIZES, FacetedListMixin
from core.names import slugify_name
from freshness.versions import code_version, kept_for_version, kept_rendering

from . import charts, exports
from .filters import (
    LINKED_FILTERS,
    BlocIndexFilter,
    CountryIndexFilter,
    OrganisationIndexFilter,
    PartnershipFilter,
    SystemIndexFilter,
    TagIndexFilter,
)
from .models import (
    Bloc,
    BlocMembership,
    Country,
    CountryLink,
    Organisation,
    Participant,
    ParticipantRole,
    Partnership,
    System,
    Tag,
    read_page_parts,
)

ARTICLES_PER_PAGE = 10
# The last page whose first article's place a database's integer holds.
LAST_ARTICLES_PAGE = (2**63 - 1) // ARTICLES_PER_PAGE
RECENT_PARTNERSHIPS = 10
# A tag's partnerships, up to this many, are found and then sorted (a
# sort of a few thousand rows takes a few milliseconds), not looked for
# down every partnership newest first: a tag's may all be old.
FEW_TO_SORT = 3000


def list_url(**params) -> str:
    """The partnership list, filtered by ``params``."""
    return f"{reverse('partnerships:partnership_list')}?{urlencode(params)}"


# --- The partnership list and its exports --------------------------------------


class PartnershipListView(FacetedListMixin, FilterView):
    filterset_class = PartnershipFilter
    template_name = "partnerships/partnership_list.html"
    results_template = "includes/partnership_results.html"
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


class PartnershipExportView(View):
    """The partnership list, with the same filters, as CSV or JSON (see
    ``exports.py``: values read a chunk at a time, within a time limit)."""

    format = "csv"

    def get(self, request):
        filterset = PartnershipFilter(
            request.GET, queryset=Partnership.objects.all(), request=request
        )
        if not filterset.is_valid():
            return _bad_filter_response(filterset)
        rows = exports.within_time_limit(
            exports.export_rows(
                filterset.qs,
                base_url=request.build_absolute_uri("/").rstrip("/"),
                lists_as_text=self.format == "csv",
            )
        )
        # The filters in the name, as far as they spell in ASCII ("中国"
        # does not: left out, not an empty part).
        filename = (
            "partnerships"
            + "".join(
                f"-{part}"
                for k, v in request.GET.items()
                if v and k != "page" and (part := slugify_name(v))
            )[:80]
        )
        if self.format == "json":
            response = StreamingHttpResponse(
                exports.json_lines(rows),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = f'inline; filename="{filename}.json"'
        else:
            response = StreamingHttpResponse(
                exports.buffered(exports.csv_lines(rows)),
                content_type="text/csv; charset=utf-8",
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


# --- Entity pages ---------------------------------------------------------------


class EntityArticlesMixin:
    """Adds the "articles on this" panel: the published articles that link
    this entity, newest first, paginated by ``?page=`` (as the articles app
    selects them)."""

    object: Any  # the record the page is about (DetailView's)
    request: HttpRequest

    def articles(self):
        return articles_on(self.object)

    def count_and_keys(self, number: int) -> tuple[int, list[int]]:
        """How many articles there are, and the keys of page ``number``'s,
        in one query (a count over all of them beside each of the page's);
        a page past the first with none (past the last) is counted on its
        own."""
        first = max(0, number - 1) * ARTICLES_PER_PAGE
        rows = list(
            self.articles()
            .annotate(total=Window(Count("pk")))
            # Newest first, by an expression the index on the publication
            # time cannot serve: counting every article beside the page's,
            # the database would else walk all of them newest first.
            .order_by(
                Coalesce("published_at", "published_at").desc(), *NEWEST_FIRST[1:]
            )
            .values_list("pk", "total")[first : first + ARTICLES_PER_PAGE]
        )
        if not rows:
            return (self.articles().count() if number > 1 else 0), []
        return rows[0][1], [key for key, _ in rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            number = int(self.request.GET.get("page", 1))
        except (TypeError, ValueError):
            raise Http404("No such page of articles.") from None
        if not 1 <= number <= LAST_ARTICLES_PAGE:  # asked of no database
            raise Http404("No such page of articles.")
        # How many there are, and the page's, found together and once per
        # version of the data (walking every article newest first until
        # enough of them link this was the page's slowest query); the
        # page's articles are then read by their keys.
        total, keys = kept_for_version(
            f"articles-on:{self.object._meta.label}:{self.object.pk}:{number}",
            partial(self.count_and_keys, number),
        )
        paginator = Paginator(self.articles(), ARTICLES_PER_PAGE)
        paginator.count = total
        try:
            page = paginator.page(number)
        except InvalidPage:
            raise Http404("No such page of articles.") from None
        page.object_list = self.articles().filter(pk__in=keys)
        context["articles_page"] = page
        context["article_cards"] = kept_article_cards(
            f"{self.object._meta.label}:{self.object.pk}:{number}", page.object_list
        )
        context["feed_url"] = f"{self.object.get_absolute_url()}feed/"
        return context


class EntityPartnershipsMixin:
    """Adds the actor's most recent partnerships and how many there are,
    with a link to all of them in the filtered list."""

    filter_name = ""
    object: Any  # the record the page is about (DetailView's)

    def partnerships(self):
        return Partnership.objects.involving(self.object)

    def partnership_total(self) -> int:
        # Counted once per version of the data, as the articles on it are.
        return kept_for_version(
            f"partnerships-of:{self.object._meta.label}:{self.object.pk}",
            lambda: self.partnerships().count(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnership_total"] = self.partnership_total()
        context.update(
            kept_partnership_rows(
                f"{self.object._meta.label}:{self.object.pk}",
                self.partnerships().for_lists()[:RECENT_PARTNERSHIPS],
            )
        )
        context["partnerships_url"] = list_url(**{self.filter_name: self.object.slug})
        return context


def kept_partnership_rows(name: str, partnerships) -> dict[str, Any]:
    """``partnership_rows``, the rows of these partnerships (a record's most
    recent, the featured ones) as a list shows them, and
    ``partnerships_shown``, how many: rendered once per version of the data
    (and day, as their statuses read from their dates) and kept for it
    under ``name``, which says which partnerships they are, as a list's
    rows are. A page served from them reads none of the partnerships or
    their participants."""

    def rendered() -> tuple[str, int]:
        rows = list(partnerships)
        html = render_to_string(
            "includes/partnership_rows.html", {"partnerships": rows}
        )
        return html, len(rows)

    # How many are shown is kept with them (a page then reads none of them).
    html, shown = kept_for_version(
        f"partnership-rows:{code_version()[0]}:{get_language()}:{name}", rendered
    )
    return {"partnership_rows": mark_safe(html), "partnerships_shown": shown}  # noqa: S308 - the template's own (escaped) output


class CanonicalAddressMixin:
    """A record's page at an address it answered to once, or that one of
    its other names reads as (``/countries/turkey/``), answers 301 to its
    address now (``/countries/turkiye/``), with the query string kept."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            slug = kwargs["slug"]
            model = self.model or self.get_queryset().model
            if model.objects.filter(slug=slug).exists():
                raise  # the page is there: the 404 was of something on it
            entity = model.objects.formerly_or_also_at(slug)
            if entity is None:
                raise
            url = entity.get_absolute_url()
            if request.GET:
                url = f"{url}?{request.GET.urlencode()}"
            return HttpResponsePermanentRedirect(url)


# --- The index of each kind --------------------------------------------------------


class RecordIndexView(FacetedListMixin, FilterView):
    """A kind's index: its records, most partnerships first, with their
    counts, faceted filters and pages (``templates/list_page.html``)."""

    template_name = "partnerships/record_index.html"
    results_template = "includes/record_index_results.html"
    context_object_name = "records"
    list_filters: tuple[str, ...] = ("q", "sort")
    lede = ""
    # Where a record's count of partnerships leads: the list, filtered by it.
    partnership_filter = ""

    def get_context_data(self, **kwargs):
        # Before the rows are rendered: they link each count to the list.
        kwargs.update(lede=self.lede, partnership_filter=self.partnership_filter)
        return super().get_context_data(**kwargs)


class CountryListView(RecordIndexView):
    filterset_class = CountryIndexFilter
    template_name = "partnerships/country_list.html"
    list_filters = ("q", "region", "status", "sort")
    partnership_filter = "country"

    def get_default_page_size(self) -> int:
        return PAGE_SIZES[-1]

    def get_queryset(self):
        return Country.objects.for_index()


class OrganisationListView(RecordIndexView):
    filterset_class = OrganisationIndexFilter
    list_filters = ("q", "kind", "country", "sort")
    lede = (
        "Companies, ministries, agencies and institutes that take part in the "
        "recorded partnerships or make the systems in them."
    )
    partnership_filter = "organisation"

    def get_queryset(self):
        return Organisation.objects.for_index()


class SystemListView(RecordIndexView):
    filterset_class = SystemIndexFilter
    list_filters = ("q", "category", "origin", "sort")
    lede = "Platforms and technologies: what the partnerships sell, build or share."
    partnership_filter = "system"

    def get_queryset(self):
        return System.objects.for_index()


class BlocListView(RecordIndexView):
    filterset_class = BlocIndexFilter
    list_filters = ("q", "kind", "sort")
    lede = "Alliances and organisations of states, with their members."
    partnership_filter = "bloc"

    def get_queryset(self):
        return Bloc.objects.for_index()


class TagListView(RecordIndexView):
    filterset_class = TagIndexFilter
    lede = "The topics partnerships and articles are filed under."
    partnership_filter = "tag"

    def get_queryset(self):
        return Tag.objects.for_index()


class CountryDetailView(
    CanonicalAddressMixin, EntityArticlesMixin, EntityPartnershipsMixin, DetailView
):
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

    @cached_property
    def by_role(self) -> dict[str, int]:
        # Counted, as the partners below, once per version of the data.
        return kept_for_version(
            f"country-roles:{self.object.pk}", self.object.partnerships_by_role
        )

    def partnership_total(self) -> int:
        return self.by_role["all"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        context["roles"] = [
            (value, label, self.by_role[value])
            for value, label in ParticipantRole.choices
            if self.by_role[value]
        ]
        partners = kept_for_version(
            f"country-partners:{country.pk}",
            lambda: list(
                CountryLink.objects.partners_of(country)[: charts.PARTNERS_SHOWN]
            ),
        )
        context["partners_chart"] = charts.partners_chart(country, partners)
        return context


class OrganisationDetailView(
    CanonicalAddressMixin, EntityArticlesMixin, EntityPartnershipsMixin, DetailView
):
    template_name = "partnerships/organisation_detail.html"
    context_object_name = "organisation"
    filter_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("home_country").prefetch_related(
            "aliases", Prefetch("systems", queryset=System.objects.order_by("name"))
        )


class SystemDetailView(
    CanonicalAddressMixin, EntityArticlesMixin, EntityPartnershipsMixin, DetailView
):
    template_name = "partnerships/system_detail.html"
    context_object_name = "system"
    filter_name = "system"

    def get_queryset(self):
        return System.objects.select_related("origin_country").prefetch_related(
            "aliases",
            Prefetch("makers", queryset=Organisation.objects.order_by("name")),
        )

    def partnerships(self):
        return Partnership.objects.with_system(self.object)


class BlocDetailView(
    CanonicalAddressMixin, EntityArticlesMixin, EntityPartnershipsMixin, DetailView
):
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


class PartnershipDetailView(CanonicalAddressMixin, EntityArticlesMixin, DetailView):
    template_name = "partnerships/partnership_detail.html"
    context_object_name = "partnership"

    def get_queryset(self):
        return Partnership.objects.with_status().prefetch_related("aliases")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Its participants, systems, sources and tags, rendered once per
        # version of the data and kept for it, as a list's rows are.
        context["record_sections"] = kept_rendering(
            f"partnership-sections:{self.object.pk}", self.sections
        )
        return context

    def sections(self) -> str:
        partnership = self.object
        read_page_parts(partnership)
        by_role: dict[str, list[Participant]] = {}
        for participant in partnership.participants.all():
            by_role.setdefault(participant.get_role_display(), []).append(participant)
        return render_to_string(
            "partnerships/partnership_sections.html",
            {
                "partnership": partnership,
                "participants_by_role": list(by_role.items()),
                "has_transfer_data": any(
                    line.has_transfer_data for line in partnership.system_lines.all()
                ),
            },
        )


class TagDetailView(EntityArticlesMixin, DetailView):
    template_name = "partnerships/tag_detail.html"
    context_object_name = "tag"
    model = Tag

    def articles(self):
        return articles_tagged(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = kept_for_version(
            f"partnerships-of:{self.object._meta.label}:{self.object.pk}",
            lambda: self.object.partnerships.all().count(),
        )
        context["partnership_total"] = total
        partnerships = Partnership.objects.for_lists().filter(tags=self.object)
        if total <= FEW_TO_SORT:
            partnerships = partnerships.newest_first_collected()
        context.update(
            kept_partnership_rows(
                f"{self.object._meta.label}:{self.object.pk}",
                partnerships[:RECENT_PARTNERSHIPS],
            )
        )
        context["partnerships_url"] = list_url(tag=self.object.slug)
        return context


# --- Pictures -------------------------------------------------------------------


class FilteredPictureMixin:
    """A picture of the partnerships the reader's filters select; unless the
    reader chose years (choosing none counts), the last ten years that hold
    records for the other filters, the full period one click away."""

    request: HttpRequest
    shown_filters: tuple[str, ...] = ()
    period_years = 10

    def filtered_partnerships(self):
        data = self.request.GET.copy()
        self.period = self.default_period(data)
        if self.period:
            data["year_from"] = str(self.period["first"])
            data["year_to"] = str(self.period["last"])
        filterset = PartnershipFilter(
            data or None, queryset=Partnership.objects.all(), request=self.request
        )
        valid = not filterset.is_bound or filterset.is_valid()
        self.filterset = filterset
        return filterset.qs if valid else Partnership.objects.none()

    def default_period(self, data) -> dict | None:
        if "year_from" in data or "year_to" in data:
            return None
        others = PartnershipFilter(
            data or None, queryset=Partnership.objects.all(), request=self.request
        )
        if others.is_bound and not others.is_valid():
            return None
        full = self.years_with_records(others)
        if full is None:
            return None
        last = min(full[1], timezone.now().year)
        first = last - self.period_years + 1
        if first <= full[0] and last >= full[1]:
            return None  # the whole period fits in ten years
        return {
            "first": first,
            "last": last,
            "full_first": full[0],
            "full_last": full[1],
        }

    def years_with_records(self, filterset) -> tuple[int, int] | None:
        """The first and last years the picture would show, for the
        reader's other filters (``filterset``, valid)."""
        span = filterset.qs.order_by().aggregate(
            earliest=Min("start_date"), latest=Max("start_date")
        )
        if span["latest"] is None:
            return None
        return span["earliest"].year, span["latest"].year

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["shown_filters"] = self.shown_filters_html()
        context["period"] = self.period
        return context

    def shown_filters_html(self) -> str:
        """The form's fields, rendered once per version of the data (their
        choices are the data's, the default years its first and last) and
        choice of filters, and kept for it; a form with errors is rendered
        each time."""
        filterset = self.filterset
        fields = [filterset.form[name] for name in self.shown_filters]

        chosen = sorted(
            (name, values)
            for name, values in self.request.GET.lists()
            if name in filterset.filters
        )
        return kept_rendering(
            f"picture-filters:{type(self).__qualname__}:{chosen!r}",
            partial(
                render_to_string,
                "includes/inline_filter_fields.html",
                {"fields": fields},
            ),
            keep=not (filterset.is_bound and filterset.form.errors),
        )


class NetworkView(FilteredPictureMixin, TemplateView):
    """The network, from the pre-aggregated table (``CountryLink``): by kind
    and years, the filters it offers (the others are not applied)."""

    template_name = "partnerships/network.html"
    shown_filters = ("kind", "year_from", "year_to")

    def get_context_data(self, **kwargs):
        self.filtered_partnerships()  # the form, checked
        context = super().get_context_data(**kwargs)
        links = self.links(self.filterset)
        if self.filterset.is_bound and not self.filterset.is_valid():
            # Nothing to draw (the form says why), and nothing kept: the
            # choices it read would name another network's key.
            context["network"], context["network_html"] = self.drawn(links)
            return context
        # Laid out and drawn once per version of the data and choice of
        # filters (and whether the period is the default one, which the
        # caption says), as a list's counts are.
        chosen = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        choice = [chosen.get(name) for name in self.shown_filters]
        context["network"], context["network_html"] = kept_for_version(
            f"network:{choice!r}:{bool(self.period)}", partial(self.drawn, links)
        )
        return context

    def drawn(self, links) -> tuple[charts.Network, str]:
        """The network of ``links``, and its figure and tables written: its
        hundreds of shapes and rows took most of the page's time."""
        network = charts.network(links)
        html = (
            render_to_string(
                "partnerships/network_chart.html",
                {"network": network, "period": self.period},
            )
            if network.layouts
            else ""
        )
        return network, html

    def years_with_records(self, filterset) -> tuple[int, int] | None:
        span = (
            self.links(filterset)
            .filter(country_a__isnull=True, year__isnull=False)
            .aggregate(earliest=Min("year"), latest=Max("year"))
        )
        if span["latest"] is None:
            return None
        return span["earliest"], span["latest"]

    @staticmethod
    def links(filterset):
        if filterset.is_bound and not filterset.is_valid():
            return CountryLink.objects.none()
        chosen = getattr(filterset.form, "cleaned_data", {})
        links = CountryLink.objects.all()
        if chosen.get("kind"):
            links = links.filter(kind=chosen["kind"])
        if chosen.get("year_from") is not None:
            links = links.filter(year__gte=chosen["year_from"])
        if chosen.get("year_to") is not None:
            links = links.filter(year__lte=chosen["year_to"])
        return links


class TimelineView(FilteredPictureMixin, TemplateView):
    template_name = "partnerships/timeline.html"
    shown_filters = ("country", "category", "year_from", "year_to")

    def get_context_data(self, **kwargs):
        partnerships = self.filtered_partnerships()
        context = super().get_context_data(**kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            # Nothing to draw, and nothing kept (as the network's).
            context["timeline"] = drawn_timeline(partnerships)
            return context
        # Counted, laid out and drawn once per version of the data and
        # choice of filters (every one the address gives, and the period
        # drawn), as the network is laid out.
        chosen = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        choice = sorted(
            (name, getattr(value, "pk", value)) for name, value in chosen.items()
        )
        context["timeline"] = kept_for_version(
            "timeline:" + repr(choice), lambda: drawn_timeline(partnerships)
        )
        return context


def drawn_timeline(partnerships) -> dict:
    """The timeline of ``partnerships`` (``charts.timeline``), with its
    figure and table written (``html``): a thousand coordinates and counts,
    more of the page's time than all the rest of it."""
    timeline = charts.timeline(partnerships)
    timeline["html"] = (
        render_to_string("partnerships/timeline_chart.html", {"timeline": timeline})
        if timeline["layouts"]
        else ""
    )
    return timeline
