"""Full-text search: ranked, highlighted, accent-insensitive, stemmed, and
never showing what a reader may not see. Runs on SQLite and, in CI, on
PostgreSQL."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from search.backends import search
from search.models import SearchEntry
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def titles(text, kinds=None):
    return [
        hit.title.replace("<mark>", "").replace("</mark>", "")
        for hit in search(text, kinds).hits(0, 50)
    ]


def test_the_backend_matches_the_database():
    assert type(search("x").backend).__name__.lower().startswith(connection.vendor)


def test_a_title_match_ranks_above_a_body_match(commit):
    with commit():
        PublishedArticleFactory(
            title="Notes on shipyards", body="Corvettes " + "filler " * 40
        )
        PublishedArticleFactory(
            title="Corvettes for the navy", body="Filler text " * 10
        )
    assert titles("corvettes") == ["Corvettes for the navy", "Notes on shipyards"]


def test_an_exact_title_ranks_first(commit):
    with commit():
        SystemFactory(name="Anka", summary="A drone.")
        SystemFactory(name="Anka Block B", summary="Anka anka anka.")
    assert titles("anka")[0] == "Anka"


def test_matches_are_highlighted_safely(commit):
    with commit():
        PublishedArticleFactory(
            title="Drones & <b>dragons</b>", body="Long text about drones and sensors."
        )
    hit = search("drones").hits(0, 1)[0]
    assert hit.title == "<mark>Drones</mark> &amp; &lt;b&gt;dragons&lt;/b&gt;"
    assert "<mark>drones</mark>" in hit.snippet


def test_search_ignores_accents_and_case(commit):
    with commit():
        OrganisationFactory(name="Türk Havacılık ve Uzay Sanayii")
    assert titles("TURK HAVACILIK") == ["Türk Havacılık ve Uzay Sanayii"]
    assert titles("türk")  # and the other way round
    with commit():
        SystemFactory(name="Bayraktar Akıncı")  # a dotless i is not an accent
    assert titles("akinci") == ["Bayraktar Akıncı"]


@pytest.mark.parametrize("typed", ["F16", "f16", "F-16", "F\u201116", "f-16"])
def test_a_designation_is_found_written_apart_or_together(commit, typed):
    with commit():
        SystemFactory(name="F-16C Block 52", summary="A fighter.")
        SystemFactory(name="JF-17 Thunder", summary="A fighter.")
        PartnershipFactory(name="F-16A to Pakistan", summary="Forty aircraft.")
        PartnershipFactory(name="Ship engines", summary="For 16 frigates, from France.")
    assert sorted(titles(typed)) == ["F-16A to Pakistan", "F-16C Block 52"]
    assert sorted(titles("JF17")) == ["JF-17 Thunder"]
    # The digits are marked, not every word that starts with an "f".
    marked = sorted(hit.title for hit in search(typed).hits(0, 5))
    assert marked == ["F-<mark>16A</mark> to Pakistan", "F-<mark>16C</mark> Block 52"]


def test_only_what_matched_is_marked_in_titles(commit):
    """Not "missile" for "Mi-17" (two letters that start it), nor "May"
    for a term it merely starts ("Mayotte")."""
    with commit():
        SystemFactory(name="Mi-17 helicopter", summary="")
        PartnershipFactory(name="Mi-17 and Spike missiles, 21 May 2005", summary="")
    marked = [hit.title for hit in search("Mi17").hits(0, 5)]
    assert "<mark>missiles</mark>" not in " ".join(marked)
    assert "Mi-<mark>17</mark> helicopter" in marked
    from search.backends import highlight_terms

    assert str(highlight_terms("21 May 2005", ["mayotte"])) == "21 May 2005"
    assert str(highlight_terms("Export", ["exporting"])) == "<mark>Export</mark>"


def test_a_designation_keeps_its_parts_together(commit):
    with commit():
        SystemFactory(name="CM-400AKG", summary="An anti-ship missile.")
        PartnershipFactory(name="Ship engine sale", summary="4000 hours.")
        SystemFactory(name="King Air-350", summary="Surveillance.")
    # Not the "s" of "ship" with "4000", nor "su…" with "350".
    assert titles("S-400") == []
    assert titles("Su-35") == []
    assert titles("CM-400") == ["CM-400AKG"]


@pytest.mark.parametrize(
    ("dotted", "code", "alpha_2"),
    [("U.S.", "US", "US"), ("U.S.A.", "USA", "US"), ("U.K.", "UK", "GB")],
)
def test_initials_with_full_stops_are_read_as_the_code(
    country, commit, dotted, code, alpha_2
):
    with commit():
        deal = PartnershipFactory(name="Deal one")
        ParticipantFactory(partnership=deal, country=country(alpha_2))
        PartnershipFactory(name="Unsold surplus")  # a "u…" and an "s…"
        PartnershipFactory(name="Republique du Senegal deal")  # "u s" inside
    found = titles(dotted)
    assert found == titles(code)
    assert "Deal one" in found
    assert "Unsold surplus" not in found
    assert "Republique du Senegal deal" not in found


def test_a_designation_an_entity_is_called_finds_what_it_finds_written_together(
    commit,
):
    """ "JF-17" in capitals is a system's alias (a name the detector knows),
    not a code: it finds what "JF17" finds, the deals that only say it."""
    with commit():
        jf17 = SystemFactory(name="JF-17 Thunder")
        AliasFactory(entity=jf17, name="JF-17")
        PartnershipFactory(name="ASELPOD pods", summary="For JF-17 aircraft.")
    assert (
        sorted(titles("JF-17"))
        == sorted(titles("JF17"))
        == [
            "ASELPOD pods",
            "JF-17 Thunder",
        ]
    )


def test_initials_in_small_letters_are_words():
    """ "e.g." in a sentence is no code ("EG" would call Egypt)."""
    from search.reading import read

    reading = read("drones e.g. Bayraktar")
    assert reading.terms == ("drones", "e", "g", "bayraktar")
    assert not any(clause.entity_ids for clause in reading.clauses)


def test_search_stems_english_words(commit):
    with commit():
        PublishedArticleFactory(title="Exporting drones", body="Nothing else.")
    assert titles("drone export") == ["Exporting drones"]


def test_records_are_found_by_alias_and_by_participant(country, commit):
    with commit():
        akinci = SystemFactory(name="Bayraktar Akıncı")
        AliasFactory(entity=akinci, name="Akinci")
        deal = PartnershipFactory(name="Deal one")
        ParticipantFactory(partnership=deal, country=country("PL"))
    assert titles("akinci") == ["Bayraktar Akıncı"]
    assert "Deal one" in titles("poland")
    assert titles("poland")[0] == "Poland"  # the country itself, by its name


def test_a_partnership_is_not_found_nor_shown_by_a_status_its_dates_outdated(
    client, commit
):
    """An exercise recorded as active that ended in 2005 reads as completed:
    no search finds it as "active", and its result does not say so."""
    with commit():
        PartnershipFactory(
            name="Anatolian Eagle",
            kind="exercise",
            status="active",
            start_date=dt.date(2005, 9, 12),
            end_date=dt.date(2005, 9, 23),
        )
    assert titles("anatolian") == ["Anatolian Eagle"]
    assert titles("anatolian active") == []
    page = client.get("/search/", {"q": "anatolian"}).content.decode()
    assert "Military exercise" in page
    assert "Active" not in page


def test_every_word_must_match(commit):
    with commit():
        PublishedArticleFactory(title="Drones over the sea", standfirst="", body="x")
        PublishedArticleFactory(title="Drones over land", standfirst="", body="x")
    assert titles("drones sea") == ["Drones over the sea"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: ArticleFactory(title="Secret drones draft"),
        lambda: ArticleFactory(title="Secret drones review", status="review"),
        lambda: PublishedArticleFactory(
            title="Secret drones scheduled",
            published_at=timezone.now() + dt.timedelta(hours=1),
        ),
        lambda: ArticleFactory(
            title="Secret drones archived",
            status="archived",
            published_at=timezone.now() - dt.timedelta(days=3),
        ),
    ],
)
def test_unpublished_articles_are_never_found(make, commit):
    with commit():
        article = make()
    assert SearchEntry.objects.filter(article=article).exists()  # indexed, unseen
    query = search("secret drones")
    assert query.count() == 0
    assert query.hits(0, 10) == []
    assert query.count_by_kind() == {}


def test_counts_by_kind_and_narrowing_to_a_kind(country, commit):
    with commit():
        PublishedArticleFactory(title="Türkiye and its drones", body="x")
        OrganisationFactory(name="Türkiye Drone Works")
    query = search("turkiye")
    assert query.count_by_kind() == {"article": 1, "country": 1, "organisation": 1}
    assert titles("turkiye", ["organisation"]) == ["Türkiye Drone Works"]


def test_the_index_follows_saves_and_deletes(commit):
    with commit():
        system = SystemFactory(name="Kestrel")
    assert titles("kestrel") == ["Kestrel"]
    with commit():
        system.name = "Osprey"
        system.save()
    assert titles("kestrel") == []
    assert titles("osprey") == ["Osprey"]
    with commit():
        system.delete()
    assert titles("osprey") == []
    assert not SearchEntry.objects.filter(title="Osprey").exists()


def test_renaming_a_participant_reindexes_its_partnerships(commit):
    with commit():
        maker = OrganisationFactory(name="Old Name Industries")
        deal = PartnershipFactory(name="A deal")
        ParticipantFactory(partnership=deal, country=None, organisation=maker)
    with commit():
        maker.name = "Fresh Name Industries"
        maker.save()
    assert "A deal" in titles("fresh name")


def test_rebuild_search_index_rebuilds_everything(country, commit):
    with commit():
        PublishedArticleFactory(title="Kept after rebuild")
    SearchEntry.objects.all().delete()
    assert titles("rebuild") == []
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 1 articles" in out.getvalue()
    assert titles("rebuild") == ["Kept after rebuild"]
    assert titles("pakistan") == ["Pakistan"]


@pytest.mark.parametrize(
    "text", ['"unbalanced', "OR AND NOT", "drones*)(", "NEAR(a b)", "'; DROP"]
)
def test_query_syntax_in_the_input_is_harmless(text, commit):
    with commit():
        PublishedArticleFactory(title="Drones")
    search(text).hits(0, 10)  # no error, whatever it finds


def test_a_query_without_words_finds_nothing():
    assert not search("?! …")
    assert search("?! …").count() == 0


# --- The search page ----------------------------------------------------------


def test_the_search_page_shows_ranked_highlighted_results(client, country, commit):
    with commit():
        PublishedArticleFactory(title="Drones in Poland", body="More drones.")
    response = client.get("/search/", {"q": "drones"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 result for “drones”" in page
    assert "<mark>Drones</mark> in Poland" in page


def test_the_search_page_narrows_by_kind_and_paginates(client, commit):
    with commit():
        for index in range(25):
            OrganisationFactory(name=f"Falcon Works {index}")
    first = client.get("/search/", {"q": "falcon", "type": "organisation"})
    assert len(first.context["results"]) == 20
    second = client.get("/search/", {"q": "falcon", "type": "organisation", "page": 2})
    assert len(second.context["results"]) == 5
    # A page past the end: the last one, as on the lists; no page: not found.
    past = client.get("/search/", {"q": "falcon", "page": 9})
    assert (past.status_code, past.url) == (302, "/search/?q=falcon&page=2")
    assert client.get("/search/", {"q": "falcon", "page": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 10_000}, "Please shorten your search"),
        ({"q": "drones", "type": "spaceships"}, "Select a valid choice"),
    ],
)
def test_bad_search_input_gets_a_clear_message(client, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_with_counts_kept_a_search_counts_what_is_published_next(
    client, commit, kept_counts
):
    with commit():
        PublishedArticleFactory(title="Zeppelin hangars", body="Airships.")
    assert search("zeppelin").count_by_kind() == {"article": 1}
    # Kept for the version of the data: typed otherwise, read the same.
    again = search(" ZEPPELIN ")
    with CaptureQueriesContext(connection) as captured:
        assert again.count_by_kind() == {"article": 1}
    assert not [q for q in captured if "search_searchentry" in q["sql"]]
    with commit():
        PublishedArticleFactory(title="Zeppelin raids", body="Airships again.")
        ArticleFactory(title="Zeppelin draft", body="Not published.")
    assert search("zeppelin").count_by_kind() == {"article": 2}
    page = client.get("/search/", {"q": "zeppelin"})
    assert page.context["total"] == 2
    assert sorted(titles("zeppelin")) == ["Zeppelin hangars", "Zeppelin raids"]
    # The candidates are kept ranked: a page is one query, for its rows.
    with CaptureQueriesContext(connection) as captured:
        assert len(search("zeppelin").hits(1, 1)) == 1
    assert len([q for q in captured if "search_searchentry" in q["sql"]]) == 1
    with commit():
        PublishedArticleFactory(title="Zeppelin works", body="Airships.")
    assert "Zeppelin works" in titles("zeppelin")
