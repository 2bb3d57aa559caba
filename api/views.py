"""The read API: every list and detail, read-only and public.

Lists are filtered by the same FilterSets as the public pages
(``partnerships.filters``, ``articles.filters``), paginated by cursor
(``pagination.py``), limited per client (``throttling.py``), and answer
conditional GETs (``conditional.py``). Articles are read only through
``Article.objects.published()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django_filters.filters import BaseCSVFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.filters import ArticleFilter
from articles.models import Article, ArticleEntityLink
from coopsite.collation import FoldedName
from datasets.models import DataIssue, IssueStatus
from partnerships.filters import (
    BlocFilter,
    CountryFilter,
    OrganisationFilter,
    PartnershipFilter,
    SystemFilter,
    TagFilter,
)
from partnerships.models import (
    Bloc,
    BlocMembership,
    Country,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    System,
    Tag,
)

from . import conditional, serializers
from .pagination import KeysetCursorPagination

FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Only these fields of each item, comma-separated: "
    "`fields=id,slug,name`. An unknown name is a 400.",
)
ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT, description="A parameter or its value is not valid."
    ),
    429: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Too many requests from this address; see `Retry-After`.",
    ),
}
NOT_FOUND = {404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such item.")}
NOT_MODIFIED = {
    304: OpenApiResponse(description="Not modified since the ETag or date sent."),
}


class PublicAPIMixin:
    """What every API view does: refuse parameters it does not know, and
    answer conditional GETs."""

    known_parameters: frozenset[str] = frozenset()
    conditional_get = True  # ETag and Last-Modified from the data's version

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # content type, throttling
        self.check_parameters(request)
        if self.conditional_get and request.method in ("GET", "HEAD"):
            extra, changed_at = self.validated_beside_the_data()
            self.validators = conditional.validators(
                request, extra=extra, changed_at=changed_at
            )
            conditional.check(request, *self.validators)

    def validated_beside_the_data(self) -> tuple[str, dt.datetime | None]:
        """What else than the data the answer shows, and when that changed
        (for its ETag and Last-Modified)."""
        return "", None

    def allowed_parameters(self) -> frozenset[str]:
        return self.known_parameters

    def check_parameters(self, request) -> None:
        allowed = self.allowed_parameters()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {
                    "detail": f"Unknown parameter(s): {', '.join(unknown)}. "
                    f"This address takes: {', '.join(sorted(allowed)) or 'none'}."
                }
            )
        repeated = sorted(
            name
            for name in request.query_params
            if len(request.query_params.getlist(name)) > 1
        )
        if repeated:
            # Only the last would count, silently.
            raise ValidationError(
                {
                    name: [
                        "Given more than once: give it once (a list of values, "
                        "where it takes one, separated by commas: sort=name,-start)."
                    ]
                    for name in repeated
                }
            )
        empty = sorted(
            name for name, value in request.query_params.items() if not value.strip()
        )
        if empty:
            raise ValidationError(
                {name: ["Give a value, or leave the parameter out."] for name in empty}
            )

    def handle_exception(self, exc):
        if isinstance(exc, conditional.NotModified):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200 and getattr(self, "validators", None):
            conditional.stamp(response, *self.validators)
            response.headers.setdefault("Cache-Control", "public, max-age=60")
        return response


class RecordViewSet(PublicAPIMixin, viewsets.ReadOnlyModelViewSet):
    """A list (filtered, by cursor) and a detail by slug."""

    lookup_field = "slug"
    pagination_class = KeysetCursorPagination
    # A–Z as the site's lists sort names: case and accents aside.
    ordering: tuple[Any, ...] = (FoldedName("name").asc(), "name")

    def allowed_parameters(self):
        allowed = {"fields"}
        if self.action == "list":
            allowed |= {"cursor", "page_size", *self.filterset_class.base_filters}
        return frozenset(allowed)

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        wanted = self.wanted_fields()
        if wanted:
            target = getattr(serializer, "child", serializer)
            for name in list(target.fields):
                if name not in wanted:
                    target.fields.pop(name)
        return serializer

    def wanted_fields(self) -> set[str] | None:
        raw = self.request.query_params.get("fields")
        if raw is None:
            return None
        if "" in (name.strip() for name in raw.split(",")):
            # As any comma-separated list ("sort=name,"): an empty item.
            raise ValidationError(
                {"fields": ["An empty item in a comma-separated list."]}
            )
        wanted = {name.strip() for name in raw.split(",")}
        known = set(self.get_serializer_class()().fields)
        if not wanted or wanted - known:
            raise ValidationError(
                {
                    "fields": [
                        f"Unknown field(s): {', '.join(sorted(wanted - known)) or '(none given)'}. "
                        f"Fields: {', '.join(sorted(known))}."
                    ]
                }
            )
        return wanted

    def check_parameters(self, request) -> None:
        super().check_parameters(request)
        self.wanted_fields()  # a bad `fields` is a 400 before any work
        if self.action == "list":
            # Lists of values ("sort=name,-start"): an empty item is a mistake.
            for name, field in self.filterset_class.base_filters.items():
                value = request.query_params.get(name)
                if (
                    isinstance(field, BaseCSVFilter)
                    and value
                    and "" in value.split(",")
                ):
                    raise ValidationError(
                        {name: ["An empty item in a comma-separated list."]}
                    )


def _documented(name: str, plural: str, serializer, detail_serializer=None):
    """The schema's words for a kind's list and detail."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {plural}",
            parameters=[FIELDS_PARAMETER],
            responses={200: serializer(many=True), **ERRORS, **NOT_MODIFIED},
        ),
        retrieve=extend_schema(
            summary=f"One {name}, by slug",
            parameters=[FIELDS_PARAMETER],
            responses={
                200: detail_serializer or serializer,
                **ERRORS,
                **NOT_FOUND,
                **NOT_MODIFIED,
            },
        ),
    )


