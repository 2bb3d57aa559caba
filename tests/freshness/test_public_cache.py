"""Conditional GET and the page cache for anonymous readers: every public
page type carries an ETag and a Last-Modified and answers 304 in at most
one query; a page comes from the cache in none; and every way the content
changes (a publish, an edit, a link decision, an import, a scheduled
article's time coming) is seen on the very next request."""

import copy
import datetime as dt
import re
from email.utils import parsedate_to_datetime
from io import StringIO
from urllib.parse import quote

import pytest
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles import linking, services
from articles.models import ArticleEntityLink, ArticleWorkingCopy, LinkState
from articles.previews import signed_preview_url
from freshness import versions
from freshness.wsgi import KeptPagesFirst
from partnerships.models import Country
from tests.admin_forms import article_form
from tests.cache_calls import count_round_trips
from tests.datafiles import SipriDealFactory, sipri_file
from tests.factories import ArticleFactory, PartnershipFactory, PublishedArticleFactory
from tests.sharing import shared_content
from tests.test_query_counts import PAGES, World

pytestmark = [pytest.mark.django_db, pytest.mark.long(3)]

# Every public page type, each feed and each sitemap (the downloads stream:
# they are validated, never kept).
ADDRESSES = {
    **PAGES,
    "sitemap section": "/sitemap-articles.xml",
    "tag feed": "/tags/drones/feed/",
    "robots.txt": "/robots.txt",
}
STREAMED = {"csv export", "json export"}


def _world() -> World:
    world = World(lambda code: Country.objects.get(alpha_2=code, is_former=False))
    world.grow(3)
    return world


@pytest.fixture(scope="module")
def world_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _world)


@pytest.fixture
def world(world_shared, db) -> World:
    """Something of everything a page shows, committed (made once for this
    module, every test's changes rolled back); its objects are copies of
    their own for each test, which may change them."""
    return copy.deepcopy(world_shared)


def get(path, **headers):
    response = Client().get(path, headers=headers)
    response.body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return response


def test_every_public_page_answers_304_to_a_reader_who_has_it(
    world, public_cache, django_assert_num_queries
):
    for page, path in ADDRESSES.items():
        first = get(path)
        assert first.status_code == 200, page
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag.startswith('W/"'), page
        assert parsedate_to_datetime(modified) <= timezone.now(), page
        assert "no-cache" in first["Cache-Control"], page  # ask again each time

        # The data version is in the shared cache: no query at all.
        with django_assert_num_queries(0):
            again = get(path, if_none_match=etag)
            by_date = get(path, if_modified_since=modified)
        for response in (again, by_date):
            assert response.status_code == 304, page
            assert response.content == b"", page
            assert response["ETag"] == etag, page

        # An empty cache (a restarted Redis): one query.
        public_cache.clear()
        with django_assert_num_queries(1):
            assert get(path, if_none_match=etag).status_code == 304, page


def without_nonce(content: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]+"', b'nonce=""', content)


def test_a_page_read_again_comes_from_the_cache_in_no_query(
    world, public_cache, django_assert_num_queries
):
    for page, path in ADDRESSES.items():
        if page in STREAMED:
            continue
        first = get(path)
        assert first["X-Cache"] == "miss", page
        with django_assert_num_queries(0):
            second = get(path)
        assert second.status_code == 200, page
        assert second["X-Cache"] == "hit", page
        assert without_nonce(second.content) == without_nonce(first.content), page
        assert second["Content-Type"] == first["Content-Type"], page
        assert second["ETag"] == first["ETag"], page


