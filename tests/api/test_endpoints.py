"""What each endpoint answers about a small world of records: shapes, the
shared filters, `fields`, and clear 400s for what the API cannot take.

The records (tests/api/conftest.py) are made once for this module's tests,
each test on copies of their objects, its changes rolled back; what the API
answers without them is in tests/api/test_addresses.py."""

import copy
import json

import pytest

from partnerships.models import Country, PartnershipSystem
from tests.api.conftest import make_records
from tests.sharing import shared_content

pytestmark = pytest.mark.django_db


def _records() -> dict:
    return make_records(lambda code: Country.objects.get(alpha_2=code, is_former=False))


@pytest.fixture(scope="module")
def records_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _records)


@pytest.fixture
def records(records_shared, db) -> dict:
    """The small world of tests/api/conftest.py (made once for this
    module), as copies of its objects for each test to change."""
    return copy.deepcopy(records_shared)


LISTS = [
    "articles",
    "partnerships",
    "countries",
    "blocs",
    "organisations",
    "systems",
    "tags",
]


def get(client, url, **params):
    response = client.get(url, params)
    return response, response.json() if response.content else None


@pytest.mark.parametrize("name", LISTS)
def test_every_list_answers_json_with_cursor_links(client, records, name):
    response, data = get(client, f"/api/v1/{name}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert set(data) == {"next", "previous", "results"}
    assert data["results"], name
    first = data["results"][0]
    detail, item = get(client, first["url"])
    assert detail.status_code == 200
    assert item["id"] == first["id"]
    assert item["slug"] == first["slug"]


def test_partnerships_filtered_by_country_and_kind_as_the_readme_shows(client, records):
    response, data = get(
        client, "/api/v1/partnerships/", country="pakistan", kind="export"
    )
    assert response.status_code == 200
    assert [p["slug"] for p in data["results"]] == ["tb2-pakistan"]
    deal = data["results"][0]
    assert deal["kind"] == "export"
    assert deal["start"] == {
        "date": "2021-06-01",
        "precision": "month",
        "is_estimate": False,
        "iso": "2021-06",
        "text": "June 2021",
    }
    assert {(p["role"], p["actor"]["slug"]) for p in deal["participants"]} == {
        ("supplier", "turkiye"),
        ("recipient", "pakistan"),
    }
    assert deal["participants"][0]["actor"]["type"] == "country"
    [line] = deal["systems"]
    assert line["system"]["slug"] == "bayraktar-tb2"
    assert line["system"]["category"] == "uav"
    assert line["quantity_ordered"] == 12
    assert line["delivery_years"] == [2022, 2023]
    assert [s["title"] for s in deal["sources"]] == ["Register entry"]
    assert [t["slug"] for t in deal["tags"]] == ["drones"]
    assert deal["web_url"] == "http://testserver/partnerships/tb2-pakistan/"
    assert deal["articles_url"].endswith("/api/v1/articles/?partnership=tb2-pakistan")


def test_trend_indicator_values_are_numbers_as_in_every_download(client, records):
    """Numbers as JSON numbers ("0.040" was a string), as export.json has them."""

    PartnershipSystem.objects.update(tiv_per_unit="0.040", tiv_order="4.000")
    _response, deal = get(client, "/api/v1/partnerships/tb2-pakistan/")
    [line] = deal["systems"]
    assert (line["tiv_per_unit"], line["tiv_order"]) == (0.04, 4)
    assert line["tiv_delivered"] is None
    exported = client.get("/partnerships/export.json", {"q": "tb2"})
    [row] = json.loads(b"".join(exported.streaming_content))
    [exported_line] = row["systems"]
    assert exported_line["tiv_per_unit"] == line["tiv_per_unit"]
    assert exported_line["tiv_order"] == line["tiv_order"]


def test_the_filters_answer_the_same_records_as_the_public_list(client, records):
    params = {"country": "pakistan", "role": "recipient"}
    page = client.get("/partnerships/", params)
    _, data = get(client, "/api/v1/partnerships/", **params)
    assert [p["slug"] for p in data["results"]] == [
        p.slug for p in page.context["partnerships"]
    ]


def test_a_published_article_has_its_source_its_html_and_its_confirmed_links(
    client, records
):
    response, data = get(client, "/api/v1/articles/drones-over-the-indus/")
    assert response.status_code == 200
    assert data["body_markdown"] == "Pakistan bought the *Bayraktar TB2*."
    assert data["body_html"] == "<p>Pakistan bought the <em>Bayraktar TB2</em>.</p>\n"
    assert data["authors"] == [{"slug": "ada-writer", "name": "Ada Writer"}]
    assert {(link["role"], link["entity"]["slug"]) for link in data["links"]} == {
        ("mentions", "pakistan"),
        ("mentions", "bayraktar-tb2"),
        ("mentions", "tb2-pakistan"),
    }
    assert data["reading_time"] == 1


def test_an_article_list_filtered_by_a_record_it_links(client, records):
    for params in ({"country": "pakistan"}, {"partnership": "tb2-pakistan"}):
        _, data = get(client, "/api/v1/articles/", **params)
        assert [a["slug"] for a in data["results"]] == ["drones-over-the-indus"]
        assert "body_markdown" not in data["results"][0]


def test_an_old_article_address_redirects_permanently(client, records):
    article = records["article"]
    article.slug = "drones-and-the-indus"
    article.save()
    response = client.get("/api/v1/articles/drones-over-the-indus/")
    assert response.status_code == 301
    assert (
        response["Location"]
        == "http://testserver/api/v1/articles/drones-and-the-indus/"
    )
    # The fields asked for go along.
    asked = client.get("/api/v1/articles/drones-over-the-indus/?fields=slug,title")
    assert asked["Location"].endswith("/drones-and-the-indus/?fields=slug,title")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/countries/pakistan/", {"alpha_2": "PK", "is_former": False}),
        ("/api/v1/organisations/baykar/", {"kind": "company"}),
        ("/api/v1/systems/bayraktar-tb2/", {"category": "uav"}),
    ],
)
def test_record_details(client, records, url, expected):
    _, data = get(client, url)
    for key, value in expected.items():
        assert data[key] == value


