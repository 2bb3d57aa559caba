"""Multi-step writes on the records, each in one transaction."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Partnership, Tag


def tag_get_or_create(*, name: str) -> Tag:
    """The tag called ``name`` (case-insensitively), created if there is none."""
    name = " ".join(name.split())
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        tag = Tag.objects.create(name=name)
    return tag


@transaction.atomic
def partnerships_tag(
    *, partnerships: QuerySet[Partnership], tag: Tag
) -> list[Partnership]:
    """Tag every partnership in ``partnerships``; returns those newly tagged."""
    already = set(tag.partnerships.values_list("pk", flat=True))
    newly = [p for p in partnerships if p.pk not in already]
    Through = Partnership.tags.through
    Through.objects.bulk_create(
        [Through(partnership_id=p.pk, tag_id=tag.pk) for p in newly]
    )
    Partnership.objects.filter(pk__in=[p.pk for p in newly]).update(
        updated_at=timezone.now()
    )
    _reindex([p.pk for p in newly])
    return newly


@transaction.atomic
def partnerships_untag(
    *, partnerships: QuerySet[Partnership], tag: Tag
) -> list[Partnership]:
    """Remove ``tag`` from every partnership in ``partnerships`` that has it;
    returns those changed."""
    tagged = list(partnerships.filter(tags=tag))
    Partnership.tags.through.objects.filter(
        tag=tag, partnership__in=[p.pk for p in tagged]
    ).delete()
    Partnership.objects.filter(pk__in=[p.pk for p in tagged]).update(
        updated_at=timezone.now()
    )
    _reindex([p.pk for p in tagged])
    return tagged


def _reindex(ids: list[int]) -> None:
    """Tags are searchable: bulk tagging skips signals, so say so here."""
    from search.indexing import entities_changed

    entities_changed(ids)
