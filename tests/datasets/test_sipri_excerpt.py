"""import_sipri on SIPRI's excerpt of 635 deals: what it makes of the file,
its pages, and a second import of it (the excerpt is imported once for the
module; import_sipri's other tests: test_import_sipri.py)."""

import json
from collections import Counter
from decimal import Decimal

import pytest

from partnerships.models import (
    Country,
    ParticipantRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    PartnershipSystem,
    Source,
    SystemCategory,
    SystemCondition,
)
from tests.datasets.test_import_sipri import (
    excerpt_rows,
    expected_name,
    import_sipri,
    snapshot,
)
from tests.sharing import shared_content

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def imported_shared(request, django_db_setup, django_db_blocker, sipri_excerpt):
    yield from shared_content(
        request, django_db_blocker, lambda: import_sipri(sipri_excerpt)
    )


@pytest.fixture
def imported(imported_shared, db) -> str:
    """The excerpt, imported once for this module and committed as far as
    on-commit work goes (the search index): every test's changes rolled
    back. Returns the import's report."""
    return imported_shared


def test_the_excerpt_imports_as_635_deals_with_the_files_suppliers_and_recipients(
    imported, sipri_excerpt
):
    output = imported

    rows = excerpt_rows(sipri_excerpt)
    assert len(rows) == 635
    deals = Partnership.objects.filter(kind=PartnershipKind.EXPORT)
    assert deals.count() == 635
    assert "635 created, 0 updated, 0 unchanged" in output

    resolver = Country.objects.resolver()
    in_file = Counter(
        (
            expected_name(row[1], resolver),
            expected_name(row[0], resolver),
            row[6],
            row[4],
            row[8],
        )
        for row in rows
    )
    in_database = Counter()
    for deal in deals.prefetch_related(
        "participants__country", "participants__organisation", "system_lines__system"
    ):
        by_role = {p.role: p.actor.name for p in deal.participants.all()}
        assert len(deal.participants.all()) == 2
        (line,) = deal.system_lines.all()
        in_database[
            (
                by_role[ParticipantRole.SUPPLIER],
                by_role[ParticipantRole.RECIPIENT],
                line.system.name,
                "" if line.quantity_ordered is None else str(line.quantity_ordered),
                "" if line.quantity_delivered is None else str(line.quantity_delivered),
            )
        ] += 1
    assert in_database == in_file


def test_the_excerpt_keeps_delivery_years_status_comments_and_tivs(
    imported, sipri_excerpt
):
    rows = excerpt_rows(sipri_excerpt)

    # Azerbaijan,Israel,2013,,100,?,LAHAT,anti-tank missile,100,,2015; 2016,New,,0.04,4,4
    lahat = PartnershipSystem.objects.select_related("partnership").get(
        system__name="LAHAT", partnership__participants__country__name="Azerbaijan"
    )
    assert lahat.quantity_ordered == 100
    assert lahat.quantity_ordered_is_estimate
    assert lahat.delivery_years == [2015, 2016]
    assert lahat.delivery_years_display == "2015–2016"
    assert lahat.condition == SystemCondition.NEW
    assert (lahat.tiv_per_unit, lahat.tiv_order, lahat.tiv_delivered) == (
        Decimal("0.04"),
        Decimal(4),
        Decimal(4),
    )
    assert lahat.system.category == SystemCategory.MISSILE
    deal = lahat.partnership
    assert str(deal.start) == "2013"
    assert deal.status == PartnershipStatus.COMPLETED
    assert str(deal.end) == "2016"

    statuses = Counter(row[11] for row in rows)
    conditions = Counter(PartnershipSystem.objects.values_list("condition", flat=True))
    assert conditions[SystemCondition.SECOND_HAND] == statuses["Second hand"]
    assert (
        conditions[SystemCondition.SECOND_HAND_MODERNISED]
        == statuses["Second hand but modernized"]
    )
    commented = sum(1 for row in rows if row[12].strip())
    assert Partnership.objects.exclude(summary="").count() == commented
    assert (
        Source.objects.filter(
            url="https://www.sipri.org/databases/armstransfers",
            accessed_on="2025-03-13",
        ).count()
        == 635
    )


def test_a_second_import_of_the_excerpt_creates_and_changes_nothing(
    imported, sipri_excerpt
):
    before = snapshot()

    output = import_sipri(sipri_excerpt)

    assert "0 created, 0 updated, 635 unchanged" in output
    assert snapshot() == before


def test_the_public_pages_and_filters_work_on_imported_deals(
    client, imported, sipri_excerpt
):
    rows = excerpt_rows(sipri_excerpt)

    response = client.get(
        "/partnerships/export.json", {"country": "azerbaijan", "role": "recipient"}
    )
    assert len(json.loads(b"".join(response.streaming_content))) == sum(
        1 for row in rows if row[0] == "Azerbaijan"
    )
    from_china = client.get(
        "/partnerships/export.json",
        {"country": "china", "role": "supplier", "kind": "export"},
    )
    assert len(json.loads(b"".join(from_china.streaming_content))) == sum(
        1 for row in rows if row[1] == "China"
    )

    listing = client.get(
        "/partnerships/",
        {"country": "pakistan", "role": "recipient", "category": "uav"},
    )
    page = listing.content.decode()
    drones = {row[6] for row in rows if row[0] == "Pakistan" and "UAV" in row[7]}
    assert drones
    assert all(name in page for name in drones)
    assert "LAHAT" not in page

    deal = Partnership.objects.get(
        system_lines__system__name="LAHAT", participants__country__name="Azerbaijan"
    )
    page = client.get(deal.get_absolute_url()).content.decode()
    assert "trend-indicator values" in page
    assert "2015–2016" in page
    assert "Israel" in page
    assert (
        client.get(
            Country.objects.get(name="Azerbaijan").get_absolute_url()
        ).status_code
        == 200
    )
    found = client.get("/search/", {"q": "LAHAT Azerbaijan"}).content.decode()
    assert f'href="{deal.get_absolute_url()}"' in found
