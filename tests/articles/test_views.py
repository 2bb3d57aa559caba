import datetime as dt
import json
import re
from xml.etree import ElementTree

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleStatus
from tests.factories import (
    ArticleEntityLinkFactory,
    ArticleFactory,
    OrganisationFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_home_lists_published_articles_newest_first(client):
    older = PublishedArticleFactory(
        title="Older essay", published_at=timezone.now() - dt.timedelta(days=3)
    )
    newer = PublishedArticleFactory(title="Newer essay")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert list(response.context["articles"]) == [newer, older]


@pytest.mark.parametrize(
    "make",
    [
        lambda: ArticleFactory(title="Secret draft", status=ArticleStatus.DRAFT),
        lambda: ArticleFactory(title="Secret draft", status=ArticleStatus.REVIEW),
        lambda: ArticleFactory(
            title="Secret draft",
            status=ArticleStatus.ARCHIVED,
            published_at=timezone.now() - dt.timedelta(days=30),
        ),
        lambda: PublishedArticleFactory(
            title="Secret draft", published_at=timezone.now() + dt.timedelta(hours=1)
        ),
    ],
    ids=["draft", "review", "archived", "scheduled"],
)
def test_a_reader_never_sees_an_article_that_is_not_public(client, make):
    article = make()
    page = client.get(article.get_absolute_url())
    # Withdrawn after it was public: gone on purpose; else no page at all.
    gone = article.status == ArticleStatus.ARCHIVED
    assert page.status_code == (410 if gone else 404)
    assert "Secret draft" not in page.content.decode()
    for url in (reverse("home"), reverse("articles:list")):
        assert "Secret draft" not in client.get(url).content.decode()


def test_a_published_article_shows_its_title_authors_and_body(client):
    author = UserFactory(first_name="Leyla", last_name="Aydın")
    article = PublishedArticleFactory(
        title="How the TB2 redrew the map",
        body="## Customers\n\nQatar was **first**.",
        authors=[author],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>How the TB2 redrew the map</h1>" in page
    assert "Leyla Aydın" in page
    assert "<h2>Customers</h2>" in page
    assert "<strong>first</strong>" in page


def test_a_body_cannot_inject_script_into_the_public_page(client):
    article = PublishedArticleFactory(body='<script>alert("x")</script>')
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<script>alert("x")</script>' not in page


def test_the_article_list_paginates_and_rejects_bad_pages(client, settings):
    PublishedArticleFactory.create_batch(settings.COOPSITE_ARTICLES_PER_PAGE + 1)
    first = client.get(reverse("articles:list"))
    assert len(first.context["articles"]) == settings.COOPSITE_ARTICLES_PER_PAGE
    assert client.get(reverse("articles:list"), {"page": 2}).status_code == 200
    # A page past the end: the last one (a shared address of a list that
    # has shrunk since).
    past = client.get(reverse("articles:list"), {"page": 99})
    assert (past.status_code, past.url) == (302, f"{reverse('articles:list')}?page=2")
    assert client.get(reverse("articles:list"), {"page": "abc"}).status_code == 404


def test_public_pages_send_a_content_security_policy(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("count", [1, 25])
def test_article_pages_take_the_same_queries_whatever_the_number_of_authors(
    client, django_assert_num_queries, count
):
    article = PublishedArticleFactory(authors=UserFactory.create_batch(count))
    # The first read makes what readers see and keeps it: the article, the
    # records it links (none, so no aliases), authors, tags, keeping it
    with django_assert_num_queries(5):
        client.get(article.get_absolute_url())
    # Every later read: the article
    with django_assert_num_queries(1):
        client.get(article.get_absolute_url())


@pytest.mark.parametrize("count", [2, 20])
def test_the_article_list_takes_the_same_queries_whatever_its_length(
    client, django_assert_num_queries, count
):
    authors = UserFactory.create_batch(2)
    PublishedArticleFactory.create_batch(count, authors=authors)
    # count, page, authors, and the facets: country, organisation and system
    # in one query (none chosen), kind, tag, author
    with django_assert_num_queries(7):
        client.get(reverse("articles:list"))


def facet_choices(client, **params) -> dict[str, dict[str, str]]:
    response = client.get(reverse("articles:list"), params)
    fields = response.context["filterset"].form.fields
    return {
        name: dict(fields[name].widget.choices)
        for name in ("country", "organisation", "system", "kind")
    }


def test_linked_facets_count_the_same_together_as_each_on_its_own(client, country):
    """Countries, organisations and systems are counted in one query while
    none is chosen, each on its own once one is: the same articles either
    way, each once however many links it has, and never a draft's."""
    poland, turkey = country("PL"), country("TR")
    maker, drone = OrganisationFactory(name="Baykar"), SystemFactory(name="TB2")
    deals = PartnershipFactory.create_batch(2, kind="export")
    both = PublishedArticleFactory(title="Both")
    for entity in (poland, turkey, maker, drone, *deals):
        ArticleEntityLinkFactory(article=both, entity=entity)
    for entity in (poland, maker):
        ArticleEntityLinkFactory(article=PublishedArticleFactory(), entity=entity)
    for entity in (poland, turkey, maker, drone, deals[0]):
        ArticleEntityLinkFactory(article=ArticleFactory(), entity=entity)  # drafts

    together = facet_choices(client)
    assert together["country"][poland.slug] == "Poland (2)"
    assert together["country"][turkey.slug].endswith("(1)")
    assert together["organisation"][maker.slug] == "Baykar (2)"
    assert together["system"][drone.slug] == "TB2 (1)"
    # One article with two export deals: one article of that kind.
    assert together["kind"]["export"].endswith("(1)")
    # A system chosen: the articles with it, counted facet by facet.
    with_drone = facet_choices(client, system=drone.slug)
    assert with_drone["country"][poland.slug] == "Poland (1)"
    assert with_drone["organisation"][maker.slug] == "Baykar (1)"
    assert with_drone["system"][drone.slug] == "TB2 (1)"
    # Chosen from the whole list, a country's count is the one shown beside it.
    assert facet_choices(client, country=poland.slug)["country"] == together["country"]


def test_a_list_filtered_by_topic_author_and_country_is_one_row_per_article(
    client, country
):
    """The filters are semi-joins: an article with two matching links, two
    topics and two authors is listed once, and the page's query needs no
    DISTINCT (a sort of every match, at 100,000 articles)."""
    poland, drones = country("PL"), TagFactory(slug="drones")
    writers = UserFactory.create_batch(2)
    twice = PublishedArticleFactory(
        title="Twice linked", authors=writers, tags=[drones, TagFactory()]
    )
    other = PublishedArticleFactory(title="Untagged", authors=writers)
    for article in (twice, other):
        ArticleEntityLinkFactory(article=article, entity=poland)
    ArticleEntityLinkFactory(article=twice, entity=country("TR"))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("articles:list"),
            {
                "tag": "drones",
                "country": poland.slug,
                "author": writers[0].author_slug,
            },
        )

    assert [a.title for a in response.context["articles"]] == ["Twice linked"]
    assert response.context["paginator"].count == 1
    articles_distinct = 'SELECT DISTINCT "articles_article"'
    assert not [
        q["sql"] for q in captured.captured_queries if articles_distinct in q["sql"]
    ]


def test_a_scheduled_article_never_reads_as_modified_before_it_was_published(client):
    """Saved on Monday to go public on Friday: from Friday its page's
    JSON-LD, the API, the feed and the sitemap say it changed on Friday,
    not on Monday, before it was published."""
    saved = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    due = dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)
    with time_machine.travel(saved, tick=False):
        article = PublishedArticleFactory(title="Due on Friday", published_at=due)
    with time_machine.travel(due + dt.timedelta(hours=1), tick=False):
        page = client.get(article.get_absolute_url()).content.decode()
        (ld,) = re.findall(
            r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S
        )
        data = json.loads(ld)
        assert data["datePublished"] == data["dateModified"] == due.isoformat()
        api = client.get(f"/api/v1/articles/{article.slug}/").json()
        assert api["updated_at"] == api["published_at"]
        entry = feedparser.parse(client.get("/feeds/articles/").content).entries[0]
        assert entry.updated_parsed == entry.published_parsed
        sitemap = ElementTree.fromstring(client.get("/sitemap-articles.xml").content)
        ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
        assert [e.text for e in sitemap.iter(f"{ns}lastmod")] == ["2026-03-06"]


def test_a_feed_entry_keeps_its_id_when_the_article_moves(client):
    """Subscribers' readers know an entry by its id: a new address is the
    same entry, not a new article."""
    article = PublishedArticleFactory(slug="first-address")

    def entry():
        return feedparser.parse(client.get("/feeds/articles/").content).entries[0]

    before = entry()
    article.slug = "second-address"
    article.save()
    after = entry()

    assert after.link.endswith("/articles/second-address/")
    assert after.id == before.id
    assert after.id.startswith("tag:testserver,")
    # One id whichever address the reader uses.
    other = feedparser.parse(
        client.get("/feeds/articles/", headers={"host": "localhost"}).content
    ).entries[0]
    assert other.id == after.id


def test_a_standfirst_the_body_opens_with_is_shown_once(client):
    """An imported essay's standfirst is its opening sentences: the page
    does not print them twice; a standfirst of its own is shown."""
    opening = "Exports sustain the industry. They also pay for research."
    imported = PublishedArticleFactory(
        standfirst=opening, body=f"{opening} More follows.\n\nA second paragraph."
    )
    written = PublishedArticleFactory(
        standfirst="A lede of its own.", body=f"{opening}\n\nMore."
    )
    page = client.get(imported.get_absolute_url()).text
    shown = page[page.index('<article class="article">') : page.index("</article>")]
    assert shown.count("Exports sustain") == 1
    page = client.get(written.get_absolute_url()).text
    assert '<p class="standfirst">A lede of its own.</p>' in page


def test_a_drafts_preview_byline_starts_with_no_stray_dot(editor_client, editor):
    from articles.previews import signed_preview_url

    draft = ArticleFactory(authors=[editor], published_at=None)
    page = editor_client.get(signed_preview_url(draft)).text
    meta = page[page.index('<p class="meta">') :]
    meta = " ".join(meta[: meta.index("</p>")].split())
    assert meta.startswith('<p class="meta"> by ')
