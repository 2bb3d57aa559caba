"""export_site and import_site: the whole site, out and back, losing nothing."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from articles.models import (
    Article,
    ArticleEntityLink,
    ArticleRevision,
    ArticleSlugRedirect,
)
from images.models import Image
from partnerships.models import Partnership, Tag
from tests import pictures
from tests.datafiles import MmeExerciseFactory, SipriDealFactory, mme_file, sipri_file
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    PartnershipFactory,
    TagFactory,
    UserFactory,
)
from tests.sharing import shared_content

pytestmark = [pytest.mark.django_db, pytest.mark.long(6)]


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue()


def _a_bit_of_everything(folder: Path) -> None:
    run("load_demo")
    run("import_sipri", sipri_file(folder, SipriDealFactory.create_batch(5)))
    run("import_exercises", mme_file(folder, MmeExerciseFactory.create_batch(3)))
    ImageFactory(
        content=pictures.png_bytes(500, 300, mode="RGBA"), focal_x=20, focal_y=40
    )
    ImageFactory(content=pictures.webp_bytes(), caption="", credit="")
    article = Article.objects.published().first()
    article.slug = f"{article.slug}-renamed"
    article.save()
    partnership = Partnership.objects.filter(kind="export").first()
    partnership.summary = "Edited after the import."
    partnership.save()
    client = Client()
    client.force_login(UserFactory(username="boss", is_superuser=True))
    response = client.post(
        "/admin/partnerships/tag/add/", {"name": "Added in the admin"}
    )
    assert response.status_code == 302
    assert ArticleRevision.objects.exists()
    assert ArticleEntityLink.objects.exists()
    assert ArticleSlugRedirect.objects.exists()
    assert LogEntry.objects.exists()
    assert Partnership.history.exists()


@pytest.fixture(scope="module")
def site_shared(request, django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("site-content")
    yield from shared_content(
        request, django_db_blocker, lambda: _a_bit_of_everything(folder)
    )


@pytest.fixture
def site(site_shared, db, tmp_path):
    """A site with a bit of everything (made once for this module): demo
    articles (published, scheduled, drafts, with revisions and links),
    imported deals and exercises, an article renamed (an old address), a
    record edited (its history) and an admin change (the log). Returns a
    folder for the test's files."""
    return tmp_path


def test_an_export_restores_into_an_empty_database_and_exports_again_identically(site):
    first, second = site / "first.json", site / "second.json"
    output = run("export_site", first)
    assert output.startswith("Exported ")

    # A new database, migrated and empty, in another process.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coopsite.settings.test",
        "DATABASE_URL": f"sqlite:///{site / 'empty.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(site / "elsewhere"),
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout

    manage("migrate", "--noinput", "-v0")
    restored = manage("import_site", first)
    manage("export_site", second)

    assert "Imported " in restored
    assert first.read_bytes() == second.read_bytes()
    # Every picture file, byte for byte, where the restored site looks for it.
    originals = list(Image.objects.order_by("pk"))
    assert len(originals) >= 2
    for image in originals:
        restored_file = site / "elsewhere" / image.file.name
        assert restored_file.read_bytes() == image.file.open("rb").read()
        for rendition in image.renditions.all():
            assert (site / "elsewhere" / rendition.name).is_file()


def test_an_export_with_a_damaged_picture_file_is_refused_and_changes_nothing(
    site, settings
):
    path = site / "site.json"
    run("export_site", path)
    data = json.loads(path.read_text())
    data["files"][0]["base64"] = data["files"][1]["base64"]
    path.write_text(json.dumps(data))
    settings.MEDIA_ROOT = site / "fresh"
    with pytest.raises(CommandError, match=r"damaged|checksums differ"):
        run("import_site", path, "--replace")
    assert not (site / "fresh").exists() or not any((site / "fresh").rglob("*.*"))


def test_the_export_holds_every_kind_of_content(site):
    path = site / "site.json"
    run("export_site", path)
    data = json.loads(path.read_text())

    assert data["format"] == "coopsite-site-export"
    models = {item["model"] for item in data["objects"]}
    for label in [
        "accounts.user",
        "auth.group",
        "admin.logentry",
        "partnerships.entity",
        "partnerships.country",
        "partnerships.partnership",
        "partnerships.participant",
        "partnerships.partnershipsystem",
        "partnerships.source",
        "partnerships.externalidentifier",
        "partnerships.tag",
        "partnerships.historicalpartnership",
        "articles.article",
        "articles.articleentitylink",
        "articles.articlerevision",
        "articles.articleslugredirect",
        "images.image",
    ]:
        assert label in models, label
    assert not {m for m in models if m.startswith(("search.", "sessions."))}
    # Users are named, not numbered, where content points at them.
    article = next(i for i in data["objects"] if i["model"] == "articles.article")
    assert all(isinstance(author, list) for author in article["fields"]["authors"])


