import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.dates import DatePrecision
from partnerships.models import (
    Entity,
    EntityType,
    Organisation,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    System,
)
from tests.factories import (
    AliasFactory,
    BlocFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def test_every_kind_shares_one_entity_identity():
    organisation = OrganisationFactory(name="Baykar")
    system = SystemFactory(name="Bayraktar TB2")
    partnership = PartnershipFactory(name="TB2 sale to Poland")
    entities = Entity.objects.filter(
        pk__in=[organisation.pk, system.pk, partnership.pk]
    ).order_by("pk")
    assert [e.entity_type for e in entities] == [
        EntityType.ORGANISATION,
        EntityType.SYSTEM,
        EntityType.PARTNERSHIP,
    ]
    assert [type(e.specific) for e in entities] == [Organisation, System, Partnership]


def test_a_slug_is_made_from_the_name_and_kept_unique_per_kind():
    first = Organisation.objects.create(name="Türk Havacılık")
    second = Organisation.objects.create(name="Türk Havacılık")
    system = System.objects.create(name="Türk Havacılık")
    assert first.slug == "turk-havacilik"
    assert second.slug == f"{first.slug}-2"
    assert system.slug == first.slug  # another kind may reuse it


def test_two_entities_of_a_kind_cannot_share_a_slug():
    OrganisationFactory(slug="acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(slug="acme")


def test_full_clean_reports_a_taken_slug_as_a_form_error():
    OrganisationFactory(slug="acme")
    duplicate = Organisation(name="Acme", slug="acme")
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "slug" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("factory", "prefix"),
    [
        (OrganisationFactory, "/organisations/"),
        (SystemFactory, "/systems/"),
        (PartnershipFactory, "/partnerships/"),
        (BlocFactory, "/blocs/"),
    ],
)
def test_every_entity_has_a_public_address(factory, prefix):
    entity = factory()
    assert entity.get_absolute_url() == f"{prefix}{entity.slug}/"
    assert (
        Entity.objects.get(pk=entity.pk).get_absolute_url() == f"{prefix}{entity.slug}/"
    )


def test_countries_and_tags_have_public_addresses(country):
    assert country("TR").get_absolute_url() == "/countries/turkiye/"
    tag = TagFactory(name="Air defence", slug="air-defence")
    assert tag.get_absolute_url() == "/tags/air-defence/"


def test_an_alias_is_stored_with_its_normalised_form():
    alias = AliasFactory(name="Bayraktar AKINCI")
    assert alias.normalised == "bayraktar akinci"


def test_an_entity_cannot_have_the_same_alias_twice():
    alias = AliasFactory(name="TAI")
    with pytest.raises(IntegrityError), transaction.atomic():
        AliasFactory(entity=alias.entity, name="tai")


def test_clean_refuses_an_alias_equal_to_the_name():
    organisation = OrganisationFactory(name="Roketsan")
    alias = AliasFactory.build(entity=organisation, name="ROKETSAN")
    with pytest.raises(ValidationError, match="already the entity's name"):
        alias.full_clean()


def test_external_ids_are_unique_per_scheme():
    ExternalIdentifierFactory(scheme="sipri", value="12345")
    ExternalIdentifierFactory(scheme="mme", value="12345")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExternalIdentifierFactory(scheme="sipri", value="12345")


def test_partnership_dates_are_kept_to_their_precision():
    partnership = PartnershipFactory(
        start_date=dt.date(2019, 7, 18),
        start_precision=DatePrecision.YEAR,
        start_is_estimate=True,
        end_date=dt.date(2021, 5, 24),
        end_precision=DatePrecision.MONTH,
    )
    partnership.refresh_from_db()
    assert partnership.start_date == dt.date(2019, 1, 1)
    assert str(partnership.start) == "c. 2019"
    assert str(partnership.end) == "May 2021"


def test_a_partnership_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2019, 1, 1),
            end_precision=DatePrecision.YEAR,
        )


def test_kind_and_status_must_be_known_values():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(kind="smuggling")
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(status="rumoured")


