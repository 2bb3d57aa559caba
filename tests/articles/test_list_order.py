"""Articles published at the same moment (an import, a schedule that comes
due, a batch of corrections) keep one order on every page: none is shown
twice or skipped when the reader turns the page, and the feed agrees."""

import pytest
import time_machine

from articles.models import Article
from tests.factories import PublishedArticleFactory


@pytest.fixture
def published_together(db):
    """Thirty articles published, and written, in the same instant; the
    first ten corrected since (which moves their rows in PostgreSQL's
    table, and so in any order the database does not have to keep)."""
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        articles = PublishedArticleFactory.create_batch(30)
    articles.sort(key=lambda article: article.pk)
    Article.objects.filter(pk__in=[a.pk for a in articles[:10]]).update(
        standfirst="Corrected."
    )
    return articles


def test_articles_that_tie_come_last_written_first_on_every_page(
    client, published_together
):
    shown = []
    for page in (1, 2):
        response = client.get(f"/articles/?page={page}")
        assert response.status_code == 200
        shown += [article.pk for article in response.context["page_obj"].object_list]
    assert shown == [article.pk for article in reversed(published_together)]


def test_the_feed_lists_articles_that_tie_in_the_lists_order(
    client, published_together
):
    feed = client.get("/feeds/articles/").content.decode()
    positions = [
        feed.index(article.get_absolute_url()) for article in published_together
    ]
    assert positions == sorted(positions, reverse=True)
