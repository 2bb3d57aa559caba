from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article
from partnerships.models import (
    Organisation,
    Participant,
    Partnership,
    PartnershipKind,
    System,
    Tag,
)

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Article.objects.count(),
        Partnership.objects.count(),
        Organisation.objects.count(),
        System.objects.count(),
        Participant.objects.count(),
        Tag.objects.count(),
    )


def test_demo_content_covers_every_kind_of_partnership_and_enough_articles(demo):
    assert Article.objects.published().count() >= 8
    records = Partnership.objects.count() + Organisation.objects.count()
    records += System.objects.count()
    assert records >= 40
    assert set(Partnership.objects.values_list("kind", flat=True)) == set(
        PartnershipKind.values
    )
    assert "Demo content loaded" in demo


def test_demo_content_shows_every_article_state(demo):
    assert Article.objects.scheduled().exists()
    assert Article.objects.filter(status="draft").exists()
    assert Article.objects.filter(status="review").exists()


def test_demo_partnerships_name_real_countries_and_link_to_systems(demo):
    poland_sale = Partnership.objects.get(slug="bayraktar-tb2-poland")
    assert {p.actor.name for p in poland_sale.participants.all()} == {
        "Türkiye",
        "Baykar",
        "Poland",
    }
    assert poland_sale.system_lines.get().quantity_ordered == 24
    assert str(poland_sale.start) == "24 May 2021"


def test_loading_the_demo_twice_changes_no_counts(demo):
    before = _counts()
    call_command("load_demo", stdout=StringIO())
    assert _counts() == before
