"""Every output format is safe by construction: feeds carry text, XML never
carries what it cannot hold, CSV cells never run as formulas, JSON never
ends a script, links are http(s), and no form takes a control character."""

import csv
import io
import json
import re

import feedparser
import pytest
from django.contrib import admin
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django.urls import reverse

from coopsite.safety import (
    refuse_control_characters,
    script_safe_json,
    spreadsheet_safe,
)
from coopsite.views import xml_safe
from partnerships.models import Partnership, Tag
from tests.admin_forms import inline_management
from tests.factories import (
    OrganisationFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    SourceFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def _article_linked_to(entity, **fields):
    from articles.models import ArticleEntityLink, LinkState

    article = PublishedArticleFactory(**fields)
    ArticleEntityLink.objects.create(
        article=article, entity=entity, state=LinkState.ACCEPTED
    )
    return article


# --- Feeds -------------------------------------------------------------------


def test_a_standfirst_reaches_feed_readers_as_text_never_as_markup(client):
    PublishedArticleFactory(title="Drones", standfirst=MARKUP)
    raw = client.get("/feeds/articles/").content.decode()
    assert '<summary type="text">' in raw
    assert 'type="html"' not in raw
    entry = feedparser.parse(raw).entries[0]
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == MARKUP  # shown as these characters


def test_a_control_character_in_a_title_or_tag_leaves_every_feed_working(client):
    tag = TagFactory(name="Form\x0cfeed", slug="form-feed")
    organisation = OrganisationFactory(name="Acme\x01", slug="acme")
    _article_linked_to(
        organisation,
        title="Page\x0cbreak",
        standfirst="Bell\x07 and null\x1b",
        tags=[tag],
    )
    for path in (
        "/feeds/articles/",
        "/organisations/acme/feed/",
        "/tags/form-feed/feed/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (path, feed.bozo_exception)
        assert feed.entries[0].title == "Pagebreak"
        assert feed.entries[0].summary == "Bell and null"
        assert [t.term for t in feed.entries[0].tags] == ["Formfeed"]


def test_the_sitemap_drops_characters_xml_cannot_hold():
    def view(request):
        return TemplateResponse(request, "robots.txt", {"sitemap_url": "a\x0cb\x01"})

    response = xml_safe(view)(RequestFactory().get("/"))
    assert b"\x0c" not in response.content
    assert b"ab" in response.content


# --- CSV and JSON -----------------------------------------------------------------


def test_csv_cells_a_spreadsheet_would_evaluate_are_written_as_text(client):
    PartnershipFactory(
        name='=HYPERLINK("https://evil.example","click")',
        summary="+1 more",
        series="@SUM(A1)",
        location="-2+3",
        latitude=-33.5,
        longitude=-70.25,
    )
    response = client.get("/partnerships/export.csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == '\'=HYPERLINK("https://evil.example","click")'
    assert row["summary"] == "'+1 more"
    assert row["series"] == "'@SUM(A1)"
    assert row["location"] == "'-2+3"
    # Numbers the site writes itself stay numbers.
    assert (row["latitude"], row["longitude"]) == ("-33.5", "-70.25")


def test_spreadsheet_safe_covers_owasps_prefixes_and_their_full_width_forms():
    for cell in ("=1", "+1", "-1", "@1", "\t1", "\r1", "＝1", "＋1", "－1", "＠1"):
        assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("Türkiye") == "Türkiye"
    assert spreadsheet_safe(-33.5) == -33.5


def test_json_export_cannot_end_a_script_and_still_says_the_same(client):
    summary = "</script><script>alert(1)</script>\u2028\u2029&"
    PartnershipFactory(name="Deal", summary=summary)
    raw = b"".join(client.get("/partnerships/export.json").streaming_content).decode()
    assert "</script>" not in raw
    assert "\u2028" not in raw
    assert "\u2029" not in raw
    assert json.loads(raw)[0]["summary"] == summary


def test_json_ld_cannot_end_its_script_and_still_says_the_same(client):
    title = "</script><script>alert(1)</script>\u2028 & more"
    article = PublishedArticleFactory(title=title, standfirst="\u2029")
    page = client.get(article.get_absolute_url()).content.decode()
    data = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S
    ).group(1)
    assert "<" not in data
    assert "\u2028" not in data
    assert json.loads(data)["headline"] == title
    assert script_safe_json({"a": "</script>"}) == '{"a": "\\u003c/script\\u003e"}'


# --- Links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://files.example.org/x",
        " javascript:alert(1)",
    ],
)
def test_a_source_address_that_is_not_http_is_shown_but_never_linked(client, url):
    partnership = PartnershipFactory()
    SourceFactory(partnership=partnership, title="The source", url=url)
    OrganisationFactory(slug="maker", website=url)
    page = client.get(partnership.get_absolute_url()).content.decode()
    maker = client.get("/organisations/maker/").content.decode()
    assert "The source" in page
    for html in (page, maker):
        assert not re.search(r'href="\s*(javascript|data|vbscript|ftp):', html, re.I)