def test_records_nest_what_saves_a_round_trip(client, records):
    _, system = get(client, "/api/v1/systems/bayraktar-tb2/")
    assert [m["slug"] for m in system["makers"]] == ["baykar"]
    assert system["origin_country"]["slug"] == "turkiye"
    assert system["partnerships_url"].endswith(
        "/api/v1/partnerships/?system=bayraktar-tb2"
    )
    _, organisation = get(client, "/api/v1/organisations/baykar/")
    assert organisation["aliases"] == ["Baykar Makina"]
    assert organisation["home_country"]["name"] == "Türkiye"
    _, pakistan = get(client, "/api/v1/countries/pakistan/")
    blocs = {m["bloc"]["slug"]: m["joined"] for m in pakistan["blocs"]}
    assert "organisation-of-islamic-cooperation" in blocs
    assert 1990 in blocs.values()  # the test pact the fixture made


def test_record_lists_have_their_own_filters(client, records):
    _, data = get(client, "/api/v1/organisations/", q="makina")
    assert [o["slug"] for o in data["results"]] == ["baykar"]
    _, data = get(client, "/api/v1/systems/", category="uav", origin="turkiye")
    assert [s["slug"] for s in data["results"]] == ["bayraktar-tb2"]
    _, data = get(client, "/api/v1/countries/", q="pakist")
    assert [c["slug"] for c in data["results"]] == ["pakistan"]


