"""Articles: long-form essays, written in Markdown and published on a schedule."""

from __future__ import annotations

import math
import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from core.models import TimeStampedModel
from core.names import unique_slug
from images.models import Image
from partnerships.models import Entity, Tag

from .markdown import (
    body_pictures,
    markdown_segments,
    render_markdown,
    repeats_opening,
)

# ``Article.modified_at`` in a query (for a published article).
MODIFIED_AT = Greatest("updated_at", Coalesce("published_at", "updated_at"))

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def new_render_token() -> str:
    return secrets.token_hex(8)


def count_words(markdown: str) -> int:
    return sum(len(_WORD.findall(segment)) for segment in markdown_segments(markdown))


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# Newest first; articles published at the same moment (an import, a
# schedule) in the order they were written, the last written first, so that
# pages never repeat or skip one. The order of every list and feed of them.
NEWEST_FIRST = ("-published_at", "-created_at", "-pk")


class ArticleQuerySet(models.QuerySet):
    def newest_first(self) -> ArticleQuerySet:
        """In the order readers see articles everywhere (``NEWEST_FIRST``)."""
        return self.order_by(*NEWEST_FIRST)

    def showing(self, image) -> ArticleQuerySet:
        """The articles that show a library picture: as lead or social
        picture, or in the body."""
        return self.filter(
            models.Q(lead_image=image)
            | models.Q(social_image=image)
            | models.Q(body_images=image)
        ).distinct()

    def published(self) -> ArticleQuerySet:
        """Articles a reader may see: published, and whose time has come.

        The only way public code reads articles: pages, lists, search, feeds,
        sitemaps, entity pages and counts all start here.
        """
        return self.filter(
            status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now()
        )

    def for_cards(self) -> ArticleQuerySet:
        """With what an article's card shows: its lead picture and authors."""
        return self.select_related("lead_image").prefetch_related("authors")

    def linking(self, entity: Entity) -> ArticleQuerySet:
        """Articles whose editors confirmed a link to ``entity``."""
        return self.filter(
            entity_links__entity=entity, entity_links__state=LinkState.ACCEPTED
        )

    def formerly_at(self, old_slug: str) -> ArticleQuerySet:
        """Articles whose address used to end in ``old_slug``."""
        return self.filter(old_slugs__old_slug=old_slug)

    def forget_rendering(self) -> int:
        """These articles' bodies are made anew on their next read (what
        they are made from changed); no signal, no new version of the data:
        the write that changed it gave one."""
        return self.update(body_rendered_by="", body_render_token=new_render_token())

    def withdrawn(self) -> ArticleQuerySet:
        """Archived articles that were public: gone from the site on
        purpose (their address answers 410)."""
        return self.filter(status=ArticleStatus.ARCHIVED).exclude(published_at=None)

    def scheduled(self) -> ArticleQuerySet:
        return self.filter(
            status=ArticleStatus.PUBLISHED, published_at__gt=timezone.now()
        )

    def in_state(self, state: str) -> ArticleQuerySet:
        """Articles where the workflow says they stand (``workflow.State``):
        a status, with "published" only those readers see and "scheduled"
        those whose time has not come."""
        return self.filter(state_condition(state))


def state_condition(state: str) -> models.Q:
    """The condition for articles in a workflow state (``workflow.State``'s
    values); ValueError for anything else."""
    if state == "scheduled":
        return models.Q(status=ArticleStatus.PUBLISHED, published_at__gt=timezone.now())
    if state == ArticleStatus.PUBLISHED:
        return models.Q(
            status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now()
        )
    if state in ArticleStatus.values:
        return models.Q(status=state)
    raise ValueError(f"no such state: {state!r}")


