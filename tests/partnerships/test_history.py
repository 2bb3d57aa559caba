"""Records keep a history: who changed what, when."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.admin_forms import inline_management
from tests.factories import ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_editing_a_partnership_records_who_changed_what(
    researcher_client, researcher, country
):
    partnership = PartnershipFactory(name="Old name", status="active")
    participant = ParticipantFactory(partnership=partnership, country=country("PL"))
    data = {
        "name": "New name",
        "slug": partnership.slug,
        "summary": partnership.summary,
        "kind": "export",
        "status": "completed",
        "start": "2021",
        **inline_management("participants", 2, 1),
        "participants-0-id": participant.pk,
        "participants-0-partnership": partnership.pk,
        "participants-0-role": "recipient",
        "participants-0-country": country("PL").pk,
        "participants-1-role": "supplier",
        "participants-1-country": country("TR").pk,
        **inline_management("system_lines", 0),
        **inline_management("sources", 0),
        **inline_management("aliases", 0),
        **inline_management("external_ids", 0),
    }
    response = researcher_client.post(
        reverse("admin:partnerships_partnership_change", args=[partnership.pk]), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = partnership.history.latest()
    assert latest.history_user == researcher
    delta = latest.diff_against(latest.prev_record)
    assert {change.field: (change.old, change.new) for change in delta.changes} == {
        "name": ("Old name", "New name"),
        "status": ("active", "completed"),
        "start_date": (dt.date(2020, 1, 1), dt.date(2021, 1, 1)),
    }

    page = researcher_client.get(
        reverse("admin:partnerships_partnership_history", args=[partnership.pk])
    ).content.decode()
    assert "New name" in page
    assert "Added participant: Türkiye (supplier)" in page


def test_every_kind_of_record_has_a_history(superuser_client):
    from tests.factories import OrganisationFactory, SystemFactory

    for record, name in (
        (OrganisationFactory(), "organisation"),
        (SystemFactory(), "system"),
    ):
        record.name = "Renamed"
        record.save()
        assert record.history.count() == 2
        url = reverse(f"admin:partnerships_{name}_history", args=[record.pk])
        assert superuser_client.get(url).status_code == 200
