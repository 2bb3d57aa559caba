"""What caches need from the articles: a bulk acceptance of suggestions is
announced like any save, and a draft's preview is never stored by a
browser, a proxy or the page cache."""

import pytest
from django.test import Client
from django.urls import reverse

from articles import linking
from articles.models import ArticleEntityLink, LinkState
from articles.previews import signed_preview_url
from core.signals import bulk_saved
from tests.factories import ArticleFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_accepting_every_suggestion_announces_the_links_it_wrote(editor):
    article = ArticleFactory(authors=[editor])
    links = [
        ArticleEntityLink.objects.create(
            article=article, entity=OrganisationFactory(), state=LinkState.SUGGESTED
        )
        for _ in range(2)
    ]
    heard = []

    def listener(sender, pks, **kwargs):
        heard.append((sender, sorted(pks)))

    bulk_saved.connect(listener, sender=ArticleEntityLink, weak=False)
    try:
        assert linking.article_accept_suggestions(article=article, user=editor) == 2
    finally:
        bulk_saved.disconnect(listener, sender=ArticleEntityLink)
    assert heard == [(ArticleEntityLink, sorted(link.pk for link in links))]


def test_a_drafts_preview_is_never_stored_by_any_cache(editor_client):
    draft = ArticleFactory(title="Not yet")
    shared = Client().get(signed_preview_url(draft))  # anyone with the link
    staff = editor_client.get(reverse("articles:preview", args=[draft.pk]))
    for response in (shared, staff):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