@_documented("country", "countries", serializers.CountrySerializer)
class CountryViewSet(RecordViewSet):
    serializer_class = serializers.CountrySerializer
    filterset_class = CountryFilter

    def get_queryset(self):
        return Country.objects.prefetch_related(
            "aliases",
            "external_ids",
            Prefetch(
                "bloc_memberships",
                queryset=BlocMembership.objects.select_related("bloc").order_by(
                    "bloc__name"
                ),
            ),
        )


@_documented("bloc", "blocs", serializers.BlocSerializer)
class BlocViewSet(RecordViewSet):
    serializer_class = serializers.BlocSerializer
    filterset_class = BlocFilter

    def get_queryset(self):
        return Bloc.objects.prefetch_related(
            "aliases",
            "external_ids",
            Prefetch(
                "memberships",
                queryset=BlocMembership.objects.select_related("country").order_by(
                    "country__name"
                ),
            ),
        )


@_documented("organisation", "organisations", serializers.OrganisationSerializer)
class OrganisationViewSet(RecordViewSet):
    serializer_class = serializers.OrganisationSerializer
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return Organisation.objects.select_related("home_country").prefetch_related(
            "aliases", "external_ids"
        )


@_documented("system", "systems", serializers.SystemSerializer)
class SystemViewSet(RecordViewSet):
    serializer_class = serializers.SystemSerializer
    filterset_class = SystemFilter

    def get_queryset(self):
        return System.objects.select_related("origin_country").prefetch_related(
            "aliases",
            "external_ids",
            Prefetch("makers", queryset=Organisation.objects.order_by("name")),
        )


