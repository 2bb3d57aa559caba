"""A form sent back with a choice no row's key could be ("abc" in an
autocomplete field: a forged form, a broken script) is refused with the
form's own error and changes nothing, never a server error. Django's
autocomplete widget, drawing the form again, looked the value up as it was
sent; every autocomplete field of every admin page and inline is tried."""

import copy

import pytest
from django.urls import reverse

from articles.models import ArticleEntityLink, LinkState
from tests.admin_forms import scraped_form
from tests.factories import (
    ArticleFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(country, superuser):
    """A record of each kind whose page has autocomplete fields, each inline
    with a row."""
    turkiye = country("TR")
    BlocMembershipFactory(country=turkiye)
    partnership = PartnershipFactory(tags=[TagFactory()])
    ParticipantFactory(partnership=partnership, country=turkiye)
    PartnershipSystemFactory(partnership=partnership)
    organisation = OrganisationFactory(home_country=turkiye)
    system = SystemFactory(origin_country=turkiye, makers=[organisation])
    article = ArticleFactory(authors=[superuser], tags=[TagFactory()])
    ArticleEntityLink.objects.create(
        article=article, entity=turkiye.entity_ptr, state=LinkState.ACCEPTED
    )
    return [turkiye, partnership, organisation, system, article]


def autocomplete_fields(response) -> list[tuple[str, dict]]:
    """The names the page's form gives its autocomplete fields (those a
    user may change: an existing link's record is fixed): the record's, and
    each inline's on its first row and on a row added as "Add another" adds
    it; with what else to send."""
    request = response.wsgi_request
    main = response.context["adminform"]
    forms = [(main.form, main.model_admin.get_autocomplete_fields(request), {})]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        fields = [  # but the key to the page's record, which the page sets
            field
            for field in inline.opts.get_autocomplete_fields(request)
            if field != formset.fk.name
        ]
        forms += [(form, fields, {}) for form in formset.forms[:1]]  # one is enough
        added = formset.form(
            prefix=formset.add_prefix(formset.total_form_count()), **formset.form_kwargs
        )
        forms.append(
            (
                added,
                fields,
                {
                    formset.management_form.add_prefix("TOTAL_FORMS"): [
                        str(formset.total_form_count() + 1)
                    ]
                },
            )
        )
    return [
        (form.add_prefix(field), more)
        for form, fields, more in forms
        for field in fields
        if field in form.fields and not form.fields[field].disabled
    ]


def test_a_choice_no_key_can_be_is_a_form_error(superuser_client, pages):
    tried = set()
    for obj in pages:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        page = superuser_client.get(url)
        sent = scraped_form(page.content.decode())
        before = type(obj).objects.get(pk=obj.pk).edit_version
        for name, more in autocomplete_fields(page):
            data = {**copy.deepcopy(sent), **more, name: ["abc"]}
            response = superuser_client.post(url, data)
            assert response.status_code == 200, name
            assert b'class="errornote"' in response.content, name
            tried.add(name)
        assert type(obj).objects.get(pk=obj.pk).edit_version == before
    assert {
        "authors",
        "tags",
        "lead_image",
        "home_country",
        "origin_country",
        "makers",
        "bloc_memberships-0-bloc",
        "participants-0-country",
        "system_lines-0-system",
    } <= tried, sorted(tried)
    assert any(name.endswith("-entity") for name in tried), sorted(tried)


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    # An entity's row as a bloc, a country, an organisation, a system or a
    # partnership, a partnership's participants and a group's users:
    # relations seen from the other end, which no form's field is.
    [
        ("partnerships", "entity", kind)
        for kind in ("bloc", "country", "organisation", "system", "partnership")
    ]
    + [("partnerships", "partnership", "participants"), ("auth", "group", "user")],
)
def test_the_autocomplete_refuses_a_relation_seen_from_the_other_end(
    superuser_client, pages, app_label, model_name, field_name
):
    response = superuser_client.get(
        "/admin/autocomplete/",
        {
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
            "term": "",
        },
    )
    assert response.status_code == 403
