"""import_sipri: SIPRI's trade register, in both export formats."""

import csv
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import DataIssue, ImportRun, IssueReason
from partnerships.dates import DatePrecision
from partnerships.models import (
    Bloc,
    Entity,
    ExternalIdentifier,
    Organisation,
    OrganisationKind,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipStatus,
    PartnershipSystem,
    Source,
    System,
    SystemCategory,
)
from tests.datafiles import (
    SipriDealFactory,
    SipriDeliveryFactory,
    sipri_file,
    sipri_lines,
    sipri_per_year_file,
)
from tests.factories import AliasFactory, ParticipantFactory, SourceFactory, TagFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]


def import_sipri(path, *args) -> str:
    out = StringIO()
    call_command("import_sipri", str(path), *args, stdout=out)
    return out.getvalue()


def excerpt_rows(path) -> list[list[str]]:
    """The excerpt's deals, read plainly: the lines after the header."""
    lines = path.read_text(encoding="iso-8859-1").splitlines()
    start = next(
        i for i, line in enumerate(lines) if line.startswith("Recipient,Supplier")
    )
    return [row for row in csv.reader(lines[start + 1 :]) if row]


def expected_name(raw: str, resolver) -> str:
    if raw.lower().startswith("unknown"):
        return raw[:1].upper() + raw[1:]
    return resolver.resolve(raw).name


def snapshot() -> dict:
    """What an import could change."""
    return {
        "counts": [
            model.objects.count()
            for model in (
                Entity,
                Participant,
                PartnershipSystem,
                Source,
                ExternalIdentifier,
            )
        ],
        "stamps": sorted(Entity.objects.values_list("pk", "updated_at")),
        "summaries": sorted(Partnership.objects.values_list("pk", "summary")),
    }


# --- The excerpt ------------------------------------------------------------------------


def test_every_name_in_the_excerpt_is_a_country_or_reported(sipri_excerpt):
    output = import_sipri(sipri_excerpt, "--strict")

    assert "unknown supplier(s)" in output
    assert "placeholder for an unidentified party" in output
    unknown = Organisation.objects.get(name="Unknown supplier(s)")
    assert unknown.participations.filter(role=ParticipantRole.SUPPLIER).count() == 3
    # Former and renamed states resolve: Soviet Union, Turkiye, UAE.
    suppliers = set(
        Participant.objects.filter(
            role=ParticipantRole.SUPPLIER, country__isnull=False
        ).values_list("country__name", flat=True)
    )
    assert {"Soviet Union", "Türkiye", "United Arab Emirates"} <= suppliers


# --- Files made here ---------------------------------------------------------------------


def test_non_state_actors_become_organisations_and_blocs_never_countries(tmp_path):
    path = sipri_file(
        tmp_path,
        [
            SipriDealFactory(supplier="Iran", recipient="Hezbollah (Lebanon)*"),
            SipriDealFactory(supplier="France", recipient="United Nations**"),
            SipriDealFactory(supplier="Italy", recipient="NATO**"),
            SipriDealFactory(supplier="unknown supplier(s)", recipient="Libya GNC*"),
            SipriDealFactory(supplier="Russia", recipient="Atlantis"),
        ],
    )

    output = import_sipri(path)

    hezbollah = Organisation.objects.get(name="Hezbollah (Lebanon)")
    assert hezbollah.kind == OrganisationKind.NON_STATE_ARMED_GROUP
    assert hezbollah.home_country.name == "Lebanon"
    assert Organisation.objects.get(name="United Nations").kind == (
        OrganisationKind.INTERGOVERNMENTAL
    )
    nato = Bloc.objects.get(name="NATO")
    assert nato.participations.filter(role=ParticipantRole.RECIPIENT).count() == 1
    atlantis = Organisation.objects.get(name="Atlantis")
    assert atlantis.kind == OrganisationKind.OTHER
    assert Participant.objects.count() == 10
    assert (
        Participant.objects.filter(country__isnull=False).count() == 4
    )  # the suppliers
    for name, handling in [
        ("Hezbollah (Lebanon)*", "non-state actor (based in Lebanon)"),
        ("United Nations**", "organisation: intergovernmental"),
        ("NATO**", "bloc: NATO"),
        ("unknown supplier(s)", "placeholder for an unidentified party"),
        ("Libya GNC*", "non-state actor"),
        ("Atlantis", "NOT a known country"),
    ]:
        line = next(
            line for line in output.splitlines() if line.strip().startswith(name)
        )
        assert handling in line
    assert "6 name(s) are not countries" in output


