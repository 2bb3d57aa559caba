"""The structured record of defence-industrial cooperation.

Everything a reader can follow (a country, a bloc, an organisation, a system,
a partnership) is an :class:`Entity`: one table that gives every kind a shared
identity (id, name, slug, aliases, external ids, stamps), which each kind
extends one-to-one with its own fields. Links from articles, the mention
detector, search and feeds work on entities, written once for every kind.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import replace

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

from core.addresses import address_with_slug
from core.models import TimeStampedModel
from core.names import normalise_name, unique_slug

from .dates import (
    DatePrecision,
    PartialDate,
    extend_to_precision,
    truncate_to_precision,
)


class EntityType(models.TextChoices):
    """The kinds of entity, and the one table of what each is called: its
    label ("Country"), and through its model (each value is also the name of
    the model that extends :class:`Entity`, and of the reverse accessor from
    an entity) what a list of them is called ("Countries")."""

    COUNTRY = "country", "Country"
    BLOC = "bloc", "Bloc"
    ORGANISATION = "organisation", "Organisation"
    SYSTEM = "system", "System"
    PARTNERSHIP = "partnership", "Partnership"

    @property
    def model(self) -> type[Entity]:
        return apps.get_model("partnerships", self.value)

    @property
    def plural(self) -> str:
        """What a list of this kind is called: "Countries", "Blocs"."""
        return str(capfirst(self.model._meta.verbose_name_plural))


def _ids(field: str, pks: list[int]) -> Q:
    """Rows whose ``field`` is one of ``pks`` (sorted, distinct): where they
    are dense, as in an import's new rows, as the range they span (two
    values to the database and its index instead of thousands; the caller
    skips the few rows between that it did not ask for), else as a list."""
    if pks and pks[-1] - pks[0] < 2 * len(pks):
        return Q(**{f"{field}__gte": pks[0], f"{field}__lte": pks[-1]})
    return Q(**{f"{field}__in": pks})


def _grouped(rows: Iterable[tuple[int, object]]) -> dict[int, list]:
    """(key, value) rows as {key: [values, in order]}."""
    grouped: dict[int, list] = {}
    for key, value in rows:
        grouped.setdefault(key, []).append(value)
    return grouped


class EntityQuerySet(models.QuerySet):
    def of_type(self, entity_type: str) -> EntityQuerySet:
        return self.filter(entity_type=entity_type)

    def formerly_or_also_at(self, slug: str):
        """The one entity of this queryset (its kind's) whose address was
        once ``slug`` (a slug its history holds), or whose alias reads as
        ``slug`` ("turkey" for Türkiye's alias "Turkey"); None when no
        entity is, or several are. Read only where no entity is at ``slug``
        now: the live address always wins."""
        history = getattr(self.model, "history", None)
        if history is not None:
            former = set(
                history.filter(slug=slug)
                .order_by()
                .values_list("entity_ptr_id", flat=True)
                .distinct()[:2]
            )
            found = list(self.filter(pk__in=former)[:2])
            if len(found) == 1:
                return found[0]
        key = normalise_name(slug.replace("-", " "))
        if not key:
            return None
        found = list(
            self.filter(
                pk__in=Alias.objects.filter(normalised=key).values("entity_id")
            )[:2]
        )
        return found[0] if len(found) == 1 else None

    def with_partnership_total(self) -> EntityQuerySet:
        """Each with ``partnership_total``: how many partnerships it takes
        part in (a country, organisation or bloc, in any role) or is
        involved in (a system), as a subquery per row."""
        kind = self._kind()
        rows: models.QuerySet
        if kind == EntityType.SYSTEM:
            rows = PartnershipSystem.objects.filter(system=models.OuterRef("pk"))
            field = "system"
        else:
            rows = Participant.objects.filter(**{kind: models.OuterRef("pk")})
            field = kind
        return self.annotate(partnership_total=_total(rows, field, "partnership"))

    def _kind(self) -> str:
        return getattr(self.model, "ENTITY_TYPE", "")

    def for_index(self) -> EntityQuerySet:
        """What a kind's index shows of each, most partnerships first."""
        queryset = self.with_partnership_total()
        kind = self._kind()
        if kind == EntityType.ORGANISATION:
            queryset = queryset.select_related("home_country")
        elif kind == EntityType.SYSTEM:
            queryset = queryset.select_related("origin_country")
        elif kind == EntityType.BLOC:
            queryset = queryset.annotate(
                member_total=_total(
                    BlocMembership.objects.filter(
                        bloc=models.OuterRef("pk"), left__isnull=True
                    ),
                    "bloc",
                    "country",
                )
            )
        return queryset.order_by("-partnership_total", "name")


def _total(rows: models.QuerySet, outer: str, counted: str) -> models.Expression:
    """How many distinct ``counted`` the ``rows`` (filtered by an OuterRef
    on ``outer``) hold, as a subquery: 0 when none."""
    return Coalesce(
        models.Subquery(
            rows.order_by()
            .values(outer)
            .annotate(total=models.Count(counted, distinct=True))
            .values("total"),
            output_field=models.IntegerField(),
        ),
        0,
    )


def entity_url(entity_type: str, slug: str) -> str:
    """The address of a record's page, as ``reverse()`` gives it, from its
    kind and slug alone, without walking the URL configuration for each
    record (``address_with_slug``)."""
    return address_with_slug(f"partnerships:{entity_type}_detail", slug)


class Entity(TimeStampedModel):
    """The shared identity of everything a reader can follow.

    Never created on its own: create a :class:`Country`, :class:`Bloc`,
    :class:`Organisation`, :class:`System` or :class:`Partnership`.
    """

    ENTITY_TYPE: str = ""

    entity_type = models.CharField(
        max_length=20,
        choices=EntityType.choices,
        editable=False,
        # Led by the (entity_type, slug) constraint and the (entity_type,
        # name) index: an index of its own would be a third copy.
        db_index=False,
    )
    name = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=200,
        blank=True,
        help_text="The last part of the public address. Left blank, it is made "
        "from the name.",
    )
    summary = models.TextField(blank=True)
    edit_version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every save: a form saved from an older version "
        "is refused rather than overwriting what happened meanwhile.",
    )

    objects = EntityQuerySet.as_manager()

    # Search indexes what ``index_components`` returns. It also changes when
    # these related rows do: the entity's own rows (aliases, participants),
    # and the records its document names (see ``search/signals.py``).
    index_related: tuple[str, ...] = ("aliases",)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(
                fields=["entity_type", "slug"], name="entity_slug_unique_per_type"
            ),
            models.CheckConstraint(
                condition=Q(entity_type__in=EntityType.values),
                name="entity_type_known",
            ),
        ]
        indexes = [models.Index(fields=["entity_type", "name"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.ENTITY_TYPE:
            self.entity_type = self.ENTITY_TYPE
        if not self.slug:
            self.slug = unique_slug(Entity.objects.of_type(self.entity_type), self.name)
        # Read by the signals that keep the mention detector and the search
        # index in step with names (a country's demonym is one of them).
        self.name_changed = self._state.adding or self._names() != getattr(
            self, "_loaded_names", None
        )
        if not self._state.adding:
            # Every save is a new version (coopsite.locking).
            self.edit_version = (self.edit_version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "edit_version"}
        super().save(*args, **kwargs)
        self._loaded_names = self._names()

    # What a query or an article may call the entity by, besides aliases.
    NAME_FIELDS: tuple[str, ...] = ("name",)

    def _names(self) -> tuple:
        # As loaded (a deferred field, not loaded, is not read for this).
        return tuple(self.__dict__.get(field) for field in self.NAME_FIELDS)

    def get_absolute_url(self):
        return entity_url(self.entity_type, self.slug)

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._loaded_names = instance._names()
        return instance

    def clean(self):
        super().clean()
        if self.ENTITY_TYPE:
            self.entity_type = self.ENTITY_TYPE
        if (
            self.slug
            and Entity.objects.of_type(self.entity_type)
            .filter(slug=self.slug)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "slug": f"Another {self.get_entity_type_display().lower()} "
                    f"already uses the address “{self.slug}”."
                }
            )

    @property
    def tagline(self) -> str:
        """What the record is, in a few words, where its summary is missing
        (a page's description): each kind says it its own way."""
        return self.get_entity_type_display()

    @classmethod
    def index_queryset(cls) -> models.QuerySet:
        """Rows of this kind with what ``index_components`` reads, in a fixed
        number of queries however many there are."""
        return cls.objects.prefetch_related("aliases")

    def index_components(self) -> dict:
        """What full-text search indexes of the record: its name (weighed
        most), its other names and codes, then its summary and the facts a
        reader would search it by."""
        return self.index_document(
            name=self.name,
            summary=self.summary,
            keywords=[
                *(alias.name for alias in self.aliases.all()),
                *self.index_keywords(),
            ],
            facts=self.index_facts(),
            visible_from=self.created_at,  # every record is public
        )

    @classmethod
    def index_document(
        cls,
        *,
        name: str,
        summary: str,
        keywords: list[str],
        facts: list[str],
        visible_from,
    ) -> dict:
        """``index_components()`` from the values it reads: the one rule for
        an entity's document, whether read from a saved row or from plain
        values in bulk (``index_rows``)."""
        return {
            "title": name,
            "keywords": keywords,
            "body": [summary, " · ".join(fact for fact in facts if fact)],
            "visible_from": visible_from,
        }

    def index_keywords(self) -> list[str]:
        """Codes and other names beside the aliases (each kind adds its own)."""
        return []

    def index_facts(self) -> list[str]:
        """What a reader might search this record by (each kind adds its own)."""
        return []

    @property
    def specific(self) -> Entity:
        """This entity as its own kind (a Country, a System...)."""
        if type(self) is not Entity:
            return self
        return getattr(self, self.entity_type)


class MentionIndex(models.Model):
    """The version of the set of names the mention detector knows.

    Every change to an entity's name or to an alias gives it a new random
    version (see ``signals.py``; bulk writes call :meth:`bump` themselves),
    so each app process can tell that its detector is stale and rebuild it.
    Random rather than counted: a version bumped in a transaction that is
    then rolled back is never seen again, so a detector built from
    uncommitted names cannot pass for a current one.
    """

    version = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="mention_index_single_row")
        ]

    def __str__(self):
        return f"Mention index version {self.version}"

    @classmethod
    def current_version(cls) -> uuid.UUID | None:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first()

    @classmethod
    def bump(cls) -> None:
        updated = cls.objects.filter(pk=1).update(
            version=uuid.uuid4(), changed_at=timezone.now()
        )
        if not updated:
            cls.objects.update_or_create(pk=1, defaults={"version": uuid.uuid4()})


