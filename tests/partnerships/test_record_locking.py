"""No lost update on records: every kind of record has the articles' lock.
A save over someone else's change is refused, shows what they changed, and
asks before replacing it; a form that names no version writes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from datasets.entities import bulk_update_entities
from partnerships import services
from partnerships.models import Entity, Partnership
from tests.admin_forms import scraped_form
from tests.factories import (
    BlocFactory,
    OrganisationFactory,
    PartnershipFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]


def change_url(record):
    return reverse(f"admin:partnerships_{record.entity_type}_change", args=[record.pk])


def opened(client, record) -> dict:
    """The record's form as the page sends it unchanged."""
    return scraped_form(client.get(change_url(record)).content.decode())


@pytest.fixture
def second_researcher(roles):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(
        UserFactory(
            username="second",
            first_name="Second",
            last_name="Researcher",
            groups=[roles["Researchers"]],
        )
    )
    return client


@pytest.fixture
def records(country):
    pakistan = country("PK")
    pakistan.save()  # its first history row: the migration that made it wrote none
    return [
        pakistan,
        BlocFactory(),
        OrganisationFactory(),
        SystemFactory(),
        PartnershipFactory(),
    ]


def test_every_kind_of_record_refuses_a_save_from_an_older_form(
    researcher_client, second_researcher, records
):
    for record in records:
        mine = opened(researcher_client, record)
        theirs = opened(second_researcher, record)
        theirs["summary"] = ["Their summary."]
        assert second_researcher.post(change_url(record), theirs).status_code == 302
        mine["summary"] = ["My summary."]
        response = researcher_client.post(change_url(record), mine)
        assert response.status_code == 200, record
        page = response.content.decode()
        assert "Saved meanwhile by Second Researcher" in page
        assert "Their summary." in page
        assert "My summary." in page  # still in the form
        record.refresh_from_db()
        assert record.summary == "Their summary."


def test_without_history_a_refusal_points_to_the_record_history(
    researcher_client, second_researcher, country
):
    pakistan = country("PK")  # made by a migration: no history yet
    mine = opened(researcher_client, pakistan)
    theirs = opened(second_researcher, pakistan)
    second_researcher.post(change_url(pakistan), theirs)
    response = researcher_client.post(change_url(pakistan), mine)
    assert response.status_code == 200
    assert "does not say which fields changed" in response.content.decode()


def test_every_kind_of_record_refuses_a_form_that_names_no_version(
    researcher_client, records
):
    for record in records:
        data = opened(researcher_client, record)
        data.pop("base_version")
        data["summary"] = ["Overwritten?"]
        before = record.history.count()
        response = researcher_client.post(change_url(record), data)
        assert response.status_code == 200, record
        assert "does not say which version" in response.content.decode()
        record.refresh_from_db()
        assert record.summary != "Overwritten?"
        assert record.history.count() == before


def test_two_researchers_on_one_partnership_the_second_is_asked_before_replacing(
    researcher_client, second_researcher
):
    partnership = PartnershipFactory(summary="First summary.")
    mine = opened(researcher_client, partnership)
    theirs = opened(second_researcher, partnership)
    theirs["summary"] = ["Their careful summary."]
    second_researcher.post(change_url(partnership), theirs)

    mine["summary"] = ["My summary."]
    refused = researcher_client.post(change_url(partnership), mine)
    assert "Replace their changes with mine" in refused.content.decode()
    again = scraped_form(refused.content.decode())
    # Saving again unticked is refused again...
    assert researcher_client.post(change_url(partnership), again).status_code == 200
    partnership.refresh_from_db()
    assert partnership.summary == "Their careful summary."
    # ...ticked, it replaces what they saw.
    again["overwrite"] = ["on"]
    assert researcher_client.post(change_url(partnership), again).status_code == 302
    partnership.refresh_from_db()
    assert partnership.summary == "My summary."


def test_a_bulk_tag_meanwhile_makes_an_open_form_stale(researcher_client):
    partnership = PartnershipFactory()
    form = opened(researcher_client, partnership)
    services.partnerships_tag(
        partnerships=Partnership.objects.filter(pk=partnership.pk), tag=TagFactory()
    )
    assert researcher_client.post(change_url(partnership), form).status_code == 200


def test_an_import_meanwhile_makes_an_open_form_stale(researcher_client):
    partnership = PartnershipFactory(summary="Before the import.")
    form = opened(researcher_client, partnership)
    partnership.summary = "From the dataset."
    bulk_update_entities(Partnership, [partnership], ["summary"])
    assert Entity.objects.get(pk=partnership.pk).edit_version == 2
    assert researcher_client.post(change_url(partnership), form).status_code == 200
    partnership.refresh_from_db()
    assert partnership.summary == "From the dataset."