def test_strict_refuses_an_unmarked_name_that_is_no_country_and_names_its_row(tmp_path):
    path = sipri_file(
        tmp_path,
        [
            SipriDealFactory(),
            SipriDealFactory(recipient="Atlantis"),
            SipriDealFactory(),
        ],
    )
    with pytest.raises(CommandError) as error:
        import_sipri(path, "--strict")
    header_line = len(sipri_lines([]))
    assert str(error.value).startswith(
        f"Row {header_line + 2}: “Atlantis” is not a known country"
    )
    assert str(error.value).endswith("Nothing was imported.")
    assert not Partnership.objects.exists()


BAD_VALUES = [
    (
        lambda d: d.update(year="19x5"),
        "the year of order “19x5” is not a year",
        ("start_date", "19x5", IssueReason.NOT_A_YEAR),
    ),
    (
        lambda d: d.update(delivery_years="2019; 20001"),
        "the delivery year “20001” is not a year",
        ("delivery_years", "20001", IssueReason.NOT_A_YEAR),
    ),
    (
        lambda d: d.update(ordered="twelve"),
        "the number ordered “twelve” is not a whole number",
        ("quantity_ordered", "twelve", IssueReason.NOT_A_NUMBER),
    ),
    (
        lambda d: d.update(status="Slightly used"),
        "the status “Slightly used” is not New, Second hand or Second hand but modernized",
        ("condition", "Slightly used", IssueReason.UNKNOWN_VALUE),
    ),
    (
        lambda d: d.update(tiv_order="n/a"),
        "the TIV for the order “n/a” is not a number",
        ("tiv_order", "n/a", IssueReason.NOT_A_NUMBER),
    ),
]


@pytest.mark.parametrize(("change", "reason", "issue"), BAD_VALUES)
def test_a_value_the_source_got_wrong_stops_a_strict_import_and_is_named(
    tmp_path, change, reason, issue
):
    deals = SipriDealFactory.create_batch(4)
    import_sipri(sipri_file(tmp_path, deals))
    before = snapshot()

    deals[0]["comments"] = "A comment that must not be written"
    change(deals[2])
    with pytest.raises(CommandError) as error:
        import_sipri(sipri_file(tmp_path, deals, name="bad.csv"), "--strict")

    assert (
        str(error.value)
        == f"Row {len(sipri_lines([])) + 3}: {reason}. Nothing was imported."
    )
    assert snapshot() == before


@pytest.mark.parametrize(("change", "reason", "issue"), BAD_VALUES)
def test_a_value_the_source_got_wrong_is_imported_flagged_and_kept_verbatim(
    tmp_path, change, reason, issue
):
    deals = SipriDealFactory.create_batch(4)
    change(deals[2])
    output = import_sipri(sipri_file(tmp_path, deals))

    assert "4 created" in output
    assert f"Row {len(sipri_lines([])) + 3}: {reason}" in output
    flagged = DataIssue.objects.get()
    assert (flagged.field, flagged.source_value, flagged.reason) == issue
    assert (
        flagged.entity.partnership.system_lines.get().system.name
        == (deals[2]["designation"])
    )
    assert flagged.row == len(sipri_lines([])) + 3


def test_a_deal_without_supplier_changes_nothing_even_without_strict(tmp_path):
    deals = SipriDealFactory.create_batch(4)
    import_sipri(sipri_file(tmp_path, deals))
    before = snapshot()

    deals[2]["supplier"] = ""
    with pytest.raises(CommandError) as error:
        import_sipri(sipri_file(tmp_path, deals, name="bad.csv"))

    assert str(error.value) == (
        f"Row {len(sipri_lines([])) + 3}: has no supplier or no recipient. "
        "Nothing was imported."
    )
    assert snapshot() == before


