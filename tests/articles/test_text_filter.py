"""The article list's text box (``/articles/?q=…``): it finds what the
site's search finds, through the search index, once a request, with every
other filter and the facets as they are, and never a draft."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleEntityLink, ArticleStatus, LinkState
from tests.factories import (
    ArticleFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(2)]
LIST = "/articles/"


def titles(client, **params) -> set[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {article.title for article in response.context["articles"]}


def choices(response, name: str) -> dict[str, str]:
    """A facet's choices as the reader sees them: value → "Label (count)"."""
    field = response.context["filter"].form.fields[name]
    return {str(value): label for value, label in field.widget.choices if value}


@pytest.fixture
def shelf(commit, country):
    """Published essays with a word in their title, their standfirst or
    their body, one without it, one with a longer form of it, and drafts
    and a scheduled essay with it; linked and tagged, indexed as saved."""
    return make_shelf(commit, country)


def make_shelf(commit, country):
    """The ``shelf``: ``commit`` runs what a commit would (the indexing),
    ``country`` finds a country by code."""
    drones = TagFactory(name="Drones", slug="drones")
    exports = TagFactory(name="Exports", slug="exports")
    with commit():
        essays = {
            "title": PublishedArticleFactory(
                title="Rearmament in the Baltic",
                standfirst="Three ministries.",
                body="A plain account.",
                tags=[drones],
            ),
            "standfirst": PublishedArticleFactory(
                title="A quiet year",
                standfirst="Rearmament, slowly.",
                body="Nothing else.",
                tags=[exports],
            ),
            "body": PublishedArticleFactory(
                title="Budgets",
                standfirst="Numbers.",
                body="The *rearmament* of the fleet, in [figures](/x/).",
                tags=[drones],
            ),
            "longer": PublishedArticleFactory(
                title="Fences",
                standfirst="On walls.",
                body="Coastal defences were rebuilt.",
            ),
            "without": PublishedArticleFactory(
                title="Elsewhere",
                standfirst="Quiet.",
                body="A treaty on fisheries.",
                tags=[drones],
            ),
            "draft": ArticleFactory(title="Rearmament draft", body="rearmament"),
            "review": ArticleFactory(
                title="Rearmament in review", status=ArticleStatus.REVIEW
            ),
            "scheduled": PublishedArticleFactory(
                title="Rearmament to come",
                published_at=timezone.now() + dt.timedelta(days=2),
            ),
        }
    for essay in (essays["title"], essays["without"]):
        ArticleEntityLink.objects.create(
            article=essay, entity=country("PL"), state=LinkState.ACCEPTED
        )
    return essays


def icontains_rule(word: str) -> set[str]:
    """What the list found before it read the index: the word anywhere in
    a published article's title, standfirst or body."""
    return set(
        Article.objects.published()
        .filter(
            Q(title__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(body__icontains=word)
        )
        .values_list("title", flat=True)
    )


@pytest.mark.parametrize("word", ["rearmament", "Rearmament", "REARMAMENT", "treaty"])
def test_an_ordinary_word_finds_the_same_published_articles_as_before(
    client, shelf, word
):
    found = titles(client, q=word)
    assert found == icontains_rule(word)
    assert found  # the word is in some essay: the rule is not trivially met


def test_a_word_is_found_in_the_title_the_standfirst_and_the_body(client, shelf):
    assert titles(client, q="rearmament") == {
        "Rearmament in the Baltic",
        "A quiet year",
        "Budgets",
    }


def test_never_a_draft_an_essay_in_review_or_one_not_yet_published(client, shelf):
    found = titles(client, q="rearmament")
    for unpublished in ("draft", "review", "scheduled"):
        assert shelf[unpublished].title not in found
    body = client.get(LIST, {"q": "rearmament"}).content.decode()
    for unpublished in ("draft", "review", "scheduled"):
        assert shelf[unpublished].get_absolute_url() not in body


def test_a_word_finds_its_other_forms_and_longer_words_it_starts_not_fragments(
    client, shelf
):
    # Stemmed, as the search box: "defence" finds "defences"; the start of
    # a word finds the word.
    assert titles(client, q="defence") == {"Fences"}
    assert titles(client, q="rearm") == titles(client, q="rearmament")
    # A fragment inside a word finds nothing (icontains found "Fences").
    assert titles(client, q="ence") == set()


def test_every_word_must_be_found(client, shelf):
    assert titles(client, q="rearmament baltic") == {"Rearmament in the Baltic"}
    assert titles(client, q="rearmament fisheries") == set()


def test_the_text_keeps_every_other_filter(client, shelf):
    assert titles(client, q="rearmament", tag="drones") == {
        "Rearmament in the Baltic",
        "Budgets",
    }
    assert titles(client, q="rearmament", country="poland") == {
        "Rearmament in the Baltic"
    }
    assert titles(client, q="rearmament", tag="exports", country="poland") == set()


def test_the_facets_count_what_the_text_finds(client, shelf):
    response = client.get(LIST, {"q": "rearmament"})
    assert choices(response, "tag") == {
        "drones": "Drones (2)",
        "exports": "Exports (1)",
    }
    assert choices(response, "country") == {"poland": "Poland (1)"}
    without_text = client.get(LIST)
    assert choices(without_text, "tag")["drones"] == "Drones (3)"
    assert choices(without_text, "country") == {"poland": "Poland (2)"}


def test_a_text_with_no_word_in_it_finds_nothing_and_says_so(client, shelf):
    response = client.get(LIST, {"q": "!!! ***"})
    assert response.status_code == 200
    assert list(response.context["articles"]) == []


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "a* OR b",
        "NEAR(rearmament baltic)",
        "rearmament:*",
        "title : rearmament",
        "-rearmament",
        "rearmament & | ! ( )",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "ä" * 199,
        "𝔯𝔢𝔞𝔯𝔪",
        "rearmament\u200b",
        "x" * 201,
    ],
)
def test_a_hostile_or_odd_text_gets_a_normal_page(client, shelf, text):
    response = client.get(LIST, {"q": text})
    assert response.status_code == 200
    assert b"<script>alert(1)</script>" not in response.content


