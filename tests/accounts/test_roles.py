"""Each role can do exactly what PRODUCT.md §5 gives it, in every admin view."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import ROLES
from articles.models import Article, ArticleStatus
from partnerships.models import Country, Tag
from tests.admin_forms import article_form
from tests.factories import (
    ArticleFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _codenames(group):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_setup_roles_gives_each_group_exactly_its_permissions(roles):
    assert set(roles) == {"Contributors", "Editors", "Researchers"}
    for name, wanted in ROLES.items():
        assert _codenames(roles[name]) == wanted


def test_setup_roles_removes_permissions_added_by_hand_and_is_repeatable(roles):
    editors = roles["Editors"]
    editors.permissions.add(Permission.objects.get(codename="delete_partnership"))
    out = StringIO()
    call_command("setup_roles", stdout=out)
    call_command("setup_roles", stdout=out)
    assert _codenames(Group.objects.get(name="Editors")) == ROLES["Editors"]
    assert Group.objects.count() == 3
    assert "Updated group Editors" in out.getvalue()


def test_contributors_write_but_cannot_publish(contributor):
    assert contributor.has_perm("articles.add_article")
    assert contributor.has_perm("articles.change_article")
    assert not contributor.has_perm("articles.publish_article")
    assert not contributor.has_perm("articles.delete_article")
    assert not contributor.has_perm("partnerships.change_partnership")


def test_editors_publish_articles_and_researchers_curate_records(editor, researcher):
    assert editor.has_perm("articles.publish_article")
    assert editor.has_perm("articles.add_article")
    assert not editor.has_perm("partnerships.change_partnership")
    assert editor.has_perm("partnerships.view_partnership")
    assert researcher.has_perm("partnerships.add_partnership")
    assert researcher.has_perm("partnerships.add_tag")
    assert researcher.has_perm("partnerships.change_country")
    assert not researcher.has_perm("partnerships.add_country")
    assert not researcher.has_perm("partnerships.delete_country")
    assert not researcher.has_perm("articles.change_article")
    assert not researcher.has_perm("articles.publish_article")


# --- What an editor may and may not do in the admin --------------------------


def test_an_editor_writes_an_article_and_is_credited(editor_client, editor):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        article_form(title="A new essay", slug="a-new-essay"),
    )
    assert response.status_code == 302
    assert list(Article.objects.get(slug="a-new-essay").authors.all()) == [editor]


def test_an_editor_publishes_with_the_admin_action(editor_client):
    article = ArticleFactory(status=ArticleStatus.REVIEW)
    editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.is_public


def test_an_editor_sees_records_but_cannot_change_them(editor_client):
    partnership = PartnershipFactory(name="TB2 to Poland")
    changelist = editor_client.get(reverse("admin:partnerships_partnership_changelist"))
    assert changelist.status_code == 200
    assert "TB2 to Poland" in changelist.content.decode()
    assert (
        editor_client.get(reverse("admin:partnerships_partnership_add")).status_code
        == 403
    )
    response = editor_client.post(
        reverse("admin:partnerships_partnership_change", args=[partnership.pk]),
        {
            "name": "Renamed",
            "slug": partnership.slug,
            "kind": "export",
            "status": "active",
        },
    )
    assert response.status_code == 403
    partnership.refresh_from_db()
    assert partnership.name == "TB2 to Poland"


def test_an_editor_cannot_bulk_tag_records(editor_client):
    partnership = PartnershipFactory()
    tag = TagFactory()
    editor_client.post(
        reverse("admin:partnerships_partnership_changelist"),
        {
            "action": "add_tag",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "tag": tag.pk,
        },
    )
    assert not partnership.tags.exists()


def test_an_editor_can_look_up_tags_and_authors_to_credit_an_article(editor_client):
    TagFactory(name="Drones")
    UserFactory(username="zeynep", first_name="Zeynep", last_name="Kaya")
    tags = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "tags",
            "term": "dro",
        },
    )
    authors = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "authors",
            "term": "Zeynep",
        },
    )
    assert [r["text"] for r in tags.json()["results"]] == ["Drones"]
    assert [r["text"] for r in authors.json()["results"]] == ["Zeynep Kaya"]


def test_an_editor_adds_a_topic_while_writing_but_leaves_curating_topics_alone(
    editor_client,
):
    add = editor_client.get(reverse("admin:partnerships_tag_add"), {"_popup": 1})
    assert add.status_code == 200
    # The "+" beside Topics on the article form.
    assert (
        'id="add_id_tags"'
        in editor_client.get(reverse("admin:articles_article_add")).text
    )
    response = editor_client.post(
        reverse("admin:partnerships_tag_add"),
        {"name": "Ports", "slug": "ports", "description": ""},
    )
    assert response.status_code == 302
    ports = Tag.objects.get(slug="ports")
    change = reverse("admin:partnerships_tag_change", args=[ports.pk])
    assert (
        editor_client.post(change, {"name": "Harbours", "slug": "ports"}).status_code
        == 403
    )
    delete = reverse("admin:partnerships_tag_delete", args=[ports.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Tag.objects.get(pk=ports.pk).name == "Ports"


# --- What a researcher may and may not do --------------------------------------


def test_a_researcher_curates_partnerships_and_tags(researcher_client):
    partnership = PartnershipFactory()
    response = researcher_client.post(
        reverse("admin:partnerships_partnership_changelist"),
        {
            "action": "add_tag",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "new_tag": "Local production",
        },
    )
    assert response.status_code == 302
    assert partnership.tags.get().name == "Local production"
    assert (
        researcher_client.get(reverse("admin:partnerships_partnership_add")).status_code
        == 200
    )


def test_a_researcher_corrects_countries_but_cannot_add_or_delete_them(
    researcher_client, country
):
    turkiye = country("TR")
    assert (
        researcher_client.get(
            reverse("admin:partnerships_country_change", args=[turkiye.pk])
        ).status_code
        == 200
    )
    assert (
        researcher_client.get(reverse("admin:partnerships_country_add")).status_code
        == 403
    )
    assert (
        researcher_client.post(
            reverse("admin:partnerships_country_delete", args=[turkiye.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert Country.objects.filter(pk=turkiye.pk).exists()


def test_a_researcher_sees_articles_but_cannot_write_or_publish(researcher_client):
    draft = ArticleFactory(title="Draft essay")
    assert (
        researcher_client.get(reverse("admin:articles_article_changelist")).status_code
        == 200
    )
    assert (
        researcher_client.get(reverse("admin:articles_article_add")).status_code == 403
    )
    response = researcher_client.post(
        reverse("admin:articles_article_change", args=[draft.pk]),
        article_form(title="Hijacked", slug=draft.slug, status="published"),
    )
    assert response.status_code == 403
    researcher_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Draft essay", ArticleStatus.DRAFT)


# --- A contributor -------------------------------------------------------------


def test_a_contributor_is_offered_no_publishing(contributor_client, contributor):
    draft = ArticleFactory(authors=[contributor])
    response = contributor_client.get(
        reverse("admin:articles_article_change", args=[draft.pk])
    )
    assert "status" not in response.context["adminform"].form.fields
    assert [name for name, _ in response.context["transitions"]] == ["submit"]


def test_a_forged_status_from_a_contributor_changes_nothing(contributor_client):
    response = contributor_client.post(
        reverse("admin:articles_article_add"),
        article_form(title="Sneaky", slug="sneaky", status="published"),
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="sneaky")
    assert article.status == ArticleStatus.DRAFT
    assert not article.is_public


def test_a_published_article_is_read_only_to_a_contributor(
    contributor_client, contributor
):
    article = PublishedArticleFactory(title="Live essay", authors=[contributor])
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert contributor_client.get(url).status_code == 200
    response = contributor_client.post(
        url, article_form(title="Changed", slug=article.slug)
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Live essay"


# --- Readers -------------------------------------------------------------------


def test_readers_never_reach_the_admin(client):
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_logged_in_non_staff_user_is_kept_out_of_the_admin(client):
    client.force_login(UserFactory(username="reader", is_staff=False))
    response = client.get(reverse("admin:partnerships_partnership_changelist"))
    assert response.status_code == 302
