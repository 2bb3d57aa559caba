import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, ArticleStatus
from tests.factories import ArticleFactory, PublishedArticleFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_published_means_published_and_due():
    live = PublishedArticleFactory(published_at=NOW - dt.timedelta(minutes=1))
    PublishedArticleFactory(published_at=NOW + dt.timedelta(minutes=1))  # scheduled
    ArticleFactory(status=ArticleStatus.DRAFT)
    ArticleFactory(status=ArticleStatus.REVIEW)
    ArticleFactory(
        status=ArticleStatus.ARCHIVED, published_at=NOW - dt.timedelta(days=9)
    )
    assert list(Article.objects.published()) == [live]


def test_a_scheduled_article_becomes_public_when_its_time_comes():
    with time_machine.travel(NOW, tick=False):
        article = PublishedArticleFactory(published_at=NOW + dt.timedelta(hours=2))
        assert not Article.objects.published().exists()
        assert article.is_scheduled
        assert list(Article.objects.scheduled()) == [article]
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert list(Article.objects.published()) == [article]
        assert article.is_public


@time_machine.travel(NOW, tick=False)
def test_publishing_without_a_time_publishes_now():
    article = ArticleFactory(status=ArticleStatus.PUBLISHED, published_at=None)
    assert article.published_at == NOW


def test_the_database_refuses_a_published_article_without_a_time():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED)


def test_slugs_are_unique_and_made_from_the_title():
    first = Article.objects.create(title="Drones and Diplomacy", body="x")
    second = Article.objects.create(title="Drones and Diplomacy", body="y")
    assert (first.slug, second.slug) == (
        "drones-and-diplomacy",
        "drones-and-diplomacy-2",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(slug="drones-and-diplomacy")


def test_the_public_address_uses_the_slug():
    assert ArticleFactory(slug="tb2").get_absolute_url() == "/articles/tb2/"


def test_reading_time_rounds_up_to_whole_minutes():
    assert ArticleFactory(body="word " * 10).reading_time == 1
    assert ArticleFactory(body="word " * 231).reading_time == 2
    assert ArticleFactory(body="India's drones aren't hand-made.").word_count == 4


def test_the_body_is_rendered_from_markdown():
    article = ArticleFactory(
        body="## Exports\n\nThe **TB2** and [SIPRI](https://sipri.org)."
    )
    html = article.body_html
    assert "<h2>Exports</h2>" in html
    assert "<strong>TB2</strong>" in html
    assert 'href="https://sipri.org"' in html


def test_published_at_defaults_to_now_only_when_published():
    article = ArticleFactory(status=ArticleStatus.REVIEW)
    assert article.published_at is None
    article.status = ArticleStatus.PUBLISHED
    article.save()
    assert article.published_at <= timezone.now()
