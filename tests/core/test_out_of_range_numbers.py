"""A number no column can hold is a value that matches nothing, never a
server error: in a query (a key compared with it, a list of ids holding it)
and everywhere the admin reads ids and filters from an address or a form.

SQLite cannot bind an integer beyond 64 bits; Django keeps such numbers
from the database for integer fields, not for keys to other tables nor for
``in`` lists (``coopsite/lookups.py`` does). The admin is walked from its
own URL patterns (model admins, their views, the libraries'), so a view
added later is asked too."""

import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db.models import Q
from django.urls import reverse

from articles.models import Article
from partnerships.models import Country, Organisation, Participant, Partnership
from tests.factories import (
    ArticleFactory,
    BlocMembershipFactory,
    DataIssueFactory,
    ImageFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)
from tests.routes import url_routes

pytestmark = pytest.mark.django_db

BEYOND = 10**20  # beyond any integer column, on SQLite and PostgreSQL
# An id no record can have: not a number, and a number beyond any column.
ODD_IDS = ["abc", str(BEYOND)]


@pytest.fixture
def records(country):
    turkiye = country("TR")
    partnership = PartnershipFactory(tags=[TagFactory()])
    ParticipantFactory(partnership=partnership, country=turkiye)
    ParticipantFactory(
        partnership=partnership, country=None, organisation=OrganisationFactory()
    )
    BlocMembershipFactory(country=turkiye)
    OrganisationFactory(home_country=turkiye)
    SystemFactory(origin_country=turkiye)
    for _ in range(2):  # two of each: a filter shows only with a choice to make
        ArticleFactory(authors=[UserFactory()], tags=[TagFactory()])
        ImageFactory(user=UserFactory())
    DataIssueFactory(entity=partnership)
    return {"partnership": partnership, "turkiye": turkiye}


def test_keys_and_id_lists_beyond_any_column_match_nothing(records):
    turkiye = records["turkiye"]
    with_country = set(Participant.objects.filter(country__isnull=False))
    assert with_country
    assert not Participant.objects.filter(country=BEYOND).exists()
    assert not Participant.objects.filter(country=-BEYOND).exists()
    assert not Country.objects.filter(blocs__entity_ptr=BEYOND).exists()
    assert set(Participant.objects.filter(country__lt=BEYOND)) == with_country
    assert set(Participant.objects.filter(country__gt=-BEYOND)) == with_country
    assert not Participant.objects.filter(country__gt=BEYOND).exists()
    assert list(Country.objects.filter(pk__in=[BEYOND, turkiye.pk])) == [turkiye]
    assert not Country.objects.filter(pk__in=[BEYOND, -BEYOND]).exists()
    assert not Partnership.objects.filter(participants__country__in=[BEYOND]).exists()
    assert Organisation.objects.exclude(pk__in=[BEYOND]).count() == (
        Organisation.objects.count()
    )
    assert not Article.objects.filter(Q(pk=BEYOND) | Q(authors__in=[BEYOND])).exists()


def _admin_routes() -> list[str]:
    """The admin's URL patterns with an id (or another part) in them."""
    return sorted(
        {
            route
            for route, _ in url_routes()
            if route.startswith("admin/") and ("<" in route or "(" in route)
        }
    )


def _filled(route: str, value: str) -> str:
    path = re.sub(r"<(?:\w+:)?\w+>|\([^)]*\)", quote(value, safe=""), route)
    return "/" + path.replace("^", "").replace("$", "")


def test_no_odd_id_in_an_admin_address_gets_a_server_error(superuser_client, records):
    routes = _admin_routes()
    assert len(routes) > 50
    errors = []
    for route in routes:
        for value in ODD_IDS:
            path = _filled(route, value)
            response = superuser_client.get(path)
            if response.status_code >= 500:
                errors.append(f"{path}: {response.status_code}")
    assert errors == []


def test_no_odd_number_in_a_changelist_filter_or_selection_gets_a_server_error(
    superuser_client, records
):
    """Every filter of every changelist, given a number beyond any column,
    answers (a key's filter: with an empty list); an action on a selection of ids no row can have changes
    nothing."""
    parameters, errors = set(), []
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = superuser_client.get(url)
        changelist, offers_actions = page.context["cl"], page.context["action_form"]
        for spec in changelist.filter_specs:
            for parameter in spec.expected_parameters():
                parameters.add(parameter)
                response = superuser_client.get(url, {parameter: str(BEYOND)})
                if response.status_code >= 500:
                    errors.append(f"{url}?{parameter}: {response.status_code}")
                elif parameter.endswith("__exact") and response.status_code == 200:
                    assert response.context["cl"].result_count == 0, parameter
        before = model._default_manager.count()
        for selected in ODD_IDS:  # the changelist's form, forged
            response = superuser_client.post(
                url,
                {"action": "delete_selected", "index": 0, "_selected_action": selected},
            )
            if response.status_code >= 500:
                errors.append(f"POST {url} ({selected}): {response.status_code}")
            elif selected == "abc" and offers_actions:  # as no selection is
                told = [str(m) for m in get_messages(response.wsgi_request)]
                assert any("Items must be selected" in m for m in told), url
        assert model._default_manager.count() == before, url
    # The filters on keys that a number beyond any column once broke.
    assert {
        "authors__id__exact",
        "blocs__entity_ptr__exact",
        "home_country__entity_ptr__exact",
        "origin_country__entity_ptr__exact",
        "participants__country__entity_ptr__exact",
        "tags__id__exact",
        "uploaded_by__id__exact",
    } <= parameters
    assert errors == []


DATES_NO_LIST_HAS = [
    {"year": str(BEYOND)},  # beyond a C long: OverflowError in int()
    {"year": "2024", "month": str(BEYOND)},
    {"year": "9999"},  # the year after it is beyond datetime
    {"year": "9999", "month": "12"},
    {"year": "9999", "month": "12", "day": "31"},
]


@pytest.mark.parametrize("date", DATES_NO_LIST_HAS)
def test_a_date_hierarchy_beyond_the_calendar_is_a_bad_address(
    superuser_client, records, date
):
    """As Django answers a list's address it cannot read: the list again,
    flagged (?e=1), never a server error."""
    lists = [m for m, a in admin.site._registry.items() if a.date_hierarchy]
    assert len(lists) >= 3
    for model in lists:
        model_admin = admin.site._registry[model]
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        query = {f"{model_admin.date_hierarchy}__{k}": v for k, v in date.items()}
        response = superuser_client.get(url, query)
        assert (response.status_code, response.get("Location")) == (302, f"{url}?e=1")