def test_replace_restores_the_exported_site_and_it_works(site, client, commit):
    path, again = site / "site.json", site / "again.json"
    run("export_site", path)
    draft = Article.objects.filter(status="draft").first()
    published = Article.objects.published().first()
    Article.objects.filter(pk=published.pk).delete()
    PartnershipFactory(name="Made after the export")

    with commit():  # search indexes what was restored when it commits
        output = run("import_site", path, "--replace")

    assert "Imported " in output
    run("export_site", again)
    assert path.read_bytes() == again.read_bytes()
    assert not Partnership.objects.filter(name="Made after the export").exists()
    assert client.get(published.get_absolute_url()).status_code == 200
    # The network's table of ties is made again from the restored records.
    assert client.get("/network/").context["network"].partnership_count > 0
    assert client.get(draft.get_absolute_url()).status_code == 404
    found = client.get("/search/", {"q": published.title}).content.decode()
    assert f'href="{published.get_absolute_url()}"' in found
    assert client.get("/partnerships/", {"kind": "exercise"}).status_code == 200


def test_a_database_with_content_is_refused_without_replace(site):
    path = site / "site.json"
    run("export_site", path)
    ArticleFactory(title="Written after the export")

    with pytest.raises(CommandError, match="This database is not empty"):
        run("import_site", path)
    assert Article.objects.filter(title="Written after the export").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json at all", "is not a JSON file"),
        ('{"objects": []}', "is not a coopsite export"),
        (
            '[{"model": "articles.article", "pk": 1, "fields": {}}]',
            "is not a coopsite export",
        ),
    ],
)
def test_a_file_that_is_no_export_changes_nothing(site, content, reason):
    path = site / "other.json"
    path.write_text(content)
    articles = Article.objects.count()
    with pytest.raises(CommandError, match=reason):
        run("import_site", path, "--replace")
    assert Article.objects.count() == articles


def test_a_folder_named_for_the_export_is_refused_with_a_message(site, tmp_path):
    articles = Article.objects.count()
    with pytest.raises(CommandError, match="is a folder; name the export's file"):
        run("import_site", tmp_path, "--replace")
    assert Article.objects.count() == articles


def test_an_export_of_another_schema_is_refused(site):
    path = site / "site.json"
    run("export_site", path)
    data = json.loads(path.read_text())
    data["schema"]["articles"] = "0099_from_the_future"
    path.write_text(json.dumps(data))

    with pytest.raises(
        CommandError, match="articles: the export is at 0099_from_the_future"
    ):
        run("import_site", path, "--replace")


def test_a_broken_export_changes_nothing_even_with_replace(site):
    path = site / "site.json"
    run("export_site", path)
    data = json.loads(path.read_text())
    participant = next(
        i for i in data["objects"] if i["model"] == "partnerships.participant"
    )
    participant["fields"]["partnership"] = 10**9  # points at nothing
    path.write_text(json.dumps(data))
    before = (Article.objects.count(), Partnership.objects.count(), Tag.objects.count())

    with pytest.raises(CommandError, match="The export could not be loaded"):
        run("import_site", path, "--replace")

    assert (
        Article.objects.count(),
        Partnership.objects.count(),
        Tag.objects.count(),
    ) == before


def test_the_export_is_readable_by_its_owner_only(site):
    path = site / "site.json"
    run("export_site", path)
    assert path.stat().st_mode & 0o777 == 0o600  # it holds password hashes


def test_a_database_with_only_curation_is_not_empty(tmp_path, site):
    path = site / "site.json"
    run("export_site", path)
    # PostgreSQL truncates only once the rows' deferred checks have run.
    connection.check_constraints()
    call_command("flush", "--noinput", verbosity=0)  # nothing left, not even countries
    TagFactory(name="Curated by hand")

    with pytest.raises(CommandError, match=r"not empty \(it holds 1 tags\)"):
        run("import_site", path)
    assert Tag.objects.filter(name="Curated by hand").exists()
