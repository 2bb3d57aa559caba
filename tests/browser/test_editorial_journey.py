"""The whole editorial path in a real browser: an editor writes and links an
article; a contributor's draft is submitted, reviewed and published; a reader
then sees it with its links."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.factories import UserFactory

# The editors' saves commit, as in production (see conftest.py).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "correct horse battery staple"


def log_in(browser, site, username):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#user-tools")).to_contain_text("Welcome")
    return page


def test_write_link_review_publish_and_read(browser, fresh_site):
    UserFactory(
        username="edna", first_name="Edna", groups=[Group.objects.get(name="Editors")]
    )
    UserFactory(
        username="carl",
        first_name="Carl",
        groups=[Group.objects.get(name="Contributors")],
    )

    # An editor writes an article and accepts the links the system suggests.
    editor = log_in(browser, fresh_site, "edna")
    editor.goto(f"{fresh_site}/admin/articles/article/add/")
    editor.locator("#id_title").press_sequentially("Howitzers for the eastern flank")
    expect(editor.locator("#id_slug")).to_have_value("howitzers-for-the-eastern-flank")
    editor.fill("#id_body", "Poland ordered the K9 Thunder from South Korea.")
    editor.get_by_role("button", name="Save and continue editing").click()
    suggestions = editor.locator("#entity_links-group")
    expect(suggestions).to_contain_text("Poland")
    expect(suggestions).to_contain_text("K9 Thunder")
    editor.get_by_role("button", name="Save and accept all suggestions").click()
    expect(editor.locator("#entity_links-2-group")).to_contain_text("South Korea")

    # A contributor writes a draft and submits it: no way to publish it.
    contributor = log_in(browser, fresh_site, "carl")
    contributor.goto(f"{fresh_site}/admin/articles/article/add/")
    contributor.locator("#id_title").press_sequentially("Corvettes from Karachi")
    contributor.fill("#id_body", "Karachi Shipyard builds corvettes for Pakistan.")
    contributor.get_by_role("button", name="Save and continue editing").click()
    expect(contributor.get_by_role("button", name="Save and publish")).to_have_count(0)
    contributor.get_by_role("button", name="Save and submit for review").click()
    expect(contributor.locator(".field-status_label")).to_contain_text("In review")

    # The editor reviews it: accepts one link, rejects another, publishes.
    editor.goto(f"{fresh_site}/admin/articles/article/?status__exact=review")
    editor.get_by_role("link", name="Corvettes from Karachi").click()
    rows = editor.locator("#entity_links-group tr.has_original")

    def row(name):
        entity = editor.locator("td.field-entity_display").get_by_role(
            "link", name=name, exact=True
        )
        return rows.filter(has=entity)

    row("Pakistan").get_by_label("Accept").check()
    row("Karachi Shipyard & Engineering Works").get_by_label("Accept").check()
    editor.get_by_role("button", name="Save and publish").click()
    expect(editor.locator(".field-status_label")).to_contain_text("Published")

    # A reader finds it, with its links both ways.
    reader = browser.new_context().new_page()
    reader.goto(f"{fresh_site}/articles/")
    expect(
        reader.get_by_role("link", name="Howitzers for the eastern flank")
    ).to_have_count(0)
    reader.get_by_role("link", name="Corvettes from Karachi").click()
    expect(
        reader.locator(".prose a.entity-link", has_text="Pakistan")
    ).to_have_attribute("href", "/countries/pakistan/")
    reader.locator(".linked-entities").get_by_role(
        "link", name="Karachi Shipyard & Engineering Works"
    ).click()
    expect(reader).to_have_url(re.compile(r"/organisations/karachi-shipyard/$"))
    expect(reader.locator("#articles-heading + .card")).to_contain_text(
        "Corvettes from Karachi"
    )


def test_unpublishing_asks_first_and_staying_keeps_the_article_live(
    browser, fresh_site
):
    from articles.models import Article

    UserFactory(username="edna", groups=[Group.objects.get(name="Editors")])
    article = Article.objects.published().first()
    editor = log_in(browser, fresh_site, "edna")
    editor.goto(f"{fresh_site}/admin/articles/article/{article.pk}/change/")
    asked = []

    def answer(accept):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    editor.once("dialog", answer(False))
    editor.get_by_role("button", name="Unpublish").click()
    editor.wait_for_timeout(500)
    assert len(asked) == 1
    assert asked[0].startswith("Unpublish this article?")
    assert Article.objects.published().filter(pk=article.pk).exists()

    editor.once("dialog", answer(True))
    editor.get_by_role("button", name="Unpublish").click()
    expect(editor.locator(".messagelist")).to_contain_text("is now a draft")
    assert not Article.objects.published().filter(pk=article.pk).exists()
