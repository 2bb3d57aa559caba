"""The public site's answers that need no demo content: robots.txt, and
JSON-LD that hostile text cannot break out of. (tests/test_public_site.py
loads the demo for every test in it.)"""

import pytest

from tests.factories import PublishedArticleFactory

pytestmark = pytest.mark.django_db


def test_robots_txt_names_the_sitemap_and_keeps_robots_out_of_the_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_json_ld_cannot_be_broken_out_of(client):
    article = PublishedArticleFactory(title="</script><script>alert(1)</script>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "</script><script>alert(1)" not in page


def test_a_missing_page_is_the_sites_own_page_kept_out_of_search_engines(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert '<main id="main"' in page  # the site's header, search box and footer
    assert 'href="/search/"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert "canonical" not in page


def test_the_sign_in_page_has_a_heading(client):
    assert "<h1>Log in</h1>" in client.get("/admin/login/").content.decode()


def test_a_browser_looking_for_favicon_ico_is_sent_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302  # the icon's address changes with it
    assert response["Location"].endswith("/favicon.svg")
    assert client.get(response["Location"]).status_code == 200
