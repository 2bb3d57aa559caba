"""Pictures in a real browser: an editor uploads one with its alt text,
puts it in an article's body and makes it the lead picture, publishes;
readers get responsive, described pictures that load. (The pages with
pictures pass axe-core: test_accessibility_and_validity.py.)"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Article, ArticleWorkingCopy
from images.models import Image
from tests import pictures
from tests.factories import UserFactory

# The editor's saves commit, as in production (see conftest.py).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "correct horse battery staple"


def log_in(browser, site, username):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("Welcome")
    return page


def restored(browser, site, user, article, fields):
    """``user``'s change page of ``article``, a working copy of ``fields``
    (newer than the article) restored into its form."""
    from django.utils import timezone

    ArticleWorkingCopy.objects.create(
        user=user,
        article=article,
        base_version=article.edit_version,
        fields=fields,
        updated_at=timezone.now(),
    )
    page = log_in(browser, site, user.username)
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    page.locator("#restore-working-copy").click()
    return page


def choose(page, field, text):
    """Pick ``text`` in an admin autocomplete (select2) field."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(
        f'.select2-search__field[aria-controls="select2-id_{field}-results"]'
    ).fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def dialogs_on_leaving(page) -> list[str]:
    """Follow the admin's home link from the form, staying if asked first:
    the dialogs the browser showed."""
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.locator("#site-name a").click()
    page.wait_for_timeout(500)
    return dialogs


def test_upload_insert_lead_publish_and_read(browser, server, transactional_db, roles):
    # The article and its picture are this test's own: no demo needed.
    site = server.url
    UserFactory(username="edna", groups=[roles["Editors"]])
    editor = log_in(browser, site, "edna")

    # Upload, with alt text; a file that only claims to be a JPEG is refused.
    editor.goto(f"{site}/admin/images/image/add/")
    editor.set_input_files(
        "#id_upload",
        {"name": "fake.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"},
    )
    editor.fill("#id_alt_text", "A drone over the sea at dusk")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".errorlist")).to_contain_text("not a picture")
    editor.set_input_files(
        "#id_upload",
        {
            "name": "drone.jpg",
            "mimeType": "image/jpeg",
            "buffer": pictures.jpeg_bytes(2400, 1500),
        },
    )
    editor.fill("#id_title", "Sea drone")
    editor.fill("#id_alt_text", "A drone over the sea at dusk")
    editor.fill("#id_caption", "Over the Black Sea")
    editor.fill("#id_credit", "Photo: Test Crew")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was added successfully")
    image = Image.objects.get(title="Sea drone")
    expect(editor.locator(".markdown-code")).to_have_value(
        f"![A drone over the sea at dusk](image:{image.pk})"
    )

    # Write an article with the picture in its body and as its lead picture.
    editor.goto(f"{site}/admin/articles/article/add/")
    editor.locator("#id_title").press_sequentially("Drones at sea")
    editor.fill("#id_standfirst", "Navies learn to fly from small decks.")
    editor.fill(
        "#id_body",
        f'The first paragraph.\n\n![](image:{image.pk} "Launch at dawn")\n\nMore.',
    )
    choose(editor, "lead_image", "Sea drone")
    # The live preview, rendered by the server, shows the picture; the counts follow.
    expect(editor.locator("#body-preview figure img")).to_have_attribute(
        "alt", "A drone over the sea at dusk"
    )
    expect(editor.locator("#body-preview figcaption")).to_contain_text("Launch at dawn")
    expect(editor.locator("#body-stats")).to_have_text("4 words · 1 min read")
    # Published straight from the Add page.
    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".field-status_label")).to_contain_text("Published")
    article = Article.objects.get(slug="drones-at-sea")
    assert article.lead_image == image
    assert list(article.body_images.all()) == [image]

    # A reader sees both pictures, responsive and described.
    reader = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    reader.goto(f"{site}{article.get_absolute_url()}")
    lead = reader.locator(".lead-figure img")
    body = reader.locator(".prose figure img")
    for img in (lead, body):
        expect(img).to_have_attribute("alt", "A drone over the sea at dusk")
        expect(img).to_have_attribute("srcset", re.compile(r" 320w, .* 1920w$"))
        expect(img).to_have_attribute("width", "1920")
        expect(img).to_have_attribute("height", "1200")
    expect(body).to_have_attribute("loading", "lazy")
    expect(reader.locator(".prose figcaption")).to_have_text(
        "Launch at dawn Photo: Test Crew"
    )
    # The browser chose and loaded a rendition.
    lead.scroll_into_view_if_needed()
    assert (
        reader.evaluate("() => document.querySelector('.lead-figure img').naturalWidth")
        > 0
    )
    assert "/renditions/" in lead.evaluate("img => img.currentSrc")
    # Every rendition the page names answers with a picture.
    urls = set(
        reader.evaluate(
            """() => [...document.querySelectorAll('img, source')].flatMap(
                el => (el.getAttribute('srcset') || '').split(',')
                    .map(part => part.trim().split(' ')[0]).filter(Boolean))"""
        )
    )
    assert len(urls) >= 10
    for url in urls:
        response = reader.request.get(f"{site}{url}")
        assert response.status == 200, url
        assert response.headers["content-type"] in ("image/webp", "image/jpeg"), url
    # Link previews carry the lead picture's social crop.
    og_image = reader.locator('meta[property="og:image"]').get_attribute("content")
    assert "/social-1200.jpg" in og_image
    assert reader.request.get(og_image).status == 200
    expect(reader.locator('meta[property="og:image:alt"]')).to_have_attribute(
        "content", "A drone over the sea at dusk"
    )


