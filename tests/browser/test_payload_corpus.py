"""The payload corpus in a real browser: an article page, the lists and a
search that show it, and the feed that carries it, each opened in Chromium
with the site's CSP and again with CSP switched off (so that it is the
output, not the policy, that keeps them inert). No dialog may open."""

import pytest

from articles.models import ArticleEntityLink, LinkState
from search.indexing import rebuild
from tests.factories import (
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
)
from tests.security.payloads import MARKDOWN, PAYLOADS, groups
from tests.sharing import shared_content

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _make_corpus():
    everything = "\n\n".join(PAYLOADS)
    tag = TagFactory(name=groups(95)[0], slug="corpus")
    organisation = OrganisationFactory(name=groups(250)[1], slug="corpus-org")
    partnership = PartnershipFactory(
        name=groups(250)[0], slug="corpus-deal", summary=everything, tags=[tag]
    )
    ParticipantFactory(partnership=partnership, country=None, organisation=organisation)
    article = PublishedArticleFactory(
        title=groups(250)[2],
        slug="corpus",
        standfirst=everything,
        body="alert " + everything + "\n\n" + "\n\n".join(MARKDOWN),
        tags=[tag],
    )
    for entity in (partnership, organisation):
        ArticleEntityLink.objects.create(
            article=article, entity=entity, state=LinkState.ACCEPTED
        )
    rebuild()


@pytest.fixture(scope="module")
def corpus_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _make_corpus)


@pytest.fixture
def corpus(corpus_shared, db):
    """The payloads in every field a reader sees: made once for the module,
    what a test changes rolled back after it."""


@pytest.fixture
def corpus_site(server, corpus):
    return server.url


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with CSP", "without CSP"])
def test_no_payload_opens_a_dialog_in_chromium(browser, corpus_site, bypass_csp):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (
        "/articles/corpus/",
        "/articles/",
        "/partnerships/corpus-deal/",
        "/partnerships/",
        "/search/?q=alert",
        "/organisations/corpus-org/",
        "/feeds/articles/",
        "/tags/corpus/feed/",
    ):
        page.goto(corpus_site + path)
        page.wait_for_load_state("load")
        # Give handlers that need a person a chance: move, focus, scroll.
        page.mouse.move(200, 300)
        page.mouse.move(640, 450)
        for _ in range(5):
            page.keyboard.press("Tab")
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(300)
    # The listener works: a dialog the test opens itself is recorded.
    page.evaluate("() => setTimeout(() => alert('control'), 0)")
    page.wait_for_timeout(300)
    context.close()
    assert dialogs == ["control"]