def test_a_truncated_row_changes_nothing_and_is_named(tmp_path):
    lines = sipri_lines(SipriDealFactory.create_batch(3))
    lines[-2] = ",".join(lines[-2].split(",")[:9])  # the second deal, cut short
    path = tmp_path / "truncated.csv"
    path.write_text("\n".join(lines) + "\n", encoding="iso-8859-1")

    with pytest.raises(
        CommandError, match=r"^Row 10: has 9 fields where a deal has 16"
    ):
        import_sipri(path)
    assert not Entity.objects.filter(entity_type="partnership").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"name,age\nAda,36\n",
        b"",
        b"\x00\x01\x02binary",
        b"MMEID,Ex_Name,Series_Name\nmme1,Efes,Efes\n",
    ],
    ids=["other csv", "empty", "binary", "an exercises file"],
)
def test_a_file_of_another_format_changes_nothing(tmp_path, content):
    path = tmp_path / "other.csv"
    path.write_bytes(content)
    with pytest.raises(
        CommandError, match=r"not a SIPRI trade register export|binary file"
    ):
        import_sipri(path)
    assert not Partnership.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_sipri(tmp_path / "nowhere.csv")


def test_comments_split_over_two_lines_stray_carriage_returns_and_twin_deals(tmp_path):
    twin = SipriDealFactory(designation="Twin-1", comments="")
    split = SipriDealFactory(designation="Split-1", comments="")
    lines = sipri_lines(
        [twin, dict(twin), split, SipriDealFactory(designation="Last-1")]
    )
    # The full register's quirks: a comment with a line break splits a deal
    # into 13 fields and then the last 4; some lines end in a stray CR.
    split_line = lines[-2].split(",")
    lines[-2:-1] = [
        ",".join([*split_line[:12], "Part of a comment"]),
        ",".join(["that goes on", *split_line[13:]]),
    ]
    lines[-1] += "\r"
    path = tmp_path / "quirks.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("iso-8859-1"))

    output = import_sipri(path)

    assert "4 created" in output
    assert Partnership.objects.filter(system_lines__system__name="Twin-1").count() == 2
    split_deal = Partnership.objects.get(system_lines__system__name="Split-1")
    assert split_deal.summary == "Part of a comment that goes on"
    assert PartnershipSystem.objects.get(
        system__name="Split-1"
    ).tiv_delivered == Decimal(400)
    assert "0 created, 0 updated, 4 unchanged" in import_sipri(path)


def test_utf8_files_work_as_well_as_iso_8859_1(tmp_path):
    deals = [SipriDealFactory(supplier="Türkiye", recipient="Côte d'Ivoire")]
    import_sipri(sipri_file(tmp_path, deals, name="latin.csv"))
    output = import_sipri(
        sipri_file(tmp_path, deals, name="utf8.csv", encoding="utf-8-sig")
    )
    assert "0 created, 0 updated, 1 unchanged" in output
    deal = Partnership.objects.get()
    assert {p.actor.name for p in deal.participants.all()} == {
        "Türkiye",
        "Côte d'Ivoire",
    }


def test_a_changed_deal_is_updated_in_place(tmp_path):
    deals = SipriDealFactory.create_batch(
        3, year="1999", delivered="", delivery_years="", tiv_delivered=""
    )
    import_sipri(sipri_file(tmp_path, deals))
    deal = Partnership.objects.get(system_lines__system__name=deals[1]["designation"])
    assert deal.status == PartnershipStatus.SIGNED
    assert deal.end is None

    deals[1].update(
        delivered="4", delivery_years="2001; 2003", comments="Delivered at last"
    )
    output = import_sipri(sipri_file(tmp_path, deals))

    assert "0 created, 1 updated, 2 unchanged" in output
    deal.refresh_from_db()
    assert deal.summary == "Delivered at last"
    assert deal.status == PartnershipStatus.COMPLETED
    assert deal.end_precision == DatePrecision.YEAR
    assert str(deal.end) == "2003"
    line = deal.system_lines.get()
    assert line.delivery_years == [2001, 2003]
    assert line.delivery_years_display == "2001, 2003"
    assert deal.participants.count() == 2
    assert deal.sources.count() == 1


