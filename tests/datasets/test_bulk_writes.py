"""What an import writes in bulk is what single saves would write: the
search entries, the records' first versions, the data's version."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from datasets.entities import NewRow, insert_values
from freshness import versions
from partnerships.models import (
    Entity,
    Participant,
    Partnership,
    PartnershipSystem,
    Source,
)
from search import indexing
from search.models import SearchEntry
from tests.datafiles import MmeExerciseFactory, SipriDealFactory, mme_file, sipri_file
from tests.factories import PartnershipFactory, SystemFactory

pytestmark = pytest.mark.django_db

ENTRY_FIELDS = ["kind", "visible_from", "title", "title_key", "keywords", "body"]


def run(command: str, path) -> str:
    out = StringIO()
    call_command(command, str(path), stdout=out)
    return out.getvalue()


def deals_file(tmp_path):
    """Deals between countries, with a non-state actor, accents, an
    uncertain year and comments: every part of a record's document."""
    return sipri_file(
        tmp_path,
        [
            *SipriDealFactory.create_batch(3, comments="For the navy"),
            SipriDealFactory(supplier="Hezbollah (Lebanon)*", recipient="Syria"),
            SipriDealFactory(
                supplier="Türkiye", designation="Fırtına", year_uncertain="?"
            ),
            SipriDealFactory(recipient="Côte d'Ivoire", description="armed UAV"),
        ],
        encoding="utf-8",
    )


def entries() -> dict[int, dict]:
    return {
        row.pop("entity_id"): row
        for row in SearchEntry.objects.filter(entity__isnull=False).values(
            "entity_id", *ENTRY_FIELDS
        )
    }


def one_by_one(pks) -> dict[int, dict]:
    """The entries indexing each record from its saved row would give."""
    expected = {}
    for entity in Entity.objects.filter(pk__in=pks):
        record = (
            indexing.ENTITY_MODELS[entity.entity_type]
            .index_queryset()
            .get(pk=entity.pk)
        )
        document = indexing.document(record)
        document["title_key"] = indexing.normalise_name(document["title"])
        expected[entity.pk] = {field: document[field] for field in ENTRY_FIELDS}
    return expected


def test_an_imports_search_entries_are_those_each_record_gives_alone(tmp_path, commit):
    with commit():
        run("import_sipri", deals_file(tmp_path))

    indexed = entries()
    assert Partnership.objects.count() == 6
    assert set(Partnership.objects.values_list("pk", flat=True)) <= set(indexed)
    assert indexed == one_by_one(indexed)


def test_exercises_search_entries_are_those_each_record_gives_alone(tmp_path, commit):
    with commit():
        run(
            "import_exercises",
            mme_file(
                tmp_path,
                [
                    *MmeExerciseFactory.create_batch(3),
                    MmeExerciseFactory(states=["Türkiye", "Greece", "Bulgaria"]),
                    MmeExerciseFactory(Location="off the coast of Oman"),
                ],
            ),
        )

    indexed = entries()
    assert Partnership.objects.exists()
    assert indexed == one_by_one(indexed)


def _history_matches(model, fields: list[str]) -> None:
    for row in model.objects.all():
        first = row.history.earliest("history_date")
        assert first.history_type == "+"
        assert {f: getattr(first, f) for f in fields} == {
            f: getattr(row, f) for f in fields
        }


def test_each_imported_row_has_a_first_version_holding_its_values(tmp_path):
    run("import_sipri", deals_file(tmp_path))

    _history_matches(
        Partnership,
        ["name", "slug", "summary", "kind", "status", "start_date", "end_date",
         "start_is_estimate", "edit_version", "created_at"],
    )  # fmt: skip
    _history_matches(
        Participant, ["partnership_id", "role", "country_id", "organisation_id"]
    )
    _history_matches(
        PartnershipSystem,
        ["partnership_id", "system_id", "quantity_ordered", "delivery_years",
         "condition", "tiv_per_unit", "tiv_order", "tiv_delivered"],
    )  # fmt: skip
    _history_matches(Source, ["partnership_id", "title", "url", "accessed_on"])
    assert Participant.history.count() == Participant.objects.count() == 12