def test_partnership_kinds_and_statuses_are_the_agreed_values():
    assert PartnershipKind.values == [
        "export",
        "technology_transfer",
        "industrial_partnership",
        "joint_development",
        "exercise",
        "research",
        "training",
        "agreement",
        "trade",
    ]
    assert PartnershipStatus.values == [
        "proposed",
        "signed",
        "active",
        "completed",
        "cancelled",
    ]
    assert ParticipantRole.values == [
        "supplier",
        "recipient",
        "partner",
        "developer",
        "host",
        "participant",
    ]


def test_a_participant_is_exactly_one_country_organisation_or_bloc(country):
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            partnership=partnership, role=ParticipantRole.PARTNER
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            partnership=partnership,
            role=ParticipantRole.PARTNER,
            country=country("TR"),
            organisation=OrganisationFactory(),
        )
    participant = Participant.objects.create(
        partnership=partnership,
        role=ParticipantRole.HOST,
        bloc=BlocFactory(name="NATO 2"),
    )
    assert participant.actor.name == "NATO 2"
    assert str(participant) == "NATO 2 (host)"


def test_a_country_takes_a_role_in_a_partnership_only_once(country):
    partnership = PartnershipFactory()
    ParticipantFactory(partnership=partnership, country=country("PL"), role="recipient")
    ParticipantFactory(partnership=partnership, country=country("PL"), role="partner")
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipantFactory(
            partnership=partnership, country=country("PL"), role="recipient"
        )


def test_involving_finds_partnerships_of_an_actor_in_any_role(country):
    poland, turkiye = country("PL"), country("TR")
    baykar = OrganisationFactory(name="Baykar")
    sale = PartnershipFactory(name="TB2 to Poland")
    ParticipantFactory(partnership=sale, country=poland, role="recipient")
    ParticipantFactory(partnership=sale, country=turkiye, role="supplier")
    ParticipantFactory(
        partnership=sale, organisation=baykar, country=None, role="supplier"
    )
    exercise = PartnershipFactory(name="Anakonda", kind=PartnershipKind.EXERCISE)
    ParticipantFactory(partnership=exercise, country=poland, role="host")
    PartnershipFactory(name="Unrelated")

    assert set(Partnership.objects.involving(poland)) == {sale, exercise}
    assert list(Partnership.objects.involving(baykar)) == [sale]


def test_systems_quantities_sources_and_tags_hang_off_a_partnership():
    partnership = PartnershipFactory(tags=[TagFactory(name="Drones")])
    line = PartnershipSystemFactory(
        partnership=partnership, quantity_ordered=24, quantity_delivered=12
    )
    SourceFactory(partnership=partnership, title="Poland signs for TB2")
    assert list(partnership.systems.all()) == [line.system]
    assert partnership.sources.get().title == "Poland signs for TB2"
    assert partnership.tags.get().name == "Drones"


def test_a_system_is_made_by_organisations_in_a_country(country):
    baykar = OrganisationFactory(name="Baykar", home_country=country("TR"))
    tb2 = SystemFactory(
        name="Bayraktar TB2", makers=[baykar], origin_country=country("TR")
    )
    assert list(baykar.systems.all()) == [tb2]
    assert list(country("TR").organisations.all()) == [baykar]


@pytest.mark.parametrize(
    ("start", "end", "period"),
    [
        (("2019-03-01", "month"), ("2021-01-01", "year"), "March 2019–2021"),
        (("2005-08-01", "month"), ("2005-08-31", "month"), "August 2005"),
        (("2005-08-16", "day"), ("2005-08-23", "day"), "16 August 2005–23 August 2005"),
        (("2020-01-01", "year"), None, "2020"),
        (None, ("2024-01-01", "year"), "until 2024"),
        (None, None, ""),
        # One estimated year is one year, estimated.
        (("1968-01-01", "year", True), ("1968-12-31", "year"), "c. 1968"),
        (("1968-01-01", "year", True), ("1970-12-31", "year"), "c. 1968–1970"),
    ],
)
def test_a_partnership_period_reads_as_a_list_shows_it(start, end, period):
    fields = {}
    if start and len(start) == 3:
        fields["start_is_estimate"] = start[2]
    if start:
        fields |= {
            "start_date": dt.date.fromisoformat(start[0]),
            "start_precision": start[1],
        }
    else:
        fields |= {"start_date": None}
    if end:
        fields |= {"end_date": dt.date.fromisoformat(end[0]), "end_precision": end[1]}
    assert PartnershipFactory(**fields).period == period
