"""Cursor pagination: every page of every sort, forwards and backwards,
holds each record exactly once, through ties and records with no date."""

import datetime as dt
from base64 import urlsafe_b64encode

import pytest

from partnerships.models import Partnership
from tests.factories import PartnershipFactory, PublishedArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]

SORTS = ["", "start", "-start", "name", "-name", "updated", "-updated", "name,-start"]


@pytest.fixture
def partnerships(db):
    """23 partnerships: many share a start year (ties), five have no date,
    and two share a name."""
    for n in range(23):
        PartnershipFactory(
            name="Same name" if n in (3, 4) else f"Deal {n:02d}",
            start_date=None if n % 5 == 0 else dt.date(2000 + n % 3, 1, 1),
        )
    return Partnership.objects.all()


def cursor_of(position: str) -> str:
    """A cursor as the API writes one, of a position it never gave out."""
    return urlsafe_b64encode(position.encode()).decode("ascii")


def walk(client, url, **params):
    pages, seen = [], []
    response = client.get(url, {**params, "page_size": 4})
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        pages.append(data)
        seen += [item["slug"] for item in data["results"]]
        if not data["next"]:
            return pages, seen
        response = client.get(data["next"])


@pytest.mark.parametrize("sort", SORTS)
def test_pages_hold_every_record_once_in_the_order_asked(client, partnerships, sort):
    params = {"sort": sort} if sort else {}
    pages, seen = walk(client, "/api/v1/partnerships/", **params)
    assert len(seen) == len(set(seen)) == 23
    assert len(pages) == 6
    # Backwards from the last page gives the same pages again.
    back = [pages[-1]["results"]]
    previous = pages[-1]["previous"]
    while previous:
        data = client.get(previous).json()
        back.insert(0, data["results"])
        previous = data["previous"]
    assert back == [page["results"] for page in pages]


def test_the_order_is_the_public_lists_with_undated_records_last(client, partnerships):
    _, seen = walk(client, "/api/v1/partnerships/")
    by_slug = {p.slug: p for p in partnerships}
    dates = [by_slug[slug].start_date for slug in seen]
    dated = [d for d in dates if d is not None]
    assert dates == dated + [None] * 5
    assert dated == sorted(dated, reverse=True)
    _, ascending = walk(client, "/api/v1/partnerships/", sort="start")
    dates = [by_slug[slug].start_date for slug in ascending]
    assert dates[-5:] == [None] * 5
    assert dates[:-5] == sorted(dates[:-5])


def test_a_record_added_meanwhile_neither_repeats_nor_hides_a_page(
    client, partnerships
):
    first = client.get("/api/v1/partnerships/", {"sort": "name", "page_size": 5}).json()
    PartnershipFactory(name="AAA first of all")  # sorts before the page we are on
    rest = []
    url = first["next"]
    while url:
        data = client.get(url).json()
        rest += [item["slug"] for item in data["results"]]
        url = data["next"]
    shown = [item["slug"] for item in first["results"]] + rest
    assert len(shown) == len(set(shown)) == 23


def test_articles_page_by_publication_time(client, db):
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n in range(7):
        PublishedArticleFactory(published_at=now - dt.timedelta(days=n // 2))
    _, seen = walk(client, "/api/v1/articles/")
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize(
    "cursor",
    [
        "eyJwIjpbMSwyXX0=",  # {"p":[1,2]}: the wrong length for this sort
        "eyJwIjpbIm5vdCBhIGRhdGUiLCJ4IiwxXX0=",  # a date that is not one
        "eyJwIjpbIjIwMjAtMDEtMDEiLCJ4IiwxMDAwMDAwMDAwMDAwMDAwMDAwMDAwXX0=",  # huge id
        "eyJwIjpbIjIwMjAtMDEtMDEiLCJ4XHUwMDAwIiwxXX0=",  # a NUL in the name
        "bm90IGpzb24=",
        "%%%",
        cursor_of('{"p":["2022-01-01","x",1e999],"r":0}'),  # an endless id
        cursor_of('{"p":["2022-01-01","\\ud800",5],"r":0}'),  # half a character
        cursor_of('{"p":["2022-01-01","x",5],"r":"yes"}'),  # which way?
        cursor_of('{"p":["2022-01-01","x",5],"r":[1]}'),
    ],
)
def test_a_cursor_that_was_not_given_out_is_a_400(client, partnerships, cursor):
    response = client.get("/api/v1/partnerships/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_an_articles_cursor_before_the_calendar_begins_is_a_400(client, db):
    cursor = cursor_of('{"p":["0001-01-01T00:00:00+05:00",5],"r":0}')
    response = client.get("/api/v1/articles/", {"cursor": cursor})
    assert response.status_code == 400


def test_a_previous_page_before_the_first_row_is_empty_and_leads_to_the_first(
    client, partnerships
):
    """A "previous" kept while the list shrank may point before its first
    row: an empty page, whose next page is the list's first."""
    cursor = cursor_of('{"p":["9999-12-31","a",1],"r":1}')
    response = client.get("/api/v1/partnerships/", {"cursor": cursor})
    assert response.status_code == 200
    data = response.json()
    assert data["results"] == []
    first = client.get(data["next"]).json()
    assert first["results"] == client.get("/api/v1/partnerships/").json()["results"]


def test_with_no_sort_the_api_lists_partnerships_in_the_public_lists_order(client, db):
    """Ties too: deals of one year with one name (a register's twins)."""
    for name in ("Twin", "Twin", "Twin", "Other"):
        PartnershipFactory(name=name, start_date=dt.date(2020, 1, 1))
    PartnershipFactory(name="Later", start_date=dt.date(2021, 1, 1))
    listed = client.get("/partnerships/").context["partnerships"]
    api = client.get("/api/v1/partnerships/", {"page_size": 100}).json()["results"]
    assert [item["id"] for item in api] == [p.pk for p in listed]


def test_record_lists_come_a_to_z_as_the_sites_lists_do(client, db):
    """Case and accents aside, page after page: "aircraft engine" among the
    A's, "Éclair" among the E's."""
    from tests.factories import SystemFactory

    for name in ("ZPT", "aircraft engine", "Bayraktar TB2", "Éclair", "Akıncı"):
        SystemFactory(name=name)
    names = []
    response = client.get("/api/v1/systems/", {"page_size": 2})
    while True:
        data = response.json()
        names += [item["name"] for item in data["results"]]
        if not data["next"]:
            break
        response = client.get(data["next"])
    assert names == ["aircraft engine", "Akıncı", "Bayraktar TB2", "Éclair", "ZPT"]


def test_a_next_page_past_the_end_leads_back_to_the_last_page(client, partnerships):
    """A "next" kept while the list shrank may point past its last row: an
    empty page, whose previous page is the list's last."""
    _, seen = walk(client, "/api/v1/partnerships/")
    beyond = cursor_of('{"p":["0001-01-01","zzz",1],"r":0}')
    data = client.get("/api/v1/partnerships/", {"cursor": beyond}).json()
    assert data["results"] == []
    back = client.get(data["previous"]).json()
    assert [item["slug"] for item in back["results"]] == seen[-len(back["results"]) :]
