"""A reader's journeys, in a real browser, with the site's own CSP."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_filter_partnerships_open_one_follow_to_an_article_and_on(page, site):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/partnerships/")
    page.select_option("#id_country", "turkiye")
    page.select_option("#id_kind", "exercise")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"country=turkiye"))
    expect(page).to_have_url(re.compile(r"kind=exercise"))
    expect(page.locator(".results-count")).to_have_text("2 partnerships")

    page.get_by_role("link", name="Efes-2022").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Efes-2022")
    expect(page.locator(".roles")).to_contain_text("Türkiye")

    page.get_by_role("link", name=re.compile("Exercises as Diplomacy")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Exercises as Diplomacy"
    )
    # The body links the first mention of each confirmed entity...
    expect(page.locator(".prose a.entity-link").first).to_be_visible()
    # ...and the side panel lists them by kind: follow one to its page.
    page.locator(".linked-entities").get_by_role("link", name="Azerbaijan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Azerbaijan")
    expect(page.locator("#articles-heading")).to_contain_text("Articles")
    assert errors == []


def test_search_and_open_a_result(page, site):
    page.goto(site)
    page.get_by_role("searchbox", name="Search articles and records").fill("corvettes")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page.locator(".results-count")).to_contain_text("for “corvettes”")
    first = page.locator(".search-results li").first
    expect(first.locator("mark").first).to_be_visible()
    title = first.locator("h3 a").inner_text()
    first.locator("h3 a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_the_network_links_each_country_to_its_page(page, site):
    page.goto(f"{site}/network/")
    # The map at this width (the ranked arcs are for narrow screens).
    page.locator(".nodes a[aria-label^='Pakistan']:visible").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pakistan")


@pytest.mark.parametrize(
    ("width", "says", "not_said"),
    [(1280, "placed where they lie on the map", "ranked, most first"),
     (390, "ranked, most first", "on the map")],
)  # fmt: skip
def test_the_network_says_what_the_screen_shows(browser, site, width, says, not_said):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(f"{site}/network/")
    lede = page.locator(".lede").inner_text()
    assert says in lede
    assert not_said not in lede
    context.close()


def test_filters_work_on_a_phone_without_javascript(browser, site):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{site}/articles/")
    # The filters come first, on the screen as in the page (and so in the
    # order the keyboard moves), with a way past them to the results.
    filters = page.locator("#id_country").bounding_box()
    results = page.locator(".results-count").bounding_box()
    assert filters["y"] < results["y"]
    page.get_by_role("link", name="Skip to the results").click()
    assert page.evaluate("location.hash") == "#results-heading"
    page.select_option("#id_country", "pakistan")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".results-count")).to_have_text("3 articles")
    # Nothing sticks out sideways on a small screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    context.close()


def test_a_country_s_partners_are_a_table_on_a_phone(browser, site):
    """The bar chart's labels would be under 8 px at 390 px: the table,
    which gives the same figures, alone."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{site}/countries/pakistan/")
    expect(page.locator(".partners-chart")).to_be_hidden()
    expect(page.get_by_role("table", name="Partner countries")).to_be_visible()
    context.close()
