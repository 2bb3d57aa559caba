"""Search knows what the site knows: a query that names an entity, by any
of its names, finds the entity first and what is linked to it; titles
outweigh bodies; a query that finds nothing offers the name it nearly was.
Runs on SQLite and, in CI, on PostgreSQL."""

import pytest

from articles.models import ArticleEntityLink, LinkState
from search import backends, reading
from search.backends import search
from tests.factories import (
    AliasFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

TURKIYE_NAMES = ["Turkey", "Türkiye", "Turkiye", "Republic of Türkiye", "TURKEY"]


def plain(title) -> str:
    return title.replace("<mark>", "").replace("</mark>", "")


def found(text, kinds=None) -> list[tuple[str, str]]:
    return [(hit.kind, plain(hit.title)) for hit in search(text, kinds).hits(0, 100)]


@pytest.fixture
def turkiye_world(country, commit):
    """Things about Türkiye, each reachable by one of its names only."""
    turkiye = country("TR")
    with commit():
        PublishedArticleFactory(
            title="Ankara's drone diplomacy", standfirst="", body="Turkey sells."
        )
        PublishedArticleFactory(
            title="Notes from the Bosphorus", standfirst="", body="Türkiye builds."
        )
        linked_by_hand = PublishedArticleFactory(
            title="A quiet shipyard", standfirst="", body="Nothing named here."
        )
        ArticleEntityLink.objects.create(
            article=linked_by_hand, entity=turkiye, state=LinkState.ACCEPTED
        )
        deal = PartnershipFactory(name="Corvettes for Pakistan", summary="")
        ParticipantFactory(partnership=deal, country=turkiye, role="supplier")
        PublishedArticleFactory(
            title="Unrelated", standfirst="", body="Nothing about it at all."
        )
    return turkiye


@pytest.mark.parametrize("text", TURKIYE_NAMES)
def test_every_name_of_turkiye_finds_the_same_results_with_the_country_first(
    turkiye_world, text
):
    results = found(text)
    assert results[0] == ("country", "Türkiye")
    assert sorted(results) == sorted(found("Türkiye"))
    assert {
        ("article", "Ankara's drone diplomacy"),  # says "Turkey"
        ("article", "Notes from the Bosphorus"),  # says "Türkiye"
        ("article", "A quiet shipyard"),  # linked by an editor, names nothing
        ("partnership", "Corvettes for Pakistan"),  # Türkiye takes part
    } <= set(results)
    assert ("article", "Unrelated") not in results
    assert search(text).count() == search("Türkiye").count() == len(results)
    assert search(text).count_by_kind() == search("Türkiye").count_by_kind()


@pytest.mark.parametrize(
    ("typed", "alpha_2"),
    [
        ("Россия", "RU"),
        ("中国", "CN"),
        ("PRC", "CN"),
        ("باكستان", "PK"),
        ("Турция", "TR"),
        # A demonym of two words calls its country as one of one word does.
        ("Saudi Arabian", "SA"),
        ("South Korean", "KR"),
        # Each of a country's demonyms; and adjectives the library lacks.
        ("Herzegovinian", "BA"),
        ("Philippine", "PH"),
        ("Saudi", "SA"),
    ],
)
def test_a_country_is_found_by_its_name_in_other_scripts_or_its_demonym(
    country, commit, typed, alpha_2
):
    named = country(alpha_2)
    with commit():
        deal = PartnershipFactory(name="A deal", summary="")
        ParticipantFactory(partnership=deal, country=named, role="supplier")
    results = found(typed)
    assert results[0] == ("country", named.name)
    assert ("partnership", "A deal") in results


def test_a_demonym_calls_its_country(turkiye_world, commit):
    """ "Turkish" finds Türkiye first and what any of its names finds, and
    what says "Turkish" itself; Türkiye's demonym is the researchers' to
    change, and the next query reads the new one."""
    with commit():
        PublishedArticleFactory(title="Turkish shipyards", standfirst="", body="x")
    results = found("Turkish")
    assert results[0] == ("country", "Türkiye")
    assert {
        ("article", "Ankara's drone diplomacy"),  # says "Turkey"
        ("article", "Turkish shipyards"),  # says "Turkish"
        ("partnership", "Corvettes for Pakistan"),  # Türkiye takes part
    } <= set(results)
    assert ("article", "Unrelated") not in results
    with commit():
        turkiye_world.demonym = "Türk"
        turkiye_world.save()
    assert found("Turk")[0] == ("country", "Türkiye")
    assert ("country", "Türkiye") not in found("Turkish")


def test_a_name_among_other_words_may_be_any_of_its_names(country, commit):
    with commit():
        PublishedArticleFactory(
            title="Drones from Türkiye", standfirst="", body="Exports."
        )
        PublishedArticleFactory(title="Drones at home", standfirst="", body="x")
    assert found("Turkey drones", ["article"]) == [("article", "Drones from Türkiye")]
    assert found("drones Türkiye", ["article"]) == found("Turkey drones", ["article"])


def test_only_what_is_linked_to_every_entity_named_is_added(country, commit):
    poland, turkiye = country("PL"), country("TR")
    with commit():
        both = PartnershipFactory(name="Alpha", summary="")
        ParticipantFactory(partnership=both, country=poland)
        ParticipantFactory(partnership=both, country=turkiye, role="supplier")
        only_poland = PartnershipFactory(name="Beta", summary="")
        ParticipantFactory(partnership=only_poland, country=poland)
    results = found("Poland Turkey")
    assert ("partnership", "Alpha") in results
    assert ("partnership", "Beta") not in results
    assert {results[0], results[1]} == {("country", "Poland"), ("country", "Türkiye")}


def test_a_system_named_finds_the_partnerships_that_involve_it(commit):
    with commit():
        tb2 = SystemFactory(name="Bayraktar TB2", summary="")
        AliasFactory(entity=tb2, name="TB-2 Bayraktar")
        deal = PartnershipFactory(name="A deal for Ukraine", summary="")
        PartnershipSystemFactory(partnership=deal, system=tb2)
    assert found("TB-2 Bayraktar") == [
        ("system", "Bayraktar TB2"),
        ("partnership", "A deal for Ukraine"),
    ]


def test_a_title_match_outranks_body_only_matches_however_often_they_say_it(
    commit,
):
    with commit():
        PublishedArticleFactory(
            title="A long survey of naval procurement, budgets, offsets and "
            "exports across the Gulf region",
            standfirst="",
            body="Procurement " * 300,
        )
        PartnershipFactory(
            name="Deal X", summary="Exports. " * 5, tags=[TagFactory(name="Exports")]
        )
        PublishedArticleFactory(
            title="Notes", standfirst="", body="Exports of drones. " * 3
        )
    assert [title for _, title in found("exports")] == [
        "A long survey of naval procurement, budgets, offsets and exports "
        "across the Gulf region",
        "Deal X",
        "Notes",
    ]


def test_a_name_typed_with_a_slip_gets_did_you_mean(client, turkiye_world):
    response = client.get("/search/", {"q": "Tukrey"})
    assert response.context["suggestion"] == "Turkey"
    page = response.content.decode()
    assert "Did you mean" in page
    assert 'href="?q=Turkey"' in page


def test_did_you_mean_corrects_one_name_among_other_words(client, commit):
    with commit():
        OrganisationFactory(name="Roketsan")
        PublishedArticleFactory(
            title="Roketsan missiles", standfirst="", body="Missiles."
        )
    response = client.get("/search/", {"q": "Roketsn missiles"})
    assert response.context["suggestion"] == "Roketsan missiles"


def test_no_did_you_mean_when_nothing_is_close_or_the_correction_finds_nothing(
    client, commit
):
    with commit():
        OrganisationFactory(name="Roketsan")
    assert client.get("/search/", {"q": "zyxwvut"}).context["suggestion"] is None
    # Close to a name, but nothing has both words.
    response = client.get("/search/", {"q": "Roketsn submarines"})
    assert response.context["suggestion"] is None


# --- The search page ----------------------------------------------------------


def test_the_named_entity_heads_the_page_as_a_card_with_what_links_to_it(
    client, turkiye_world
):
    response = client.get("/search/", {"q": "Turkey"})
    page = response.content.decode()
    [(card, label)] = response.context["cards"]
    assert (card.entity.name, label) == ("Türkiye", "Country")
    assert (card.partnership_total, card.article_total) == (1, 1)
    assert page.index('class="entity-card"') < page.index('class="search-results"')
    assert "1 partnership</a>" in page
    assert "1 article</a>" in page
    assert "Also known as:" in page
    # The card is the first result: the list goes on from number 2.
    assert '<ol class="search-results" start="2">' in page
    assert all(r["object"] != turkiye_world for r in response.context["results"])


def test_result_and_facet_labels_name_one_of_each_kind(client, turkiye_world):
    response = client.get("/search/", {"q": "Turkey"})
    facets = [label for _, label, _ in response.context["kind_counts"]]
    assert facets == ["Article", "Country", "Partnership"]
    assert {r["label"] for r in response.context["results"]} == {
        "Article",
        "Partnership",
    }
    page = response.content.decode()
    assert "Article (3)" in page
    assert "Partnership (1)" in page


def test_the_search_page_has_one_search_box(client, country):
    page = client.get("/search/", {"q": "Poland"}).content.decode()
    assert page.count('role="search"') == 1
    assert page.count('name="q"') == 1
    # Every other page keeps the header's.
    assert client.get("/").content.decode().count('role="search"') == 1


def test_the_named_entity_heads_the_results_however_many_newer_matches_there_are(
    monkeypatch, turkiye_world, commit
):
    # Ranking stays on a bounded number of candidates (the most recent):
    # the entity a query names is one of them whatever its date.
    monkeypatch.setattr(backends, "CANDIDATES", 3)
    with commit():
        for n in range(6):
            PublishedArticleFactory(title=f"Turkey {n}", standfirst="", body="x")
    query = search("Türkiye")
    assert query.is_capped
    assert query.count() == 3
    hits = query.hits(0, 10)
    assert (hits[0].kind, plain(hits[0].title)) == ("country", "Türkiye")
    # The three most recent, and the country if it is not one of them.
    assert len(hits) <= 4


def test_narrowed_to_one_kind_the_page_still_counts_every_kind(client, turkiye_world):
    response = client.get("/search/", {"q": "Turkey", "type": "partnership"})
    page = response.content.decode()
    assert 'href="?q=Turkey">Any kind (5)</a>' in page
    assert '<strong aria-current="true">Partnership (1)</strong>' in page
    assert [r["label"] for r in response.context["results"]] == ["Partnership"]


def test_a_name_whose_entity_is_gone_is_searched_as_its_words(monkeypatch, commit):
    # The detector may still know a name for a moment after its entity is
    # deleted: the words are searched for all the same.
    with commit():
        PublishedArticleFactory(title="Maker 7 ships", standfirst="", body="x")
    monkeypatch.setattr(
        reading, "_named_spans", lambda detector, text: [(0, len(text), (999_999,))]
    )
    assert found("maker 7") == [("article", "Maker 7 ships")]