def test_a_slow_preview_answer_never_replaces_the_preview_of_newer_text(
    browser, server, transactional_db, roles
):
    UserFactory(username="edna", groups=[roles["Editors"]])
    editor = log_in(browser, server.url, "edna")
    # The server answers previews in parallel: hold the answer for the
    # first text back until the newer text's answer is shown.
    held = []

    def hold_the_first(route):
        if b"Old words" in (route.request.post_data_buffer or b"") and not held:
            held.append(route)
        else:
            route.continue_()

    editor.route("**/render-preview/", hold_the_first)
    editor.goto(f"{server.url}/admin/articles/article/add/")
    body = editor.locator("#id_body")
    body.fill("Old words")
    for _ in range(150):
        if held:
            break
        editor.wait_for_timeout(100)
    assert held, "the preview of the first text was never asked for"
    body.fill("Newer words, typed after")
    expect(editor.locator("#body-preview")).to_contain_text("Newer words")
    held[0].continue_()
    # The old answer arrives last; the preview and counts keep the new text.
    editor.wait_for_load_state("networkidle")
    editor.wait_for_timeout(300)
    expect(editor.locator("#body-preview")).to_contain_text("Newer words")
    expect(editor.locator("#body-preview")).not_to_contain_text("Old words")
    expect(editor.locator("#body-stats")).to_have_text("4 words · 1 min read")


def test_the_writing_screen_counts_autosaves_and_warns_before_leaving(
    browser, fresh_site, settings
):
    settings.COOPSITE_AUTOSAVE_SECONDS = 1
    UserFactory(username="edna", groups=[Group.objects.get(name="Editors")])
    article = Article.objects.get(slug="exercises-as-diplomacy")
    published_body = article.body
    editor = log_in(browser, fresh_site, "edna")
    editor.goto(f"{fresh_site}/admin/articles/article/{article.pk}/change/")
    expect(editor.locator("#body-preview h2").first).to_be_visible()
    body = editor.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(" Three more words", delay=20)
    expect(editor.locator("#body-stats")).to_contain_text("words · ")
    words = Article(body=published_body + " Three more words").word_count
    expect(editor.locator("#body-stats")).to_have_text(
        f"{words:,} words · {Article(body=published_body).reading_time} min read"
    )
    expect(editor.locator("#body-preview")).to_contain_text("Three more words")

    # Autosaved as a working copy; readers still see the article as published.
    expect(editor.locator(".autosave-status")).to_contain_text(
        "Working copy autosaved", timeout=15_000
    )
    # The first autosave may have left while the words were still being
    # typed; the next one (a second later) carries them all.
    for _ in range(75):
        copy = ArticleWorkingCopy.objects.get(article=article)
        if copy.fields["body"].endswith("Three more words"):
            break
        editor.wait_for_timeout(200)
    assert copy.fields["body"].endswith("Three more words")
    article.refresh_from_db()
    assert article.body == published_body

    # Leaving with unsaved changes asks first; staying keeps the text.
    assert dialogs_on_leaving(editor) == ["beforeunload"]
    assert editor.url.endswith(f"/admin/articles/article/{article.pk}/change/")
    expect(body).to_have_value(re.compile(r"Three more words$"))

    # Saving clears the warning and collapses the autosaves into the revision.
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    revision = article.revisions.order_by("-number").first()
    assert revision.autosaves >= 1
    assert revision.summary == "Body +3 words"
    assert not ArticleWorkingCopy.objects.filter(article=article).exists()
    editor.locator("#site-name a").click()
    expect(editor).to_have_url(re.compile(r"/admin/$"))


