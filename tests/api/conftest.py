import datetime as dt

import pytest
from django.core.cache import cache

from articles.models import ArticleEntityLink, LinkState
from tests.factories import (
    AliasFactory,
    ArticleFactory,
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


@pytest.fixture(autouse=True)
def _fresh_counters_and_files(settings, tmp_path):
    """Rate-limit counters start at zero; snapshots go to a throwaway folder."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()


@pytest.fixture
def records(db, country, django_capture_on_commit_callbacks):
    """A small world: a Turkish drone sold to Pakistan, an article about it,
    a draft and a scheduled article that must never show; committed, as far
    as on-commit work goes (the data version, the search index)."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_records(country)


def make_records(country):
    pakistan, turkiye = country("PK"), country("TR")
    baykar = OrganisationFactory(name="Baykar", slug="baykar", home_country=turkiye)
    AliasFactory(entity=baykar, name="Baykar Makina")
    tb2 = SystemFactory(
        name="Bayraktar TB2",
        slug="bayraktar-tb2",
        makers=[baykar],
        origin_country=turkiye,
    )
    drones = TagFactory(name="Drones", slug="drones")
    deal = PartnershipFactory(
        name="TB2 sale to Pakistan",
        slug="tb2-pakistan",
        kind="export",
        start_date=dt.date(2021, 6, 1),
        start_precision="month",
        tags=[drones],
    )
    ParticipantFactory(partnership=deal, country=turkiye, role="supplier")
    ParticipantFactory(partnership=deal, country=pakistan, role="recipient")
    PartnershipSystemFactory(
        partnership=deal, system=tb2, quantity_ordered=12, delivery_years=[2022, 2023]
    )
    SourceFactory(partnership=deal, title="Register entry")
    exercise = PartnershipFactory(
        name="Joint exercise", slug="joint-exercise", kind="exercise", start_date=None
    )
    ParticipantFactory(partnership=exercise, country=pakistan, role="participant")
    BlocMembershipFactory(country=pakistan)
    author = UserFactory(username="writer", first_name="Ada", last_name="Writer")
    article = PublishedArticleFactory(
        title="Drones over the Indus",
        slug="drones-over-the-indus",
        body="Pakistan bought the *Bayraktar TB2*.",
        authors=[author],
        tags=[drones],
    )
    for entity in (pakistan, tb2, deal):
        ArticleEntityLink.objects.create(
            article=article, entity=entity, state=LinkState.ACCEPTED, mention_count=1
        )
    draft = ArticleFactory(title="Secret draft about Pakistan", slug="secret-draft")
    scheduled = PublishedArticleFactory(
        title="Scheduled essay about Pakistan",
        slug="scheduled-essay",
        published_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC),
    )
    for hidden in (draft, scheduled):
        ArticleEntityLink.objects.create(
            article=hidden, entity=pakistan, state=LinkState.ACCEPTED
        )
    return {
        "pakistan": pakistan,
        "turkiye": turkiye,
        "baykar": baykar,
        "tb2": tb2,
        "drones": drones,
        "deal": deal,
        "exercise": exercise,
        "article": article,
        "draft": draft,
        "scheduled": scheduled,
    }
