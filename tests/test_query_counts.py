"""Every public page type takes the same number of queries with 20 items as
with 100: nothing is fetched row by row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import ArticleEntityLink, LinkState
from tests.factories import (
    AliasFactory,
    BlocFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]


class World:
    """Grows, item by item, everything a page could show."""

    def __init__(self, country):
        self.poland, self.turkiye = country("PL"), country("TR")
        self.baykar = OrganisationFactory(name="Baykar", slug="baykar")
        self.tb2 = SystemFactory(name="Bayraktar TB2", slug="tb2", makers=[self.baykar])
        self.bloc = BlocFactory(name="Test Pact", slug="test-pact")
        self.tag = TagFactory(name="Drones", slug="drones")
        self.author = UserFactory(username="writer")
        self.deal = PartnershipFactory(
            name="The deal", slug="the-deal", tags=[self.tag]
        )
        self.article = PublishedArticleFactory(
            title="The article",
            slug="the-article",
            authors=[self.author],
            tags=[self.tag],
        )
        # Named as the search is: first among the results, so that its first
        # page holds an article and a record on either database.
        SystemFactory(name="Drone", slug="drone")
        PublishedArticleFactory(title="Drone", slug="drone", authors=[self.author])
        self.count = 0

    def grow(self, to: int) -> None:
        while self.count < to:
            self.count += 1
            n = self.count
            partnership = PartnershipFactory(name=f"Drone deal {n}", tags=[self.tag])
            ParticipantFactory(
                partnership=partnership, country=self.poland, role="recipient"
            )
            ParticipantFactory(
                partnership=partnership, country=self.turkiye, role="supplier"
            )
            ParticipantFactory(
                partnership=partnership,
                country=None,
                organisation=self.baykar,
                role="supplier",
            )
            ParticipantFactory(
                partnership=partnership, country=None, bloc=self.bloc, role="partner"
            )
            PartnershipSystemFactory(partnership=partnership, system=self.tb2)
            member = BlocMembershipFactory(bloc=self.bloc).country
            ParticipantFactory(
                partnership=self.deal, country=member, role="participant"
            )
            SourceFactory(partnership=self.deal)
            PartnershipSystemFactory(
                partnership=self.deal, system=SystemFactory(name=f"System {n}")
            )
            article = PublishedArticleFactory(
                title=f"Drone essay {n}",
                authors=[self.author, UserFactory()],
                tags=[self.tag],
            )
            for entity in (
                self.poland,
                self.turkiye,
                self.baykar,
                self.tb2,
                self.bloc,
                self.deal,
            ):
                ArticleEntityLink.objects.create(
                    article=article, entity=entity, state=LinkState.ACCEPTED
                )
            linked = OrganisationFactory(name=f"Linked organisation {n}")
            AliasFactory(entity=linked, name=f"LO{n}")
            ArticleEntityLink.objects.create(
                article=self.article, entity=linked, state=LinkState.ACCEPTED
            )


PAGES = {
    "home": "/",
    "article list": "/articles/",
    "article list, filtered": "/articles/?country=poland&tag=drones",
    "article": "/articles/the-article/",
    "partnership list": "/partnerships/",
    "partnership list, filtered": "/partnerships/?country=poland&kind=export&tag=drones",
    "partnership": "/partnerships/the-deal/",
    "country list": "/countries/",
    "country": "/countries/poland/",
    "organisation": "/organisations/baykar/",
    "system": "/systems/tb2/",
    "bloc": "/blocs/test-pact/",
    "tag": "/tags/drones/",
    "search": "/search/?q=drone",
    # After the search: the detector is then current (see "search" below).
    "article list, text": "/articles/?q=essay",
    "article list, text and filters": "/articles/?q=essay&country=poland&tag=drones",
    "partnership list, text": "/partnerships/?q=deal&kind=export",
    "network": "/network/",
    "timeline": "/timeline/",
    "articles feed": "/feeds/articles/",
    "country feed": "/countries/poland/feed/",
    "sitemap": "/sitemap.xml",
    "csv export": "/partnerships/export.csv",
    "json export": "/partnerships/export.json",
}


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def test_queries_do_not_grow_from_20_to_100_items(client, country, commit):
    # One world, grown once: every page measured with 20 and with 100 items.
    with commit():
        world = World(country)
        world.grow(20)
    with_20 = {page: queries_for(client, path) for page, path in PAGES.items()}
    with commit():
        world.grow(100)
    with_100 = {page: queries_for(client, path) for page, path in PAGES.items()}
    assert with_20 == with_100 == EXPECTED


# What each page takes; a change here is a change in how a page fetches.
EXPECTED = {
    "home": 8,
    # The count, the page and its authors, and the facets: the linked ones
    # (countries, organisations, systems) in one query while none is chosen,
    # kinds, topics, authors.
    "article list": 7,
    # A country chosen: each linked facet on its own.
    "article list, filtered": 11,
    # The first read since its links changed (the world grew): the article;
    # what readers see of it made again (the records it links, their
    # aliases, authors, tags) and kept. Later reads take 1.
    "article": 6,
    "partnership list": 8,
    "partnership list, filtered": 10,
    "partnership": 10,  # the notes on the source: one query
    # The count, the page, the facets: regions, current or former.
    "country list": 4,
    # A record's page, and a tag's: the articles on it counted together
    # with the page's keys, then the page's read.
    "country": 10,
    "organisation": 9,
    "system": 9,
    "bloc": 9,
    "tag": 7,
    # The years with records (for the default period), the pre-aggregated
    # ties summed, the countries.
    "network": 3,
    # The years with records, the counts by year and kind.
    "timeline": 3,
    "articles feed": 3,
    "country feed": 4,
    "sitemap": 7,
    # The partnerships (read a chunk at a time), the names of what takes
    # part, then a chunk's participants, systems, tags and data issues (one
    # chunk here).
    "csv export": 6,
    "json export": 6,
    # The detector's version, and its names (rebuilt: the world grew); the
    # names of the entity the query names ("Drone"); counts by kind (the
    # total with them), the candidates ranked, the rows of the page; the
    # named entity's card with its aliases; the articles shown with their
    # authors, and the records shown.
    "search": 12,
    # As without the text, and two: the detector's version, and the one
    # lookup of the text in the search index (the page, the count and
    # every facet then filter by the keys found).
    "article list, text": 7 + 2,
    "article list, text and filters": 11 + 2,
    "partnership list, text": 8 + 2,
}