def test_fields_keeps_only_the_named_fields(client, records):
    _, data = get(client, "/api/v1/partnerships/", fields="id,slug")
    assert all(set(item) == {"id", "slug"} for item in data["results"])
    _, item = get(client, "/api/v1/countries/pakistan/", fields="name")
    assert item == {"name": "Pakistan"}


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/partnerships/", {"country": "atlantis"}, "country"),
        ("/api/v1/partnerships/", {"kind": "piracy"}, "kind"),
        ("/api/v1/partnerships/", {"year_from": "soon"}, "year_from"),
        ("/api/v1/partnerships/", {"sort": "price"}, "sort"),
        ("/api/v1/partnerships/", {"page_size": "1000"}, "page_size"),
        ("/api/v1/partnerships/", {"page_size": "ten"}, "page_size"),
        ("/api/v1/partnerships/", {"cursor": "not-a-cursor"}, "cursor"),
        ("/api/v1/partnerships/", {"fields": "id,price"}, "fields"),
        ("/api/v1/partnerships/", {"contry": "pakistan"}, "detail"),
        ("/api/v1/articles/", {"published_after": "yesterday"}, "published_after"),
        ("/api/v1/articles/", {"author": "nobody-at-all"}, "author"),
        ("/api/v1/countries/pakistan/", {"kind": "export"}, "detail"),
        ("/api/v1/countries/", {"q": "x" * 201}, "q"),
        ("/api/v1/countries/", {"q": "nul\x00byte"}, "q"),
        # Only the last would count: refused, not read as the last.
        ("/api/v1/partnerships/", {"kind": ["export", "exercise"]}, "kind"),
        ("/api/v1/partnerships/", {"sort": ["name", "-start"]}, "sort"),
        ("/api/v1/countries/pakistan/", {"fields": ["id", "name"]}, "fields"),
        ("/api/v1/partnerships/", {"fields": "id,,slug"}, "fields"),
        ("/api/v1/partnerships/", {"page_size": "+5"}, "page_size"),
        ("/api/v1/partnerships/", {"page_size": "\uff15"}, "page_size"),  # "５"
        # Blank is empty: a filter given nothing, not no filter.
        ("/api/v1/partnerships/", {"q": " "}, "q"),
        ("/api/v1/partnerships/", {"series": "\t"}, "series"),
        ("/api/v1/countries/", {"region": " "}, "region"),
    ],
)
def test_a_bad_parameter_is_a_400_that_says_what_is_wrong(
    client, records, url, params, field
):
    response = client.get(url, params)
    assert response.status_code == 400
    message = response.json()[field]
    assert message, response.json()


def test_the_api_only_reads(client, records):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/partnerships/tb2-pakistan/")
        assert response.status_code == 405, method


def test_hostile_text_comes_back_as_escaped_json(client, records):
    deal = records["deal"]
    deal.summary = '</script><script>alert("x")</script>\u2028=HYPERLINK()'
    deal.save()
    response = client.get("/api/v1/partnerships/tb2-pakistan/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["summary"] == deal.summary
    assert b"\\u2028" in response.content  # a line separator breaks JavaScript
    assert b"<" not in response.content  # markup nowhere, even pasted in a page


def test_a_partnership_carries_its_data_quality_flags_and_todays_status(
    client, records
):
    from datasets.models import IssueStatus
    from partnerships.models import Partnership
    from tests.factories import DataIssueFactory

    deal = Partnership.objects.get(slug="tb2-pakistan")
    DataIssueFactory(
        entity=deal.entity_ptr,
        dataset="sipri",
        external_id="40123",
        field="quantity_ordered",
        source_value="12?",
        reason="not_a_number",
    )
    DataIssueFactory(entity=deal.entity_ptr, status=IssueStatus.GONE)
    # Recorded as active, but it ended in 2022: completed today.
    Partnership.objects.filter(pk=deal.pk).update(
        status="active", end_date="2022-12-31"
    )

    _, data = get(client, "/api/v1/partnerships/tb2-pakistan/")
    assert data["data_issues"] == [
        {
            "dataset": "sipri",
            "external_id": "40123",
            "field": "quantity_ordered",
            "source_value": "12?",
            "reason": "not_a_number",
            "reason_label": "Not a number, or not one the source would give",
            "status": "open",
        }
    ]  # the issue the publisher fixed since is not listed
    _, listed = get(client, "/api/v1/partnerships/", country="pakistan")
    [row] = [p for p in listed["results"] if p["slug"] == "tb2-pakistan"]
    assert row["data_issues"] == data["data_issues"]
    assert data["status"] == row["status"] == "completed"
