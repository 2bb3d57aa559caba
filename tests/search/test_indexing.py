"""Search listens: whatever changes a document, however it is written, is
found by its new text once the transaction commits, indexed once with
everything else the transaction changed; and nothing else wakes it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from core.signals import send_bulk_saved
from partnerships import services
from partnerships.models import Entity, MentionIndex, Organisation, Partnership, System
from search.backends import search
from search.indexing import _Pending
from search.signals import dependencies
from tests.factories import (
    AliasFactory,
    BlocFactory,
    CountryFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def titles(text):
    return sorted(
        hit.title.replace("<mark>", "").replace("</mark>", "")
        for hit in search(text).hits(0, 50)
    )


def test_a_transactions_changes_are_indexed_together_when_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        system = SystemFactory(name="Kestrel")
        AliasFactory(entity=system, name="Falco")
        system.name = "Osprey"
        system.save()
        PublishedArticleFactory(title="Osprey over the sea")
        assert titles("osprey") == []  # not before the commit

    # One indexing run for the whole transaction (beside the data version's).
    [indexing_run] = [c for c in callbacks if isinstance(c, _Pending)]
    indexing_run()
    assert titles("osprey") == ["Osprey", "Osprey over the sea"]
    # The alias names the system: it finds what the system's name finds.
    assert titles("falco") == ["Osprey", "Osprey over the sea"]
    assert titles("kestrel") == []


def _queries_to_index(count, capture) -> int:
    tag = TagFactory()
    with capture() as callbacks:
        for number in range(count):
            deal = PartnershipFactory(name=f"Frigate deal {number}", tags=[tag])
            ParticipantFactory(partnership=deal)
            PartnershipSystemFactory(partnership=deal)
            PublishedArticleFactory(title=f"Frigates {number}", tags=[tag])
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    return len(queries)


def test_indexing_a_transaction_takes_as_many_queries_for_30_rows_as_for_3(
    django_capture_on_commit_callbacks,
):
    few = _queries_to_index(3, django_capture_on_commit_callbacks)
    many = _queries_to_index(30, django_capture_on_commit_callbacks)
    assert few == many
    assert search("frigate").count() == 33 + 33  # deals and articles


def test_a_rolled_back_change_is_not_indexed_and_later_ones_are(commit):
    def change_and_roll_back():
        with transaction.atomic():
            SystemFactory(name="Ghost")
            raise RuntimeError("changed my mind")

    with commit():
        with pytest.raises(RuntimeError):
            change_and_roll_back()
        SystemFactory(name="Kept")
    assert titles("ghost") == []
    assert titles("kept") == ["Kept"]


def test_an_alias_added_or_removed_changes_what_finds_a_record(commit):
    with commit():
        system = SystemFactory(name="Bayraktar TB2")
        alias = AliasFactory(entity=system, name="Tebe")
    assert titles("tebe") == ["Bayraktar TB2"]
    with commit():
        alias.delete()
    assert titles("tebe") == []


def test_a_renamed_tag_finds_the_records_and_articles_it_tags(commit):
    with commit():
        tag = TagFactory(name="Drones")
        PartnershipFactory(name="A deal", tags=[tag])
        PublishedArticleFactory(title="An essay", tags=[tag])
    with commit():
        tag.name = "Loitering munitions"
        tag.save()
    assert titles("loitering") == ["A deal", "An essay"]


def test_renaming_a_maker_or_a_home_country_reindexes_who_names_them(commit):
    with commit():
        freedonia = CountryFactory(name="Freedonia")
        maker = OrganisationFactory(name="Acme Arms", home_country=freedonia)
        SystemFactory(name="Roadrunner", makers=[maker])
    with commit():
        maker.name = "Coyote Systems"
        maker.save()
        freedonia.name = "Sylvania"
        freedonia.save()
    assert titles("coyote") == ["Coyote Systems", "Roadrunner"]
    assert titles("sylvania") == ["Coyote Systems", "Sylvania"]
    assert titles("acme") == titles("freedonia") == []


def test_links_made_or_cleared_from_either_end_are_followed(commit):
    with commit():
        maker = OrganisationFactory(name="Acme Arms")
        system = SystemFactory(name="Roadrunner")
        tag = TagFactory(name="Drones")
        deal = PartnershipFactory(name="A deal")
    with commit():
        maker.systems.add(system)  # from the maker's side
        tag.partnerships.add(deal)  # from the tag's side
    assert "Roadrunner" in titles("acme")
    assert titles("drones") == ["A deal"]
    with commit():
        tag.partnerships.clear()
        system.makers.remove(maker)
    assert titles("drones") == []
    assert titles("acme") == ["Acme Arms"]


def test_deleting_a_maker_reindexes_the_systems_it_made(commit):
    with commit():
        maker = OrganisationFactory(name="Acme Arms")
        SystemFactory(name="Roadrunner", makers=[maker])
    with commit():
        maker.delete()
    assert titles("acme") == []
    assert titles("roadrunner") == ["Roadrunner"]


def test_tagging_partnerships_in_bulk_is_searchable(commit):
    with commit():
        deals = [PartnershipFactory(name=f"Deal {n}") for n in range(3)]
        tag = TagFactory(name="Exercises")
    partnerships = Partnership.objects.filter(pk__in=[d.pk for d in deals])
    with commit():
        services.partnerships_tag(partnerships=partnerships, tag=tag)
    assert titles("exercises") == ["Deal 0", "Deal 1", "Deal 2"]
    with commit():
        services.partnerships_untag(partnerships=partnerships, tag=tag)
    assert titles("exercises") == []


def test_rows_written_in_bulk_are_indexed_once_announced(commit):
    with commit():
        maker = OrganisationFactory(name="Acme Arms")
    with commit():
        Organisation.objects.filter(pk=maker.pk).update(name="Coyote Systems")
    assert titles("coyote") == []  # a bulk write sends no signal by itself
    with commit():
        send_bulk_saved(Entity, [maker.pk])
    assert titles("coyote") == ["Coyote Systems"]


def test_rows_no_document_reads_wake_nothing(django_capture_on_commit_callbacks):
    deal = PartnershipFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        SourceFactory(partnership=deal)
        ExternalIdentifierFactory(entity=deal)
        UserFactory()
    assert [c for c in callbacks if isinstance(c, _Pending)] == []


def test_bulk_writes_are_announced_to_the_mention_detector_too():
    maker = OrganisationFactory(name="Acme Arms")
    before = MentionIndex.current_version()
    send_bulk_saved(Entity, [maker.pk])
    assert MentionIndex.current_version() != before


def test_a_relation_search_cannot_follow_is_refused(monkeypatch):
    monkeypatch.setattr(Article, "index_related", ("title",))
    with pytest.raises(ImproperlyConfigured, match="title"):
        dependencies(Article)


def test_systems_indexed_in_bulk_read_as_one_by_one(commit):
    """An import creates thousands of systems, indexed from plain values
    (``index_rows``): the entries are those their saved rows give, aliases,
    category, origin and makers included."""
    with commit():
        drone = SystemFactory(
            name="Kestrel", summary="A drone.", category="uav",
            origin_country=CountryFactory(name="Norway"),
        )  # fmt: skip
        AliasFactory(entity=drone, name="Tårnfalk")
        drone.makers.add(
            OrganisationFactory(name="Zeta Works"), OrganisationFactory(name="Aero AS")
        )
        bare = SystemFactory(name="Bare radar", summary="", origin_country=None)
    expected = {
        s.pk: s.index_components()
        for s in System.index_queryset().filter(pk__in=[drone.pk, bare.pk])
    }

    assert dict(System.index_rows([drone.pk, bare.pk])) == expected
    assert titles("tarnfalk") == ["Kestrel"]
    assert "Kestrel" in titles("zeta works")


def test_partnerships_indexed_in_bulk_read_as_one_by_one(commit):
    """An import indexes thousands of partnerships from plain values
    (``index_rows``); the entries are those their saved rows give, aliases,
    tags, every kind of participant and systems included."""
    with commit():
        deal = PartnershipFactory(name="Kestrel sale", summary="Twelve drones.")
        AliasFactory(entity=deal, name="Falco deal")
        AliasFactory(entity=deal, name="Ørnen-kjøp")
        deal.tags.add(TagFactory(name="Drones"), TagFactory(name="Akıncı"))
        ParticipantFactory(partnership=deal, role="supplier", country=CountryFactory())
        ParticipantFactory(
            partnership=deal,
            role="recipient",
            country=None,
            organisation=OrganisationFactory(name="Sky Corps"),
        )
        ParticipantFactory(
            partnership=deal, role="partner", country=None, bloc=BlocFactory()
        )
        for name in ("Zephyr", "Albatross"):
            PartnershipSystemFactory(partnership=deal, system=SystemFactory(name=name))
        bare = PartnershipFactory(name="Bare deal", summary="")
    expected = {
        p.pk: p.index_components()
        for p in Partnership.index_queryset().filter(pk__in=[deal.pk, bare.pk])
    }

    assert dict(Partnership.index_rows([deal.pk, bare.pk])) == expected
    assert titles("ornen") == titles("akinci") == ["Kestrel sale"]
    assert titles("sky corps") == ["Kestrel sale", "Sky Corps"]
    assert titles("albatross") == ["Albatross", "Kestrel sale"]
