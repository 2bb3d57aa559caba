"""What the API says about each kind of record and about articles.

Every item carries its stable ``id`` (an entity's id is shared by every
kind, and is the id articles link to) and its ``slug``, the address of its
API detail (``url``) and of its public page (``web_url``). References to
other records are compact (:class:`EntityRefSerializer`) and point on.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, ArticleEntityLink, LinkRole
from datasets.models import DataIssue, IssueReason, IssueStatus
from partnerships.dates import DatePrecision
from partnerships.models import (
    Bloc,
    BlocMembership,
    Country,
    EntityType,
    ExternalIdentifier,
    Organisation,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipStatus,
    PartnershipSystem,
    Source,
    System,
    SystemCategory,
    SystemCondition,
    Tag,
)

# The list a record's own filter answers: the partnerships it takes part in.
PARTNERSHIP_FILTERS = {
    EntityType.COUNTRY: "country",
    EntityType.ORGANISATION: "organisation",
    EntityType.BLOC: "bloc",
    EntityType.SYSTEM: "system",
}


def api_url(request, name: str, **params) -> str:
    """An absolute API address, with query ``params`` when given."""
    url = reverse(f"api:{name}", kwargs=params.pop("kwargs", None))
    if params:
        from django.utils.http import urlencode

        url = f"{url}?{urlencode(params)}"
    return request.build_absolute_uri(url) if request else url


def _url_field():
    return serializers.SerializerMethodField(help_text="This item in the API.")


def _web_url_field():
    return serializers.SerializerMethodField(help_text="Its public page.")


class LinksMixin:
    """``url`` (the API detail) and ``web_url`` (the public page); each
    serializer declares the two fields where it wants them."""

    api_name = ""
    context: dict

    def get_api_name(self, obj) -> str:
        return self.api_name

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return api_url(
            self.context.get("request"),
            f"{self.get_api_name(obj)}-detail",
            kwargs={"slug": obj.slug},
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_web_url(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class EntityRefSerializer(LinksMixin, serializers.Serializer):
    """A reference to a country, bloc, organisation, system or partnership."""

    id = serializers.IntegerField(source="pk")
    type = serializers.ChoiceField(choices=EntityType.choices, source="entity_type")
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = _url_field()
    web_url = _web_url_field()

    def get_api_name(self, obj) -> str:
        return obj.entity_type


class TagRefSerializer(LinksMixin, serializers.ModelSerializer):
    api_name = "tag"
    url = _url_field()
    web_url = _web_url_field()

    class Meta:
        model = Tag
        fields = ["id", "slug", "name", "url", "web_url"]


class ExternalIdSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExternalIdentifier
        fields = ["scheme", "value"]


class EntitySerializer(LinksMixin, serializers.ModelSerializer):
    """What every kind of record has: identity, names, stamps."""

    url = _url_field()
    web_url = _web_url_field()
    aliases = serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        read_only=True,
        help_text="Other names it goes by.",
    )
    external_ids = ExternalIdSerializer(
        many=True, read_only=True, help_text="Its ids in outside datasets."
    )
    partnerships_url = serializers.SerializerMethodField(
        help_text="The partnerships it takes part in."
    )
    articles_url = serializers.SerializerMethodField(
        help_text="The published articles that link it."
    )

    ENTITY_FIELDS = [
        "id",
        "slug",
        "name",
        "summary",
        "aliases",
        "external_ids",
        "url",
        "web_url",
        "partnerships_url",
        "articles_url",
        "created_at",
        "updated_at",
    ]

    def get_api_name(self, obj) -> str:
        return obj.entity_type

    @extend_schema_field(OpenApiTypes.URI)
    def get_partnerships_url(self, obj) -> str:
        name = PARTNERSHIP_FILTERS[obj.entity_type]
        return api_url(
            self.context.get("request"), "partnership-list", **{name: obj.slug}
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_articles_url(self, obj) -> str:
        return api_url(
            self.context.get("request"), "article-list", **{obj.entity_type: obj.slug}
        )


class MembershipSerializer(serializers.ModelSerializer):
    bloc = EntityRefSerializer(read_only=True)

    class Meta:
        model = BlocMembership
        fields = ["bloc", "joined", "left", "note"]


class MemberSerializer(serializers.ModelSerializer):
    country = EntityRefSerializer(read_only=True)

    class Meta:
        model = BlocMembership
        fields = ["country", "joined", "left", "note"]


class CountrySerializer(EntitySerializer):
    blocs = MembershipSerializer(
        source="bloc_memberships", many=True, read_only=True, help_text="Memberships."
    )

    class Meta:
        model = Country
        fields = [
            *EntitySerializer.ENTITY_FIELDS,
            "alpha_2",
            "alpha_3",
            "alpha_4",
            "numeric",
            "official_name",
            "region",
            "subregion",
            "demonym",
            "latitude",
            "longitude",
            "is_former",
            "existed_until",
            "blocs",
        ]


class BlocSerializer(EntitySerializer):
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Bloc
        fields = [
            *EntitySerializer.ENTITY_FIELDS,
            "abbreviation",
            "official_name",
            "founded",
            "website",
            "members",
        ]


class OrganisationSerializer(EntitySerializer):
    home_country = EntityRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [*EntitySerializer.ENTITY_FIELDS, "kind", "home_country", "website"]


class SystemSerializer(EntitySerializer):
    origin_country = EntityRefSerializer(read_only=True, allow_null=True)
    makers = EntityRefSerializer(many=True, read_only=True)

    class Meta:
        model = System
        fields = [
            *EntitySerializer.ENTITY_FIELDS,
            "category",
            "origin_country",
            "makers",
        ]


# --- Partnerships ------------------------------------------------------------------


class PartialDateSerializer(serializers.Serializer):
    """A date known to a year, a month or a day."""

    date = serializers.DateField(
        help_text="The first day of the period for a start, the last for an end."
    )
    precision = serializers.ChoiceField(choices=DatePrecision.choices)
    is_estimate = serializers.BooleanField()
    iso = serializers.CharField(
        help_text="Cut to its precision: 2017, 2017-03, 2017-03-12."
    )
    text = serializers.CharField(source="__str__", help_text="As a reader reads it.")


class ParticipantSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    actor = EntityRefSerializer(
        read_only=True, help_text="A country, organisation or bloc."
    )

    class Meta:
        model = Participant
        fields = ["role", "actor", "note"]


class SystemRefSerializer(EntityRefSerializer):
    category = serializers.ChoiceField(choices=SystemCategory.choices)

    class Meta:
        fields = ["id", "type", "slug", "name", "category", "url", "web_url"]


class PartnershipSystemSerializer(serializers.ModelSerializer):
    system = SystemRefSerializer(read_only=True)
    condition = serializers.ChoiceField(
        choices=[("", "Not recorded"), *SystemCondition.choices]
    )
    delivery_years = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        model = PartnershipSystem
        fields = [
            "system",
            "quantity_ordered",
            "quantity_ordered_is_estimate",
            "quantity_delivered",
            "quantity_delivered_is_estimate",
            "condition",
            "delivery_years",
            "delivery_years_are_estimates",
            "local_production",
            "tiv_per_unit",
            "tiv_order",
            "tiv_delivered",
            "note",
        ]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["title", "url", "publisher", "published_on", "accessed_on"]


class DataIssueSerializer(serializers.ModelSerializer):
    """A value the dataset's row got wrong: the record holds the best
    reading, this the source's value as given."""

    reason = serializers.ChoiceField(choices=IssueReason.choices)
    reason_label = serializers.CharField(source="get_reason_display")
    status = serializers.ChoiceField(
        choices=[c for c in IssueStatus.choices if c[0] != IssueStatus.GONE],
        help_text="open: not checked yet; resolved: a researcher checked the "
        "record against it.",
    )

    class Meta:
        model = DataIssue
        fields = [
            "dataset",
            "external_id",
            "field",
            "source_value",
            "reason",
            "reason_label",
            "status",
        ]