class Alias(models.Model):
    """Another name an entity is known by ("Turkey" for Türkiye, "Efes-2022")."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=255)
    normalised = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "normalised"], name="alias_unique_per_entity"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised = normalise_name(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.normalised = normalise_name(self.name)
        if not self.normalised:
            raise ValidationError(
                {"name": "An alias needs at least one letter or digit."}
            )
        if self.entity_id is None:
            return
        if normalise_name(self.entity.name) == self.normalised:
            raise ValidationError({"name": "This is already the entity's name."})
        duplicates = Alias.objects.filter(
            entity_id=self.entity_id, normalised=self.normalised
        ).exclude(pk=self.pk)
        if duplicates.exists():
            raise ValidationError({"name": "This entity already has this alias."})


class ExternalIdentifier(models.Model):
    """A record's id in an outside dataset (SIPRI deal id, MME exercise id)."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="external_ids"
    )
    scheme = models.SlugField(
        max_length=40,
        help_text="The dataset, in lower case: sipri, mme…",
        db_index=False,  # led by the (scheme, value) constraint
    )
    value = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A hash of the imported row: an import skips rows that did not change.",
    )
    imported = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="The rows the last import wrote for this record (participants, "
        "systems, sources, tags), which the next import may replace; rows "
        "editors add are theirs.",
    )

    class Meta:
        ordering = ["scheme", "value"]
        verbose_name = "external identifier"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"],
                name="external_id_unique_per_scheme",
                violation_error_message="Another record has this id in this dataset.",
            ),
        ]

    def __str__(self):
        return f"{self.scheme}:{self.value}"


