"""The database router: anonymous readers' GETs read from the replica;
writes, editors, recent writers, transactions and everything outside a
request use the primary; migrations run on the primary only."""

from types import SimpleNamespace

import pytest
from django.db import router
from django.http import HttpResponse
from django.test import RequestFactory

from articles.models import Article
from coopsite import replicas
from partnerships.models import Country


@pytest.fixture
def with_replica(settings):
    settings.COOPSITE_READ_REPLICA = True
    settings.DATABASE_REPLICA_PIN_SECONDS = 10


def serve(request):
    """The request through the routing middleware; what reads where."""
    seen = {}

    def view(request):
        seen["reads"] = router.db_for_read(Article)
        seen["writes"] = router.db_for_write(Article)
        return HttpResponse("ok")

    response = replicas.ReplicaRoutingMiddleware(view)(request)
    return seen, response


def test_an_anonymous_readers_get_reads_from_the_replica(with_replica):
    seen, response = serve(RequestFactory().get("/articles/"))
    assert seen == {"reads": "replica", "writes": "default"}
    assert replicas.PIN_COOKIE not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_reads_from_the_primary_and_pins_the_writer_to_it(with_replica, method):
    seen, response = serve(getattr(RequestFactory(), method)("/admin/"))
    assert seen["reads"] == "default"
    pin = response.cookies[replicas.PIN_COOKIE]
    assert pin["max-age"] == 10
    assert pin["httponly"]


def test_a_recent_writer_reads_their_own_writes_from_the_primary(with_replica):
    request = RequestFactory().get("/articles/")
    request.COOKIES[replicas.PIN_COOKIE] = "1"
    assert serve(request)[0]["reads"] == "default"


def test_anyone_signed_in_reads_from_the_primary(with_replica, settings):
    request = RequestFactory().get("/articles/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "some-session"
    assert serve(request)[0]["reads"] == "default"


def test_without_a_replica_everything_reads_from_the_primary(settings):
    settings.COOPSITE_READ_REPLICA = False
    seen, _ = serve(RequestFactory().get("/articles/"))
    assert seen["reads"] == "default"
    with replicas.reading_from(replicas.REPLICA):
        assert router.db_for_read(Article) == "default"


def test_outside_a_request_reads_go_to_the_primary(with_replica):
    """Management commands, imports and the shell: the replica is opt-in."""
    assert router.db_for_read(Country) == "default"


def test_inside_a_transaction_reads_stay_on_the_primary(with_replica, monkeypatch):
    primary = SimpleNamespace(in_atomic_block=False)
    monkeypatch.setattr(replicas, "connections", {"default": primary})
    with replicas.reading_from(replicas.REPLICA):
        assert router.db_for_read(Article) == "replica"
        primary.in_atomic_block = True  # (the suite's tests all run in one)
        assert router.db_for_read(Article) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica", "articles")


def test_rows_from_either_database_may_be_related():
    a, b = Article(), Country()
    a._state.db, b._state.db = "replica", "default"
    assert router.allow_relation(a, b)