def test_an_import_that_changes_nothing_leaves_the_data_version(tmp_path, commit):
    path = deals_file(tmp_path)
    before = versions.current().token
    with commit():
        run("import_sipri", path)
    imported = versions.current().token
    call_command("build_snapshot", stdout=StringIO())  # as once it committed

    with commit():
        output = run("import_sipri", path)

    assert imported != before
    assert "0 created, 0 updated, 6 unchanged" in output
    assert versions.current().token == imported
    assert "Nothing changed since the last snapshot." in output


def test_a_bulk_row_given_a_related_object_for_its_id_is_refused(country):
    """Rows written from plain values take ids: a value under another name
    would be lost without a word, so it is refused, as a model refuses it."""
    with pytest.raises(TypeError, match="country"):
        NewRow(Participant, partnership_id=1, role="supplier", country=country("FR"))
    row = NewRow(Participant, partnership_id=1, role="supplier", country_id=7)
    assert (row.country_id, row.organisation_id, row.note) == (7, None, "")


def test_rows_written_from_their_values_read_back_as_rows_saved_one_by_one():
    """What an import writes as plain values (on SQLite, as one JSON array)
    reads back as the same row saved through the model: numbers, decimals,
    dates, lists, flags, text in any script, no value, each field's default."""
    deal, system = PartnershipFactory(), SystemFactory()
    values = {
        "partnership_id": deal.pk,
        "system_id": system.pk,
        "quantity_ordered": 2_147_483_647,
        "quantity_ordered_is_estimate": True,
        "quantity_delivered": None,
        "delivery_years": [2015, 2016],
        "tiv_per_unit": Decimal("0.125"),
        "tiv_order": Decimal("12345678901.5"),
        "condition": "second_hand",
    }
    fields = [*values, "quantity_delivered_is_estimate", "local_production",
              "delivery_years_are_estimates", "tiv_delivered"]  # fmt: skip
    [pk] = insert_values(
        PartnershipSystem, tuple(values), [tuple(values.values())], returning=True
    )
    written = PartnershipSystem.objects.values(*fields).get(pk=pk)
    PartnershipSystem.objects.filter(pk=pk).delete()
    saved = PartnershipSystem.objects.create(**values)
    assert written == PartnershipSystem.objects.values(*fields).get(pk=saved.pk)

    text = "Fırtına – «Ørsted» 火 😀 \\ \" ' \n"
    [pk] = insert_values(
        Source,
        ("partnership_id", "title", "accessed_on"),
        [(deal.pk, text, dt.date(1999, 12, 31))],
        returning=True,
    )
    source = Source.objects.get(pk=pk)
    assert (source.title, source.accessed_on, source.url) == (
        text, dt.date(1999, 12, 31), ""
    )  # fmt: skip


def test_a_row_written_from_values_names_fields_by_their_ids():
    with pytest.raises(TypeError, match="country"):
        insert_values(Participant, ("partnership_id", "role", "country"), [])


def test_a_row_imported_after_one_was_deleted_does_not_take_its_id(tmp_path):
    """Ids are never given twice: a new row taking a deleted row's id would
    show that row's history as its own."""
    run("import_sipri", sipri_file(tmp_path, SipriDealFactory.create_batch(2)))
    last = Partnership.objects.order_by("pk").last()
    gone = {
        Entity: last.pk,
        Participant: last.participants.order_by("pk").last().pk,
        Source: last.sources.get().pk,
    }
    last.delete()

    run("import_sipri", sipri_file(tmp_path, SipriDealFactory.create_batch(2)))

    for model, pk in gone.items():
        assert model.objects.order_by("pk").last().pk > pk
    assert (
        Participant.history.filter(id=gone[Participant], history_type="+").count() == 1
    )