@_documented("partnership", "partnerships", serializers.PartnershipSerializer)
class PartnershipViewSet(RecordViewSet):
    """Partnerships, filtered exactly as the public list is."""

    serializer_class = serializers.PartnershipSerializer
    filterset_class = PartnershipFilter
    # The public list's order, ties and all ("-pk" last, as the model's).
    ordering = ("-start_date", "name", "-pk")  # Partnership.Meta.ordering

    def get_queryset(self):
        return Partnership.objects.with_status().prefetch_related(
            "aliases",
            "external_ids",
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related(
                    "country", "organisation", "bloc"
                ).order_by("role", "id"),
            ),
            Prefetch(
                "system_lines",
                queryset=PartnershipSystem.objects.select_related("system").order_by(
                    "system__name"
                ),
            ),
            "sources",
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch(
                "data_issues",
                queryset=DataIssue.objects.exclude(status=IssueStatus.GONE).order_by(
                    "field", "pk"
                ),
                to_attr="current_data_issues",
            ),
        )


@_documented("tag", "tags", serializers.TagSerializer)
class TagViewSet(RecordViewSet):
    serializer_class = serializers.TagSerializer
    filterset_class = TagFilter

    def get_queryset(self):
        return Tag.objects.all()


@_documented(
    "published article",
    "published articles",
    serializers.ArticleSerializer,
    serializers.ArticleDetailSerializer,
)
class ArticleViewSet(RecordViewSet):
    """Published articles only, whoever asks: ``Article.objects.published()``."""

    filterset_class = ArticleFilter
    ordering = ("-published_at",)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ArticleDetailSerializer
        return serializers.ArticleSerializer

    def get_queryset(self):
        articles = Article.objects.published().prefetch_related(
            "authors", Prefetch("tags", queryset=Tag.objects.order_by("name"))
        )
        if self.action == "retrieve":
            articles = articles.prefetch_related(
                Prefetch(
                    "entity_links",
                    queryset=ArticleEntityLink.objects.accepted()
                    .select_related("entity")
                    .order_by("-mention_count", "entity__name"),
                    to_attr="accepted_links",
                )
            )
        return articles

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except (Http404, NotFound):
            # An old address of a published article: send clients on.
            moved = Article.objects.published().formerly_at(kwargs["slug"]).first()
            if moved is None:
                raise
            url = reverse("api:article-detail", kwargs={"slug": moved.slug})
            if query := request.META.get("QUERY_STRING"):
                url = f"{url}?{query}"  # the fields asked for, at the new address
            return HttpResponsePermanentRedirect(request.build_absolute_uri(url))


class SnapshotShownMixin:
    """An answer that names the latest snapshot: a new snapshot is a new
    answer (one is written when statuses move too, with no write)."""

    def validated_beside_the_data(self) -> tuple[str, dt.datetime | None]:
        from .snapshots import latest_manifest

        manifest = latest_manifest()
        if manifest is None:
            return "", None
        return manifest.stamp, dt.datetime.fromisoformat(manifest.generated_at)


class RootView(SnapshotShownMixin, PublicAPIMixin, APIView):
    """Where everything is: each list, the schema, the docs, the downloads."""

    @extend_schema(
        summary="The API's index",
        responses={200: OpenApiTypes.OBJECT, **ERRORS, **NOT_MODIFIED},
    )
    def get(self, request):
        from .snapshots import latest_manifest

        def url(name, **kwargs):
            return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))

        manifest = latest_manifest()
        return Response(
            {
                "version": "1",
                "lists": {
                    name: url(f"{basename}-list")
                    for name, basename in [
                        ("articles", "article"),
                        ("partnerships", "partnership"),
                        ("countries", "country"),
                        ("blocs", "bloc"),
                        ("organisations", "organisation"),
                        ("systems", "system"),
                        ("tags", "tag"),
                    ]
                },
                "schema": url("schema"),
                "docs": url("docs"),
                "downloads": url("downloads"),
                "latest_snapshot": manifest.describe(request) if manifest else None,
            }
        )


@extend_schema(exclude=True)
class NotFoundView(PublicAPIMixin, APIView):
    """An address the API does not have."""

    conditional_get = False

    def check_parameters(self, request) -> None:
        pass

    def get(self, request, *args, **kwargs):
        raise NotFound("The API has no such address: see /api/v1/ for what it has.")
