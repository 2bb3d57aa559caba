"""The partnership list reads its page in the order of an index (latest
first, or earliest first read backwards), never by sorting every
partnership: with the full register that sort was most of the page's time."""

import json

import pytest

from tests.factories import PartnershipFactory
from tests.plans import queries_and_plans


@pytest.mark.parametrize("sort", ["", "start", "-start"])
def test_a_page_of_partnerships_is_read_through_the_start_date_index(client, db, sort):
    PartnershipFactory.create_batch(30)
    path = "/partnerships/" + (f"?sort={sort}" if sort else "")
    (page_plan,) = [
        plan
        for sql, plan in queries_and_plans(
            lambda: client.get(path), sorts_priced_out=True
        )
        if 'ORDER BY "partnerships_partnership"."start_date"' in sql
        and "LIMIT 25" in sql
    ]
    assert "partnership_start_desc" in page_plan, page_plan
    # Never a sort of every row; the default order's tie-break by name sorts
    # only the rows that share a start date (PostgreSQL's incremental sort).
    assert "->  Sort " not in page_plan, page_plan


@pytest.fixture
def same_year_deals(db):
    """Thirty deals of one year under one name (a register's yearly lines)."""
    deals = PartnershipFactory.create_batch(30, name="Sky Sentinel sale")
    return sorted(deals, key=lambda deal: deal.pk)


def listed(client, query: str) -> list[int]:
    """The partnerships the list shows, page after page."""
    shown: list[int] = []
    for page in (1, 2):
        response = client.get(f"/partnerships/?{query}&page={page}")
        assert response.status_code == 200
        shown += [deal.pk for deal in response.context["page_obj"].object_list]
    return shown


@pytest.mark.parametrize(
    ("query", "newest_first"),
    [("", True), ("sort=-start", True), ("sort=start", False)],
)
def test_deals_that_tie_come_in_the_order_they_were_recorded_on_every_page(
    client, same_year_deals, query, newest_first
):
    recorded = [deal.pk for deal in same_year_deals]
    expected = recorded[::-1] if newest_first else recorded
    assert listed(client, query) == expected


def test_a_download_lists_deals_that_tie_in_the_lists_order(client, same_year_deals):
    response = client.get("/partnerships/export.json")
    rows = json.loads(b"".join(response.streaming_content))
    assert [row["url"] for row in rows] == [
        f"http://testserver{deal.get_absolute_url()}"
        for deal in reversed(same_year_deals)
    ]