def test_the_index_is_read_once_a_request_and_no_body_is_scanned(
    client, shelf, django_assert_num_queries
):
    # The detector's names, read once a process (as a server has them).
    client.get(LIST, {"q": "rearmament"})
    with CaptureQueriesContext(connection) as without_text:
        client.get(LIST, {"tag": "drones"})
    # The topic chosen; the detector's version (is its list of names
    # current?) and the one lookup in the index; then, as without the text,
    # the count, the facets (six, the three linked ones in one query), the
    # page and its authors: each filters by the keys the lookup found.
    with django_assert_num_queries(10) as with_text:
        client.get(LIST, {"tag": "drones", "q": "rearmament"})
    assert len(with_text) == len(without_text) + 2
    reads = [query["sql"] for query in with_text]
    assert len([sql for sql in reads if "search_searchentry" in sql]) == 1
    by_keys = "= ANY(" if connection.vendor == "postgresql" else "json_each("
    facets = len(response_facets(client))
    assert len([sql for sql in reads if by_keys in sql]) == 2 + facets
    for sql in reads:
        assert not re.search(r"\bLIKE\b", sql, re.IGNORECASE), sql


def response_facets(client) -> list[str]:
    """The facets' queries: one each, or one for a group none is chosen in."""
    filterset = client.get(LIST).context["filter"]
    grouped = {name for names in filterset.facet_groups for name in names[1:]}
    return [name for name in filterset.facets if name not in grouped]


def test_a_word_in_an_essay_saved_since_is_found_at_once(client, shelf, commit):
    assert titles(client, q="zeppelin") == set()
    with commit():
        PublishedArticleFactory(title="Airships", body="A zeppelin over the fleet.")
    assert titles(client, q="zeppelin") == {"Airships"}


def test_an_essay_linked_twice_to_what_a_filter_asks_for_is_listed_once(
    client, shelf, country
):
    essay = shelf["title"]
    for deal in PartnershipFactory.create_batch(2, kind="export"):
        ArticleEntityLink.objects.create(
            article=essay, entity=deal, state=LinkState.ACCEPTED
        )
    response = client.get(LIST, {"q": "rearmament", "kind": "export"})
    assert [a.title for a in response.context["articles"]] == [essay.title]
    assert response.context["paginator"].count == 1
    assert choices(response, "kind")["export"].endswith("(1)")


def counts(captured) -> int:
    return len([query for query in captured if "COUNT(" in query["sql"].upper()])


def test_a_list_is_counted_once_per_version_of_the_data(
    client, shelf, kept_counts, commit
):
    first = client.get(LIST, {"q": "rearmament", "tag": "drones"})
    assert first.context["paginator"].count == 2
    with CaptureQueriesContext(connection) as again:
        second = client.get(LIST, {"q": "rearmament", "tag": "drones"})
    assert counts(again) == 0
    assert second.context["paginator"].count == 2
    assert b">2 articles</h2>" in second.content
    # Another filter set is counted for itself.
    assert client.get(LIST, {"q": "rearmament"}).context["paginator"].count == 3


def test_a_published_essay_is_counted_on_the_next_request(
    client, shelf, kept_counts, commit
):
    assert b">3 articles</h2>" in client.get(LIST, {"q": "rearmament"}).content
    with commit():
        PublishedArticleFactory(title="Rearmament, again", body="More of it.")
    response = client.get(LIST, {"q": "rearmament"})
    assert response.context["paginator"].count == 4
    assert b">4 articles</h2>" in response.content
    with commit():  # and one archived
        shelf["body"].status = ArticleStatus.ARCHIVED
        shelf["body"].save()
    assert client.get(LIST, {"q": "rearmament"}).context["paginator"].count == 3
