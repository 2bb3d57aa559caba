from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_loading_the_demo_again_keeps_edits_and_writes_nothing(demo):
    """`make run` loads the demo every time: what a newcomer changed stays,
    no history is added and nothing is written (so the data keeps its
    version: no new snapshot); a demo record deleted comes back."""
    deal = Partnership.objects.get(slug="jf-17-azerbaijan")
    deal.summary = "My own words."
    deal.save()
    article = Article.objects.get(slug="the-k9-and-polands-rearmament")
    article.title = "My own title"
    article.save()
    Tag.objects.get(slug="local-production").delete()
    histories = deal.history.count()
    participants = sorted(Participant.objects.values_list("pk", flat=True))

    call_command("load_demo", stdout=StringIO())

    deal.refresh_from_db()
    article.refresh_from_db()
    assert (deal.summary, article.title) == ("My own words.", "My own title")
    assert deal.history.count() == histories
    assert sorted(Participant.objects.values_list("pk", flat=True)) == participants
    assert Tag.objects.filter(slug="local-production").exists()  # made again
    with CaptureQueriesContext(connection) as again:
        call_command("load_demo", stdout=StringIO())
    writes = [
        q["sql"]
        for q in again.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
