"""Every public page type: no axe-core violations (WCAG 2.1 A and AA and
axe's best practices) at phone and desktop widths, in light and dark
colours, and no errors from the Nu HTML checker."""

import json
import shutil
import subprocess

import pytest

from .conftest import AXE, VNU

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

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
    "country": "/countries/turkiye/",
    "organisation": "/organisations/baykar/",
    "system": "/systems/bayraktar-tb2/",
    "bloc": "/blocs/nato/",
    "tag": "/tags/uncrewed-systems/",
    "search": "/search/?q=drones",
    "network": "/network/",
    "timeline": "/timeline/",
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_page_type_passes_axe_in_light_and_dark(browser, site, width):
    assert AXE.exists(), "npm ci first: axe-core is missing"
    context = browser.new_context(
        viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    failures = {}
    for name, path in PAGE_TYPES.items():
        page.goto(f"{site}{path}")
        page.add_script_tag(path=str(AXE))
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                AXE_TAGS,
            )
            if result["violations"]:
                failures[f"{name}, {scheme}"] = [
                    f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                    for v in result["violations"]
                ]
    context.close()
    assert failures == {}


def test_every_page_type_is_valid_html(client, site, tmp_path):
    assert VNU.exists(), "npm ci first: vnu-jar is missing"
    java = shutil.which("java")
    assert java, "the Nu HTML checker needs Java"
    files = []
    for name, path in PAGE_TYPES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        file = tmp_path / (name.replace(" ", "-") + ".html")
        file.write_bytes(response.content)
        files.append(str(file))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
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
