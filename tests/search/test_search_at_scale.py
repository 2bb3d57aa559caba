"""Search whose cost does not grow with the index: the full-text index and
the entry's own visibility do the work (the plan says so), and ranking,
highlighting and counting stop at a bounded number of matches."""

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from articles import services
from articles.models import ArticleEntityLink, LinkState
from partnerships.models import Entity
from search import backends
from search.backends import search
from search.models import SearchEntry
from tests.factories import (
    ArticleFactory,
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
)
from tests.plans import (
    assert_through_the_full_text_index,
    plans_of,
    queries_and_plans,
)

pytestmark = pytest.mark.django_db

WORDS = [
    "radar",
    "frigate",
    "export",
    "tank",
    "drone",
    "missile",
    "agreement",
    "budget",
    "navy",
    "army",
]


def bulk_entries(count: int, rare_every: int = 1000) -> None:
    """``count`` indexed records, in bulk: most say "drone", a few "zeppelin"."""
    rng = random.Random(4)
    # The shared rows only: an entry needs an entity, not its kind's own row.
    organisations = Entity.objects.bulk_create(
        [
            Entity(entity_type="organisation", name=f"Maker {n}", slug=f"maker-{n}")
            for n in range(count)
        ],
        batch_size=2000,
    )
    yesterday = timezone.now() - dt.timedelta(days=1)
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                entity_id=organisation.pk,
                kind="organisation",
                title=organisation.name,
                title_key=organisation.name.lower(),
                body=" ".join(rng.choice(WORDS) for _ in range(12))
                + (" zeppelin" if n % rare_every == 0 else ""),
                visible_from=yesterday,
            )
            for n, organisation in enumerate(organisations)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchentry")


def assert_read_through_the_index_alone(plans, unread):
    """A count, the candidates ranked, and a page of them: three plans,
    never a scan of the entries. The count and the candidates are found
    through the full-text index; the page reads its rows by their keys.
    ``unread`` (a table, and what may follow its name in a plan) appears in
    none."""
    assert len(plans) == 3
    *finding, ranking = plans
    for plan in finding:
        assert_through_the_full_text_index(plan)
    if connection.vendor == "postgresql":
        assert "search_searchentry_pkey" in ranking, ranking
    for plan in plans:
        if connection.vendor == "postgresql":
            assert "Seq Scan" not in plan, plan
        else:
            assert "SCAN search_searchentry " not in f"{plan} ", plan
        # Who may see an entry is on the entry: no article is read for it.
        assert unread not in f"{plan} ", plan


def test_a_rare_word_is_found_through_the_full_text_index_alone():
    size = 2000
    bulk_entries(size)
    query = search("zeppelin")
    plans = plans_of(lambda: (query.count_by_kind(), query.hits(0, 20)))
    assert_read_through_the_index_alone(plans, unread="articles_article")
    assert query.count_by_kind() == {"organisation": size // 1000}


def test_counts_stop_past_the_bound_and_pages_rank_only_the_candidates(
    monkeypatch, client
):
    monkeypatch.setattr(backends, "CANDIDATES", 50)
    bulk_entries(200)
    query = search("drone")
    assert query.count_by_kind() == {"organisation": 51}  # "more than 50"
    assert query.count() == 50
    assert query.is_capped
    assert len(query.hits(0, 100)) == 50
    page = client.get("/search/", {"q": "drone"}).content.decode()
    assert "More than 50 results" in page
    assert "Organisation (51+)" in page


def test_a_common_words_candidates_are_read_newest_first_and_no_further():
    # Nearly every entry says "drone": its candidates are the newest entries,
    # read in the order of the entries' own index until there are enough,
    # not every match found and then sorted (at 100,000 articles: 250 ms
    # for "defence" before the index, 30 ms with it).
    bulk_entries(2000)
    query = search("drone")
    [plan] = [
        plan
        for sql, plan in queries_and_plans(
            lambda: query.hits(0, 20), sorts_priced_out=True
        )
        if "ORDER BY m.visible_from DESC, m.id DESC LIMIT" in sql
    ]
    assert "search_entry_newest_first" in plan, plan
    assert len(query.hits(0, 20)) == 20


def test_an_entry_titled_as_the_query_is_a_candidate_however_old(monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 5)
    bulk_entries(40)
    old = SearchEntry.objects.get(title="Maker 7")
    old.body += " drone"
    old.visible_from = timezone.now() - dt.timedelta(days=3000)
    old.title_key = "maker 7"
    old.save()
    hits = search("maker 7").hits(0, 5)
    assert hits[0].entity_id == old.entity_id


def test_publishing_scheduling_and_unpublishing_move_the_entrys_visibility(
    commit, editor
):
    with commit():
        draft = ArticleFactory(title="Zeppelin notes", body="About a zeppelin.")
    assert SearchEntry.objects.get(article=draft).visible_from is None
    assert search("zeppelin").count() == 0

    later = timezone.now() + dt.timedelta(hours=2)
    with commit():
        services.article_publish(article=draft, user=editor, when=later)
    entry = SearchEntry.objects.get(article=draft)
    assert entry.visible_from == later
    assert search("zeppelin").count() == 0
    with time_machine.travel(later + dt.timedelta(seconds=1)):
        assert search("zeppelin").count() == 1

    with commit():
        services.article_unpublish(article=draft, user=editor)
    assert SearchEntry.objects.get(article=draft).visible_from is None
    assert search("zeppelin").count() == 0


def test_a_page_never_shows_an_article_that_is_not_published_even_if_its_entry_says_so(
    client, commit
):
    with commit():
        article = PublishedArticleFactory(title="Zeppelin history")
    type(article).objects.filter(pk=article.pk).update(status="draft")  # no reindex
    page = client.get("/search/", {"q": "zeppelin"}).content.decode()
    assert article.get_absolute_url() not in page


def test_a_query_that_names_an_entity_reads_the_links_through_their_indexes(
    country, commit
):
    bulk_entries(2000)
    turkiye = country("TR")
    with commit():
        linked = PublishedArticleFactory(title="A shipyard", body="Nothing named.")
        ArticleEntityLink.objects.create(
            article=linked, entity=turkiye, state=LinkState.ACCEPTED
        )
        deal = PartnershipFactory(name="Corvettes", summary="")
        ParticipantFactory(partnership=deal, country=turkiye, role="supplier")
    query = search("Turkey")
    assert query.named == (turkiye.pk,)
    plans = plans_of(lambda: (query.count_by_kind(), query.hits(0, 20)))
    # (The links to the named entity are read; the articles themselves not.)
    assert_read_through_the_index_alone(plans, unread="articles_article ")
    assert query.count_by_kind() == {"article": 1, "country": 1, "partnership": 1}
