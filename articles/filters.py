"""Filters for the public article list."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Count

from coopsite.collation import FoldedName
from coopsite.filtering import (
    FacetedFilterSet,
    IndexedTextFilter,
    StableOrderingFilter,
)
from partnerships.models import (
    Bloc,
    Country,
    EntityType,
    Organisation,
    Partnership,
    PartnershipKind,
    System,
    Tag,
)

from .models import Article, ArticleEntityLink, LinkState

# A country select in the order readers read names (Côte d'Ivoire among the
# C's, Åland among the A's: coopsite.collation).
COUNTRIES_A_TO_Z = Country.objects.order_by(FoldedName("name"), "name")

# The link table holds one row per article and entity
# (``article_entity_link_once``), and the tag and author tables one per
# article and tag or author: a choice's articles are counted as its rows,
# grouped by the choice, not as distinct articles (which PostgreSQL does by
# sorting every row: at 100,000 articles with 20 links each, seconds a facet).


def _linked_rows(queryset, entity_types):
    """The accepted links of the articles of ``queryset`` to entities of
    ``entity_types``, counted by entity (one pass over the links)."""
    return (
        ArticleEntityLink.objects.filter(
            article__in=queryset.values("pk"),
            state=LinkState.ACCEPTED,
            entity__entity_type__in=entity_types,
        )
        .values("entity__entity_type", "entity__slug", "entity__name")
        .annotate(total=Count("pk"))
        .order_by("entity__name", "entity__slug")
    )


def _linked_counts(entity_type: str):
    def count(queryset):
        return [
            (r["entity__slug"], r["entity__name"], r["total"])
            for r in _linked_rows(queryset, [entity_type])
        ]

    return count


# The facets of what an article is linked to, by the entities' type.
LINKED_FACETS = {
    "country": EntityType.COUNTRY,
    "organisation": EntityType.ORGANISATION,
    "system": EntityType.SYSTEM,
}


def _linked_counts_together(queryset) -> dict[str, list[tuple[str, str, int]]]:
    """Every linked facet's counts, in one pass over the links (when the
    reader chose none of them, they count the same articles)."""
    facet_of = {entity_type: name for name, entity_type in LINKED_FACETS.items()}
    counts: dict[str, list[tuple[str, str, int]]] = {name: [] for name in LINKED_FACETS}
    for r in _linked_rows(queryset, list(facet_of)):
        counts[facet_of[r["entity__entity_type"]]].append(
            (r["entity__slug"], r["entity__name"], r["total"])
        )
    return counts


def _kind_counts(queryset):
    # Articles, not links, by kind: an article may link two deals of a kind.
    # Read from the partnerships' table itself, so that only the links to
    # partnerships are joined (through the entities, every link was).
    labels = dict(PartnershipKind.choices)
    rows = (
        Partnership.objects.filter(
            article_links__article__in=queryset.values("pk"),
            article_links__state=LinkState.ACCEPTED,
        )
        .values("kind")
        .annotate(total=Count("article_links__article", distinct=True))
        .order_by()
    )
    totals = {r["kind"]: r["total"] for r in rows}
    return [
        (value, labels[value], totals[value]) for value in labels if value in totals
    ]


def _tag_counts(queryset):
    return list(
        Tag.objects.filter(articles__in=queryset.values("pk"))
        .annotate(total=Count("articles"))
        .order_by("name")
        .values_list("slug", "name", "total")
    )


def _author_counts(queryset):
    rows = (
        get_user_model()
        .objects.filter(articles__in=queryset.values("pk"))
        .annotate(total=Count("articles"))
        .order_by("last_name", "first_name", "username")
    )
    return [(user.author_slug, user.byline_name, user.total) for user in rows]


# Filters by what an article is linked to, tagged with or written by are
# semi-joins (``pk IN (…)``), not joins: the list stays one row per article,
# so it needs no DISTINCT over every column (at 100,000 articles a tag and a
# text made the page's query a sort of every match).


def _among(queryset, rows):
    """The articles of ``queryset`` named by ``rows``' ``article_id``."""
    return queryset.filter(pk__in=rows.values("article_id"))


def _linked(queryset, entity):
    return _among(
        queryset,
        ArticleEntityLink.objects.filter(entity=entity, state=LinkState.ACCEPTED),
    )


class ArticleFilter(FacetedFilterSet):
    q = IndexedTextFilter()
    country = django_filters.ModelChoiceFilter(
        queryset=COUNTRIES_A_TO_Z,
        to_field_name="slug",
        field_name="entity_links__entity",
        method="filter_linked",
        label="Country",
        empty_label="Any country",
    )
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        field_name="entity_links__entity",
        method="filter_linked",
        label="Organisation",
        empty_label="Any organisation",
    )
    system = django_filters.ModelChoiceFilter(
        queryset=System.objects.all(),
        to_field_name="slug",
        field_name="entity_links__entity",
        method="filter_linked",
        label="System",
        empty_label="Any system",
    )
    # Linked from a bloc's or a partnership's page (and the API's records).
    bloc = django_filters.ModelChoiceFilter(
        queryset=Bloc.objects.all(),
        to_field_name="slug",
        field_name="entity_links__entity",
        method="filter_linked",
        label="Bloc",
    )
    partnership = django_filters.ModelChoiceFilter(
        queryset=Partnership.objects.all(),
        to_field_name="slug",
        field_name="entity_links__entity",
        method="filter_linked",
        label="Partnership",
    )
    kind = django_filters.ChoiceFilter(
        choices=PartnershipKind.choices,
        method="filter_kind",
        label="Partnership kind",
        empty_label="Any kind",
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(),
        to_field_name="slug",
        field_name="tags",
        method="filter_tag",
        label="Topic",
        empty_label="Any topic",
    )
    author = django_filters.ModelChoiceFilter(
        # Only bylines: a username, or someone who published nothing, is
        # not confirmed to exist. (django-filter takes a callable of the
        # request; its stubs know only querysets.)
        queryset=lambda request: (  # type: ignore[arg-type]
            get_user_model()
            .objects.filter(articles__in=Article.objects.published())
            .distinct()
        ),
        to_field_name="author_slug",
        field_name="authors",
        method="filter_author",
        label="Author",
        empty_label="Any author",
    )
    published_after = django_filters.DateFilter(
        field_name="published_at__date", lookup_expr="gte", label="Published from"
    )
    published_before = django_filters.DateFilter(
        field_name="published_at__date", lookup_expr="lte", label="Published until"
    )
    sort = StableOrderingFilter(
        fields=(("published_at", "published"), ("title", "title")),
        field_labels={
            "-published": "Newest first",
            "published": "Oldest first",
            "title": "Title, A–Z",
            "-title": "Title, Z–A",
        },
        label="Sort",
        default="-published",
    )

    facets = {
        **{name: _linked_counts(type_) for name, type_ in LINKED_FACETS.items()},
        "kind": _kind_counts,
        "tag": _tag_counts,
        "author": _author_counts,
    }
    facet_groups = {tuple(LINKED_FACETS): _linked_counts_together}

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_linked(self, queryset, name, entity):
        return _linked(queryset, entity)

    def filter_kind(self, queryset, name, kind):
        return _among(
            queryset,
            ArticleEntityLink.objects.filter(
                state=LinkState.ACCEPTED, entity__partnership__kind=kind
            ),
        )

    def filter_tag(self, queryset, name, tag):
        return _among(queryset, Article.tags.through.objects.filter(tag=tag))

    def filter_author(self, queryset, name, author):
        return _among(queryset, Article.authors.through.objects.filter(user=author))
