"""The network and the timeline as a reader's browser draws them, on the
demo and with the dataset excerpts imported: no two labels overlap, and on a
phone they are at least 11 px tall.

Set COOPSITE_SCREENSHOTS to a folder to keep screenshots of both pages at
both widths, light and dark, on the demo and with the excerpts imported."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WIDTHS = (390, 1280)
PAGES = ("/network/", "/network/?year_from=&year_to=", "/timeline/")
SCREENSHOTS = os.environ.get("COOPSITE_SCREENSHOTS")

# The text of the picture on show (the other layout is not displayed): its
# box on screen and its size in pixels.
LABELS_JS = """
selector => {
  const shown = [...document.querySelectorAll(selector)]
    .filter(svg => svg.getBoundingClientRect().width > 0);
  return shown.flatMap(svg => [...svg.querySelectorAll('text')].map(text => {
    const box = text.getBoundingClientRect();
    return {
      text: text.textContent,
      box: [box.left, box.top, box.right, box.bottom],
      px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
    };
  }));
}
"""


def overlapping(labels, tolerance=0.5):
    pairs = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            (al, at, ar, ab), (bl, bt, br, bb) = a["box"], b["box"]
            if (
                al < br - tolerance
                and bl < ar - tolerance
                and at < bb - tolerance
                and bt < ab - tolerance
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def check_pictures(browser, site):
    problems = {}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for path in PAGES:
            page.goto(f"{site}{path}")
            selector = ".network > svg" if "network" in path else ".timeline > svg"
            labels = page.evaluate(LABELS_JS, selector)
            assert len(labels) >= 5, (path, width, labels)
            if clashes := overlapping(labels):
                problems[f"{path} at {width}: overlapping"] = clashes
            if width == 390 and (small := [x for x in labels if x["px"] < 11]):
                problems[f"{path} at {width}: under 11 px"] = small
            # The picture fits the screen: nothing sticks out sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    return problems


def keep_screenshots(browser, site, prefix):
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        for scheme in ("light", "dark"):
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            page = context.new_page()
            for path in PAGES:
                page.goto(f"{site}{path}")
                name = path.strip("/").replace("/?", "-").replace("&", "-")
                name = name.replace("=", "")
                page.screenshot(
                    path=folder / f"{prefix}-{name}-{width}-{scheme}.png",
                    full_page=True,
                )
            context.close()


def test_labels_are_apart_and_legible_on_the_demo(browser, site):
    assert check_pictures(browser, site) == {}
    keep_screenshots(browser, site, "demo")


def test_labels_are_apart_and_legible_with_the_datasets_imported(
    browser, site, sipri_excerpt, mme_excerpt, commit
):
    # Imported as a commit would leave them (the network's table rebuilt),
    # rolled back after the test.
    with commit():
        call_command("import_sipri", str(sipri_excerpt), stdout=StringIO())
        call_command("import_exercises", str(mme_excerpt), stdout=StringIO())
    assert check_pictures(browser, site) == {}
    keep_screenshots(browser, site, "excerpts")