class TagQuerySet(models.QuerySet):
    def for_index(self) -> TagQuerySet:
        """Each with ``partnership_total``, most used first."""
        return self.annotate(
            partnership_total=_total(
                Partnership.tags.through.objects.filter(tag=models.OuterRef("pk")),
                "tag",
                "partnership",
            )
        ).order_by("-partnership_total", "name")


class Tag(TimeStampedModel):
    """A label that staff curate on partnerships and articles."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, blank=True)
    description = models.TextField(blank=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Tag.objects.all(), self.name, max_length=100)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return address_with_slug("partnerships:tag_detail", self.slug)


# --- Countries ---------------------------------------------------------------


class CountryQuerySet(EntityQuerySet):
    def current(self) -> CountryQuerySet:
        return self.filter(is_former=False)

    def resolver(self):
        """A resolver holding every country name, code and alias in memory:
        build it once for a batch of lookups (an import), then call
        ``resolve()`` on it as often as needed."""
        from .resolver import CountryResolver

        return CountryResolver.from_database(self)

    def resolve(self, name: str) -> Country:
        """The country known by ``name`` (a name, an alias or an ISO code).

        Raises ``Country.DoesNotExist`` with a clear message when no country
        goes by that name, and ``Country.MultipleObjectsReturned`` when the
        name is shared by several; never guesses.
        """
        return self.resolver().resolve(name)


def latitude_field() -> models.FloatField:
    """A latitude in degrees, or none: -90 to 90."""
    return models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )


def longitude_field() -> models.FloatField:
    """A longitude in degrees, or none: -180 to 180."""
    return models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )


def _letters(length: int) -> RegexValidator:
    """An ISO letter code of ``length`` capital letters."""
    example = "TRYU"[:length]
    return RegexValidator(
        rf"\A[A-Z]{{{length}}}\Z",
        f"{length} capital letters, as ISO writes the code: {example}.",
    )


class Country(Entity):
    """A state, current (ISO 3166-1) or former (ISO 3166-3 and the few former
    states datasets use that ISO never coded, such as West Germany)."""

    ENTITY_TYPE = EntityType.COUNTRY
    NAME_FIELDS = ("name", "demonym")

    alpha_2 = models.CharField(
        "ISO alpha-2", max_length=2, blank=True, validators=[_letters(2)]
    )
    alpha_3 = models.CharField(
        "ISO alpha-3", max_length=3, blank=True, validators=[_letters(3)]
    )
    alpha_4 = models.CharField(
        "ISO 3166-3 code",
        max_length=4,
        blank=True,
        help_text="Former states only.",
        validators=[_letters(4)],
    )
    numeric = models.CharField(
        "ISO numeric",
        max_length=3,
        blank=True,
        validators=[
            RegexValidator(r"\A[0-9]{3}\Z", "Three digits, as ISO writes it: 040.")
        ],
    )
    official_name = models.CharField(max_length=255, blank=True)
    region = models.CharField(max_length=64, blank=True)
    subregion = models.CharField(max_length=64, blank=True)
    demonym = models.CharField(max_length=64, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    is_former = models.BooleanField(
        "former state", default=False, help_text="The state no longer exists."
    )
    existed_until = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year the former state ceased to exist."
    )

    objects = CountryQuerySet.as_manager()  # type: ignore[misc]  # a narrower manager
    # History is read by record (``entity_ptr_id``; ``partnership_id`` for a
    # partnership's parts) and by former slug. Its copies of the parent's
    # ``id`` and of other foreign keys are never looked up: left unindexed,
    # as every import writes a history row for each record it changes.
    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=["id"])

    class Meta:
        verbose_name_plural = "countries"
        constraints = [
            models.UniqueConstraint(
                fields=["alpha_2"],
                condition=Q(is_former=False) & ~Q(alpha_2=""),
                name="country_alpha_2_unique_current",
                violation_error_message="Another current country has this ISO alpha-2 code.",
            ),
            models.UniqueConstraint(
                fields=["alpha_3"],
                condition=Q(is_former=False) & ~Q(alpha_3=""),
                name="country_alpha_3_unique_current",
                violation_error_message="Another current country has this ISO alpha-3 code.",
            ),
            models.UniqueConstraint(
                fields=["alpha_4"],
                condition=~Q(alpha_4=""),
                name="country_alpha_4_unique",
                violation_error_message="Another country has this ISO 3166-3 code.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tagline(self) -> str:
        return self.official_name

    def index_keywords(self) -> list[str]:
        return [self.alpha_2, self.alpha_3, self.official_name]

    def index_facts(self) -> list[str]:
        return [self.subregion, self.region, "Former state" if self.is_former else ""]

    def partnerships_by_role(self) -> dict[str, int]:
        """How many partnerships the country takes part in: in all
        (``"all"``), and in each role (0 for a role it never had). One query."""
        by_role = {
            role: models.Count("partnership", distinct=True, filter=Q(role=role))
            for role in ParticipantRole.values
        }
        return Participant.objects.filter(country=self).aggregate(
            all=models.Count("partnership", distinct=True), **by_role
        )


# --- Blocs -------------------------------------------------------------------


class BlocKind(models.TextChoices):
    MILITARY_ALLIANCE = "military_alliance", "Military alliance"
    UNION = "union", "Political and economic union"
    REGIONAL = "regional", "Regional organisation"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
    DEFENCE_INDUSTRY = "defence_industry", "Defence-industrial programme"
    OTHER = "other", "Other"


class Bloc(Entity):
    """An alliance or organisation of states (NATO, the OIC, the EU)."""

    ENTITY_TYPE = EntityType.BLOC

    kind = models.CharField(
        max_length=30, choices=BlocKind.choices, default=BlocKind.OTHER
    )
    official_name = models.CharField(max_length=255, blank=True)
    abbreviation = models.CharField(max_length=20, blank=True)
    founded = models.PositiveSmallIntegerField(null=True, blank=True)
    website = models.URLField(blank=True)
    members = models.ManyToManyField(
        Country, through="BlocMembership", related_name="blocs", blank=True
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=["id"])

    def __str__(self):
        return self.name

    @property
    def tagline(self) -> str:
        return self.official_name

    def index_keywords(self) -> list[str]:
        return [self.abbreviation, self.official_name]

    def index_facts(self) -> list[str]:
        return [self.get_kind_display()]


class BlocMembership(models.Model):
    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="memberships")
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="bloc_memberships"
    )
    joined = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    left = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Year.")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["bloc", "country__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "country"],
                name="bloc_membership_unique",
                violation_error_message="This country is already a member of this bloc.",
            ),
            models.CheckConstraint(
                condition=Q(left__isnull=True)
                | Q(joined__isnull=True)
                | Q(left__gte=models.F("joined")),
                name="bloc_membership_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.country} in {self.bloc}"


# --- Organisations and systems -----------------------------------------------


class OrganisationKind(models.TextChoices):
    COMPANY = "company", "Company"
    STATE_ENTERPRISE = "state_enterprise", "State-owned enterprise"
    MINISTRY = "ministry", "Ministry or government department"
    ARMED_FORCES = "armed_forces", "Armed forces"
    AGENCY = "agency", "Government agency"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    UNIVERSITY = "university", "University"
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organisation"
    NON_STATE_ARMED_GROUP = "non_state_armed_group", "Non-state actor"
    OTHER = "other", "Other"


class Organisation(Entity):
    """A company, ministry, agency, institute or other body."""

    ENTITY_TYPE = EntityType.ORGANISATION

    kind = models.CharField(
        max_length=30,
        choices=OrganisationKind.choices,
        default=OrganisationKind.COMPANY,
    )
    home_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    website = models.URLField(blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], no_db_index=["id", "home_country"]
    )

    index_related = ("aliases", "home_country")

    def __str__(self):
        return self.name

    @property
    def tagline(self) -> str:
        return self.get_kind_display()

    @classmethod
    def index_queryset(cls) -> models.QuerySet:
        return super().index_queryset().select_related("home_country")

    def index_facts(self) -> list[str]:
        home = self.home_country.name if self.home_country else ""
        return [self.get_kind_display(), home]


class SystemCategory(models.TextChoices):
    AIR_MISSILE_DEFENCE = "air_missile_defence", "Air and missile defence"
    AIRCRAFT = "aircraft", "Aircraft"
    UAV = "uav", "Uncrewed aerial vehicle"
    MISSILE = "missile", "Missile or guided munition"
    RADAR = "radar", "Radar and sensors"
    NAVAL_VESSEL = "naval_vessel", "Ship or submarine"
    NAVAL_WEAPON = "naval_weapon", "Naval weapon"
    ARMOURED_VEHICLE = "armoured_vehicle", "Armoured vehicle"
    ARTILLERY = "artillery", "Artillery"
    ENGINE = "engine", "Engine"
    SATELLITE = "satellite", "Satellite and space"
    ELECTRONIC_WARFARE = "electronic_warfare", "Electronic warfare"
    CYBER = "cyber", "Cyber"
    TRAINING_SERVICES = "training_services", "Training and services"
    OTHER = "other", "Other"


class System(Entity):
    """A platform or technology: a drone, an air-defence system, a radar."""

    ENTITY_TYPE = EntityType.SYSTEM

    category = models.CharField(
        max_length=30, choices=SystemCategory.choices, default=SystemCategory.OTHER
    )
    origin_country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="systems",
    )
    makers = models.ManyToManyField(Organisation, related_name="systems", blank=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], no_db_index=["id", "origin_country"]
    )

    index_related = ("aliases", "origin_country", "makers")

    def __str__(self):
        return self.name

    @property
    def tagline(self) -> str:
        return self.get_category_display()

    @classmethod
    def index_queryset(cls) -> models.QuerySet:
        return (
            super()
            .index_queryset()
            .select_related("origin_country")
            .prefetch_related("makers")
        )

    def index_facts(self) -> list[str]:
        origin = self.origin_country.name if self.origin_country else ""
        return [
            self.get_category_display(),
            origin,
            *(maker.name for maker in self.makers.all()),
        ]

    @classmethod
    def index_rows(cls, pks: list[int]) -> Iterator[tuple[int, dict]]:
        """``(pk, index_components())`` of these systems, read as plain
        values in three queries however many there are: an import creates
        thousands. The same document as ``index_components()``."""
        pks = sorted(set(pks))
        aliases = _grouped(
            Alias.objects.filter(_ids("entity_id", pks))
            .order_by("entity_id", "name")
            .values_list("entity_id", "name")
        )
        makers = _grouped(
            cls.makers.through.objects.filter(_ids("system_id", pks))
            .order_by("system_id", "organisation__name")
            .values_list("system_id", "organisation__name")
        )
        categories = dict(SystemCategory.choices)
        wanted = set(pks)
        rows = cls.objects.filter(_ids("pk", pks)).order_by("pk")
        for pk, name, summary, category, origin, created_at in rows.values_list(
            "pk", "name", "summary", "category", "origin_country__name", "created_at"
        ):
            if pk not in wanted:
                continue
            yield (
                pk,
                cls.index_document(
                    name=name,
                    summary=summary,
                    keywords=aliases.get(pk, []),
                    facts=[
                        categories.get(category, category),
                        origin or "",
                        *makers.get(pk, ()),
                    ],
                    visible_from=created_at,
                ),
            )


# --- Partnerships -------------------------------------------------------------


class PartnershipKind(models.TextChoices):
    EXPORT = "export", "Export or sale"
    TECHNOLOGY_TRANSFER = "technology_transfer", "Technology transfer"
    INDUSTRIAL_PARTNERSHIP = "industrial_partnership", "Industrial partnership"
    JOINT_DEVELOPMENT = "joint_development", "Joint development"
    EXERCISE = "exercise", "Military exercise"
    RESEARCH = "research", "Scientific and research cooperation"
    TRAINING = "training", "Training and consultancy"
    AGREEMENT = "agreement", "Defence cooperation agreement"
    TRADE = "trade", "Trade cooperation"


class PartnershipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    SIGNED = "signed", "Signed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


def status_on(
    status: str,
    kind: str,
    start: PartialDate | None,
    end: PartialDate | None,
    today: dt.date,
) -> str:
    """What a partnership's status is on ``today``, read from its dates: a
    record whose end has passed reads as completed (an exercise known only
    by its start, once that day, month or year is over), one that has not
    begun as proposed unless it is already signed; cancelled stays
    cancelled, and what the dates do not decide is the status stored. Read
    at display and in queries (``with_status``), never written by a job."""
    if status == PartnershipStatus.CANCELLED:
        return status
    if end is not None:
        if end.last_day < today:
            return PartnershipStatus.COMPLETED
    elif kind == PartnershipKind.EXERCISE and start and start.last_day < today:
        return PartnershipStatus.COMPLETED
    not_begun = start is not None and start.first_day > today
    if not_begun and status in (PartnershipStatus.ACTIVE, PartnershipStatus.COMPLETED):
        return PartnershipStatus.PROPOSED
    return status


class PartnershipQuerySet(EntityQuerySet):
    def with_status(self, today: dt.date | None = None) -> PartnershipQuerySet:
        """Annotate ``status_now``: the status on ``today`` (see
        :func:`status_on`, which this mirrors in SQL)."""
        today = today or timezone.localdate()
        this_month = today.replace(day=1)
        this_year = today.replace(month=1, day=1)
        # A start's period is over when its first day is before the first
        # day of today's period of the same precision.
        start_over = (
            Q(start_precision=DatePrecision.DAY, start_date__lt=today)
            | Q(start_precision=DatePrecision.MONTH, start_date__lt=this_month)
            | Q(start_precision=DatePrecision.YEAR, start_date__lt=this_year)
        )
        return self.annotate(
            status_now=models.Case(
                models.When(
                    status=PartnershipStatus.CANCELLED,
                    then=models.Value(PartnershipStatus.CANCELLED.value),
                ),
                models.When(
                    end_date__lt=today,
                    then=models.Value(PartnershipStatus.COMPLETED.value),
                ),
                models.When(
                    Q(end_date__isnull=True, kind=PartnershipKind.EXERCISE)
                    & start_over,
                    then=models.Value(PartnershipStatus.COMPLETED.value),
                ),
                models.When(
                    start_date__gt=today,
                    status__in=[PartnershipStatus.ACTIVE, PartnershipStatus.COMPLETED],
                    then=models.Value(PartnershipStatus.PROPOSED.value),
                ),
                default=models.F("status"),
                output_field=models.CharField(),
            )
        )

    def involving(self, actor: Entity) -> PartnershipQuerySet:
        """Partnerships in which ``actor`` (a country, organisation or bloc)
        takes part, in any role."""
        field = {
            EntityType.COUNTRY: "country",
            EntityType.ORGANISATION: "organisation",
            EntityType.BLOC: "bloc",
        }[EntityType(actor.entity_type)]
        return self.filter(
            models.Exists(
                Participant.objects.filter(
                    partnership=models.OuterRef("pk"), **{field: actor.pk}
                )
            )
        )

    def with_system(self, system: System) -> PartnershipQuerySet:
        """Partnerships that have ``system`` among their systems."""
        return self.filter(
            models.Exists(
                PartnershipSystem.objects.filter(
                    partnership=models.OuterRef("pk"), system=system
                )
            )
        )

    def for_lists(self) -> PartnershipQuerySet:
        """With what a row in a list shows: its participants, in one query
        however many rows, and the status today."""
        return self.with_status().prefetch_related(_participants_shown())

    def newest_first_collected(self) -> PartnershipQuerySet:
        """Newest first, as the model orders them, but sorted once found
        rather than read down the newest-first index (an expression it
        cannot serve): for a few partnerships that may all have begun long
        ago (a tag's), walking every partnership newest first until ten of
        them turn up read a quarter of the table."""
        return self.order_by(Coalesce("start_date", "start_date").desc(), "name", "-pk")

    def for_pages(self) -> PartnershipQuerySet:
        """With what a partnership's own page shows besides: its systems."""
        return self.for_lists().prefetch_related(_systems_shown())


def _participants_shown() -> models.Prefetch:
    return models.Prefetch(
        "participants",
        queryset=Participant.objects.select_related(
            "country", "organisation", "bloc"
        ).order_by("role", "id"),
    )


def _systems_shown() -> models.Prefetch:
    return models.Prefetch(
        "system_lines",
        queryset=PartnershipSystem.objects.select_related("system").order_by(
            "system__name"
        ),
    )


def read_page_parts(partnership: Partnership) -> None:
    """Read, for a partnership already read, what its page shows of it
    besides its own row: its participants, systems, sources and tags (one
    query each), as ``for_pages()`` and its prefetches would have."""
    models.prefetch_related_objects(
        [partnership], _participants_shown(), _systems_shown(), "sources", "tags"
    )


class Partnership(Entity):
    """A titled record of cooperation: an export deal, a technology transfer,
    a joint development, an exercise, a research programme..."""

    ENTITY_TYPE = EntityType.PARTNERSHIP

    kind = models.CharField(max_length=30, choices=PartnershipKind.choices)
    status = models.CharField(
        max_length=20,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.ACTIVE,
    )
    start_date = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.YEAR
    )
    start_is_estimate = models.BooleanField("start is an estimate", default=False)
    end_date = models.DateField(null=True, blank=True)
    end_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.YEAR
    )
    end_is_estimate = models.BooleanField("end is an estimate", default=False)
    is_featured = models.BooleanField(
        "featured", default=False, help_text="Shown on the home page."
    )
    series = models.CharField(
        max_length=200, blank=True, help_text="A recurring exercise's series: “Efes”."
    )
    location = models.CharField(max_length=500, blank=True)
    latitude = latitude_field()
    longitude = longitude_field()
    tags = models.ManyToManyField(Tag, related_name="partnerships", blank=True)
    systems = models.ManyToManyField(
        System, through="PartnershipSystem", related_name="partnerships", blank=True
    )

    objects = PartnershipQuerySet.as_manager()  # type: ignore[misc]  # a narrower manager
    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=["id"])

    index_related = (
        "aliases",
        "tags",
        "participants__country",
        "participants__organisation",
        "participants__bloc",
        "system_lines__system",
    )

    class Meta:
        # Latest first; deals of the same day by name, then as recorded.
        ordering = ["-start_date", "name", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PartnershipKind.values),
                name="partnership_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PartnershipStatus.values),
                name="partnership_status_known",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="partnership_ends_after_it_starts",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            # The lists' order (latest first, and earliest first read
            # backwards), ties as recorded: a page of 25 reads 25 rows, not
            # a sort of every partnership.
            models.Index(
                fields=["-start_date", "-entity_ptr"], name="partnership_start_desc"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.start_date:
            self.start_date = truncate_to_precision(
                self.start_date, self.start_precision
            )
        if self.end_date:
            self.end_date = extend_to_precision(self.end_date, self.end_precision)
        super().save(*args, **kwargs)

    @property
    def tagline(self) -> str:
        return self.get_kind_display()

    @classmethod
    def index_queryset(cls) -> models.QuerySet:
        # Only the names the document uses: an import indexes thousands.
        participants = models.Prefetch(
            "participants",
            queryset=Participant.objects.select_related(
                "country", "organisation", "bloc"
            ).only(
                "partnership_id",
                "role",
                "country__name",
                "organisation__name",
                "bloc__name",
            ),
        )
        lines = models.Prefetch(
            "system_lines",
            queryset=PartnershipSystem.objects.select_related("system").only(
                "partnership_id", "system__name"
            ),
        )
        return super().index_queryset().prefetch_related("tags", participants, lines)

    def index_keywords(self) -> list[str]:
        return [tag.name for tag in self.tags.all()]

    def index_facts(self) -> list[str]:
        # Not the status: today's is read from the dates, and a stored word
        # ("Active" for an exercise that ended in 2005) would be found by a
        # search and shown on its result.
        return [
            self.get_kind_display(),
            *(str(participant.actor) for participant in self.participants.all()),
            *(line.system.name for line in self.system_lines.all()),
        ]

    @classmethod
    def index_rows(cls, pks: list[int]) -> Iterator[tuple[int, dict]]:
        """``(pk, index_components())`` of these partnerships, read as plain
        values in six queries however many there are, without a model
        instance per row: an import indexes tens of thousands at once. The
        same document as ``index_components()`` (one ``index_document``)."""
        pks = sorted(set(pks))
        aliases = _grouped(
            Alias.objects.filter(_ids("entity_id", pks))
            .order_by("entity_id", "name")
            .values_list("entity_id", "name")
        )
        tags = _grouped(
            cls.tags.through.objects.filter(_ids("partnership_id", pks))
            .order_by("partnership_id", "tag__name")
            .values_list("partnership_id", "tag__name")
        )
        actors = _grouped(
            Participant.objects.filter(_ids("partnership_id", pks))
            .order_by("partnership_id", "role", "id")
            .values_list(
                "partnership_id",
                Coalesce("country_id", "organisation_id", "bloc_id"),
            )
        )
        systems = _grouped(
            PartnershipSystem.objects.filter(_ids("partnership_id", pks))
            .order_by("partnership_id", "system__name")
            .values_list("partnership_id", "system__name")
        )
        wanted = set(pks)
        named = {pk for key, ids in actors.items() if key in wanted for pk in ids}
        names = dict(Entity.objects.filter(pk__in=named).values_list("pk", "name"))
        kinds = dict(PartnershipKind.choices)
        rows = cls.objects.filter(_ids("pk", pks)).order_by("pk")
        for pk, name, summary, kind, created_at in rows.values_list(
            "pk", "name", "summary", "kind", "created_at"
        ):
            if pk not in wanted:
                continue
            yield (
                pk,
                cls.index_document(
                    name=name,
                    summary=summary,
                    keywords=[*aliases.get(pk, ()), *tags.get(pk, ())],
                    facts=[
                        kinds.get(kind, kind),
                        *(names[actor] for actor in actors.get(pk, ())),
                        *systems.get(pk, ()),
                    ],
                    visible_from=created_at,
                ),
            )

    def clean(self):
        super().clean()
        if self.start_date and self.end_date:
            start = truncate_to_precision(self.start_date, self.start_precision)
            end = extend_to_precision(self.end_date, self.end_precision)
            if end < start:
                raise ValidationError(
                    {"end_date": "The end cannot come before the start."}
                )

    @property
    def start(self) -> PartialDate | None:
        if self.start_date is None:
            return None
        return PartialDate(
            self.start_date, self.start_precision, self.start_is_estimate
        )

    @property
    def end(self) -> PartialDate | None:
        if self.end_date is None:
            return None
        return PartialDate(self.end_date, self.end_precision, self.end_is_estimate)

    @property
    def current_status(self) -> str:
        """The status today, from the dates (see :func:`status_on`)."""
        annotated = self.__dict__.get("status_now")
        if annotated is not None:
            return annotated
        return status_on(
            self.status, self.kind, self.start, self.end, timezone.localdate()
        )

    def get_current_status_display(self) -> str:
        return PartnershipStatus(self.current_status).label

    @property
    def period(self) -> str:
        """When it ran, as a list shows it: "2019–2021", "August 2005" (began
        and ended in that month), "until 2024"."""
        start, end = self.start, self.end
        if start and end:
            if str(replace(start, is_estimate=False)) == str(
                replace(end, is_estimate=False)
            ):
                # One year (or month, or day): "c. 1968", not "c. 1968–1968".
                return str(
                    replace(start, is_estimate=start.is_estimate or end.is_estimate)
                )
            return f"{start}–{end}"
        if start:
            return str(start)
        return f"until {end}" if end else ""


class ParticipantRole(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    RECIPIENT = "recipient", "Recipient"
    PARTNER = "partner", "Partner"
    DEVELOPER = "developer", "Developer"
    HOST = "host", "Host"
    PARTICIPANT = "participant", "Participant"


EXACTLY_ONE_ACTOR = (
    "Choose exactly one participant: a country, an organisation or a bloc."
)


def already_in_role(actor_field: str) -> str:
    """What a form says of a participant twice in one role (the constraint
    ``participant_<field>_once_per_role``, and the admin's formset within
    one save)."""
    return (
        f"This {actor_field} is already a participant of this partnership in this role."
    )


class Participant(models.Model):
    """A country, organisation or bloc taking part in a partnership, in a role."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="participants"
    )
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        db_index=False,  # led by Meta.indexes' (country, partnership)
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    bloc = models.ForeignKey(
        Bloc,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords(no_db_index=["country", "organisation", "bloc"])

    ACTOR_FIELDS = ("country", "organisation", "bloc")

    class Meta:
        ordering = ["partnership", "role", "id"]
        indexes = [
            # A country's partnerships counted from the index alone (the
            # countries' index sorts by it), and its rows found as by a
            # foreign key's own index.
            models.Index(
                fields=["country", "partnership"],
                name="participant_country_deals",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        country__isnull=False,
                        organisation__isnull=True,
                        bloc__isnull=True,
                    )
                    | Q(
                        country__isnull=True,
                        organisation__isnull=False,
                        bloc__isnull=True,
                    )
                    | Q(
                        country__isnull=True,
                        organisation__isnull=True,
                        bloc__isnull=False,
                    )
                ),
                name="participant_is_exactly_one_actor",
                violation_error_message=EXACTLY_ONE_ACTOR,
            ),
            models.CheckConstraint(
                condition=Q(role__in=ParticipantRole.values),
                name="participant_role_known",
            ),
            *(
                models.UniqueConstraint(
                    fields=["partnership", "role", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"participant_{field}_once_per_role",
                    violation_error_message=already_in_role(field),
                )
                for field in ("country", "organisation", "bloc")
            ),
        ]

    def __str__(self):
        return f"{self.actor} ({self.get_role_display().lower()})"

    def clean(self):
        super().clean()
        # "Exactly one" is the constraint's check (its message: EXACTLY_ONE_ACTOR).

    @property
    def actor(self) -> Entity | None:
        for field in self.ACTOR_FIELDS:
            if getattr(self, f"{field}_id"):
                return getattr(self, field)
        return None


class SystemCondition(models.TextChoices):
    NEW = "new", "New"
    SECOND_HAND = "second_hand", "Second hand"
    SECOND_HAND_MODERNISED = "second_hand_modernised", "Second hand, modernised"


class PartnershipSystem(models.Model):
    """A system involved in a partnership, with quantities where known, and
    what arms-transfer data records of it: condition, delivery years and
    SIPRI trend-indicator values (TIV, millions)."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="system_lines",
        db_index=False,  # led by the (partnership, system) constraint
    )
    system = models.ForeignKey(
        System,
        on_delete=models.PROTECT,
        related_name="partnership_lines",
        db_index=False,  # led by Meta.indexes' (system, partnership)
    )
    quantity_ordered = models.PositiveIntegerField(null=True, blank=True)
    quantity_ordered_is_estimate = models.BooleanField(
        "ordered is an estimate", default=False
    )
    quantity_delivered = models.PositiveIntegerField(null=True, blank=True)
    quantity_delivered_is_estimate = models.BooleanField(
        "delivered is an estimate", default=False
    )
    condition = models.CharField(
        max_length=30, choices=SystemCondition.choices, blank=True
    )
    delivery_years = models.JSONField(
        default=list, blank=True, help_text="[2015, 2016]"
    )
    delivery_years_are_estimates = models.BooleanField(default=False)
    local_production = models.BooleanField(default=False)
    tiv_per_unit = models.DecimalField(
        "TIV per unit", max_digits=14, decimal_places=3, null=True, blank=True
    )
    tiv_order = models.DecimalField(
        "TIV of the order", max_digits=14, decimal_places=3, null=True, blank=True
    )
    tiv_delivered = models.DecimalField(
        "TIV delivered", max_digits=14, decimal_places=3, null=True, blank=True
    )
    note = models.CharField(max_length=255, blank=True)

    history = HistoricalRecords(no_db_index=["system"])

    class Meta:
        ordering = ["partnership", "system__name"]
        verbose_name = "system involved"
        verbose_name_plural = "systems involved"
        indexes = [
            # As Participant's (country, partnership): a system's
            # partnerships counted from the index alone.
            models.Index(
                fields=["system", "partnership"], name="partnership_system_deals"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "system"],
                name="partnership_system_once",
                violation_error_message="This system is already in this partnership.",
            ),
        ]

    def __str__(self):
        return f"{self.system} in {self.partnership}"

    @property
    def delivery_years_display(self) -> str:
        """The delivery years as a reader reads them: "2015–2017, 2019", with
        "c." where they are estimates."""
        years = sorted({int(year) for year in self.delivery_years or []})
        runs: list[list[int]] = []
        for year in years:
            if runs and year == runs[-1][-1] + 1:
                runs[-1].append(year)
            else:
                runs.append([year])
        text = ", ".join(
            str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs
        )
        return f"c. {text}" if text and self.delivery_years_are_estimates else text

    @property
    def has_transfer_data(self) -> bool:
        """Whether arms-transfer data (condition, deliveries, TIVs) is held."""
        return bool(
            self.condition
            or self.delivery_years
            or self.local_production
            or self.tiv_per_unit is not None
            or self.tiv_order is not None
            or self.tiv_delivered is not None
        )