class Article(TimeStampedModel):
    title = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text="The last part of the article's address.",
    )
    standfirst = models.TextField(
        blank=True,
        help_text="One or two sentences under the title, also used on cards and "
        "in search results.",
    )
    body = models.TextField(
        help_text="Markdown (CommonMark). To show a picture from the library, "
        'write <code>![alt text](image:42 "caption")</code> on a line of its '
        "own, where 42 is the picture's number in the library; alt text and "
        "caption may be left empty to use the library's. Pictures from other "
        "sites are not shown: upload them to the library. A note (a source): "
        "<code>[^1]</code> where it applies, and <code>[^1]: The note.</code> on "
        "a line of its own; notes are numbered and listed at the end."
    )
    lead_image = models.ForeignKey(
        Image,
        verbose_name="lead picture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of",
        help_text="Shown at the top of the article and on its cards; also the "
        "social picture unless one is chosen below.",
    )
    meta_description = models.CharField(
        "search and social description",
        max_length=300,
        blank=True,
        help_text="What search engines and social cards show under the title. "
        "Left empty, the standfirst is used.",
    )
    social_image = models.ForeignKey(
        Image,
        verbose_name="social picture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="social_of",
        help_text="The picture in link previews (Open Graph, Twitter). Left "
        "empty, the lead picture is used.",
    )
    body_images = models.ManyToManyField(
        Image,
        through="ArticleBodyImage",
        related_name="shown_in",
        blank=True,
        editable=False,
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="articles", blank=True
    )
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    status = models.CharField(
        max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article goes public. A future time schedules it.",
    )
    edit_version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up with every save: a form saved from an older version "
        "is refused rather than overwriting what happened meanwhile.",
    )
    # The body as readers see it, kept beside its Markdown and made again on
    # the next read after anything it is made from changes (rendering.py).
    body_rendered = models.TextField(default="", editable=False)
    body_words = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="The body's words, counted on every save; 0: not counted.",
    )
    page_parts = models.JSONField(
        default=dict,
        editable=False,
        help_text="Kept with body_rendered: the byline, the topics and the "
        "linked records the page shows.",
    )
    body_rendered_by = models.CharField(
        max_length=32,
        default="",
        editable=False,
        help_text="What made body_rendered (rendering.render_key); empty: "
        "to be made on the next read.",
    )
    body_render_token = models.CharField(
        max_length=32,
        default="",
        editable=False,
        help_text="New with every change body_rendered depends on: a reading "
        "keeps what it made only if the token is still the one it read.",
    )

    objects = ArticleQuerySet.as_manager()

    # Search indexes what ``index_components`` returns; it also changes when
    # these related rows do (see ``search/signals.py``).
    index_related = ("tags",)

    class Meta:
        ordering = list(NEWEST_FIRST)
        permissions = [
            (
                "publish_article",
                "Can publish, schedule, unpublish and archive articles",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ArticleStatus.PUBLISHED)
                | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values),
                name="article_status_known",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == ArticleStatus.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if not self.slug:
            self.slug = unique_slug(Article.objects.all(), self.title)
        old_slug = getattr(self, "_loaded_slug", None)
        adding = self._state.adding
        # The body may have changed: readers get it made anew, and its words
        # are counted now (a list of articles shows each one's reading time
        # without reading its Markdown).
        self.body_rendered_by, self.body_render_token = "", new_render_token()
        self.body_words = count_words(self.body)
        if not self._state.adding:
            # Every save is a new version: a form opened on an older one is
            # refused (see services.check_not_stale).
            self.edit_version = (self.edit_version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "edit_version",
                    "body_rendered_by",
                    "body_render_token",
                    "body_words",
                }
        super().save(*args, **kwargs)
        if old_slug and old_slug != self.slug:
            # The old address keeps working, with a permanent redirect.
            ArticleSlugRedirect.objects.filter(old_slug=self.slug).delete()
            ArticleSlugRedirect.objects.update_or_create(
                old_slug=old_slug, defaults={"article": self}
            )
        self._loaded_slug = self.slug
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.sync_body_images(new=adding)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    @cached_property
    def body_html(self) -> SafeString:
        return render_markdown(self.body)

    @classmethod
    def index_queryset(cls) -> ArticleQuerySet:
        """Articles with what ``index_components`` reads, in two queries."""
        return cls.objects.prefetch_related("tags")

    def index_components(self) -> dict:
        """What full-text search indexes of the article: the title (weighed
        most), its topics, then the standfirst and the text. Every article is
        indexed, whatever its status: readers find it from its
        ``public_from`` on, the rule ``published()`` applies."""
        return {
            "title": self.title,
            "keywords": [tag.name for tag in self.tags.all()],
            "body": [self.standfirst, *markdown_segments(self.body)],
            "visible_from": self.public_from,
        }

    def sync_body_images(self, *, new: bool = False) -> None:
        """Keep the usage index of the library pictures the body names
        (``new``: the article was just created, and has no index yet):
        each number, with its picture where it is in the library."""
        wanted = body_pictures(self.body).ids
        if not wanted:  # most bodies: no picture to look up
            if not new:
                ArticleBodyImage.objects.filter(article=self).delete()
            return
        known = set(Image.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        uses = ArticleBodyImage.objects.filter(article=self)
        # A use goes where the body no longer names its number, or where its
        # picture is gone or has come since (it is made again just below).
        uses.exclude(
            models.Q(number__in=known, image__isnull=False)
            | models.Q(number__in=set(wanted) - known, image__isnull=True)
        ).delete()
        have = set(uses.values_list("number", flat=True))
        ArticleBodyImage.objects.bulk_create(
            ArticleBodyImage(
                article=self,
                number=number,
                image_id=number if number in known else None,
            )
            for number in wanted
            if number not in have
        )

    @cached_property
    def standfirst_shown(self) -> str:
        """The standfirst as the page shows it above the body: not where
        the body opens with it (an imported essay's, taken from there)."""
        if repeats_opening(self.standfirst, self.body):
            return ""
        return self.standfirst

    @property
    def description(self) -> str:
        """For search engines and social cards."""
        return self.meta_description or self.standfirst

    @property
    def share_image(self) -> Image | None:
        """The picture of the article's link previews."""
        return self.social_image or self.lead_image

    def text_segments(self) -> list[str]:
        """The article's prose, block by block: title, standfirst, body."""
        return [self.title, self.standfirst, *markdown_segments(self.body)]

    @property
    def word_count(self) -> int:
        """Words of prose: link addresses and picture references are not read.
        Counted on every save (``body_words``), whatever then makes the body
        anew for readers; an article written otherwise (in bulk, restored
        from a backup, not saved yet) has none counted, and is counted when
        read."""
        if self.body_words or not self.body:
            return self.body_words
        return count_words(self.body)

    @property
    def reading_time(self) -> int:
        """Minutes to read, at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def public_from(self):
        """From when readers may see the article (``published()`` holds it
        once this time has come): its publication time while it is
        published; None while it is not."""
        if self.status == ArticleStatus.PUBLISHED:
            return self.published_at
        return None

    @property
    def is_public(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def modified_at(self):
        """When readers last saw it change: its last save, or its going
        public if that came later (a scheduled article is saved before its
        time: "modified" must not read earlier than "published")."""
        if self.published_at is not None and self.published_at > self.updated_at:
            return self.published_at
        return self.updated_at

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )


# --- Links between articles and the entities they mention ----------------------


class LinkRole(models.TextChoices):
    ABOUT = "about", "About"
    MENTIONS = "mentions", "Mentions"


class LinkSource(models.TextChoices):
    DETECTED = "detected", "Found in the text"
    MANUAL = "manual", "Added by an editor"


class LinkState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ArticleEntityLinkQuerySet(models.QuerySet):
    def accepted(self) -> ArticleEntityLinkQuerySet:
        return self.filter(state=LinkState.ACCEPTED)

    def suggested(self) -> ArticleEntityLinkQuerySet:
        return self.filter(state=LinkState.SUGGESTED)


class ArticleEntityLink(TimeStampedModel):
    """An article's link to an entity it mentions or is about.

    The detector proposes links (``suggested``); an editor accepts or rejects
    them, or adds links by hand. Decisions survive every later scan, and a
    rejected entity is never proposed again for the article.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="entity_links"
    )
    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="article_links"
    )
    role = models.CharField(
        max_length=10, choices=LinkRole.choices, default=LinkRole.MENTIONS
    )
    source = models.CharField(
        max_length=10, choices=LinkSource.choices, default=LinkSource.DETECTED
    )
    state = models.CharField(
        max_length=10, choices=LinkState.choices, default=LinkState.SUGGESTED
    )
    mention_count = models.PositiveIntegerField(
        "mentions", default=0, help_text="How often the text names the entity."
    )
    snippet = models.TextField(
        blank=True, help_text="The text around the first mention."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ArticleEntityLinkQuerySet.as_manager()

    class Meta:
        ordering = ["article", "-mention_count", "entity__name"]
        verbose_name = "link to an entity"
        verbose_name_plural = "links to entities"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "entity"], name="article_entity_link_once"
            ),
            models.CheckConstraint(
                condition=Q(role__in=LinkRole.values), name="article_link_role_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=LinkSource.values),
                name="article_link_source_known",
            ),
            models.CheckConstraint(
                condition=Q(state__in=LinkState.values),
                name="article_link_state_known",
            ),
        ]
        indexes = [models.Index(fields=["entity", "state"])]

    def __str__(self):
        return f"{self.article} → {self.entity} ({self.get_state_display().lower()})"


