"""Suggested links: found on save and on demand; editors' decisions stick."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from articles.linking import (
    article_accept_suggestions,
    article_scan_mentions,
    link_add,
    link_decide,
)
from articles.markdown import markdown_segments
from articles.models import Article, ArticleEntityLink, LinkSource, LinkState
from partnerships import mentions
from partnerships.models import Alias, Country, MentionIndex
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    OrganisationFactory,
    SystemFactory,
)

pytestmark = pytest.mark.django_db


def links(article, state=None):
    queryset = ArticleEntityLink.objects.filter(article=article)
    if state:
        queryset = queryset.filter(state=state)
    return {link.entity.name: link for link in queryset.select_related("entity")}


# --- What is read ---------------------------------------------------------------


def test_markdown_segments_read_prose_but_not_code_urls_or_link_targets():
    segments = markdown_segments(
        "# Oman and Peru\n\n"
        "Text with `Chile` in code and [Brazil](https://example.org/argentina).\n\n"
        "    Bolivia in an indented code block\n\n"
        "```\nParaguay in a fence\n```\n\n"
        "<https://uruguay.example> and https://ecuador.example/x plain.\n\n"
        "| Country |\n| --- |\n| Colombia |\n"
    )
    text = " ".join(segments)
    for present in ("Oman", "Peru", "Brazil", "Colombia"):
        assert present in text
    for absent in ("Chile", "argentina", "Bolivia", "Paraguay", "uruguay"):
        assert absent not in text


def test_a_web_address_in_plain_prose_is_not_a_mention(country):
    article = ArticleFactory(body="Sources: https://www.pakistan.gov.pk/report.")
    article_scan_mentions(article=article)
    assert "Pakistan" not in links(article)


# --- On the sample essays -------------------------------------------------------


def test_the_countries_the_sample_essays_name_are_suggested(corpus_dir):
    call_command("import_essays", str(corpus_dir), stdout=StringIO())
    exports = Article.objects.get(slug__startswith="defense-exports")
    suggested = links(exports, LinkState.SUGGESTED)
    assert "India" in suggested
    assert suggested["India"].mention_count == 1
    assert "India is one of the largest consumers" in suggested["India"].snippet
    assert suggested["India"].source == LinkSource.DETECTED


def test_records_are_found_in_the_sample_essays_by_name_and_by_alias(corpus_dir):
    SystemFactory(name="Layered air shield")  # not mentioned
    system = SystemFactory(name="Iron Wall")
    AliasFactory(entity=system, name="air defense system")
    organisation = OrganisationFactory(name="Defense Ministries")
    call_command("import_essays", str(corpus_dir), stdout=StringIO())
    sharing = Article.objects.get(slug__startswith="defense-technology-sharing")
    partnerships = Article.objects.get(slug__startswith="defense-industrial")
    assert "Iron Wall" in links(sharing)  # by alias: "air defense system"
    assert "Defense Ministries" in links(partnerships)  # by name
    assert "Layered air shield" not in links(sharing)
    assert organisation.pk in {
        link.entity_id for link in partnerships.entity_links.all()
    }


def test_the_longest_name_wins_in_the_sample_essays(corpus_dir):
    missile = SystemFactory(name="Missile")
    shield = SystemFactory(name="Missile Defense System")
    call_command("import_essays", str(corpus_dir), stdout=StringIO())
    partnerships = Article.objects.get(slug__startswith="defense-industrial")
    sharing = Article.objects.get(slug__startswith="defense-technology-sharing")
    # "an all-encompassing missile defense system" names the system, not "missile"
    assert set(links(partnerships)) >= {shield.name}
    assert missile.name not in links(partnerships)
    # "escalating missile threats" names only "missile"
    assert missile.name in links(sharing)


def test_nothing_is_found_inside_another_word(corpus_dir):
    # "Indus" hides in "industrial" and "Tech" in "technology" (dozens of
    # times in the essays), and "USA" inside other words: none is a mention.
    indus = SystemFactory(name="Indus")
    tech = OrganisationFactory(name="Tech")
    call_command("import_essays", str(corpus_dir), stdout=StringIO())
    found = set(ArticleEntityLink.objects.values_list("entity_id", flat=True))
    assert indus.pk not in found
    assert tech.pk not in found
    assert set(ArticleEntityLink.objects.values_list("entity__name", flat=True)) == {
        "India"
    }


# --- Names, aliases, accents ----------------------------------------------------


def test_names_and_aliases_of_every_kind_are_found(country):
    baykar = OrganisationFactory(name="Baykar")
    akinci = SystemFactory(name="Bayraktar Akıncı")
    AliasFactory(entity=akinci, name="AKINCI")
    article = ArticleFactory(
        title="Drones",
        body="Baykar's Akinci flew over Türkiye and NATO's eastern flank.",
    )
    article_scan_mentions(article=article)
    assert set(links(article)) == {baykar.name, akinci.name, "Türkiye", "NATO"}


def test_accents_do_not_matter(country):
    article = ArticleFactory(body="Turkiye and TURKIYE and Türkiye.")
    article_scan_mentions(article=article)
    assert links(article)["Türkiye"].mention_count == 3


# --- Decisions survive ----------------------------------------------------------


@pytest.fixture
def scanned(editor, country):
    article = ArticleFactory(body="Pakistan, Türkiye and Qatar signed.")
    article_scan_mentions(article=article)
    return article


def test_a_rescan_keeps_accepted_and_rejected_links(scanned, editor):
    found = links(scanned)
    link_decide(link=found["Pakistan"], state=LinkState.ACCEPTED, user=editor)
    link_decide(link=found["Qatar"], state=LinkState.REJECTED, user=editor)
    scanned.body = "Pakistan, Türkiye, Qatar and Oman signed. Pakistan again."
    scanned.save()
    summary = article_scan_mentions(article=scanned)
    after = links(scanned)
    assert after["Pakistan"].state == LinkState.ACCEPTED
    assert after["Pakistan"].mention_count == 2
    assert after["Qatar"].state == LinkState.REJECTED
    assert after["Türkiye"].state == LinkState.SUGGESTED
    assert after["Oman"].state == LinkState.SUGGESTED
    assert (summary.suggested, summary.withdrawn) == (1, 0)
    assert after["Pakistan"].decided_by == editor


def test_a_rejected_entity_is_never_suggested_again(scanned, editor):
    link_decide(link=links(scanned)["Qatar"], state=LinkState.REJECTED, user=editor)
    for body in ("No mention now.", "Qatar is back.", "QATAR, Qatar, qatar."):
        scanned.body = body
        scanned.save()
        article_scan_mentions(article=scanned)
        assert (
            not scanned.entity_links.suggested().filter(entity__name="Qatar").exists()
        )
    assert links(scanned)["Qatar"].state == LinkState.REJECTED


def test_suggestions_the_text_no_longer_supports_are_withdrawn(scanned, editor):
    link_decide(link=links(scanned)["Pakistan"], state=LinkState.ACCEPTED, user=editor)
    scanned.body = "Nothing of note."
    scanned.save()
    summary = article_scan_mentions(article=scanned)
    remaining = links(scanned)
    assert set(remaining) == {"Pakistan"}  # accepted stays, with no mention left
    assert remaining["Pakistan"].mention_count == 0
    assert summary.withdrawn == 2


def test_a_hand_made_link_survives_scans(scanned, editor):
    nato = link_add(
        article=scanned, entity=Country.objects.get(alpha_2="NO"), user=editor
    )
    article_scan_mentions(article=scanned)
    nato.refresh_from_db()
    assert (nato.source, nato.state) == (LinkSource.MANUAL, LinkState.ACCEPTED)


def test_adding_by_hand_an_entity_already_suggested_accepts_it(scanned, editor):
    link = link_add(
        article=scanned, entity=Country.objects.get(alpha_2="QA"), user=editor
    )
    assert (link.source, link.state) == (LinkSource.DETECTED, LinkState.ACCEPTED)


def test_accept_all_accepts_only_suggestions(scanned, editor):
    link_decide(link=links(scanned)["Qatar"], state=LinkState.REJECTED, user=editor)
    assert article_accept_suggestions(article=scanned, user=editor) == 2
    states = {name: link.state for name, link in links(scanned).items()}
    assert states == {
        "Pakistan": LinkState.ACCEPTED,
        "Türkiye": LinkState.ACCEPTED,
        "Qatar": LinkState.REJECTED,
    }


def test_only_editors_decide_links(scanned, researcher):
    with pytest.raises(PermissionDenied):
        link_decide(
            link=links(scanned)["Qatar"], state=LinkState.ACCEPTED, user=researcher
        )
    with pytest.raises(PermissionDenied):
        article_accept_suggestions(article=scanned, user=researcher)
    assert not scanned.entity_links.accepted().exists()


def test_scanning_twice_changes_nothing(scanned):
    before = list(ArticleEntityLink.objects.values_list("pk", "updated_at"))
    summary = article_scan_mentions(article=scanned)
    assert (summary.suggested, summary.updated, summary.withdrawn) == (0, 0, 0)
    assert list(ArticleEntityLink.objects.values_list("pk", "updated_at")) == before


# --- The detector follows names and aliases in every process --------------------


def test_a_new_alias_is_found_at_the_next_scan(country):
    article = ArticleFactory(body="The Sublime Porte signed.")
    article_scan_mentions(article=article)
    assert not links(article)
    AliasFactory(entity=country("TR"), name="Sublime Porte")
    article_scan_mentions(article=article)
    assert set(links(article)) == {"Türkiye"}


def test_a_renamed_entity_is_found_by_its_new_name():
    system = SystemFactory(name="Project Alpha")
    article = ArticleFactory(body="Project Beta flies.")
    article_scan_mentions(article=article)
    system.name = "Project Beta"
    system.save()
    article_scan_mentions(article=article)
    assert set(links(article)) == {"Project Beta"}


def test_a_change_made_by_another_process_is_picked_up(country):
    detector = mentions.get_detector()
    assert mentions.get_detector() is detector  # reused while nothing changes
    # Another app process adds an alias with a bulk write and bumps the
    # shared version: this process's detector is stale and is rebuilt.
    Alias.objects.bulk_create(
        [
            Alias(
                entity=country("PK"),
                name="Land of the Pure",
                normalised="land of the pure",
            )
        ]
    )
    MentionIndex.bump()
    rebuilt = mentions.get_detector()
    assert rebuilt is not detector
    assert [m.text for m in rebuilt.find("the Land of the Pure")] == [
        "Land of the Pure"
    ]


def test_saving_a_record_without_renaming_it_keeps_the_detector(country):
    detector = mentions.get_detector()
    turkiye = country("TR")
    turkiye.summary = "A NATO member."
    turkiye.save()
    assert mentions.get_detector() is detector


def test_deleting_an_alias_forgets_it():
    system = SystemFactory(name="Sky Guard")
    alias = AliasFactory(entity=system, name="SG-1")
    article = ArticleFactory(body="The SG-1 flew.")
    article_scan_mentions(article=article)
    assert set(links(article)) == {"Sky Guard"}
    alias.delete()
    article_scan_mentions(article=article)
    assert not links(article)


def test_a_detector_built_from_names_that_were_rolled_back_is_not_reused(country):
    from django.db import transaction

    seen_inside = []

    def change_then_fail():
        with transaction.atomic():
            AliasFactory(entity=country("PK"), name="Ghost Name")
            seen_inside.append(mentions.get_detector())
            raise RuntimeError("the import failed")

    with pytest.raises(RuntimeError):
        change_then_fail()
    inside = seen_inside[0]
    assert inside.find("Ghost Name")
    # The alias never existed for anyone else: a fresh detector forgets it,
    # even after another change bumps the version again.
    AliasFactory(entity=country("TR"), name="Anatolia")
    after = mentions.get_detector()
    assert after is not inside
    assert not after.find("Ghost Name")
    assert after.find("Anatolia")
