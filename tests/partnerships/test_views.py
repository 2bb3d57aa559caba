"""The public record pages (plain for now; the public-site issue grows them)."""

import pytest
from django.urls import reverse

from tests.factories import (
    BlocMembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def test_a_partnership_page_shows_its_facts(client, country):
    partnership = PartnershipFactory(name="TB2 sale to Poland", kind="export")
    ParticipantFactory(partnership=partnership, country=country("TR"), role="supplier")
    ParticipantFactory(partnership=partnership, country=country("PL"), role="recipient")
    PartnershipSystemFactory(
        partnership=partnership,
        system=SystemFactory(name="Bayraktar TB2"),
        quantity_ordered=24,
    )
    SourceFactory(partnership=partnership, title="Poland signs for TB2")
    page = client.get(partnership.get_absolute_url()).content.decode()
    for text in (
        "TB2 sale to Poland",
        "Türkiye",
        "Poland",
        "Bayraktar TB2",
        "24",
        "Poland signs for TB2",
        "Export or sale",
        "2020",
    ):
        assert text in page


def test_a_country_page_lists_its_partnerships_and_blocs(client, country):
    partnership = PartnershipFactory(name="Efes-2022", kind="exercise")
    ParticipantFactory(partnership=partnership, country=country("TR"), role="host")
    page = client.get(country("TR").get_absolute_url()).content.decode()
    assert "Efes-2022" in page
    assert "NATO" in page
    assert "Organisation of Islamic Cooperation" in page


def test_organisation_system_bloc_and_tag_pages_answer(client, country):
    organisation = OrganisationFactory(home_country=country("TR"))
    system = SystemFactory(makers=[organisation])
    membership = BlocMembershipFactory()
    tag = TagFactory()
    PublishedArticleFactory(title="Tagged essay", tags=[tag])
    for obj in (organisation, system, membership.bloc, tag):
        assert client.get(obj.get_absolute_url()).status_code == 200
    assert "Tagged essay" in client.get(tag.get_absolute_url()).content.decode()


def test_an_unknown_record_is_a_404(client):
    assert (
        client.get(reverse("partnerships:system_detail", args=["nope"])).status_code
        == 404
    )


@pytest.mark.parametrize("count", [1, 20])
def test_a_country_page_takes_the_same_queries_whatever_its_partnerships(
    client, country, django_assert_num_queries, count
):
    for _ in range(count):
        partnership = PartnershipFactory()
        ParticipantFactory(
            partnership=partnership, country=country("PK"), role="recipient"
        )
        ParticipantFactory(
            partnership=partnership,
            country=None,
            organisation=OrganisationFactory(),
            role="supplier",
        )
    # country, blocs, aliases, partnerships in all and by role, partners,
    # recent partnerships, their participants (their rows show no systems),
    # articles count
    with django_assert_num_queries(9):
        client.get(country("PK").get_absolute_url())


@pytest.mark.parametrize("count", [1, 20])
def test_the_partnership_list_takes_the_same_queries_whatever_its_length(
    client, country, django_assert_num_queries, count
):
    for _ in range(count):
        ParticipantFactory(country=country("PK"))
    # count, page, participants (a row shows no systems), and one per facet
    # (kind, status, country, category, tag)
    with django_assert_num_queries(8):
        client.get(reverse("partnerships:partnership_list"))


def test_a_tag_and_an_organisation_page_count_what_is_tagged_or_added_next(
    client, commit, kept_counts
):
    tag, maker = TagFactory(), OrganisationFactory()
    with commit():
        for _ in range(2):
            deal = PartnershipFactory()
            deal.tags.add(tag)
            ParticipantFactory(partnership=deal, country=None, organisation=maker)
    pages = (tag.get_absolute_url(), maker.get_absolute_url())
    assert [client.get(page).context["partnership_total"] for page in pages] == [2, 2]
    with commit():
        deal = PartnershipFactory()
        deal.tags.add(tag)
        ParticipantFactory(partnership=deal, country=None, organisation=maker)
    assert [client.get(page).context["partnership_total"] for page in pages] == [3, 3]
