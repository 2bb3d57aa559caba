"""Readers follow links both ways: article → entity, entity → articles."""

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import ArticleEntityLink, LinkSource, LinkState
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    OrganisationFactory,
    PublishedArticleFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def link(article, entity, state=LinkState.ACCEPTED, **fields):
    return ArticleEntityLink.objects.create(
        article=article, entity=entity, state=state, **fields
    )


def test_the_first_mention_of_each_accepted_entity_is_linked(client, country):
    article = PublishedArticleFactory(
        body="Pakistan bought them. Pakistan flew them. Türkiye built them."
    )
    link(article, country("PK"))
    link(article, country("TR"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        html.count('<a class="entity-link" href="/countries/pakistan/">Pakistan</a>')
        == 1
    )
    assert '<a class="entity-link" href="/countries/turkiye/">Türkiye</a>' in html


def test_an_alias_in_the_text_is_linked_too(client):
    akinci = SystemFactory(name="Bayraktar Akıncı", slug="bayraktar-akinci")
    AliasFactory(entity=akinci, name="Akinci")
    article = PublishedArticleFactory(body="The AKINCI carries more.")
    link(article, akinci)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a class="entity-link" href="/systems/bayraktar-akinci/">AKINCI</a>' in html


def test_suggested_and_rejected_entities_are_not_linked(client, country):
    article = PublishedArticleFactory(body="Pakistan and Qatar.")
    link(article, country("PK"), state=LinkState.SUGGESTED)
    link(article, country("QA"), state=LinkState.REJECTED)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "entity-link" not in html
    assert "In this article" not in html


def test_no_link_inside_a_heading_an_existing_link_or_code(client, country):
    article = PublishedArticleFactory(
        body="## Pakistan at sea\n\n[Pakistan's navy](https://example.org) "
        "and `Pakistan` in code.\n\nThen Pakistan in prose."
    )
    link(article, country("PK"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<h2>Pakistan at sea</h2>" in html
    assert (
        '<a href="https://example.org" rel="noopener noreferrer">Pakistan\'s navy</a>'
        in html
    )
    assert "<code>Pakistan</code>" in html
    assert (
        'Then <a class="entity-link" href="/countries/pakistan/">Pakistan</a> in prose'
        in html
    )


def test_linked_entities_are_listed_beside_the_text_by_kind(client, country):
    baykar = OrganisationFactory(name="Baykar")
    tb2 = SystemFactory(name="Bayraktar TB2")
    article = PublishedArticleFactory(body="Prose.")
    for entity in (country("PL"), baykar, tb2, country("TR")):
        link(article, entity, source=LinkSource.MANUAL)
    response = client.get(article.get_absolute_url())
    groups = [
        (label, [e.name for e in entities])
        for label, entities in response.context["entity_groups"]
    ]
    assert groups == [
        ("Countries", ["Poland", "Türkiye"]),
        ("Organisations", ["Baykar"]),
        ("Systems", ["Bayraktar TB2"]),
    ]


def test_linking_text_keeps_the_page_safe(client):
    evil = OrganisationFactory(name="Evil <script>", slug="evil")
    article = PublishedArticleFactory(body="Beware Evil <script>alert(1)</script>.")
    link(article, evil)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html


# --- Entity → articles ------------------------------------------------------------


def test_an_entity_page_lists_the_published_articles_that_link_it_newest_first(
    client, country
):
    now = timezone.now()
    older = PublishedArticleFactory(
        title="Older essay", published_at=now - dt.timedelta(days=9)
    )
    newer = PublishedArticleFactory(
        title="Newer essay", published_at=now - dt.timedelta(days=1)
    )
    draft = ArticleFactory(title="Draft essay")
    scheduled = PublishedArticleFactory(
        title="Scheduled essay", published_at=now + dt.timedelta(days=1)
    )
    suggested_only = PublishedArticleFactory(title="Only suggested")
    for article in (older, newer, draft, scheduled):
        link(article, country("PK"))
    link(suggested_only, country("PK"), state=LinkState.SUGGESTED)
    response = client.get(country("PK").get_absolute_url())
    assert list(response.context["articles_page"]) == [newer, older]
    page = response.content.decode()
    for hidden in ("Draft essay", "Scheduled essay", "Only suggested"):
        assert hidden not in page


def test_entity_article_lists_are_paginated(client, country):
    articles = PublishedArticleFactory.create_batch(12)
    for article in articles:
        link(article, country("PK"))
    url = country("PK").get_absolute_url()
    assert len(client.get(url).context["articles_page"]) == 10
    assert len(client.get(url, {"page": 2}).context["articles_page"]) == 2
    assert client.get(url, {"page": 3}).status_code == 404
    for number in ("x", "0", "-1", "99999999999999999999", "-99999999999999999999"):
        assert client.get(url, {"page": number}).status_code == 404, number


def test_with_counts_kept_an_entitys_article_pages_follow_a_new_link(
    client, country, commit, kept_counts
):
    pakistan = country("PK")
    with commit():
        articles = [
            PublishedArticleFactory(
                published_at=timezone.now() - dt.timedelta(days=20 - n)
            )
            for n in range(12)
        ]
        for article in articles:
            link(article, pakistan)
    url = pakistan.get_absolute_url()

    def shown(page=1):
        response = client.get(url, {"page": page})
        return response.context["articles_page"].paginator.count, [
            a.pk for a in response.context["articles_page"]
        ]

    newest_first = [a.pk for a in reversed(articles)]
    for _ in range(2):  # counted and found, then kept
        assert shown() == (12, newest_first[:10])
        assert shown(2) == (12, newest_first[10:])
    for page in (0, 3, -1, "2.5"):
        assert client.get(url, {"page": page}).status_code == 404
    with commit():
        newer = PublishedArticleFactory()
        link(newer, pakistan)
    assert shown() == (13, [newer.pk, *newest_first[:9]])
    assert shown(2) == (13, newest_first[9:])


@pytest.mark.parametrize(
    "make",
    [
        lambda: OrganisationFactory(),
        lambda: SystemFactory(),
    ],
)
def test_every_kind_of_entity_page_lists_its_articles(client, make):
    entity = make()
    article = PublishedArticleFactory(title="Linked essay")
    link(article, entity)
    assert "Linked essay" in client.get(entity.get_absolute_url()).content.decode()


# --- Query counts do not grow with links -------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
def test_the_article_page_takes_the_same_queries_with_1_or_50_links(
    client, django_assert_num_queries, count
):
    article = PublishedArticleFactory(body="Prose with Entity 0 and Entity 1.")
    for index in range(count):
        entity = OrganisationFactory(name=f"Entity {index}")
        AliasFactory(entity=entity, name=f"E{index}")
        link(article, entity)
    # The first read makes what readers see and keeps it: the article, the
    # records it links, their aliases, authors, tags, keeping it
    with django_assert_num_queries(6):
        response = client.get(article.get_absolute_url())
    assert len(response.context["entity_groups"][0][1]) == count
    # Every later read: the article
    with django_assert_num_queries(1):
        response = client.get(article.get_absolute_url())
    assert len(response.context["entity_groups"][0][1]) == count
    assert response.content.count(b'class="entity-link"') == min(count, 2)


@pytest.mark.parametrize("count", [1, 50])
def test_an_entity_page_takes_the_same_queries_with_1_or_50_links(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory()
    for article in PublishedArticleFactory.create_batch(count):
        link(article, organisation)
    # organisation, systems, aliases, partnership count, partnerships (none),
    # articles: count with the page's keys, the page, authors
    with django_assert_num_queries(8):
        client.get(organisation.get_absolute_url())