class PartnershipSerializer(EntitySerializer):
    status = serializers.ChoiceField(
        source="status_now",
        choices=PartnershipStatus.choices,
        read_only=True,
        help_text="Today's status: from the recorded one and the dates.",
    )
    start = PartialDateSerializer(read_only=True, allow_null=True)
    end = PartialDateSerializer(read_only=True, allow_null=True)
    period = serializers.CharField(read_only=True, help_text="As a list shows it.")
    participants = ParticipantSerializer(many=True, read_only=True)
    systems = PartnershipSystemSerializer(
        source="system_lines", many=True, read_only=True
    )
    sources = SourceSerializer(many=True, read_only=True)
    tags = TagRefSerializer(many=True, read_only=True)
    data_issues = DataIssueSerializer(
        source="current_data_issues",
        many=True,
        read_only=True,
        help_text="Values the source gives that could not be taken as they "
        "are (flagged by the import, kept verbatim here).",
    )

    class Meta:
        model = Partnership
        fields = [
            *(f for f in EntitySerializer.ENTITY_FIELDS if f != "partnerships_url"),
            "kind",
            "status",
            "start",
            "end",
            "period",
            "series",
            "location",
            "latitude",
            "longitude",
            "participants",
            "systems",
            "sources",
            "tags",
            "data_issues",
        ]


