"""The article list's text box over thousands of essays: the index is
read, not the articles; thousands of keys found are all listed, kept
packed in the shared cache (or looked up again when too many to keep); on
PostgreSQL the planner is told how many rows a common word leaves.

The essays (the shelf of tests/articles/test_text_filter.py and 2,000 more
without its word, indexed and analysed) are made once for this module's
tests, which only read them: each test runs in a savepoint on top of them.
"""

import contextlib
import datetime as dt
import pickle
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleStatus
from core.free_text import unpack_keys
from partnerships.models import Country
from search.indexing import index_articles
from tests.articles.test_text_filter import LIST, icontains_rule, make_shelf, titles
from tests.cache_calls import record_writes
from tests.plans import (
    assert_through_the_full_text_index,
    plans_of,
    queries_and_plans,
)
from tests.sharing import shared_content

pytestmark = [pytest.mark.django_db, pytest.mark.long(2)]


def _many_without_the_word() -> None:
    """2,000 more published essays, none with the word, in bulk and
    indexed: enough rows for the database to weigh its indexes."""
    now = timezone.now()
    essays = Article.objects.bulk_create(
        Article(
            title=f"Essay {n}",
            slug=f"essay-{n}",
            body="A treaty on fisheries.",
            status=ArticleStatus.PUBLISHED,
            published_at=now - dt.timedelta(minutes=n + 1),
        )
        for n in range(2000)
    )
    index_articles([essay.pk for essay in essays])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _shelf_and_many() -> dict:
    shelf = make_shelf(
        contextlib.nullcontext,  # what waits for the commit runs as it ends
        lambda alpha_2: Country.objects.get(alpha_2=alpha_2, is_former=False),
    )
    _many_without_the_word()
    return shelf


@pytest.fixture(scope="module")
def essays_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _shelf_and_many)


@pytest.fixture
def essays(essays_shared, db):
    """The shelf and 2,000 essays without its word (made once for this
    module, every test's changes rolled back)."""
    return essays_shared


def test_the_lookup_reads_the_full_text_index_not_the_articles(client, essays):
    plans = plans_of(lambda: client.get(LIST, {"q": "rearmament", "tag": "drones"}))
    of_the_index = [plan for plan in plans if "search_searchentry" in plan]
    assert len(of_the_index) == 1
    plan = of_the_index[0]
    assert_through_the_full_text_index(plan)
    if connection.vendor == "postgresql":
        assert "articles_article" not in plan, plan
    for other in plans:  # no plan matches text in an article's columns
        assert "~~" not in other, other
        assert " LIKE " not in other.upper(), other


def test_a_word_in_thousands_of_essays_finds_every_one(client, essays):
    # Thousands of keys found, most in unbroken runs (sent as ranges on
    # PostgreSQL): the same essays the word is in, with the other filters.
    response = client.get(LIST, {"q": "fisheries"})
    assert response.context["paginator"].count == len(icontains_rule("fisheries"))
    assert response.context["paginator"].count == 2001
    assert titles(client, q="fisheries", tag="drones") == {"Elsewhere"}


def searches(captured) -> int:
    return len([query for query in captured if "search_searchentry" in query["sql"]])


FILTER_FORM = '<form class="filter-form"'
ARTICLE_CARD = '<article class="card'


def test_a_common_word_costs_the_shared_cache_a_few_hundred_bytes(
    client, essays, kept_counts, monkeypatch
):
    written = record_writes(kept_counts, monkeypatch)
    response = client.get(LIST, {"q": "fisheries"})
    found = sorted(
        Article.objects.published()
        .filter(body__icontains="fisheries")
        .values_list("pk", flat=True)
    )
    assert response.context["paginator"].count == len(found) == 2001
    # The keys found are kept packed: read back, they are the ones found.
    (packed,) = [value for value in written if isinstance(value, bytes)]
    assert unpack_keys(packed) == found
    # Every entry the text filter wrote is small: the keys (as a list of
    # integers, 2001 of them took about 10 KB), the counts, the version.
    # (The filter form and the page's rows are kept too, rendered: the
    # page's own markup.)
    forms = [value for value in written if FILTER_FORM in str(value)]
    rows = [value for value in written if ARTICLE_CARD in str(value)]
    sizes = [len(pickle.dumps(value)) for value in written if value not in forms + rows]
    assert max(sizes) < 600, sizes
    assert len(forms) == len(rows) == 1
    # And the next request finds them there: the index is not asked again.
    with CaptureQueriesContext(connection) as again:
        response = client.get(LIST, {"q": "fisheries", "tag": "drones"})
    assert searches(again) == 0
    assert [a.title for a in response.context["articles"]] == ["Elsewhere"]


def test_keys_too_many_to_share_are_looked_up_again_and_still_answer(
    client, essays, kept_counts, monkeypatch, settings
):
    settings.COOPSITE_FOUND_KEYS_MAX_BYTES = 16
    written = record_writes(kept_counts, monkeypatch)
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"q": "fisheries", "tag": "drones"})
        # Asked once a request, for the page, its count and every facet.
        assert searches(captured) == 1
        assert [a.title for a in response.context["articles"]] == ["Elsewhere"]
    assert client.get(LIST, {"q": "fisheries"}).context["paginator"].count == 2001
    assert not [value for value in written if isinstance(value, bytes)]
    # A text with few keys is still kept.
    client.get(LIST, {"q": "baltic"})
    assert [value for value in written if isinstance(value, bytes)]


def estimated_rows_of_articles(plan: str) -> int:
    """The rows the planner expects its read of the articles to leave."""
    (line,) = [
        line for line in plan.splitlines() if re.search(r" on articles_article ", line)
    ]
    return int(re.search(r"rows=(\d+)", line).group(1))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's planner and estimates"
)
def test_a_word_in_nearly_every_essay_is_weighed_as_nearly_every_essay(client, essays):
    # 2,001 keys found (more than are listed key by key), a few missing
    # between the first and the last: the planner is told how many rows the
    # text leaves, so that with a topic it walks the newest essays rather
    # than sorting all of the topic's (a guess of 0.5% of the rows made it
    # sort 3,300 essays at 100,000; make bench-pages shows the times).
    found = len(icontains_rule("fisheries"))
    assert found == 2001
    page = [
        (sql, plan)
        for sql, plan in queries_and_plans(lambda: client.get(LIST, {"q": "fisheries"}))
        if "LIMIT" in sql and 'FROM "articles_article"' in sql
    ]
    (sql, plan), *_ = page
    assert "BETWEEN" in sql, sql
    assert "<@" not in sql, sql
    assert estimated_rows_of_articles(plan) >= found // 2, plan