class Source(models.Model):
    """Where a partnership's facts come from."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="sources"
    )
    title = models.CharField(max_length=500)
    url = models.URLField("URL", max_length=1000, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    published_on = models.DateField(null=True, blank=True)
    accessed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "id"]

    def __str__(self):
        return self.title


class CountryLinkQuerySet(models.QuerySet):
    def partners_of(self, country: Country) -> models.QuerySet:
        """The countries that take part in partnerships with ``country``, as
        dicts of name, slug and total (the partnerships they share), most
        shared first: from the pair rows, whichever side ``country`` is on."""
        on_a = Q(country_a=country)

        def partners(field: str) -> models.Case:
            return models.Case(
                models.When(on_a, then=models.F(f"country_b__{field}")),
                default=models.F(f"country_a__{field}"),
            )

        return (
            self.filter(on_a | Q(country_b=country))
            .exclude(country_a=models.F("country_b"))  # its own row, not a pair
            .values(name=partners("name"), slug=partners("slug"))
            .annotate(total=models.Sum("partnerships"))
            .order_by("-total", "name")
        )


class CountryLink(models.Model):
    """The network of countries, pre-aggregated: how many partnerships of a
    kind, begun in a year, two countries take part in together.

    Three sorts of row, all per kind and year (``year`` empty when the
    start is unknown): a pair of countries (``country_a`` < ``country_b``),
    the partnerships they share; a country twice, the partnerships in which
    it has at least one other country beside it; no country at all, the
    partnerships between two countries or more. Kept current by
    ``links.py`` (record saves and imports); ``manage.py
    rebuild_country_links`` makes it again from the records.
    """

    # Each side is found by an index of Meta's: (country_a, country_b) and
    # (country_b); the keys' own indexes would be copies of them.
    country_a = models.ForeignKey(
        Country, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    country_b = models.ForeignKey(
        Country, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=30, choices=PartnershipKind.choices)
    year = models.PositiveSmallIntegerField(null=True)
    partnerships = models.PositiveIntegerField()

    objects = CountryLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(country_a__isnull=True, country_b__isnull=True)
                | Q(country_a__lte=models.F("country_b")),
                name="country_link_pair_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["country_a", "country_b"]),
            models.Index(fields=["country_b"]),
            models.Index(fields=["kind", "year"]),
        ]

    def __str__(self):
        return (
            f"{self.country_a_id}–{self.country_b_id} {self.kind} {self.year}: "
            f"{self.partnerships}"
        )