# --- Forms ------------------------------------------------------------------------


def _text_fields_of_every_admin_form(request):
    """(admin, field name, form field) for every text field of every admin
    and inline form the site registers."""
    for model, model_admin in admin.site._registry.items():
        forms = [model_admin.get_form(request, None)]
        forms += [
            formset.form
            for formset, _inline in model_admin.get_formsets_with_inlines(request)
        ]
        for form in forms:
            for name, field in form.base_fields.items():
                yield model._meta.label, name, field


def test_every_text_field_of_every_admin_form_refuses_control_characters(rf, superuser):
    from django import forms

    request = rf.get("/admin/")
    request.user = superuser
    checked = []
    for label, name, field in _text_fields_of_every_admin_form(request):
        if not isinstance(field, forms.CharField) or isinstance(
            field.widget, forms.PasswordInput
        ):
            continue
        assert refuse_control_characters in field.validators, f"{label}.{name}"
        checked.append(f"{label}.{name}")
    assert len(checked) > 40
    assert "auth.Group.name" in checked  # library admins too


def test_a_researcher_is_told_about_a_control_character_and_nothing_is_saved(
    researcher_client,
):
    data = {
        "name": "TB2\x0c to Poland",
        "slug": "tb2-to-poland",
        "kind": "export",
        "status": "active",
        **inline_management("participants", 0),
        **inline_management("system_lines", 0),
        **inline_management("sources", 0),
        **inline_management("aliases", 0),
        **inline_management("external_ids", 0),
    }
    response = researcher_client.post(
        reverse("admin:partnerships_partnership_add"), data
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["name"]
    assert "invisible control character (U+000C) at position 4" in errors[0]
    assert not Partnership.objects.exists()


def test_a_tag_typed_in_the_bulk_action_refuses_control_characters(
    researcher_client,
):
    partnership = PartnershipFactory()
    researcher_client.post(
        reverse("admin:partnerships_partnership_changelist"),
        {
            "action": "add_tag",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "new_tag": "Bad\x01tag",
        },
    )
    assert not Tag.objects.filter(name__startswith="Bad").exists()


def test_a_website_must_be_an_http_address(researcher_client):
    response = researcher_client.post(
        reverse("admin:partnerships_organisation_add"),
        {
            "name": "Acme",
            "slug": "acme",
            "kind": "company",
            "website": "ftp://acme.example/",
            **inline_management("aliases", 0),
            **inline_management("external_ids", 0),
        },
    )
    assert "Enter an http:// or https:// address." in str(
        response.context["adminform"].form.errors["website"]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/articles/?q=a%0Cb",
        "/partnerships/?q=%01",
        "/partnerships/?series=%1B",
        "/search/?q=drone%07",
    ],
)
def test_public_text_filters_refuse_control_characters_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "invisible control character" in response.content.decode()


def test_the_csv_export_answers_a_bad_filter_with_400(client):
    response = client.get("/partnerships/export.csv", {"q": "\x01"})
    assert response.status_code == 400
    assert "control character" in response.json()["errors"]["q"][0]


@pytest.mark.parametrize(
    "url", ["/partnerships/?country=%00", "/articles/?author=a%00b", "/search/?q=%00"]
)
def test_a_nul_character_anywhere_in_a_query_is_a_400_not_an_error(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
