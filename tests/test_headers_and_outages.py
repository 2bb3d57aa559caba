"""Quieter surfaces and outages: every response says which browser features
the site never uses, gunicorn shows no banner, and while the database is
away readers get 503 with Retry-After rather than a 500."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client

from tests.factories import PublishedArticleFactory
from tests.servers import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_every_page_says_which_browser_features_it_never_uses(client):
    article = PublishedArticleFactory()
    for path in ("/", article.get_absolute_url(), "/feeds/articles/", "/admin/login/"):
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy, path
        assert "geolocation=()" in policy
        assert "microphone=()" in policy


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("connection to server failed: Connection refused"),
        InterfaceError("connection already closed"),
    ],
)
@pytest.mark.django_db
def test_while_the_database_is_away_readers_get_503_with_retry_after(error):
    client = Client(raise_request_exception=False)
    with mock.patch("coopsite.views.HomeView.get_queryset", side_effect=error):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "try again in 10 seconds" in response.content.decode()


@pytest.mark.django_db
def test_other_errors_are_still_500s():
    client = Client(raise_request_exception=False)
    with mock.patch(
        "coopsite.views.HomeView.get_queryset", side_effect=IntegrityError("bug")
    ):
        response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_gunicorn_sends_no_server_banner(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "coopsite.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "coopsite.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/robots.txt"
        wait_for(url, process=server)
        with urllib.request.urlopen(url, timeout=5) as response:
            headers = response.headers
        assert "Server" not in headers
        assert "camera=()" in headers["Permissions-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=20)