def test_the_import_is_bulk_its_queries_do_not_grow_with_the_rows(tmp_path):
    """Rows are written in batches (500 to 2,000 rows a query), so 10 deals
    and 200 deals (with their 200 new systems) take the same queries."""
    small = sipri_file(tmp_path, SipriDealFactory.create_batch(10), name="small.csv")
    large = sipri_file(tmp_path, SipriDealFactory.create_batch(200), name="large.csv")

    with CaptureQueriesContext(connection) as first:
        import_sipri(small)
    with CaptureQueriesContext(connection) as second:
        import_sipri(large)

    assert len(second) == len(first)
    assert Partnership.objects.count() == 210


def test_progress_is_reported_in_lines_when_not_on_a_terminal(tmp_path):
    output = import_sipri(sipri_file(tmp_path, SipriDealFactory.create_batch(3)))
    assert "Deals: 3 of 3" in output


# --- The per-delivery-year export -------------------------------------------------------


def test_the_per_year_export_makes_one_deal_of_its_delivery_rows(tmp_path):
    rafale = {"deal_id": "60001", "designation": "Rafale", "order_date": "2016"}
    rows = [
        SipriDeliveryFactory(
            **rafale, delivered="3", delivery_year="2019", tiv_delivered="165"
        ),
        SipriDeliveryFactory(
            **rafale, delivered="10", delivery_year="2020", tiv_delivered="550"
        ),
        SipriDeliveryFactory(
            **rafale,
            delivered="23",
            delivery_year="2021",
            delivery_year_is_estimate="Yes",
            tiv_delivered="1265",
        ),
        SipriDeliveryFactory(
            deal_id="60002",
            supplier="United States",
            designation="MQ-9 Reaper",
            description="armed UAV",
            order_date="2024",
            order_date_is_estimate="Yes",
            delivered="",
            delivery_year="",
            tiv_delivered="",
            local_production="Yes",
        ),
    ]
    path = sipri_per_year_file(tmp_path, rows)

    output = import_sipri(path)

    assert "per delivery year" in output
    assert "2 created" in output
    line = PartnershipSystem.objects.select_related("partnership", "system").get(
        system__name="Rafale"
    )
    assert line.quantity_delivered == 36
    assert line.delivery_years == [2019, 2020, 2021]
    assert line.delivery_years_are_estimates
    assert line.delivery_years_display == "c. 2019–2021"
    assert line.tiv_delivered == Decimal(1980)
    assert line.tiv_per_unit == Decimal(55)
    assert line.system.category == SystemCategory.AIRCRAFT
    assert ExternalIdentifier.objects.filter(scheme="sipri", value="60001").exists()
    reaper = PartnershipSystem.objects.select_related("partnership", "system").get(
        system__name="MQ-9 Reaper"
    )
    assert reaper.system.category == SystemCategory.UAV
    assert reaper.local_production
    assert reaper.quantity_delivered is None
    assert str(reaper.partnership.start) == "c. 2024"
    assert reaper.partnership.status == PartnershipStatus.SIGNED
    assert "0 created, 0 updated, 2 unchanged" in import_sipri(path)


def test_a_per_year_deal_id_that_is_no_number_is_kept_as_it_is(tmp_path):
    # "²" is a digit to str.isdigit(), and no number to int().
    rows = [
        SipriDeliveryFactory(deal_id="²", designation="Rafale"),
        SipriDeliveryFactory(deal_id="60003", designation="MQ-9 Reaper"),
    ]
    assert "2 created" in import_sipri(sipri_per_year_file(tmp_path, rows))
    assert set(
        ExternalIdentifier.objects.filter(scheme="sipri").values_list(
            "value", flat=True
        )
    ) == {"²", "60003"}


def test_a_per_year_deal_whose_rows_disagree_is_refused(tmp_path):
    rows = [
        SipriDeliveryFactory(deal_id="70001", delivery_year="2019"),
        SipriDeliveryFactory(deal_id="70001", delivery_year="2020", recipient="Egypt"),
    ]
    with pytest.raises(
        CommandError, match=r"^Row 3: deal 70001 has a different recipient"
    ):
        import_sipri(sipri_per_year_file(tmp_path, rows))
    assert not Partnership.objects.exists()


