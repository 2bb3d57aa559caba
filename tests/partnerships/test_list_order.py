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


@pytest.mark.parametrize("few_to_sort", [0, 3000])
def test_a_tag_page_shows_its_newest_partnerships_in_the_lists_order(
    client, db, settings, monkeypatch, few_to_sort
):
    import datetime as dt

    from partnerships import views
    from partnerships.models import Partnership
    from tests.factories import TagFactory

    # Found and then sorted, or looked for newest first: the same rows.
    monkeypatch.setattr(views, "FEW_TO_SORT", few_to_sort)
    tag = TagFactory()
    for year, name in [(1990, "B"), (1990, "A"), (2001, "C"), (None, "D")]:
        deal = PartnershipFactory(
            name=name, start_date=dt.date(year, 1, 1) if year else None
        )
        deal.tags.add(tag)
    PartnershipFactory.create_batch(3, start_date=dt.date(2024, 1, 1))  # untagged
    PartnershipFactory(start_date=dt.date(1985, 1, 1)).tags.add(tag)
    shown = client.get(tag.get_absolute_url()).context["partnerships"]
    expected = list(Partnership.objects.filter(tags=tag)[:10])
    assert [p.pk for p in shown] == [p.pk for p in expected]
    dated = [p.name for p in shown if p.start_date]
    assert dated[:3] == ["C", "A", "B"]  # the newest first, ties by name
    assert len(shown) == 5
