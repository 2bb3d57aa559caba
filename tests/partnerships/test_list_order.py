"""The partnership list reads its page in the order of an index (latest
first, or earliest first read backwards), never by sorting every
partnership: with the full register that sort was most of the page's time."""

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
