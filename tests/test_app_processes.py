"""Several app servers, one PostgreSQL and one Redis: what an editor does
through one gunicorn process is what every other process serves, from its
very next request: a new alias reaches the other's mention detector, a
publish empties no cache yet every cached page is made again, and one
client's requests count against one rate limit. Real HTTP on loopback, a
few dozen requests; the processes share the test's committed database."""

import os
import re
import urllib.parse

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from articles.models import ArticleEntityLink, ArticleStatus, LinkState
from tests.admin_forms import scraped_form
from tests.api.test_rate_limit_processes import not_at_the_end_of_an_hour
from tests.factories import ArticleFactory, OrganisationFactory, UserFactory
from tests.servers import database_url, gunicorn_servers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="app servers share a PostgreSQL server (scripts/with-postgres)",
    ),
]

PASSWORD = "two-processes-one-site"
RATE_LIMIT = 5


@pytest.fixture
def servers(tmp_path, settings):
    cache_url = os.environ.get("COOPSITE_TEST_REDIS_URL") or (
        f"filecache://{tmp_path / 'cache'}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coopsite.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(tmp_path),
        "CACHE_URL": cache_url,
        "COOPSITE_PUBLIC_CACHE": "true",
        "DJANGO_API_RATE_LIMIT": f"{RATE_LIMIT}/hour",
    }
    with gunicorn_servers(env, 2) as urls:
        yield urls


class Staff:
    """A staff member's browser on one app server: logs in, posts admin forms as
    they are on the page."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.session = requests.Session()
        page = self.session.get(f"{base}/admin/login/", timeout=20)
        response = self.session.post(
            f"{base}/admin/login/?next=/admin/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token(page.text),
            },
            headers={"Referer": f"{base}/admin/login/"},
            timeout=20,
        )
        assert response.url == f"{base}/admin/", response.text[:500]

    def submit(self, path: str, **changes) -> requests.Response:
        """Open the form at ``path`` and post it back with ``changes``."""
        url = f"{self.base}{path}"
        page = self.session.get(url, timeout=20)
        assert page.status_code == 200, page.status_code
        data = scraped_form(page.text)
        for name, value in changes.items():
            data[name] = [value]
        response = self.session.post(
            url,
            data=urllib.parse.urlencode(data, doseq=True),
            headers={
                "Referer": url,
                "Content-Type": "application/x-www-form-urlencoded",
            },
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, response.text[:3000]
        return response


def token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def read(base: str, path: str) -> requests.Response:
    """An anonymous reader's request."""
    return requests.get(f"{base}{path}", timeout=20)


def test_what_an_editor_does_on_one_app_server_the_other_serves_at_once(
    roles, servers
):  # the servers start before the rows exist: they read them when asked
    first, second = servers
    editor = UserFactory(username="ed", groups=[roles["Editors"]])
    researcher = UserFactory(username="rita", groups=[roles["Researchers"]])
    for user in (editor, researcher):
        # In a hash the servers' settings know (the suite's is a faster one).
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, "salt", iterations=1000)
        user.save()
    maker = OrganisationFactory(name="Anadolu Works", slug="anadolu-works")
    article = ArticleFactory(
        title="Who builds the frigates",
        slug="who-builds-the-frigates",
        body="The hulls come from Golden Horn Yards, the sonar from elsewhere.",
        authors=[editor],
        status=ArticleStatus.DRAFT,
    )
    change_article = f"/admin/articles/article/{article.pk}/change/"
    on_first, on_second = Staff(first, "ed"), Staff(second, "ed")

    # Readers of the second server: pages made once, then from Redis.
    for path in ("/articles/", "/organisations/anadolu-works/"):
        assert read(second, path).headers["X-Cache"] == "miss"
        cached = read(second, path)
        assert cached.headers["X-Cache"] == "hit"
        assert "Who builds the frigates" not in cached.text

    # The second server's detector knows the names as they are...
    on_second.submit(change_article)
    assert not ArticleEntityLink.objects.filter(article=article, entity=maker).exists()

    # ...a researcher on the first gives the maker another name...
    Staff(first, "rita").submit(
        f"/admin/partnerships/organisation/{maker.pk}/change/",
        **{"aliases-0-name": "Golden Horn Yards"},
    )
    assert list(maker.aliases.values_list("name", flat=True)) == ["Golden Horn Yards"]

    # ...which the second's detector finds in the next save it handles.
    on_second.submit(change_article)
    link = ArticleEntityLink.objects.get(article=article, entity=maker)
    assert link.state == LinkState.SUGGESTED

    # The first accepts the link and publishes...
    on_first.submit(change_article, _accept_all_suggestions="1")
    on_first.submit(change_article, _workflow="publish")
    article.refresh_from_db()
    assert article.is_public

    # ...and the second's readers see it on their next request: no page of
    # the version before is served (its facet counts may be the last ones,
    # counted again in the background: such a page is not kept).
    listed = read(second, "/articles/")
    assert listed.headers.get("X-Cache") != "hit"
    assert "Who builds the frigates" in listed.text
    maker_page = read(second, "/organisations/anadolu-works/")
    assert article.get_absolute_url() in maker_page.text
    page = read(second, article.get_absolute_url())
    assert page.status_code == 200
    assert "/organisations/anadolu-works/" in page.text

    # One client's API requests count together, whichever server answers.
    not_at_the_end_of_an_hour()
    answers = [
        read(servers[n % 2], "/api/v1/tags/").status_code for n in range(RATE_LIMIT + 1)
    ]
    assert answers == [200] * RATE_LIMIT + [429]
