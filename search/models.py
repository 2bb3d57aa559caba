"""The full-text search index: one entry per article and per entity.

The entry holds the text to search (title, keywords, body). The database
keeps its own full-text structure in step with these rows: an FTS5 table
fed by triggers on SQLite, a stored ``tsvector`` column with a GIN index on
PostgreSQL (see the migrations). Every article is indexed, whatever its
status. What a reader may find is the entry's own ``visible_from``, which
the indexer copies from ``Article.public_from`` (the rule of
``Article.objects.published()``) on every save: a scheduled article
appears by itself when its time comes, and a search never reads the
articles table to know it. The page shows the articles it found through
``Article.objects.published()`` all the same.
"""

from django.db import models
from django.db.models import Q

from articles.models import Article
from partnerships.models import Entity


class SearchEntry(models.Model):
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, null=True, related_name="search_entry"
    )
    entity = models.OneToOneField(
        Entity, on_delete=models.CASCADE, null=True, related_name="search_entry"
    )
    kind = models.CharField(max_length=20, db_index=True)
    title = models.CharField(max_length=500)
    title_key = models.CharField(
        max_length=500,
        db_index=True,
        help_text="The title normalised: a query equal to it ranks first.",
    )
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    visible_from = models.DateTimeField(
        null=True,
        help_text="From when readers may find the entry: a published article's "
        "publication time, a record's creation; empty for an article that is "
        "not published. Kept by the indexer with the rest of the entry.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "search entries"
        indexes = [
            # A query's candidates are the newest entries it matches, at
            # most CANDIDATES (backends.py): for a common word, reading the
            # entries newest first and stopping there beats finding every
            # match (most of the index) to sort them.
            models.Index(
                fields=["-visible_from", "-id"], name="search_entry_newest_first"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, entity__isnull=True)
                | Q(article__isnull=True, entity__isnull=False),
                name="search_entry_is_article_or_entity",
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.title}"