def test_a_page_read_again_takes_one_round_trip_to_the_shared_cache(
    world, public_cache, monkeypatch
):
    """The version and the page come in one read, once the process has seen
    the version; a new version costs a second read, never a stale page."""
    calls = count_round_trips(
        public_cache, monkeypatch, ("get", "get_many", "set", "add", "incr")
    )
    reader = Client()  # one app process, serving one reader after another
    assert reader.get("/articles/")["X-Cache"] == "miss"
    calls.clear()
    second = reader.get("/articles/")
    assert second["X-Cache"] == "hit"
    assert calls == ["get_many"]

    world.article.title = "Retitled after the page was kept"
    world.article.save()
    versions.bump()
    calls.clear()
    third = reader.get("/articles/")
    assert third["X-Cache"] == "miss"
    assert "Retitled after the page was kept" in third.content.decode()
    calls.clear()
    assert reader.get("/articles/")["X-Cache"] == "hit"
    assert calls == ["get_many"]


def test_downloads_are_validated_but_never_kept(world, public_cache):
    for path in ("/partnerships/export.csv", "/partnerships/export.json"):
        first, second = get(path), get(path)
        assert "X-Cache" not in second
        assert second.body == first.body
        assert get(path, if_none_match=first["ETag"]).status_code == 304


def test_each_reader_gets_a_fresh_csp_nonce_on_a_cached_page(world, public_cache):
    path = "/articles/the-article/"
    nonces = []
    for expected in ("miss", "hit", "hit"):
        response = get(path)
        assert response["X-Cache"] == expected
        in_page = re.search(r'nonce="([^"]+)"', response.content.decode())[1]
        assert f"'nonce-{in_page}'" in response["Content-Security-Policy"]
        nonces.append(in_page)
    assert len(set(nonces)) == 3


def test_a_different_address_or_query_is_a_different_page(world, public_cache):
    everything = get("/partnerships/")
    filtered = get("/partnerships/?country=poland&kind=export&tag=drones")
    assert filtered["X-Cache"] == "miss"
    assert filtered.content != everything.content


# Who never gets the cache


def test_editors_get_pages_made_for_them_and_never_kept(
    world, public_cache, editor_client
):
    for _ in range(2):
        response = editor_client.get("/articles/the-article/")
        assert response.status_code == 200
        assert "X-Cache" not in response
        assert "ETag" not in response
    assert get("/articles/the-article/")["X-Cache"] == "miss"


def test_a_drafts_preview_is_never_kept_nor_answered_304(world, public_cache):
    draft = ArticleFactory(title="Embargoed until Friday")
    url = signed_preview_url(draft)
    first = get(url)
    assert first.status_code == 200
    assert "X-Cache" not in first
    assert "ETag" not in first
    again = get(url, if_modified_since="Fri, 01 Jan 2100 00:00:00 GMT")
    assert again.status_code == 200
    assert b"Embargoed until Friday" in again.content
    assert "Embargoed" not in get("/articles/").content.decode()


def test_the_admin_and_the_api_are_left_to_themselves(world, public_cache):
    assert "X-Cache" not in get("/api/v1/articles/")
    assert "X-Cache" not in get(reverse("admin:login"))


def test_a_missing_page_is_not_kept(world, public_cache):
    assert get("/articles/no-such-essay/").status_code == 404
    assert "X-Cache" not in get("/articles/no-such-essay/")


