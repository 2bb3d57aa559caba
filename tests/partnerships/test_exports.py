import csv
import io
import json

import pytest

from tests.factories import (
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
            "delivered": None,
            "condition": "",
            "delivery_years": [],
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
