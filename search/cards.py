"""The entities a query names, as the cards that head its results: what
each is, its other names, and how many partnerships and articles are linked
to it, in two queries however many there are."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from articles.models import Article, ArticleEntityLink, LinkState
from partnerships.models import (
    Alias,
    Entity,
    EntityType,
    Participant,
    PartnershipSystem,
)


@dataclass(frozen=True)
class Card:
    entity: Entity  # as its own kind: a Country, a System…
    aliases: list[Alias]
    partnership_total: int
    article_total: int

    @property
    def pk(self) -> int:
        return self.entity.pk


def _count_distinct(queryset, field: str):
    """How many distinct ``field`` values the rows of ``queryset`` hold, as
    a subquery (no GROUP BY)."""
    total = Func(
        F(field),
        function="COUNT",
        template="%(function)s(DISTINCT %(expressions)s)",
        output_field=IntegerField(),
    )
    return Coalesce(
        Subquery(queryset.order_by().annotate(total=total).values("total")[:1]),
        0,
    )


def named_entities(ids: tuple[int, ...]) -> list[Card]:
    """The cards of the entities ``ids``, in that order."""
    if not ids:
        return []
    entity = OuterRef("pk")
    kinds = [kind.value for kind in EntityType]
    rows = (
        Entity.objects.filter(pk__in=ids)
        .select_related(*kinds)
        .prefetch_related("aliases")
        .annotate(
            partnership_total=_count_distinct(
                Participant.objects.filter(
                    Q(country=entity) | Q(organisation=entity) | Q(bloc=entity)
                ),
                "partnership_id",
            )
            + _count_distinct(
                PartnershipSystem.objects.filter(system=entity), "partnership_id"
            ),
            article_total=_count_distinct(
                ArticleEntityLink.objects.filter(
                    entity=entity,
                    state=LinkState.ACCEPTED,
                    article__in=Article.objects.published(),
                ),
                "article_id",
            ),
        )
    )
    by_id = {row.pk: row for row in rows}
    return [
        Card(
            entity=row.specific,
            aliases=list(row.aliases.all()),
            partnership_total=row.partnership_total,
            article_total=row.article_total,
        )
        for pk in ids
        if (row := by_id.get(pk)) is not None
    ]
