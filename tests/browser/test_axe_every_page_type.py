"""Every public page type and the admin's sign-in page pass axe-core (WCAG
2.1 A and AA and axe's best practices) at phone and desktop widths, in
light and dark colours, and every region that scrolls sideways is
reachable by keyboard and named. The longest browser test: a module of its
own, started first, so that the rest run beside it. The pages are listed
in test_accessibility_and_validity.py, which checks their HTML too."""

import pytest

from .conftest import axe_violations
from .test_accessibility_and_validity import (
    AXE_ONLY,
    PAGE_TYPES,
    SCROLLING_UNREACHABLE,
    STATUS,
    WIDTHS,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.long(50)]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_page_type_passes_axe_in_light_and_dark(browser, site, width):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    failures = {}
    for name, path in {**PAGE_TYPES, **AXE_ONLY}.items():
        response = page.goto(f"{site}{path}")
        assert response.status == STATUS.get(name, 200), path
        if unreachable := page.evaluate(SCROLLING_UNREACHABLE):
            failures[f"{name}: scrolls sideways, not focusable or unnamed"] = (
                unreachable
            )
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            if violations := axe_violations(page):
                failures[f"{name}, {scheme}"] = violations
    context.close()
    assert failures == {}