# --- Tags --------------------------------------------------------------------------


class TagSerializer(LinksMixin, serializers.ModelSerializer):
    api_name = "tag"
    url = _url_field()
    web_url = _web_url_field()
    partnerships_url = serializers.SerializerMethodField()
    articles_url = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "url",
            "web_url",
            "partnerships_url",
            "articles_url",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_partnerships_url(self, obj) -> str:
        return api_url(self.context.get("request"), "partnership-list", tag=obj.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_articles_url(self, obj) -> str:
        return api_url(self.context.get("request"), "article-list", tag=obj.slug)


# --- Articles ----------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    slug = serializers.CharField(
        source="author_slug", help_text="What the `author` filter takes."
    )
    name = serializers.CharField(source="byline_name")


class ArticleLinkSerializer(serializers.ModelSerializer):
    """An entity the article's editors confirmed it is about or mentions."""

    role = serializers.ChoiceField(choices=LinkRole.choices)
    entity = EntityRefSerializer(read_only=True)

    class Meta:
        model = ArticleEntityLink
        fields = ["role", "entity", "mention_count"]


class ArticleSerializer(LinksMixin, serializers.ModelSerializer):
    api_name = "article"
    url = _url_field()
    web_url = _web_url_field()
    authors = AuthorSerializer(many=True, read_only=True)
    tags = TagRefSerializer(many=True, read_only=True)
    reading_time = serializers.IntegerField(read_only=True, help_text="Minutes.")
    updated_at = serializers.DateTimeField(
        source="modified_at",
        read_only=True,
        help_text="Its last change as readers see it: its last save, or its "
        "publication if that came later (never before published_at).",
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "standfirst",
            "authors",
            "tags",
            "published_at",
            "updated_at",
            "reading_time",
            "url",
            "web_url",
        ]


class ArticleDetailSerializer(ArticleSerializer):
    body_markdown = serializers.CharField(source="body", read_only=True)
    body_html = serializers.CharField(
        read_only=True, help_text="Rendered from the Markdown and sanitised."
    )
    word_count = serializers.IntegerField(read_only=True)
    links = ArticleLinkSerializer(
        source="accepted_links",
        many=True,
        read_only=True,
        help_text="Records the editors confirmed it links, most mentioned first.",
    )

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields,
            "word_count",
            "body_markdown",
            "body_html",
            "links",
        ]
