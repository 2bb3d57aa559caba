"""manage.py import_essays: idempotent, atomic, mojibake repaired."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, ArticleStatus
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CORPUS_TITLES = {
    "Defense Exports: A Crucial Pillar of Islamic Nation's Security and Defense",
    "Defense Technology Sharing in Islamic Nation's Defense Diplomacy",
    "Defense Industrial Partnerships: A Pivotal Component of National Security "
    "for Islamic Nations",
}


def run(*args):
    out = StringIO()
    call_command("import_essays", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_sample_corpus_imports_as_three_drafts_titled_by_their_headings(corpus_dir):
    output = run(corpus_dir)
    assert set(Article.objects.values_list("title", flat=True)) == CORPUS_TITLES
    assert set(Article.objects.values_list("status", flat=True)) == {
        ArticleStatus.DRAFT
    }
    assert "3 created, 0 updated, 0 unchanged" in output
    for article in Article.objects.all():
        assert "â€" not in article.body
        assert not article.body.startswith("# ")
        assert article.standfirst


def test_mojibake_in_the_corpus_is_repaired_to_the_intended_characters(corpus_dir):
    run(corpus_dir)
    bodies = " ".join(Article.objects.values_list("body", flat=True))
    assert "equipment –- encompassing" in bodies
    assert "â" not in bodies


def test_importing_the_corpus_twice_leaves_three_articles(corpus_dir):
    run(corpus_dir)
    output = run(corpus_dir)
    assert Article.objects.count() == 3
    assert "0 created, 0 updated, 3 unchanged" in output


def test_publish_flag_publishes_now(corpus_dir):
    run(corpus_dir, "--publish")
    assert Article.objects.published().count() == 3


@pytest.fixture
def essays(tmp_path):
    def write(name, content):
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    return write


def edited_after_import(essays, *options, **changes):
    """tb2.md imported (with ``options``), its article then changed as an
    editor would (``changes``), and the file's second version written: what
    the next import reads. The file's path and the article."""
    path = essays("tb2.md", "# The TB2\n\nFirst version.")
    run(path, *options)
    article = Article.objects.get()
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()
    path.write_text("# The TB2\n\nSecond version.")
    return path, article


def test_a_changed_file_updates_its_article_and_keeps_editorial_choices(essays):
    path, article = edited_after_import(
        essays, "--publish", standfirst="An editor's standfirst."
    )
    output = run(path)
    article.refresh_from_db()
    assert "1 updated" in output
    assert article.body == "Second version."
    assert article.standfirst == "An editor's standfirst."
    assert article.status == ArticleStatus.PUBLISHED


def test_the_title_is_the_first_level_one_heading_wherever_it_is(essays):
    path = essays("essay.md", "Preface line.\n\n# Real Title #\n\n## Section\n\nText.")
    run(path)
    article = Article.objects.get()
    assert article.title == "Real Title"
    assert article.slug == "real-title"
    assert article.body == "Preface line.\n\n\n## Section\n\nText."


def test_mojibake_and_a_byte_order_mark_are_repaired(essays):
    path = essays(
        "bom.md", "\ufeff# Itâ€™s a test\n\nTürkiyeâ€™s drones â€“ and more.".encode()
    )
    run(path)
    article = Article.objects.get()
    assert article.title == "It’s a test"
    assert article.body == "Türkiye’s drones – and more."


def test_new_articles_can_be_credited_to_an_author(essays):
    UserFactory(username="leyla")
    run(essays("a.md", "# A\n\nB."), "--author", "leyla")
    assert Article.objects.get().authors.get().username == "leyla"


def test_an_unknown_author_is_refused(essays):
    with pytest.raises(CommandError, match="No user is called “nobody”"):
        run(essays("a.md", "# A\n\nB."), "--author", "nobody")
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", "", "the file is empty"),
        ("blank.md", "  \n\n \t\n", "the file is empty"),
        (
            "untitled.md",
            "Just prose, no heading.\n\n## Only a subheading",
            "no '# ' heading",
        ),
        ("latin1.md", "# Caf\xe9\n\nna\xefve".encode("latin-1"), "is not UTF-8 text"),
        ("binary.md", b"# Title\n\n\x00\x01\x02", "binary file"),
        ("headless.md", "# Only a title\n\n", "has a title but no body"),
        ("symbols.md", "# ???\n\nBody.", "no letters or digits"),
    ],
)
def test_a_bad_file_is_named_with_its_reason_and_nothing_is_written(
    essays, name, content, reason
):
    good = essays("good.md", "# A Good Essay\n\nFine.")
    bad = essays(name, content)
    with pytest.raises(CommandError) as excinfo:
        run(good, bad)
    message = str(excinfo.value)
    assert name in message
    assert reason in message
    assert "Nothing was imported" in message
    assert not Article.objects.exists()


def test_a_missing_path_is_refused_and_nothing_written(essays, tmp_path):
    good = essays("good.md", "# A Good Essay\n\nFine.")
    with pytest.raises(CommandError, match="no such file or folder"):
        run(good, tmp_path / "missing.md")
    assert not Article.objects.exists()


def test_a_folder_without_essays_is_refused(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(CommandError, match=r"holds no \.md, \.markdown or \.txt files"):
        run(tmp_path)


def test_two_files_with_the_same_title_are_refused(essays):
    first = essays("one.md", "# Same Title\n\nOne.")
    second = essays("two.md", "# Same title\n\nTwo.")
    with pytest.raises(CommandError, match="same title as"):
        run(first, second)
    assert not Article.objects.exists()


def test_the_command_exits_non_zero_from_the_shell(essays, tmp_path):
    """What an editor running it in a terminal sees: a message and status 1."""
    import subprocess
    import sys

    bad = essays("bad.md", "no heading")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_essays", str(bad)],
        capture_output=True,
        text=True,
        check=False,
        env={
            "DJANGO_SETTINGS_MODULE": "coopsite.settings.test",
            "PATH": "/usr/bin:/bin",
        },
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1
    assert "bad.md" in result.stderr


def test_an_article_changed_in_the_admin_since_its_import_is_kept(essays):
    """The file's new version is not written over an editor's work; the
    command says which articles it kept."""
    path, article = edited_after_import(
        essays,
        "--publish",
        body="First version, with an editor's section.\n\n## Sources",
    )

    output = run(path)

    article.refresh_from_db()
    assert article.body == "First version, with an editor's section.\n\n## Sources"
    assert "0 updated, 0 unchanged, 1 kept" in output
    assert "kept      the-tb2: changed in the admin since its import" in output


def test_an_article_written_in_the_admin_is_never_replaced_by_an_essay(essays):
    ArticleFactory(slug="the-tb2", title="Ours", body="Written here.")
    run(essays("tb2.md", "# The TB2\n\nFrom a file."))
    assert Article.objects.get().body == "Written here."


def test_an_article_an_editor_moved_is_found_at_its_new_address(essays):
    path, _article = edited_after_import(essays, slug="tb2-drone-exports")

    output = run(path)

    assert "1 updated" in output
    assert list(Article.objects.values_list("slug", "body")) == [
        ("tb2-drone-exports", "Second version.")
    ]


def test_unicode_line_and_paragraph_separators_break_lines_as_unicode_says(essays):
    run(essays("sep.md", "# My title\u2029First paragraph.\u2029Second.\u2028Third."))
    article = Article.objects.get()
    assert article.title == "My title"
    assert article.body == "First paragraph.\n\nSecond.\nThird."