def test_a_name_that_could_mean_two_countries_is_refused_not_guessed(tmp_path, country):
    AliasFactory(entity=country("CD"), name="The Congo")
    AliasFactory(entity=country("CG"), name="The Congo")
    path = sipri_file(
        tmp_path, [SipriDealFactory(), SipriDealFactory(recipient="The Congo")]
    )

    with pytest.raises(CommandError) as error:
        import_sipri(path)

    assert str(error.value).startswith(
        f"Row {len(sipri_lines([])) + 2}: “The Congo” could mean"
    )
    assert "Add an alias to the country meant" in str(error.value)
    assert not Partnership.objects.exists()


# --- Updates, identity and limits ------------------------------------------------------------


def test_an_update_keeps_what_editors_added_and_records_history(tmp_path, country):
    deals = SipriDealFactory.create_batch(2, year="1999")
    import_sipri(sipri_file(tmp_path, deals))
    deal = Partnership.objects.get(system_lines__system__name=deals[0]["designation"])
    editor_tag = TagFactory(name="Editors' pick")
    deal.tags.add(editor_tag)
    editor_source = SourceFactory(partnership=deal, title="A ministry's press release")
    ParticipantFactory(
        partnership=deal, role=ParticipantRole.DEVELOPER, country=country("FR")
    )

    deals[0]["comments"] = "Revised by SIPRI"
    output = import_sipri(sipri_file(tmp_path, deals))

    assert "0 created, 1 updated, 1 unchanged" in output
    deal.refresh_from_db()
    assert deal.summary == "Revised by SIPRI"
    assert list(deal.tags.all()) == [editor_tag]
    assert set(deal.sources.values_list("title", flat=True)) == {
        "A ministry's press release",
        "SIPRI Arms Transfers Database, trade register",
    }
    assert editor_source in deal.sources.all()
    assert set(deal.participants.values_list("role", flat=True)) == {
        ParticipantRole.SUPPLIER,
        ParticipantRole.RECIPIENT,
        ParticipantRole.DEVELOPER,
    }
    reasons = list(deal.history.values_list("history_type", "history_change_reason"))
    run = ImportRun.objects.order_by("pk").last()
    assert reasons[0] == (
        "~",
        "Imported from SIPRI's trade register (all countries export), "
        f"import run {run.pk}",
    )
    assert reasons[-1][0] == "+"
    supplier_changes = Participant.history.filter(
        partnership_id=deal.pk, role=ParticipantRole.SUPPLIER
    ).values_list("history_type", flat=True)
    assert sorted(supplier_changes) == ["+", "+", "-"]


def test_updates_are_bulk_too(tmp_path):
    small = SipriDealFactory.create_batch(10, year="1999")
    large = SipriDealFactory.create_batch(200, year="1999")
    import_sipri(sipri_file(tmp_path, small, name="small.csv"))
    import_sipri(sipri_file(tmp_path, large, name="large.csv"))
    for deal in small + large:
        deal["comments"] = "Revised"

    with CaptureQueriesContext(connection) as first:
        assert "10 updated" in import_sipri(
            sipri_file(tmp_path, small, name="small.csv")
        )
    with CaptureQueriesContext(connection) as second:
        assert "200 updated" in import_sipri(
            sipri_file(tmp_path, large, name="large.csv")
        )

    assert len(second) == len(first)


def test_a_respelt_name_or_revised_numbers_update_the_deal_rather_than_add_one(
    tmp_path,
):
    deal = SipriDealFactory(supplier="Turkiye", ordered="4")
    import_sipri(sipri_file(tmp_path, [deal]))

    deal.update(supplier="Turkey", ordered="5")
    output = import_sipri(sipri_file(tmp_path, [deal]))

    assert "0 created, 1 updated, 0 unchanged" in output
    assert PartnershipSystem.objects.get().quantity_ordered == 5


def test_deals_no_longer_in_the_file_are_kept_and_reported(tmp_path):
    deals = SipriDealFactory.create_batch(3)
    import_sipri(sipri_file(tmp_path, deals))

    output = import_sipri(sipri_file(tmp_path, deals[:2]))

    assert "1 deal(s) an earlier import brought in are not in this file" in output
    assert Partnership.objects.count() == 3


