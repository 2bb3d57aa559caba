"""No input gives a 500: Hypothesis sends at least 2,000 requests a run to
every public URL pattern (read from the URL configuration, so new pages are
covered too), with path parts and query parameters that are real, almost
real or hostile (control characters, very long text, odd numbers, markup),
and every answer must be 2xx, 3xx or 4xx."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.filters import ArticleFilter
from articles.models import ArticleEntityLink, LinkState
from articles.previews import preview_token
from partnerships.filters import (
    BlocIndexFilter,
    CountryIndexFilter,
    OrganisationIndexFilter,
    PartnershipFilter,
    SystemIndexFilter,
    TagIndexFilter,
)
from tests.factories import (
    ArticleFactory,
    BlocFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SystemFactory,
    TagFactory,
)
from tests.routes import url_routes

pytestmark = [pytest.mark.django_db, pytest.mark.long(10)]

REQUESTS = 2_000


def public_routes() -> list[str]:
    """Every route of the site but the admin's, as ``countries/<slug:slug>/``."""
    return sorted(
        {route for route, _ in url_routes() if not route.startswith("admin/")}
    )


PARAMETERS = sorted(
    {
        *ArticleFilter.base_filters,
        *PartnershipFilter.base_filters,
        *(
            name
            for index in (
                CountryIndexFilter,
                OrganisationIndexFilter,
                SystemIndexFilter,
                BlocIndexFilter,
                TagIndexFilter,
            )
            for name in index.base_filters
        ),
        "page_size",
        "fields",
        "cursor",
        "page",
        "per_page",
        "q",
        "type",
        "from",
        "to",
        "sort",
        "format",
        "next",
    }
)

HOSTILE = [
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "²",  # a digit to str.isdigit(), no number to int()
    "٣",  # an Arabic-Indic three: a number to int()
    "2021-13-45",
    "../../etc/passwd",
    "%00",
    "\x00",
    "\x0c",
    "\u2028",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a" * 60_000,
    "ü" * 300,
    "*",
    "%",
    "_",
    "\\",
]


@pytest.fixture
def site(country):
    """A small site: fast pages, every kind of object, real slugs to hit."""
    tag = TagFactory(slug="drones")
    partnership = PartnershipFactory(slug="tb2-poland", series="Efes", tags=[tag])
    ParticipantFactory(partnership=partnership, country=country("TR"), role="supplier")
    PartnershipSystemFactory(partnership=partnership, system=SystemFactory(slug="tb2"))
    organisation = OrganisationFactory(slug="fuzz-maker")
    BlocFactory(slug="fuzz-pact")
    article = PublishedArticleFactory(slug="drones-and-deals", tags=[tag])
    for entity in (partnership, organisation, country("TR")):
        ArticleEntityLink.objects.create(
            article=article, entity=entity, state=LinkState.ACCEPTED
        )
    draft = ArticleFactory(slug="a-draft")
    return {
        "slugs": [
            "tb2-poland",
            "tb2",
            "fuzz-maker",
            "fuzz-pact",
            "drones",
            "drones-and-deals",
            "turkiye",
            "a-draft",
        ],
        "ids": [article.pk, draft.pk],
        "tokens": [preview_token(draft)],
    }


def _value_strategy(site_data):
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(HOSTILE),
        st.sampled_from(site_data["slugs"]),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.sampled_from(["export", "exercise", "supplier", "active", "-start", "name"]),
    )


def requests(site_data, routes):
    """A request to one of ``routes``: its parts filled with real, almost
    real or hostile values, with up to four query parameters. The
    strategies are built once, not at every draw (Hypothesis works out
    each new one's properties again)."""
    values = _value_strategy(site_data)
    parts = {
        "int": st.one_of(
            st.sampled_from(site_data["ids"]).map(str),
            st.integers(min_value=0, max_value=10**12).map(str),
            values,
        ),
        "slug": st.one_of(st.sampled_from(site_data["slugs"]), values),
        "str": st.one_of(st.sampled_from(site_data["tokens"]), values),
    }
    queries = st.lists(
        st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=8), values),
        max_size=4,
    )
    methods = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST"])
    paths = st.sampled_from(routes)

    @st.composite
    def request(draw):
        route = draw(paths)

        def fill(match):
            part = draw(parts.get(match.group(1) or "str", parts["str"]))
            return quote(part, safe="") or "x"

        path = "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)
        return draw(methods), path, draw(queries)

    return request()


def test_no_request_to_a_public_page_gets_a_server_error(site):
    routes = public_routes()
    assert len(routes) >= 20
    client = Client(raise_request_exception=False)
    sent, statuses = [], {}

    @settings(
        max_examples=REQUESTS,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(requests(site, routes))
    def answers_below_500(request):
        method, path, query = request
        encoded = urlencode(query, doseq=False)
        url = f"{path}?{encoded}" if encoded else path
        response = {"GET": client.get, "HEAD": client.head, "POST": client.post}[
            method
        ](url)
        sent.append(url)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, f"{method} {url[:300]}"

    answers_below_500()
    assert len(sent) >= REQUESTS
    # The run reached pages, not only 404s.
    assert statuses.get(200, 0) > REQUESTS // 10, statuses