# --- Revisions, audit and old addresses ------------------------------------------


class RevisionAction(models.TextChoices):
    CREATED = "created", "Created"
    SAVED = "saved", "Saved"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned to draft"
    PUBLISHED = "published", "Published"
    SCHEDULED = "scheduled", "Scheduled"
    UNPUBLISHED = "unpublished", "Unpublished"
    ARCHIVED = "archived", "Archived"
    REVERTED = "reverted", "Reverted"
    IMPORTED = "imported", "Imported"


class ArticleRevision(models.Model):
    """The article as it was after one save: its text, topics, authors and
    links, who saved it, when, and why (an edit, a submission, publication...).

    Revisions are never changed or deleted; a revert is a new revision.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=RevisionAction.choices)
    note = models.CharField(max_length=255, blank=True)
    summary = models.CharField(
        max_length=500,
        blank=True,
        help_text="What changed since the revision before, in one line.",
    )
    autosaves = models.PositiveIntegerField(
        default=0,
        help_text="Working copies autosaved on the way to this revision.",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    edit_version = models.PositiveIntegerField()
    # The content
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=200)
    standfirst = models.TextField(blank=True)
    body = models.TextField()
    meta_description = models.CharField(max_length=300, blank=True)
    lead_image = models.JSONField(null=True, blank=True, help_text="[id, title]")
    social_image = models.JSONField(null=True, blank=True, help_text="[id, title]")
    status = models.CharField(max_length=20, choices=ArticleStatus.choices)
    published_at = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, help_text="[[id, name], ...]")
    authors = models.JSONField(default=list, help_text="[[id, name], ...]")
    links = models.JSONField(
        default=list,
        help_text="[{entity, name, type, role, source, state, mentions, snippet}]",
    )

    class Meta:
        ordering = ["article", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_revision_number_once"
            ),
        ]
        indexes = [models.Index(fields=["article", "edit_version"])]

    def __str__(self):
        return f"{self.article_id} r{self.number} ({self.get_action_display()})"


class ArticleWorkingCopy(models.Model):
    """What an editor has typed in an article's form and not yet saved,
    autosaved every 30 seconds. Readers never see it, and the article does
    not change: the editor restores it into the form and saves, and the
    save's revision counts the autosaves that led to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="working_copies",
        help_text="Empty for an article not saved yet.",
    )
    base_version = models.PositiveIntegerField(null=True, blank=True)
    fields = models.JSONField(default=dict, help_text="Form field → value.")
    autosaves = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "autosaved working copy"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=Q(article__isnull=False),
                name="working_copy_once_per_article",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(article__isnull=True),
                name="working_copy_once_per_new_article",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.article or 'a new article'}"