def test_a_restored_working_copy_brings_back_its_topics_and_pictures(
    browser, fresh_site
):
    """Chosen through autocompletes, so not on the page as saved: the
    restore puts them back, named, and saving keeps them."""

    from tests.factories import ImageFactory, TagFactory

    user = UserFactory(username="edna", groups=[Group.objects.get(name="Editors")])
    article = Article.objects.get(slug="exercises-as-diplomacy")
    picture, topic = ImageFactory(title="Harbour at dawn"), TagFactory(name="Ports")
    editor = restored(
        browser,
        fresh_site,
        user,
        article,
        {
            "body": article.body + " Restored words.",
            "lead_image": str(picture.pk),
            "tags": [str(topic.pk)],
        },
    )

    expect(editor.locator("#id_lead_image + .select2")).to_contain_text(
        "Harbour at dawn"
    )
    expect(editor.locator("#id_tags + .select2")).to_contain_text("Ports")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.lead_image == picture
    assert topic in article.tags.all()
    assert article.body.endswith("Restored words.")


def test_leaving_a_form_shown_again_with_errors_asks_first(browser, fresh_site):
    UserFactory(username="edna", groups=[Group.objects.get(name="Editors")])
    editor = log_in(browser, fresh_site, "edna")
    editor.goto(f"{fresh_site}/admin/articles/article/add/")
    editor.fill("#id_title", "A piece")
    editor.fill("#id_slug", "not an address!")  # refused: spaces and "!"
    editor.fill("#id_body", "Words that must not be lost.")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".errornote")).to_be_visible()

    assert dialogs_on_leaving(editor) == ["beforeunload"]
    expect(editor.locator("#id_body")).to_have_value("Words that must not be lost.")


def test_the_description_and_title_say_how_much_of_their_limit_is_used(
    browser, fresh_site
):
    UserFactory(username="edna", groups=[Group.objects.get(name="Editors")])
    editor = log_in(browser, fresh_site, "edna")
    editor.goto(f"{fresh_site}/admin/articles/article/add/")
    description = editor.locator("#id_meta_description")
    expect(editor.locator("#id_meta_description_count")).to_have_text(
        "0 of 300 characters"
    )
    description.fill("Why buyers chose an available drone.")
    expect(editor.locator("#id_meta_description_count")).to_have_text(
        "36 of 300 characters"
    )
    expect(description).to_have_attribute(
        "aria-describedby", re.compile(r"\bid_meta_description_count\b")
    )
    expect(editor.locator("#id_title_count")).to_contain_text("of 255 characters")


def test_a_restored_picture_deleted_since_leaves_the_saved_one_and_says_so(
    browser, fresh_site
):

    from tests.factories import ImageFactory

    user = UserFactory(username="edna", groups=[Group.objects.get(name="Editors")])
    article = Article.objects.get(slug="exercises-as-diplomacy")
    article.lead_image = ImageFactory(title="Kept picture")
    article.save()
    editor = restored(
        browser,
        fresh_site,
        user,
        article,
        {"title": "A restored title", "lead_image": "999999"},
    )

    expect(editor.locator(".working-copy")).to_contain_text(
        "except 1 picture(s) or topic(s) deleted since"
    )
    expect(editor.locator("#id_lead_image + .select2")).to_contain_text("Kept picture")
    expect(editor.locator("#id_title_count")).to_have_text("16 of 255 characters")
