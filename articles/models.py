"""Articles: long-form essays, written in Markdown and published on a schedule."""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from partnerships.models import Tag, unique_slug

from .markdown import render_markdown

WORDS_PER_MINUTE = 230
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Articles a reader may see: published, and whose time has come.

        The only way public code reads articles: pages, lists, search, feeds,
        sitemaps, entity pages and counts all start here.
        """
        return self.filter(
            status=ArticleStatus.PUBLISHED, published_at__lte=timezone.now()
        )

    def scheduled(self) -> ArticleQuerySet:
        return self.filter(
            status=ArticleStatus.PUBLISHED, published_at__gt=timezone.now()
        )


class Article(models.Model):
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
    body = models.TextField(help_text="Markdown (CommonMark).")
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
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
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @cached_property
    def body_html(self) -> SafeString:
        return render_markdown(self.body)

    @property
    def word_count(self) -> int:
        return len(_WORD.findall(self.body))

    @property
    def reading_time(self) -> int:
        """Minutes to read, at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    @property
    def is_public(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )
