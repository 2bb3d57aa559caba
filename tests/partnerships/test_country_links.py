"""The network's pre-aggregated table (country pair × kind × year) stays what
the records say: after a save, a change, a delete and an import, it equals
the table made again from scratch."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from partnerships import links
from partnerships.models import CountryLink, Participant
from tests.factories import ParticipantFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def table() -> set[tuple]:
    return set(
        CountryLink.objects.values_list(
            "country_a", "country_b", "kind", "year", "partnerships"
        )
    )


def rebuilt() -> set[tuple]:
    """The table as the records say it should be (then restored)."""
    before = table()
    links.rebuild()
    after = table()
    CountryLink.objects.all().delete()
    CountryLink.objects.bulk_create(
        CountryLink(country_a_id=a, country_b_id=b, kind=k, year=y, partnerships=n)
        for a, b, k, y, n in before
    )
    return after


def pair(country_a, country_b, kind, year) -> int:
    a, b = sorted([country_a.pk, country_b.pk])
    row = CountryLink.objects.filter(
        country_a=a, country_b=b, kind=kind, year=year
    ).first()
    return row.partnerships if row else 0


@pytest.fixture
def deal(country, commit):
    def make(kind, year, *codes):
        with commit():
            partnership = PartnershipFactory(
                kind=kind, start_date=dt.date(year, 1, 1) if year else None
            )
            for code in codes:
                ParticipantFactory(partnership=partnership, country=country(code))
        return partnership

    return make


def test_a_new_partnership_counts_for_its_pairs_its_countries_and_the_total(
    deal, country
):
    deal("export", 2020, "TR", "PL")
    deal("export", 2020, "TR", "PL", "AZ")
    turkiye, poland, azerbaijan = country("TR"), country("PL"), country("AZ")
    assert pair(turkiye, poland, "export", 2020) == 2
    assert pair(turkiye, azerbaijan, "export", 2020) == 1
    assert pair(turkiye, turkiye, "export", 2020) == 2  # with another beside it
    totals = CountryLink.objects.get(country_a=None, kind="export", year=2020)
    assert totals.partnerships == 2
    assert table() == rebuilt()


def test_replacing_a_participant_moves_the_pair_to_the_new_country(
    deal, country, commit
):
    sale = deal("export", 2020, "TR", "PL")
    with commit():
        participant = Participant.objects.get(partnership=sale, country=country("PL"))
        participant.country = country("GR")
        participant.save()
    assert pair(country("TR"), country("PL"), "export", 2020) == 0
    assert pair(country("TR"), country("GR"), "export", 2020) == 1
    assert table() == rebuilt()


def test_changing_kind_or_year_and_deleting_keep_the_table_in_step(
    deal, country, commit
):
    sale = deal("export", 2020, "TR", "PL")
    deal("exercise", None, "TR", "PL", "PK")
    with commit():
        sale.kind, sale.start_date = "training", dt.date(2018, 5, 1)
        sale.save()
    assert pair(country("TR"), country("PL"), "export", 2020) == 0
    assert pair(country("TR"), country("PL"), "training", 2018) == 1
    assert pair(country("TR"), country("PK"), "exercise", None) == 1
    assert table() == rebuilt()
    with commit():
        sale.delete()
    assert pair(country("TR"), country("PL"), "training", 2018) == 0
    assert table() == rebuilt()


def test_a_transaction_rolled_back_leaves_the_table_as_it_was(deal, country):
    deal("export", 2020, "TR", "PL")
    before = table()
    ParticipantFactory(partnership=PartnershipFactory(), country=country("FR"))
    # Not committed: nothing is made again.
    assert table() == before


def test_an_import_makes_the_table_again(sipri_excerpt, mme_excerpt, commit):
    with commit():
        call_command("import_sipri", str(sipri_excerpt), stdout=StringIO())
        call_command("import_exercises", str(mme_excerpt), stdout=StringIO())
    assert table()
    assert table() == rebuilt()


def test_the_rebuild_command_makes_the_table_from_the_records(deal):
    deal("export", 2020, "TR", "PL")
    CountryLink.objects.all().delete()
    out = StringIO()
    call_command("rebuild_country_links", stdout=out)
    assert "The network's table holds 4 rows." in out.getvalue()
    assert len(table()) == 4  # the pair, each country, the total
