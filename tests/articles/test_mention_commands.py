import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticleEntityLink, LinkState
from tests.factories import AliasFactory, ArticleFactory, SystemFactory

pytestmark = pytest.mark.django_db


def run(name, *args):
    out = StringIO()
    call_command(name, *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_scan_mentions_all_suggests_links_in_every_article(country):
    first = ArticleFactory(body="Pakistan and Qatar.")
    second = ArticleFactory(body="Qatar.")
    output = run("scan_mentions", "--all")
    assert "Scanned 2 articles" in output
    assert "3 new suggestions" in output
    assert first.entity_links.suggested().count() == 2
    assert second.entity_links.suggested().count() == 1


def test_scan_mentions_by_slug_touches_only_those(country):
    chosen = ArticleFactory(slug="chosen", body="Pakistan.")
    other = ArticleFactory(slug="other", body="Pakistan.")
    run("scan_mentions", "chosen")
    assert chosen.entity_links.exists()
    assert not other.entity_links.exists()


def test_scan_mentions_keeps_decisions(country):
    article = ArticleFactory(slug="decided", body="Pakistan and Qatar.")
    run("scan_mentions", "decided")
    article.entity_links.filter(entity__name="Qatar").update(state=LinkState.REJECTED)
    article.entity_links.filter(entity__name="Pakistan").update(
        state=LinkState.ACCEPTED
    )
    run("scan_mentions", "--all")
    assert dict(article.entity_links.values_list("entity__name", "state")) == {
        "Pakistan": LinkState.ACCEPTED,
        "Qatar": LinkState.REJECTED,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Name articles by slug, or use --all"),
        (("--all", "x"), "Name articles by slug, or use --all"),
        (("nope", "also-nope"), "No article has the slug: also-nope, nope."),
    ],
)
def test_scan_mentions_refuses_unclear_requests(args, message):
    with pytest.raises(CommandError, match=message):
        run("scan_mentions", *args)


def test_detect_mentions_prints_json_and_saves_nothing(tmp_path, country):
    akinci = SystemFactory(name="Bayraktar Akıncı", slug="bayraktar-akinci")
    AliasFactory(entity=akinci, name="Akinci")
    essay = tmp_path / "essay.md"
    essay.write_text(
        "# Drones for Riyadh\n\nSaudi Arabia ordered the Akinci. Saudi Arabia's "
        "order is the largest.\n\n`Qatar` is code, https://qatar.example a link."
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("Just a note about Türkiye, with no heading.")
    output = json.loads(run("detect_mentions", essay, notes, "--json"))
    assert [result["file"] for result in output] == [str(essay), str(notes)]
    assert output[0]["mentions"] == [
        {
            "kind": "country",
            "name": "Saudi Arabia",
            "slug": "saudi-arabia",
            "count": 2,
            "snippet": "Saudi Arabia ordered the Akinci. Saudi Arabia's order is the largest.",
        },
        {
            "kind": "system",
            "name": "Bayraktar Akıncı",
            "slug": "bayraktar-akinci",
            "count": 1,
            "snippet": "Saudi Arabia ordered the Akinci. Saudi Arabia's order is the largest.",
        },
    ]
    assert [m["name"] for m in output[1]["mentions"]] == ["Türkiye"]
    assert not Article.objects.exists()
    assert not ArticleEntityLink.objects.exists()


def test_detect_mentions_reads_the_sample_essays(corpus_dir):
    output = json.loads(run("detect_mentions", *sorted(corpus_dir.iterdir()), "--json"))
    names = {m["name"] for result in output for m in result["mentions"]}
    assert names == {"India"}


def test_detect_mentions_names_a_file_it_cannot_read(tmp_path):
    with pytest.raises(
        CommandError, match=r"missing\.md: cannot be read \(No such file"
    ):
        run("detect_mentions", tmp_path / "missing.md")
