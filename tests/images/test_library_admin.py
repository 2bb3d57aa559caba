"""The picture library in the admin: who may upload, change and delete;
the usage index; search; a picture in use cannot be deleted."""

import pytest
from django.test import Client

from articles.models import ArticleStatus
from tests.admin_forms import scraped_form
from tests.factories import ArticleFactory, ImageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(3)]

LIST = "/admin/images/image/"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(image):
    return f"{LIST}{image.pk}/change/"


def test_contributors_and_editors_upload_researchers_do_not(
    editor, contributor, researcher
):
    assert as_user(editor).get(f"{LIST}add/").status_code == 200
    assert as_user(contributor).get(f"{LIST}add/").status_code == 200
    assert as_user(researcher).get(f"{LIST}add/").status_code == 403
    assert as_user(researcher).get(LIST).status_code == 403


def test_a_contributor_changes_only_the_pictures_they_uploaded(contributor, editor):
    theirs = ImageFactory(user=contributor, alt_text="Mine")
    others = ImageFactory(user=editor, alt_text="Not mine")
    client = as_user(contributor)
    form = {
        "title": "Renamed",
        "alt_text": "Changed alt",
        "caption": "",
        "credit": "",
        "licence": "",
    }
    assert client.post(edit_url(theirs), form).status_code == 302
    theirs.refresh_from_db()
    assert theirs.alt_text == "Changed alt"
    assert client.post(edit_url(others), form).status_code == 403
    others.refresh_from_db()
    assert others.alt_text == "Not mine"
    # They may still look at it, to choose it for an article.
    page = client.get(edit_url(others))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]


@pytest.mark.parametrize(
    ("shown_by", "contributor_may_change"),
    [
        ("their own draft", True),
        ("their article in review", False),
        ("a published article", False),
        ("another contributor's draft", False),
    ],
)
def test_a_contributor_changes_their_picture_only_while_only_their_drafts_show_it(
    contributor, editor, shown_by, contributor_may_change
):
    picture = ImageFactory(user=contributor, caption="As uploaded")
    status, author = {
        "their own draft": (ArticleStatus.DRAFT, contributor),
        "their article in review": (ArticleStatus.REVIEW, contributor),
        "a published article": (ArticleStatus.PUBLISHED, editor),
        "another contributor's draft": (ArticleStatus.DRAFT, editor),
    }[shown_by]
    ArticleFactory(status=status, authors=[author], lead_image=picture)
    client = as_user(contributor)

    answer = client.post(
        edit_url(picture),
        {"title": "A drawing", "alt_text": "A drawing", "caption": "Changed", "credit": "",
         "licence": ""},
    )  # fmt: skip

    picture.refresh_from_db()
    if contributor_may_change:
        assert (answer.status_code, picture.caption) == (302, "Changed")
    else:
        assert (answer.status_code, picture.caption) == (403, "As uploaded")
        page = client.get(edit_url(picture))
        assert not page.context["has_change_permission"]
        assert "only an editor may change it now" in page.text
    # An editor may change it whatever shows it.
    editing = as_user(editor)
    form = scraped_form(editing.get(edit_url(picture)).text)
    form["caption"] = ["By the editor"]
    assert editing.post(edit_url(picture), form).status_code == 302
    picture.refresh_from_db()
    assert picture.caption == "By the editor"


