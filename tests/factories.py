"""factory-boy factories for every model.

Real countries come from the data migration (every test database has them):
use the ``country`` fixture or ``Country.objects.get(alpha_2=...)``.
``CountryFactory`` makes fictional ones when a test needs a fresh country.
"""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, ArticleEntityLink, ArticleStatus, LinkState
from datasets.models import DataIssue, DatasetName, ImportRun, IssueReason
from images.models import Image
from images.services import image_create
from images.uploads import clean_upload
from partnerships.dates import DatePrecision
from partnerships.models import (
    Alias,
    Bloc,
    BlocMembership,
    Country,
    ExternalIdentifier,
    Organisation,
    OrganisationKind,
    Participant,
    ParticipantRole,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    PartnershipSystem,
    Source,
    System,
    SystemCategory,
    Tag,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*extracted)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class CountryFactory(factory.django.DjangoModelFactory):
    """A fictional country, for tests that need one no migration made."""

    class Meta:
        model = Country

    name = factory.Sequence(lambda n: f"Freedonia {n}")
    slug = factory.Sequence(lambda n: f"freedonia-{n}")
    region = "Europe"
    subregion = "Western Europe"


class BlocFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bloc

    name = factory.Sequence(lambda n: f"Test Pact {n}")
    slug = factory.Sequence(lambda n: f"test-pact-{n}")
    abbreviation = factory.Sequence(lambda n: f"TP{n}")


class BlocMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlocMembership

    bloc = factory.SubFactory(BlocFactory)
    country = factory.SubFactory(CountryFactory)
    joined = 1990


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Acme Defence Systems {n}")
    slug = factory.Sequence(lambda n: f"acme-defence-systems-{n}")
    kind = OrganisationKind.COMPANY
    summary = factory.Faker("sentence")


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sky Sentinel {n}")
    slug = factory.Sequence(lambda n: f"sky-sentinel-{n}")
    category = SystemCategory.UAV

    @factory.post_generation
    def makers(self, create, extracted, **kwargs):
        if create and extracted:
            self.makers.set(extracted)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sky Sentinel sale number {n}")
    slug = factory.Sequence(lambda n: f"sky-sentinel-sale-{n}")
    kind = PartnershipKind.EXPORT
    status = PartnershipStatus.ACTIVE
    start_date = dt.date(2020, 1, 1)
    start_precision = DatePrecision.YEAR
    summary = factory.Faker("sentence")

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    partnership = factory.SubFactory(PartnershipFactory)
    role = ParticipantRole.RECIPIENT
    country = factory.SubFactory(CountryFactory)


class PartnershipSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipSystem

    partnership = factory.SubFactory(PartnershipFactory)
    system = factory.SubFactory(SystemFactory)
    quantity_ordered = 6


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Faker("sentence", nb_words=5)
    url = factory.Sequence(lambda n: f"https://news.example.org/story-{n}")
    accessed_on = dt.date(2026, 1, 15)


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alias

    entity = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"ADS-{n}")


class ExternalIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIdentifier

    entity = factory.SubFactory(PartnershipFactory)
    scheme = "sipri"
    value = factory.Sequence(lambda n: str(40000 + n))


class ArticleFactory(factory.django.DjangoModelFactory):
    """A draft article; see PublishedArticleFactory."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Drones, deals and diplomacy, part {n}")
    slug = factory.Sequence(lambda n: f"drones-deals-and-diplomacy-part-{n}")
    standfirst = factory.Faker("sentence")
    body = factory.Faker("paragraph", nb_sentences=8)
    status = ArticleStatus.DRAFT

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class PublishedArticleFactory(ArticleFactory):
    status = ArticleStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


class ArticleEntityLinkFactory(factory.django.DjangoModelFactory):
    """A link an editor accepted, from an article to a record."""

    class Meta:
        model = ArticleEntityLink

    article = factory.SubFactory(PublishedArticleFactory)
    entity = factory.SubFactory(OrganisationFactory)
    state = LinkState.ACCEPTED


class ImportRunFactory(factory.django.DjangoModelFactory):
    """A finished run of the exercises importer."""

    class Meta:
        model = ImportRun

    dataset = DatasetName.MME
    file_name = "MME_v7.csv"
    sha256 = "0" * 64
    run_by = "manage.py import_exercises"
    finished_at = factory.LazyFunction(timezone.now)
    outcome = ImportRun.Outcome.IMPORTED
    records = 1
    created = 1
    flagged = 1


class DataIssueFactory(factory.django.DjangoModelFactory):
    """An open issue: an exercise that ends the day before it starts."""

    class Meta:
        model = DataIssue

    entity = factory.SubFactory(PartnershipFactory)
    dataset = DatasetName.MME
    external_id = factory.Sequence(lambda n: f"mme{n}")
    row = factory.Sequence(lambda n: n + 2)
    field = "dates"
    source_value = "1982-11-11 to 1982-11-10"
    reason = IssueReason.ENDS_BEFORE_START
    message = "Ends (1982-11-10) before it starts (1982-11-11)."
    import_run = factory.SubFactory(ImportRunFactory)


class ImageFactory(factory.django.DjangoModelFactory):
    """A library picture, uploaded through the service (file stored,
    renditions made). ``content`` gives the file's bytes."""

    class Meta:
        model = Image

    title = factory.Sequence(lambda n: f"Picture {n}")
    alt_text = factory.Faker("sentence", nb_words=6)
    caption = factory.Faker("sentence", nb_words=10)
    credit = factory.Sequence(lambda n: f"Photo: Photographer {n}")
    licence = "CC BY 4.0"
    # A different picture each time: the library refuses duplicates.
    content = factory.Sequence(lambda n: _picture_bytes(n))

    @classmethod
    def _create(cls, model_class, *args, content=b"", user=None, **kwargs):
        from tests.pictures import upload

        return image_create(upload=clean_upload(upload(content)), user=user, **kwargs)


def _picture_bytes(n: int) -> bytes:
    from tests.pictures import jpeg_bytes

    return jpeg_bytes(640 + n % 800, 480 + n // 800)
