"""Multi-step writes on the records, each in one transaction."""

from django.db import transaction
from django.db.models import F, QuerySet
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
    tag.partnerships.add(*newly)  # one INSERT, and the m2m_changed signal
    Partnership.objects.filter(pk__in=[p.pk for p in newly]).update(
        updated_at=timezone.now(), edit_version=F("edit_version") + 1
    )
    return newly


@transaction.atomic
def partnerships_untag(
    *, partnerships: QuerySet[Partnership], tag: Tag
) -> list[Partnership]:
    """Remove ``tag`` from every partnership in ``partnerships`` that has it;
    returns those changed."""
    tagged = list(partnerships.filter(tags=tag))
    tag.partnerships.remove(*tagged)  # one DELETE, and the m2m_changed signal
    Partnership.objects.filter(pk__in=[p.pk for p in tagged]).update(
        updated_at=timezone.now(), edit_version=F("edit_version") + 1
    )
    return tagged
