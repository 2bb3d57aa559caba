"""Every public page type: no axe-core violations (WCAG 2.1 A and AA and
axe's best practices) at phone and desktop widths, in light and dark
colours (test_axe_every_page_type.py, a module of its own so that it runs
beside these); every region that scrolls sideways reachable by keyboard
and named; the pages with pictures too; and no errors from the Nu HTML
checker. Every test here reads: the demo is loaded once for them all."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import VNU, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.long(25)]

PAGE_TYPES = {
    "home": "/",
    "article list": "/articles/?country=turkiye",
    "article": "/articles/pakistan-and-turkiye-from-corvettes-to-combat-jets/",
    "article with pictures": "/articles/declarations-and-alliances-from-shusha-to-riyadh/",
    "partnership list": "/partnerships/?kind=export",
    "partnership list with errors": "/partnerships/?year_from=abc",
    "partnership": "/partnerships/milgem-corvettes-pakistan/",
    "export with transfer data": "/partnerships/bayraktar-tb2-ukraine/",
    "exercise with a place": "/partnerships/efes-2022/",
    "country list": "/countries/",
    "organisation list": "/organisations/",
    "system list": "/systems/?category=uav",
    "bloc list": "/blocs/",
    "tag list": "/tags/",
    "country": "/countries/turkiye/",
    "organisation": "/organisations/baykar/",
    "system": "/systems/bayraktar-tb2/",
    "bloc": "/blocs/nato/",
    "tag": "/tags/uncrewed-systems/",
    "search": "/search/?q=drones",
    "search without results": "/search/?q=zzqxv",
    "network": "/network/",
    "network, every year": "/network/?year_from=&year_to=",
    "timeline": "/timeline/",
    "timeline, every year": "/timeline/?year_from=&year_to=",
    "page not found": "/no-such-page/",
}
# Checked by the Nu checker only: axe needs the page Swagger UI draws.
VALIDITY_ONLY = {"API reference": "/api/v1/docs/"}
STATUS = {"page not found": 404}
# Pages with pictures (lead, in the body, on cards): axe at both widths,
# light and dark, each colour scheme from the first paint.
PICTURE_PAGES = {
    "article with a lead picture": "/articles/how-the-tb2-redrew-the-map-of-drone-exports/",
    "article with pictures in the body": "/articles/declarations-and-alliances-from-shusha-to-riyadh/",
    "home, with picture cards": "/",
    "article list, with picture cards": "/articles/",
}
# Where to keep screenshots of the pages with pictures, if anywhere.
SCREENSHOTS = os.environ.get("COOPSITE_SCREENSHOTS")
# Pages of Django's admin a visitor reaches: axe only (the admin's markup
# is Django's own).
AXE_ONLY = {"sign-in": "/admin/login/"}
WIDTHS = {"phone": 390, "desktop": 1280}
# Elements whose content scrolls sideways (wider than they are) that a
# keyboard cannot reach or that have no name to announce.
SCROLLING_UNREACHABLE = """
() => [...document.querySelectorAll('body *')]
  .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
                && el.scrollWidth > el.clientWidth + 1)
  .filter(el => el.tabIndex < 0 || !(el.getAttribute('aria-labelledby')
                || el.getAttribute('aria-label')))
  .map(el => el.outerHTML.slice(0, 120))
"""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_api_reference_passes_axe_with_an_operation_open(browser, site, width):
    """Swagger UI draws the page from the schema after it loads: wait for
    the operations, open one (its parameters, responses and "Try it out"),
    then check the page as a reader of the API meets it."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{site}/api/v1/docs/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("coopsite API")
    page.locator(".opblock-summary-control", has_text="List published articles").click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    failures = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        failures[scheme] = axe_violations(page)
    context.close()
    assert failures == {"light": [], "dark": []}


def test_every_page_type_is_valid_html(client, site, tmp_path):
    assert VNU.exists(), "npm ci first: vnu-jar is missing"
    java = shutil.which("java")
    assert java, "the Nu HTML checker needs Java"
    files = []
    for name, path in {**PAGE_TYPES, **VALIDITY_ONLY}.items():
        response = client.get(path)
        assert response.status_code == STATUS.get(name, 200), path
        file = tmp_path / (name.replace(" ", "-") + ".html")
        file.write_bytes(response.content)
        files.append(str(file))
    # One JVM for every document. A run this short is over before the
    # optimising compiler pays back: the quick one alone halves its time
    # (and needs a deeper stack than the JVM's default for the schema).
    jvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]
    result = subprocess.run(
        [java, *jvm, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
    assert errors == []


def test_a_table_wider_than_a_phone_is_reached_and_scrolled_by_keyboard(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/timeline/?year_from=&year_to=")
    region = page.get_by_role("region", name="Partnerships begun each year, by kind")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    for _ in range(60):
        page.keyboard.press("Tab")
        if region.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches the table")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    # The table scrolls (smoothly, or not: no fixed wait either way).
    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle())
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_with_pictures_pass_axe_with_best_practices(browser, site, width, scheme):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    failures = {}
    for name, path in PICTURE_PAGES.items():
        page.goto(f"{site}{path}")
        assert page.locator("picture img").count() > 0, name
        if violations := axe_violations(page):
            failures[name] = violations
        if SCREENSHOTS:
            slug = name.split(",")[0].replace(" ", "-")
            page.screenshot(
                path=Path(SCREENSHOTS) / f"pictures-{slug}-{width}-{scheme}.png",
                full_page=True,
            )
    context.close()
    assert failures == {}