def test_contributors_delete_nothing_and_editors_only_unused_pictures(
    contributor, editor
):
    unused = ImageFactory(user=contributor)
    used = ImageFactory()
    ArticleFactory(lead_image=used, title="Drones over the Caspian")
    assert (
        as_user(contributor)
        .post(f"{edit_url(unused)}../delete/", {"post": "yes"})
        .status_code
        == 403
    )
    as_editor = as_user(editor)
    # In use: the page says which article shows it, and nothing is deleted.
    refused = as_editor.post(f"{LIST}{used.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Cannot delete picture" in page
    assert "Drones over the Caspian</a> (shows" in page
    assert (
        as_editor.post(f"{LIST}{unused.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    assert list(type(used).objects.all()) == [used]


def test_a_picture_only_in_a_body_is_in_use_too(editor):
    picture = ImageFactory()
    ArticleFactory(body=f"![](image:{picture.pk})", title="Body only")
    response = as_user(editor).post(
        LIST,
        {"action": "delete_selected", "_selected_action": [picture.pk], "post": "yes"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "protected related objects" in page
    assert "Body only</a> (shows" in page
    assert "permission to delete" not in page
    assert type(picture).objects.filter(pk=picture.pk).exists()


def test_the_library_lists_usage_and_finds_by_description(editor):
    drone = ImageFactory(title="Runway", alt_text="A drone on a runway")
    ImageFactory(title="Ship", alt_text="A frigate")
    for _ in range(3):
        ArticleFactory(lead_image=drone)
    client = as_user(editor)
    page = client.get(LIST, {"q": "drone"})
    assert [image.pk for image in page.context["cl"].result_list] == [drone.pk]
    assert "3 articles" in page.content.decode()
    detail = client.get(edit_url(drone)).content.decode()
    assert f"![A drone on a runway](image:{drone.pk})" in detail
    assert detail.count("/admin/articles/article/") >= 3


def test_the_library_list_takes_the_same_queries_for_5_and_25_pictures(
    editor, django_assert_max_num_queries
):
    client = as_user(editor)
    ImageFactory.create_batch(5)
    with django_assert_max_num_queries(12) as five:
        client.get(LIST)
    ImageFactory.create_batch(20)
    with django_assert_max_num_queries(12) as twenty_five:
        client.get(LIST)
    assert len(five) == len(twenty_five)


def test_a_picture_an_article_named_before_its_upload_is_in_use_from_its_upload(
    contributor, editor
):
    """An editor may write ``image:N`` before picture N exists (the form
    warns); once it is uploaded, the published article shows it: its
    uploader may no longer change it, and nobody may delete it."""
    next_number = ImageFactory().pk + 1
    ArticleFactory(
        status=ArticleStatus.PUBLISHED,
        authors=[editor],
        title="Named ahead",
        body=f"![A chart](image:{next_number})",
    )
    picture = ImageFactory(user=contributor, caption="As uploaded")
    assert picture.pk == next_number

    changed = as_user(contributor).post(
        edit_url(picture),
        {"title": "x", "alt_text": "x", "caption": "Changed", "credit": "",
         "licence": ""},
    )  # fmt: skip
    deleted = as_user(editor).post(f"{LIST}{picture.pk}/delete/", {"post": "yes"})

    picture.refresh_from_db()
    assert (changed.status_code, picture.caption) == (403, "As uploaded")
    assert "Named ahead</a> (shows" in deleted.text


def test_a_contributor_sees_which_of_their_articles_show_a_picture_not_others(
    contributor, editor
):
    picture = ImageFactory(user=contributor)
    ArticleFactory(authors=[contributor], lead_image=picture, title="My draft")
    ArticleFactory(authors=[editor], lead_image=picture, title="Someone's secret")

    page = as_user(contributor).get(edit_url(picture)).text

    assert "My draft" in page
    assert "secret" not in page
    assert "1 article of other writers" in page
    assert "An article other than your own drafts shows this picture" in page
    assert "Someone&#x27;s secret" in as_user(editor).get(edit_url(picture)).text


@pytest.mark.parametrize("new_focal_point", [None, (20.0, 30.0)])
def test_a_new_file_starts_from_its_centre_unless_a_focal_point_is_chosen(
    editor, new_focal_point
):
    from tests import pictures
    from tests.pictures import upload

    picture = ImageFactory(focal_x=87.1, focal_y=25.2)
    client = as_user(editor)
    form = scraped_form(client.get(edit_url(picture)).text)
    form.pop("upload", None)
    if new_focal_point:
        form["focal_x"], form["focal_y"] = (
            [str(new_focal_point[0])],
            [str(new_focal_point[1])],
        )
    form["upload"] = upload(pictures.png_bytes(400, 400, mode="RGB"), name="new.png")

    answer = client.post(edit_url(picture), form, follow=True)

    picture.refresh_from_db()
    assert (picture.width, picture.height) == (400, 400)
    assert (picture.focal_x, picture.focal_y) == (new_focal_point or (None, None))
    assert "check that its description, caption and credit still fit it" in answer.text
