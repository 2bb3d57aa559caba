"""Records keep a history: who changed what, when."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.admin_forms import inline_management, scraped_form
from tests.factories import ParticipantFactory, PartnershipFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_editing_a_partnership_records_who_changed_what(
    researcher_client, researcher, country
):
    partnership = PartnershipFactory(name="Old name", status="active")
    participant = ParticipantFactory(partnership=partnership, country=country("PL"))
    data = {
        "base_version": partnership.edit_version,
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


def test_a_change_of_tags_or_aliases_says_what_changed_in_the_history(
    researcher_client, researcher
):
    """Tags and aliases are not fields of the record: the save's history
    row says what the admin changed, and no row reads "None"."""
    partnership = PartnershipFactory(name="Exercise", tags=[TagFactory(name="Air")])
    new_tag = TagFactory(name="Peacekeeping")
    url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
    data = scraped_form(researcher_client.get(url).content.decode())
    data["tags"] = [str(new_tag.pk)]
    data.update(inline_management("aliases", 1))
    data["aliases-0-name"] = "Blue Flag"
    response = researcher_client.post(url, data)
    assert response.status_code == 302
    latest = partnership.history.latest()
    assert latest.history_user == researcher
    assert latest.history_change_reason == "Changed Tags. Added alias “Blue Flag”."
    page = researcher_client.get(
        reverse("admin:partnerships_partnership_history", args=[partnership.pk])
    ).content.decode()
    assert "Changed Tags. Added alias “Blue Flag”." in page
    assert "None" not in re.sub(r"<[^>]+>", " ", page.split('id="change-history"')[1])


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


def _history_form_url(partnership):
    record = partnership.history.earliest()
    return reverse(
        "admin:partnerships_partnership_simple_history",
        args=[partnership.pk, record.history_id],
    )


def test_a_contributor_cannot_rename_a_record_through_its_history_form(
    contributor_client,
):
    partnership = PartnershipFactory(name="TB2 to Poland")
    response = contributor_client.post(
        _history_form_url(partnership),
        {"name": "Renamed", "slug": partnership.slug, "kind": "export"},
    )
    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.name == "TB2 to Poland"
    assert partnership.history.count() == 1


def test_an_earlier_version_of_a_record_reads_as_a_table_without_a_form(
    contributor_client,
):
    partnership = PartnershipFactory(name="TB2 to Poland")
    partnership.name = "Bayraktar TB2 to Poland"
    partnership.save()
    response = contributor_client.get(_history_form_url(partnership))
    assert response.status_code == 200
    page = response.content.decode()
    assert "TB2 to Poland" in page
    assert 'name="name"' not in page
    assert "Revert" not in page


def test_with_reverting_on_only_those_who_may_change_the_record_may_post(
    settings, contributor_client, researcher
):
    settings.SIMPLE_HISTORY_REVERT_DISABLED = False
    partnership = PartnershipFactory(name="TB2 to Poland")
    url = _history_form_url(partnership)
    assert contributor_client.post(url, {"name": "Renamed"}).status_code == 403
    contributor_client.force_login(researcher)
    response = contributor_client.post(url, {"name": "Renamed"})
    assert response.status_code == 200  # the form, with what is missing
    partnership.refresh_from_db()
    assert partnership.name == "TB2 to Poland"


def test_a_malformed_history_address_is_not_found(superuser_client):
    partnership = PartnershipFactory()
    url = f"/admin/partnerships/partnership/{partnership.pk}x/history/1/"
    assert superuser_client.get(url).status_code == 404
