import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, ArticleStatus
from tests.admin_forms import article_form
from tests.factories import (
    ArticleFactory,
    PublishedArticleFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_article_changelist_and_add_form_open(superuser_client):
    ArticleFactory(title="A draft essay")
    changelist = superuser_client.get(reverse("admin:articles_article_changelist"))
    assert changelist.status_code == 200
    assert "A draft essay" in changelist.content.decode()
    assert (
        superuser_client.get(reverse("admin:articles_article_add")).status_code == 200
    )


@pytest.mark.parametrize("count", [2, 30])
def test_the_article_changelist_queries_do_not_grow_with_rows(
    superuser_client, django_assert_num_queries, count
):
    authors = UserFactory.create_batch(3)
    tags = TagFactory.create_batch(2)
    ArticleFactory.create_batch(count, authors=authors, tags=tags)
    PublishedArticleFactory.create_batch(count, authors=authors)
    url = reverse("admin:articles_article_changelist")
    superuser_client.get(url)
    with django_assert_num_queries(9):
        response = superuser_client.get(url)
    assert len(response.context["cl"].result_list) == min(2 * count, 50)


def test_the_article_changelist_shows_fifty_rows_a_page_and_the_rest_after(
    superuser_client,
):
    PublishedArticleFactory.create_batch(53)
    url = reverse("admin:articles_article_changelist")
    first = superuser_client.get(url)
    assert len(first.context["cl"].result_list) == 50
    assert 'href="?p=2"' in first.content.decode()
    rest = superuser_client.get(url, {"p": 2}).context["cl"].result_list
    assert len(rest) == 3
    assert not {a.pk for a in rest} & {a.pk for a in first.context["cl"].result_list}


def test_the_changelist_filters_by_status_and_author(superuser_client):
    leyla, omar = UserFactory(username="leyla"), UserFactory(username="omar")
    ArticleFactory(title="Leyla's draft", authors=[leyla])
    PublishedArticleFactory(title="Omar's essay", authors=[omar])
    url = reverse("admin:articles_article_changelist")

    def titles(query):
        return {
            a.title for a in superuser_client.get(url, query).context["cl"].result_list
        }

    assert titles({"status__exact": ArticleStatus.PUBLISHED}) == {"Omar's essay"}
    assert titles({"authors__id__exact": leyla.pk}) == {"Leyla's draft"}
    assert titles({"q": "omar's"}) == {"Omar's essay"}


def test_the_changelist_search_finds_what_the_sites_search_finds_drafts_too(
    editor_client, contributor, commit
):
    with commit():
        ArticleFactory(
            title="Notes from Türkiye", slug="notes", standfirst="", body="Drones."
        )
        PublishedArticleFactory(
            title="Exported corvettes", slug="ships", standfirst="", body="No."
        )
        ArticleFactory(title="Unrelated", slug="about-turkiye", standfirst="", body="x")
    url = reverse("admin:articles_article_changelist")

    def titles(term):
        listed = editor_client.get(url, {"q": term}).context["cl"].result_list
        return sorted(article.title for article in listed)

    # Accents and case aside, and a word's other forms, as readers' search.
    assert titles("turkiye") == [
        "Notes from Türkiye",
        "Unrelated",  # its slug holds "turkiye": Django's search still
    ]
    assert titles("Türkiye") == ["Notes from Türkiye"]
    assert titles("drone") == ["Notes from Türkiye"]
    assert titles("export corvette") == ["Exported corvettes"]
    # A contributor's search keeps to their own articles.
    theirs = Client()
    theirs.force_login(contributor)
    assert list(theirs.get(url, {"q": "turkiye"}).context["cl"].result_list) == []


def test_the_changelist_shows_scheduled_articles_as_scheduled(superuser_client):
    import datetime as dt

    from django.utils import timezone

    PublishedArticleFactory(
        title="Out on Friday", published_at=timezone.now() + dt.timedelta(days=2)
    )
    PublishedArticleFactory(title="Out now")
    url = reverse("admin:articles_article_changelist")
    page = superuser_client.get(url).content
    assert b"Scheduled for" in page

    # The status filter speaks in the same states: scheduled apart,
    # published only what readers see.
    def titles(state):
        listed = superuser_client.get(url, {"status__exact": state})
        return {article.title for article in listed.context["cl"].result_list}

    assert titles("scheduled") == {"Out on Friday"}
    assert titles("published") == {"Out now"}
    filters = superuser_client.get(url, {"_facets": "True"}).text
    assert "Scheduled (1)" in filters
    assert "Published (1)" in filters
    assert superuser_client.get(url, {"status__exact": "live"}).url.endswith("?e=1")


def test_the_slug_is_prepopulated_from_the_title(superuser_client):
    response = superuser_client.get(reverse("admin:articles_article_add"))
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [field["field"].name for field in prepopulated] == ["slug"]
    assert [dep.name for dep in prepopulated[0]["dependencies"]] == ["title"]


def test_a_taken_slug_is_a_form_error(superuser_client):
    ArticleFactory(slug="taken")
    response = superuser_client.post(
        reverse("admin:articles_article_add"),
        article_form(title="Another", slug="taken"),
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Article.objects.filter(slug="taken").count() == 1


def test_publish_unpublish_and_return_to_draft_actions(superuser_client):
    article = ArticleFactory(status=ArticleStatus.REVIEW)
    url = reverse("admin:articles_article_changelist")
    superuser_client.post(
        url, {"action": "publish_now", "_selected_action": [article.pk]}
    )
    article.refresh_from_db()
    assert article.is_public
    # "Return to draft" is for articles in review or archived; a published
    # one is unpublished, and the list says why it was left alone.
    response = superuser_client.post(
        url,
        {"action": "return_to_draft", "_selected_action": [article.pk]},
        follow=True,
    )
    article.refresh_from_db()
    assert article.is_public
    assert "is not a step from where they are" in response.content.decode()
    superuser_client.post(  # past the page that asks first
        url, {"action": "unpublish", "_selected_action": [article.pk], "post": "yes"}
    )
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert not Article.objects.published().exists()


def test_the_changelist_shows_each_articles_bylines_read_as_names(superuser_client):
    """The authors' bylines in their order (by last name), read for the
    page's rows as plain names, not as a queryset and models for each row."""
    zoe = UserFactory(first_name="Zoë", last_name="Adams <i>", username="zoe")
    ana = UserFactory(first_name="", last_name="", username="ana_b")
    PublishedArticleFactory(title="Two bylines", authors=[zoe, ana])
    url = reverse("admin:articles_article_changelist")
    with CaptureQueriesContext(connection) as captured:
        page = superuser_client.get(url).content.decode()
    assert '<td class="field-author_names">ana_b, Zoë Adams &lt;i&gt;</td>' in page
    # The rows' bylines (not the authors filter's choices, which ask whether
    # each user has a byline at all: EXISTS).
    (bylines,) = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "articles_article_authors"' in q["sql"] and "EXISTS(" not in q["sql"]
    ]
    assert '"accounts_user"."password"' not in bylines


def test_an_address_another_article_has_is_refused_with_a_free_one(editor_client):
    ArticleFactory(slug="local-production")
    moved = ArticleFactory(slug="local-production-2")  # then moved: it redirects
    moved.slug = "elsewhere"
    moved.save()
    response = editor_client.post(
        "/admin/articles/article/add/",
        article_form(title="Local production", slug="local-production"),
    )
    assert response.status_code == 200
    assert "Another article has this address. “local-production-3” is free." in (
        response.content.decode()
    )


def test_saving_warns_of_links_to_the_sites_articles_readers_cannot_follow(
    editor_client,
):
    PublishedArticleFactory(slug="live-piece", title="Live piece")
    ArticleFactory(slug="draft-piece", title="Draft piece")
    moved = PublishedArticleFactory(slug="old-address")
    moved.slug = "new-address"
    moved.save()
    body = (
        "[a](/articles/live-piece/) [b](/articles/draft-piece/) "
        "[c](/articles/no-such-piece/) [d](http://testserver/articles/old-address/) "
        "[e](/nowhere/at/all/) [f](https://example.org/articles/x/) "
        "[g](mailto:desk@example.org)"
    )
    response = editor_client.post(
        "/admin/articles/article/add/",
        article_form(title="Linking", slug="linking", body=body),
        follow=True,
    )
    warnings = [str(m) for m in response.context["messages"]]
    assert any(
        "/articles/draft-piece/: “Draft piece” is not public" in w for w in warnings
    )
    assert any(
        "/articles/no-such-piece/: no article is at that address" in w for w in warnings
    )
    assert any("/nowhere/at/all/, which is no page of this site" in w for w in warnings)
    assert not any(
        word in w
        for w in warnings
        for word in ("live-piece", "old-address", "example.org")
    )
