import csv
import io
import json
from decimal import Decimal

import pytest

from partnerships import exports
from partnerships.models import Partnership
from tests.factories import (
    BlocFactory,
    DataIssueFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def deals(country):
    sale = PartnershipFactory(
        name="TB2 to Poland", kind="export", tags=[TagFactory(name="Drones")]
    )
    ParticipantFactory(partnership=sale, country=country("TR"), role="supplier")
    ParticipantFactory(partnership=sale, country=country("PL"), role="recipient")
    PartnershipSystemFactory(
        partnership=sale, system=SystemFactory(name="TB2"), quantity_ordered=24
    )
    drill = PartnershipFactory(name="Anakonda, with a comma", kind="exercise")
    ParticipantFactory(partnership=drill, country=country("PL"), role="host")
    return sale, drill


def body(response):
    return b"".join(response.streaming_content).decode()


def test_csv_export_has_the_filtered_partnerships(client, deals):
    response = client.get(
        "/partnerships/export.csv", {"country": "poland", "kind": "export"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="partnerships-poland-export.csv"' in response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ["TB2 to Poland"]
    assert rows[0]["participants"] == "Poland (recipient); Türkiye (supplier)"
    assert rows[0]["systems"] == "TB2 ×24"
    assert rows[0]["tags"] == "Drones"
    assert rows[0]["url"] == "http://testserver/partnerships/" + deals[0].slug + "/"


def test_csv_quotes_commas(client, deals):
    rows = list(
        csv.DictReader(
            io.StringIO(body(client.get("/partnerships/export.csv")).lstrip("\ufeff"))
        )
    )
    assert "Anakonda, with a comma" in {row["name"] for row in rows}


def test_json_export_has_structured_participants_and_systems(client, deals):
    response = client.get("/partnerships/export.json", {"country": "poland"})
    data = json.loads(body(response))
    by_name = {row["name"]: row for row in data}
    assert set(by_name) == {"TB2 to Poland", "Anakonda, with a comma"}
    sale = by_name["TB2 to Poland"]
    assert {"role": "supplier", "name": "Türkiye", "type": "country"} in sale[
        "participants"
    ]
    assert sale["systems"] == [
        {
            "name": "TB2",
            "ordered": 24,
            "ordered_is_estimate": False,
            "delivered": None,
            "delivered_is_estimate": False,
            "condition": "",
            "delivery_years": [],
            "delivery_years_are_estimates": False,
            "local_production": False,
            "tiv_per_unit": None,
            "tiv_order": None,
            "tiv_delivered": None,
        }
    ]
    assert sale["start"] == "2020"


def test_an_empty_export_is_still_valid(client):
    assert json.loads(body(client.get("/partnerships/export.json"))) == []
    lines = body(client.get("/partnerships/export.csv")).splitlines()
    assert len(lines) == 1  # just the header


@pytest.mark.parametrize("suffix", ["csv", "json"])
def test_bad_filters_get_a_400_naming_the_problem(client, suffix):
    response = client.get(
        f"/partnerships/export.{suffix}", {"year_from": "abc", "country": "atlantis"}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["year_from"] == ["Enter a whole number."]
    assert "Select a valid choice" in errors["country"][0]


def test_every_kind_of_participant_system_line_and_value_comes_out_as_stored(
    client, country
):
    deal = PartnershipFactory(
        name="Frigates", tags=[TagFactory(name="Naval"), TagFactory(name="Air")]
    )
    ParticipantFactory(partnership=deal, country=country("FR"), role="supplier")
    ParticipantFactory(
        partnership=deal,
        country=None,
        organisation=OrganisationFactory(name="Naval Group"),
        role="developer",
    )
    ParticipantFactory(
        partnership=deal, country=None, bloc=BlocFactory(name="NATO"), role="recipient"
    )
    # Two systems of one name, the second line's made first.
    other_alpha = SystemFactory(name="Alpha", slug="alpha-2")
    zulu, alpha = SystemFactory(name="Zulu"), SystemFactory(name="Alpha")
    # Entered Zulu first, then two Alphas: listed by name, then as entered.
    PartnershipSystemFactory(partnership=deal, system=zulu, quantity_ordered=2)
    PartnershipSystemFactory(
        partnership=deal,
        system=alpha,
        quantity_ordered=4,
        quantity_ordered_is_estimate=True,
        quantity_delivered=3,
        quantity_delivered_is_estimate=True,
        delivery_years=[2015, 2016],
        delivery_years_are_estimates=True,
        tiv_per_unit=Decimal("37.870"),
        tiv_order=Decimal("151.480"),
        tiv_delivered=Decimal("2348.000"),
    )
    PartnershipSystemFactory(
        partnership=deal,
        system=other_alpha,
        quantity_ordered=None,
        condition="second_hand",
    )

    [row] = json.loads(body(client.get("/partnerships/export.json")))
    assert row["participants"] == [
        {"role": "developer", "name": "Naval Group", "type": "organisation"},
        {"role": "recipient", "name": "NATO", "type": "bloc"},
        {"role": "supplier", "name": "France", "type": "country"},
    ]
    assert [(s["name"], s["ordered"]) for s in row["systems"]] == [
        ("Alpha", 4),
        ("Alpha", None),
        ("Zulu", 2),
    ]
    first = row["systems"][0]
    assert first["delivery_years"] == [2015, 2016]
    # What the record page marks "c." (SIPRI's "?"), the export marks too.
    assert (first["ordered_is_estimate"], first["delivered"]) == (True, 3)
    assert first["delivered_is_estimate"] is first["delivery_years_are_estimates"]
    assert first["delivered_is_estimate"] is True
    assert row["systems"][2]["ordered_is_estimate"] is False
    # TIVs as numbers, a whole one as an integer.
    assert (first["tiv_per_unit"], first["tiv_order"]) == (37.87, 151.48)
    assert first["tiv_delivered"] == 2348
    assert isinstance(first["tiv_delivered"], int)
    assert row["systems"][1]["condition"] == "second_hand"
    assert row["tags"] == ["Air", "Naval"]

    [cells] = csv.DictReader(
        io.StringIO(body(client.get("/partnerships/export.csv")).lstrip("\ufeff"))
    )
    assert cells["participants"] == (
        "Naval Group (developer); NATO (recipient); France (supplier)"
    )
    assert cells["systems"] == "Alpha ×c. 4; Alpha; Zulu ×2"
    assert cells["tags"] == "Air; Naval"


def test_a_json_export_sent_in_many_pieces_is_one_array_of_every_row(
    client, country, monkeypatch
):
    for n in range(30):
        PartnershipFactory(name=f"Deal {n:02d} </script>\u2028")
    rows = [{"name": f"Deal {n:02d} </script>\u2028"} for n in range(30)]
    pieces = list(exports.json_lines(iter(rows), size=100))
    assert len(pieces) > 5
    raw = b"".join(pieces)
    assert b"</script>" not in raw
    assert "\u2028".encode() not in raw
    assert json.loads(raw) == rows
    assert json.loads(b"".join(exports.json_lines(iter([]), size=100))) == []


def test_values_the_source_got_wrong_are_in_both_downloads(client, deals):
    """A flagged value is data: the downloads show it as the source gives
    it, beside the best reading, as the API and the record's page do; one
    no longer in the source is not shown."""
    sale, _drill = deals
    DataIssueFactory(
        entity=sale, field="start_date", source_value="2O21", reason="not_a_year"
    )
    DataIssueFactory(
        entity=sale, field="quantity_ordered", source_value="=1+1", status="resolved"
    )
    DataIssueFactory(entity=sale, field="end_date", source_value="old", status="gone")

    rows = {
        row["name"]: row
        for row in csv.DictReader(
            io.StringIO(body(client.get("/partnerships/export.csv")).lstrip("\ufeff"))
        )
    }
    assert rows["TB2 to Poland"]["data_issues"] == (
        'quantity_ordered: "=1+1" (ends_before_start, resolved); '
        'start_date: "2O21" (not_a_year, open)'
    )
    assert rows["Anakonda, with a comma"]["data_issues"] == ""

    exported = {
        row["name"]: row
        for row in json.loads(body(client.get("/partnerships/export.json")))
    }
    assert exported["TB2 to Poland"]["data_issues"] == [
        {
            "field": "quantity_ordered",
            "source_value": "=1+1",
            "reason": "ends_before_start",
            "status": "resolved",
        },
        {
            "field": "start_date",
            "source_value": "2O21",
            "reason": "not_a_year",
            "status": "open",
        },
    ]
    assert exported["Anakonda, with a comma"]["data_issues"] == []


def test_a_date_not_known_is_null_in_json_and_empty_in_csv(client, deals):
    """As the API and the bulk downloads say it: null, not ""."""
    sale, _drill = deals
    Partnership.objects.filter(pk=sale.pk).update(end_date=None)
    rows = json.loads(body(client.get("/partnerships/export.json")))
    assert {row["name"]: row["end"] for row in rows}["TB2 to Poland"] is None
    text = body(client.get("/partnerships/export.csv")).lstrip("\ufeff")
    by_name = {row["name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert by_name["TB2 to Poland"]["end"] == ""


def test_a_download_is_named_after_its_filters_as_far_as_they_spell(client, deals):
    response = client.get("/partnerships/export.csv", {"q": "中国", "kind": "export"})
    assert response["Content-Disposition"] == (
        'attachment; filename="partnerships-export.csv"'
    )