def test_pages_are_served_when_the_cache_is_unreachable(world, public_cache, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "coopsite.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = get("/articles/the-article/")
    assert response.status_code == 200
    assert b"The article" in response.content


# In front of Django: coopsite.wsgi answers kept pages before the request cycle


class DjangoBehind:
    """Django's WSGI handler behind the shortcut, counting what reaches it."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.reached = 0

    def __call__(self, environ, start_response):
        self.reached += 1
        return self.handler(environ, start_response)


@pytest.fixture
def front():
    """``front(path, method="get", **headers)``: the answer of the WSGI
    application gunicorn serves (the shortcut, Django behind it) as
    (status, headers, body); ``front.django.reached`` counts what Django
    answered. The test's database connection stays open, as the test
    client keeps it."""
    django = DjangoBehind()
    application = KeptPagesFirst(django)

    def answer(path, method="get", **headers):
        environ = getattr(RequestFactory(), method)(path, headers=headers).environ
        # The path as a WSGI server gives it: its bytes, read as Latin-1
        # (the request the factory made wrote its decoded path back).
        environ["PATH_INFO"] = environ["PATH_INFO"].encode().decode("latin-1")
        answered = {}

        def start_response(status, header_list, exc_info=None):
            answered["status"] = status
            answered["headers"] = dict(header_list)

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = application(environ, start_response)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return answered["status"], answered["headers"], body

    answer.django = django
    return answer


# What every page says whichever way it is served.
KEPT_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


def test_a_kept_page_is_answered_in_front_of_django_in_no_query(
    world, public_cache, front, django_assert_num_queries
):
    for page, path in ADDRESSES.items():
        if page in STREAMED:
            continue
        made = get(path)
        assert made["X-Cache"] == "miss", page
        with django_assert_num_queries(0):
            status, headers, body = front(path)
        assert status == "200 OK", page
        assert headers["X-Cache"] == "hit", page
        assert without_nonce(body) == without_nonce(made.content), page
        assert headers["Content-Length"] == str(len(body)), page
        for name in KEPT_HEADERS:
            assert headers.get(name) == made.get(name), (page, name)
        policies = headers["Content-Security-Policy"], made["Content-Security-Policy"]
        assert len({re.sub(r"'nonce-[^']+'", "", p) for p in policies}) == 1, page
    assert front.django.reached == 0


def test_in_front_of_django_each_reader_gets_a_nonce_of_their_own(
    world, public_cache, front
):
    path = "/articles/the-article/"
    get(path)
    nonces = set()
    for _ in range(3):
        _status, headers, body = front(path)
        in_page = re.search(r'nonce="([^"]+)"', body.decode())[1]
        assert f"'nonce-{in_page}'" in headers["Content-Security-Policy"]
        nonces.add(in_page)
    assert len(nonces) == 3
    assert front.django.reached == 0


def test_what_is_not_a_kept_page_goes_on_to_django(world, public_cache, front):
    path = "/articles/the-article/"
    status, headers, _body = front(path)  # not kept yet: made, and kept
    assert (status, headers["X-Cache"], front.django.reached) == ("200 OK", "miss", 1)
    etag = headers["ETag"]

    status, headers, body = front(path, if_none_match=etag)
    assert (status, body, front.django.reached) == ("304 Not Modified", b"", 2)
    status, headers, body = front(path, cookie="sessionid=somebody")
    assert "X-Cache" not in headers
    assert front.django.reached == 3
    status, headers, _body = front("/nowhere/", host="evil.example")
    assert status.startswith("400")
    assert front.django.reached == 4
    status, headers, _body = front(reverse("admin:login"))
    assert "X-Cache" not in headers
    assert front.django.reached == 5

    status, headers, body = front(path, method="head")
    assert (status, headers["X-Cache"], body) == ("200 OK", "hit", b"")
    assert int(headers["Content-Length"]) > 0
    assert front.django.reached == 5


@pytest.mark.parametrize(
    "path",
    [
        "/articles/\u0661\u0666/",  # Arabic-Indic digits
        "/partnerships/\u015f/",
        "/\u0430/",
        "/api/v1/\u202e/",
    ],
)
def test_in_front_of_django_any_address_is_read_as_django_reads_it(
    world, public_cache, front, path
):
    status, headers, _body = front(quote(path))  # as a browser sends it

    assert status == "404 Not Found"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert front.django.reached == 1


def test_in_front_of_django_a_publish_is_seen_at_once(
    world, public_cache, front, commit, editor
):
    draft = ArticleFactory(title="Fresh off the press", authors=[editor])
    get("/articles/")
    _status, headers, body = front("/articles/")
    assert headers["X-Cache"] == "hit"
    assert b"Fresh off the press" not in body

    with commit():
        services.article_publish(article=draft, user=editor)

    _status, headers, body = front("/articles/")
    assert headers["X-Cache"] == "miss"
    assert b"Fresh off the press" in body
    _status, headers, body = front("/articles/")
    assert headers["X-Cache"] == "hit"
    assert b"Fresh off the press" in body


# Every way the content changes is on the next request


def primed(*paths):
    """Read as a reader would, so the pages are in the cache; then check
    that they really came from it."""
    for path in paths:
        get(path)
    for path in paths:
        assert get(path)["X-Cache"] == "hit", path


def test_a_publish_is_on_every_page_at_once(world, public_cache, commit, editor):
    draft = ArticleFactory(title="Fresh off the press", authors=[editor])
    with commit():
        linking.link_add(article=draft, entity=world.poland, user=editor)
    page = draft.get_absolute_url()
    primed("/", "/articles/", "/countries/poland/", "/feeds/articles/")
    assert get(page).status_code == 404
    etag = get("/articles/")["ETag"]

    with commit():
        services.article_publish(article=draft, user=editor)

    for path in ("/", "/articles/", "/countries/poland/", "/feeds/articles/"):
        response = get(path)
        assert response["X-Cache"] == "miss", path
        assert "Fresh off the press" in response.content.decode(), path
    assert get(page).status_code == 200
    assert get("/articles/", if_none_match=etag).status_code == 200


def test_an_unpublished_article_leaves_every_page_at_once(
    world, public_cache, commit, editor
):
    page = world.article.get_absolute_url()
    primed(page, "/articles/", "/tags/drones/")
    with commit():
        services.article_unpublish(article=world.article, user=editor)
    assert get(page).status_code == 404
    for path in ("/articles/", "/tags/drones/"):
        assert page not in get(path).content.decode(), path


def test_an_edit_in_the_admin_is_on_the_next_request(
    world, public_cache, commit, editor_client
):
    article = world.article
    primed(article.get_absolute_url(), "/articles/")
    with commit():
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            article_form(
                article,
                title="The article, corrected",
                slug=article.slug,
                status="published",
                published_at_0=article.published_at.strftime("%Y-%m-%d"),
                published_at_1=article.published_at.strftime("%H:%M:%S"),
            ),
        )
    assert response.status_code == 302, response.content[:2000]
    for path in (article.get_absolute_url(), "/articles/"):
        assert "The article, corrected" in get(path).content.decode(), path


def test_an_autosave_leaves_every_kept_page_and_etag_as_it_was(
    world, public_cache, commit, editor_client
):
    # An open article form autosaves every half minute: what the editor
    # typed is not the article, and no reader's page is made again for it.
    article = world.article
    with commit():  # the editor's account, made for this test
        pass
    pages = (article.get_absolute_url(), "/articles/", "/")
    primed(*pages)
    etags = {path: get(path)["ETag"] for path in pages}
    with commit():
        response = editor_client.post(
            reverse("admin:articles_article_autosave"),
            {
                "article": article.pk,
                "title": "Half-typed new title",
                "body": "Half-typed.",
                "base_version": article.edit_version,
            },
        )
    assert response.status_code == 200, response.content
    assert ArticleWorkingCopy.objects.filter(article=article).exists()
    for path in pages:
        response = get(path, if_none_match=etags[path])
        assert response.status_code == 304, path
        page = get(path)
        assert page["X-Cache"] == "hit", path
        assert "Half-typed" not in page.content.decode(), path


def test_a_link_decision_is_on_both_pages_at_once(
    world, public_cache, commit, editor, country
):
    spain = country("ES")
    with commit():
        link = ArticleEntityLink.objects.create(
            article=world.article, entity=spain, state=LinkState.SUGGESTED
        )
    article_page, spain_page = world.article.get_absolute_url(), "/countries/spain/"
    primed(article_page, spain_page)
    assert article_page not in get(spain_page).content.decode()

    with commit():
        linking.link_decide(link=link, state=LinkState.ACCEPTED, user=editor)
    assert article_page in get(spain_page).content.decode()
    assert spain_page in get(article_page).content.decode()

    with commit():
        linking.link_decide(link=link, state=LinkState.REJECTED, user=editor)
    assert article_page not in get(spain_page).content.decode()
    assert spain_page not in get(article_page).content.decode()


def test_an_import_is_on_the_next_request(world, public_cache, commit, tmp_path):
    primed("/partnerships/", "/")
    deal = SipriDealFactory(designation="Falcon-9X", year="2026")
    with commit():
        call_command(
            "import_sipri", str(sipri_file(tmp_path, [deal])), stdout=StringIO()
        )
    response = get("/partnerships/")
    assert "Falcon-9X" in response.content.decode()
    assert response["X-Cache"] == "miss"


def test_a_scheduled_article_appears_on_time_with_nothing_saved(
    world, public_cache, commit, editor
):
    due = timezone.now() + dt.timedelta(hours=2)
    with commit():
        services.article_publish(
            article=ArticleFactory(title="Due at noon", authors=[editor]),
            user=editor,
            when=due,
        )
    primed("/articles/", "/feeds/articles/")
    with time_machine.travel(due - dt.timedelta(seconds=1), tick=False):
        assert "Due at noon" not in get("/articles/").content.decode()
        before = get("/articles/")["ETag"]
    with time_machine.travel(due + dt.timedelta(seconds=1), tick=False):
        for path in ("/articles/", "/feeds/articles/"):
            response = get(path)
            assert "Due at noon" in response.content.decode(), path
        assert get("/articles/", if_none_match=before).status_code == 200


def test_a_change_committed_by_another_process_is_seen_at_once(world, public_cache):
    """What another app process does on commit: a new version, and the
    shared cache's counter moved on."""
    primed("/articles/")
    PublishedArticleFactory(title="Written elsewhere")  # committed there...
    versions.bump()  # ...and announced, once committed
    assert "Written elsewhere" in get("/articles/").content.decode()


def test_a_status_that_moves_at_midnight_is_a_new_page_the_next_day(
    world, public_cache, commit
):
    """An exercise ending today reads "Active" today and "Completed"
    tomorrow with nothing saved: tomorrow's page is made again, and a
    reader's copy of today's is not answered 304."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with commit():
        drill = PartnershipFactory(
            name="Ends today",
            kind="exercise",
            start_date=noon.date() - dt.timedelta(days=3),
            start_precision="day",
            end_date=noon.date(),
            end_precision="day",
        )
    path = drill.get_absolute_url()
    with time_machine.travel(noon, tick=False):
        today = get(path)
        assert get(path)["X-Cache"] == "hit"
    with time_machine.travel(noon + dt.timedelta(days=1), tick=False):
        tomorrow = get(path)
        assert tomorrow.status_code == 200
        assert "Completed" in tomorrow.content.decode()
        assert "Completed" not in today.content.decode()
        assert get(path, if_none_match=today["ETag"]).status_code == 200
        assert get(path, if_modified_since=today["Last-Modified"]).status_code == 200
        assert get(path, if_none_match=tomorrow["ETag"]).status_code == 304


def test_a_page_made_across_midnight_is_filed_under_the_day_it_was_asked_on(
    world, public_cache
):
    """Asked at 23:59:59 and made after midnight: kept as the evening's
    page, never answered the next morning as the new day's."""
    from django.http import HttpResponse

    from freshness.middleware import PublicPageCacheMiddleware

    midnight = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time())
    )
    factory = RequestFactory()
    with time_machine.travel(midnight - dt.timedelta(seconds=1), tick=False) as clock:

        def made_slowly(request):
            clock.shift(dt.timedelta(seconds=2))  # the page is made after midnight
            return HttpResponse("the evening's page")

        PublicPageCacheMiddleware(made_slowly)(factory.get("/some/page/"))
        morning = PublicPageCacheMiddleware(lambda r: HttpResponse("the new day's"))(
            factory.get("/some/page/")
        )
    assert morning.content == b"the new day's"
