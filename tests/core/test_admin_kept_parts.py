"""The admin changelists' filters, actions and rows are written once for the
data's version and kept for the same user asking for the same page
(``kept_for_changelist``), and the navigation sidebar once for each
permission set and page (``kept_nav_sidebar``): asked again, the page is the
same without writing them again; a change, another user, other permissions
or another page is never answered from what was kept for the first."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coopsite.admin import CoopsiteAdminSite
from tests.factories import (
    ArticleFactory,
    ParticipantFactory,
    PartnershipFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARTNERSHIPS = "/admin/partnerships/partnership/"
ARTICLES = "/admin/articles/article/"


def part(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


def rows(response) -> str:
    return part(response.content.decode(), '<table id="result_list"', "</table>")


def filters(response) -> str:
    return part(
        response.content.decode(), '<search id="changelist-filter"', "</search>"
    )


def sidebar(response) -> str:
    return part(
        response.content.decode(), '<nav class="sticky" id="nav-sidebar"', "</nav>"
    )


def names_read(queries) -> list[str]:
    """The queries that read the names a partnership row shows."""
    return [q["sql"] for q in queries if '"partnerships_participant"' in q["sql"]]


@pytest.fixture
def deals(commit, country):
    with commit():
        tag = TagFactory(name="Air defence")
        for name in ("Frigate programme", "Radar transfer"):
            deal = PartnershipFactory(name=name, tags=[tag])
            ParticipantFactory(partnership=deal, country=country("TR"))


def test_the_same_page_asked_again_is_written_from_what_was_kept(
    admin_client, deals, kept_counts
):
    first = admin_client.get(PARTNERSHIPS, {"o": "1"})
    with CaptureQueriesContext(connection) as queries:
        again = admin_client.get(PARTNERSHIPS, {"o": "1"})
    assert rows(again) == rows(first)
    assert filters(again) == filters(first)
    assert "Frigate programme" in rows(again)
    assert "Türkiye" in rows(again) or "Turkey" in rows(again)
    # The rows were not written again: their participants were not read.
    assert names_read(queries.captured_queries) == []
    # Another sorting is another page, written for itself.
    other = admin_client.get(PARTNERSHIPS, {"o": "-1"})
    assert rows(other).index("Radar transfer") < rows(other).index("Frigate programme")


def test_a_saved_change_is_in_the_rows_on_the_next_request(
    admin_client, deals, kept_counts, commit
):
    assert "Frigate programme" in rows(admin_client.get(PARTNERSHIPS))
    with commit():
        deal = PartnershipFactory._meta.model.objects.get(name="Frigate programme")
        deal.name = "Frigate programme, second batch"
        deal.save()
    page = admin_client.get(PARTNERSHIPS)
    assert "Frigate programme, second batch" in rows(page)


def test_a_contributor_never_gets_the_rows_kept_for_another_user(
    client, kept_counts, commit, editor, contributor, roles
):
    with commit():
        ArticleFactory(title="Someone else's draft", authors=[UserFactory()])
        ArticleFactory(title="My own draft", authors=[contributor])
    client.force_login(editor)
    shown_to_editor = rows(client.get(ARTICLES))
    assert "Someone else&#x27;s draft" in shown_to_editor
    client.force_login(contributor)
    shown = rows(client.get(ARTICLES))
    assert "My own draft" in shown
    assert "Someone else" not in shown
    # Another contributor (the same permissions) sees their own only.
    client.force_login(UserFactory(groups=[roles["Contributors"]]))
    assert "My own draft" not in client.get(ARTICLES).content.decode()


def test_other_permissions_are_other_rows_and_actions_in_the_same_version(
    client, deals, kept_counts, contributor
):
    """A permission granted shows at once, with nothing else changed: the
    kept parts are kept for the permissions, not the user's name."""
    client.force_login(contributor)
    before = client.get(PARTNERSHIPS).content.decode()
    assert 'name="action"' not in before
    contributor.user_permissions.add(
        Permission.objects.get(codename="change_partnership")
    )
    after = client.get(PARTNERSHIPS).content.decode()
    assert 'name="action"' in after
    assert "Add a tag to the selected partnerships" in after
    assert re.search(r'<input type="checkbox" name="_selected_action"', after)


def test_the_sidebar_marks_the_page_open_and_shows_what_the_permissions_allow(
    client, deals, contributor
):
    client.force_login(contributor)
    on_partnerships = sidebar(client.get(PARTNERSHIPS))
    on_tags = sidebar(client.get("/admin/partnerships/tag/"))
    current = 'class="model-partnership current-model"'
    assert current in on_partnerships
    assert current not in on_tags
    assert 'class="model-tag current-model"' in on_tags
    assert f'href="{PARTNERSHIPS}add/"' not in on_partnerships
    contributor.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    assert f'href="{PARTNERSHIPS}add/"' in sidebar(client.get(PARTNERSHIPS))


def test_the_sidebar_asked_again_does_not_list_the_apps_again(
    admin_client, deals, monkeypatch
):
    first = sidebar(admin_client.get(PARTNERSHIPS))
    built = []
    real = CoopsiteAdminSite._build_app_dict

    def counted(site, request, label=None):
        built.append(label)
        return real(site, request, label)

    monkeypatch.setattr(CoopsiteAdminSite, "_build_app_dict", counted)
    assert sidebar(admin_client.get(PARTNERSHIPS)) == first
    assert built == []


def test_a_list_whose_rows_give_the_data_no_new_version_is_written_each_time(
    kept_counts, superuser_client
):
    """Import runs (like login attempts and groups) change without giving
    the data a new version: their list, its rows and its years, is never
    kept, so a run that ends shows on the next request."""
    from tests.factories import ImportRunFactory

    url = "/admin/datasets/importrun/"
    ImportRunFactory(
        file_name="first-register.csv",
        started_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
    )
    assert "first-register.csv" in superuser_client.get(url).content.decode()
    ImportRunFactory(
        file_name="second-register.csv",
        started_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    page = superuser_client.get(url).content.decode()
    assert "second-register.csv" in page
    assert "started_at__year=2026" in page
