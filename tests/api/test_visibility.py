"""Nothing unpublished leaves the API or the bulk downloads: every
endpoint, for every role, for an article in every state."""

import gzip
import io
import zipfile

import pytest
from django.test import Client

from api import snapshots
from tests.articles.test_visibility_matrix import ROLES, STATES, make

pytestmark = [pytest.mark.django_db, pytest.mark.long(5)]

ENDPOINTS = [
    "/api/v1/",
    "/api/v1/articles/",
    "/api/v1/articles/?country=poland",
    "/api/v1/articles/?q=matrix",
    "/api/v1/articles/?sort=title&page_size=100",
    "/api/v1/partnerships/",
    "/api/v1/countries/?q=poland",
    "/api/v1/countries/poland/",
    "/api/v1/blocs/",
    "/api/v1/organisations/",
    "/api/v1/systems/",
    "/api/v1/tags/",
    "/api/v1/downloads/",
]


@pytest.fixture
def people(contributor, editor, researcher):
    return {
        "anonymous": None,
        "contributor": contributor,
        "editor": editor,
        "researcher": researcher,
    }


def snapshot_text(client) -> str:
    zipped = b"".join(
        client.get("/api/v1/downloads/latest.zip", follow=True).streaming_content
    )
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    lines = b"".join(
        client.get("/api/v1/downloads/latest.jsonl.gz", follow=True).streaming_content
    )
    return (
        "".join(archive.read(name).decode() for name in archive.namelist())
        + gzip.decompress(lines).decode()
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_only_published_articles_leave_the_api(people, country, role, state, commit):
    with commit():  # indexed for search (the text filter), as once saved
        article = make(state, people["contributor"], country)
    snapshots.build()
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    public = state == "published"

    detail = client.get(f"/api/v1/articles/{article.slug}/")
    assert detail.status_code == (200 if public else 404)
    for url in ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if url.startswith("/api/v1/articles/"):
            assert (article.slug in body) == public, url
        else:
            assert article.slug not in body, url
            assert article.title not in body, url
    downloads = snapshot_text(client)
    assert (article.slug in downloads) == public
    assert (article.body in downloads) == public