class ArticleBodyImage(models.Model):
    """A library picture number an article's body shows (``image:N``): the
    usage index (kept by ``Article.save()``). A picture in use cannot be
    deleted. A number named before its picture is uploaded (an article may
    name ``image:6`` before picture 6 exists) is kept with no picture yet,
    and finds it when it is uploaded: the upload reads these rows by
    number, never the bodies."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="body_image_uses"
    )
    number = models.PositiveBigIntegerField(
        db_index=True, help_text="The picture's number as the body names it."
    )
    image = models.ForeignKey(
        Image, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "picture in the body"
        verbose_name_plural = "pictures in the body"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="article_body_picture_once"
            ),
            models.CheckConstraint(
                condition=models.Q(image__isnull=True)
                | models.Q(image=models.F("number")),
                name="article_body_picture_is_its_number",
            ),
        ]

    def __str__(self):
        return f"{self.article_id} shows picture {self.number}"

    @staticmethod
    def pictures_uploaded(pks: list[int]) -> None:
        """The bodies that named these pictures' numbers before they were
        uploaded show them from now on, and they are protected as any
        picture in use."""
        ArticleBodyImage.objects.filter(number__in=pks, image=None).update(
            image_id=models.F("number")
        )


class ArticleSlugRedirect(models.Model):
    """An address an article used to have: it answers with a permanent
    redirect to the article's address now."""

    old_slug = models.SlugField(max_length=200, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="old_slugs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"