def test_a_deal_imported_from_both_exports_is_one_partnership(tmp_path):
    import_sipri(
        sipri_file(
            tmp_path,
            [SipriDealFactory(supplier="France", recipient="India", designation="Rafale",
                              description="FGA aircraft", year="2016")],
        )
    )  # fmt: skip
    rows = [
        SipriDeliveryFactory(deal_id="61001", delivered="36", delivery_year="2020"),
    ]

    output = import_sipri(sipri_per_year_file(tmp_path, rows))

    assert "0 created, 1 updated" in output
    assert Partnership.objects.count() == 1
    assert ExternalIdentifier.objects.filter(scheme="sipri", value="61001").exists()
    assert "0 created, 0 updated, 1 unchanged" in import_sipri(
        sipri_per_year_file(tmp_path, rows)
    )


def test_one_designation_is_one_system_per_category(tmp_path):
    deals = [
        SipriDealFactory(designation="Lynx", description="helicopter"),
        SipriDealFactory(designation="Lynx", description="anti-submarine helicopter"),
        SipriDealFactory(designation="Lynx", description="IFV"),
    ]
    import_sipri(sipri_file(tmp_path, deals))
    assert sorted(
        System.objects.filter(name="Lynx").values_list("category", flat=True)
    ) == [
        SystemCategory.AIRCRAFT,
        SystemCategory.ARMOURED_VEHICLE,
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"designation": "X" * 300}, "the weapon designation is 300 characters long"),
        (
            {"ordered": "3000000000"},
            "the number ordered 3,000,000,000 is more than any deal",
        ),
        ({"tiv_order": "123456789012345"}, "the TIV for the order “123456789012345”"),
    ],
)
def test_values_too_large_for_the_database_are_named_not_crashed_on(
    tmp_path, change, reason
):
    deals = [SipriDealFactory(), SipriDealFactory(**change)]
    path = sipri_file(tmp_path, deals)
    with pytest.raises(CommandError) as error:
        import_sipri(path, "--strict")
    assert str(error.value).startswith(f"Row {len(sipri_lines([])) + 2}: ")
    assert reason in str(error.value)
    assert not Partnership.objects.exists()

    import_sipri(path)
    assert Partnership.objects.count() == 2
    assert reason in DataIssue.objects.get().message


def test_a_party_name_longer_than_a_record_holds_is_refused_in_any_mode(tmp_path):
    deals = [SipriDealFactory(), SipriDealFactory(supplier="Z" * 300 + "*")]
    with pytest.raises(CommandError) as error:
        import_sipri(sipri_file(tmp_path, deals))
    assert str(error.value).startswith(f"Row {len(sipri_lines([])) + 2}: the name “")
    assert "is 300 characters long (at most 255)" in str(error.value)
    assert not Partnership.objects.exists()


def test_windows_files_are_read_and_broken_utf8_is_refused(tmp_path):
    deal = SipriDealFactory(comments="The \u201cfirst\u201d batch \u2013 two ships")
    output = import_sipri(sipri_file(tmp_path, [deal], encoding="cp1252"))
    assert "ISO-8859-1/Windows-1252" in output
    assert Partnership.objects.get().summary == "The “first” batch – two ships"

    broken = sipri_file(
        tmp_path, [SipriDealFactory(supplier="Türkiye")], encoding="utf-8"
    )
    broken.write_bytes(broken.read_bytes().replace(b"Pakistan", b"Pak\xe9stan"))
    with pytest.raises(
        CommandError, match=r"^Row \d+: is not valid UTF-8 \(byte 0xe9\)"
    ):
        import_sipri(broken)


def test_an_unmarked_alliance_is_its_bloc_and_other_spellings_are_reported(tmp_path):
    deals = [
        SipriDealFactory(supplier="United States", recipient="NATO"),
        SipriDealFactory(supplier="Russia", recipient="Chechnya"),
    ]
    output = import_sipri(sipri_file(tmp_path, deals), "--strict")

    assert Bloc.objects.get(name="NATO").participations.count() == 1
    assert re.search(r"NATO +bloc: NATO", output)
    assert "country: Russia, by another spelling; check it" in output
