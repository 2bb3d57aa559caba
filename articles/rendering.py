"""An article as readers see it, kept beside what it is made from.

Making an article's body (Markdown to sanitised HTML, the library pictures
it shows, the first mention of each linked record linked to the record's
page) takes far longer than the rest of its page, and reading its byline,
topics and linked records takes three more queries, so all of it is made
once and kept on the article's row (``body_rendered`` with ``body_words``,
and ``page_parts``), as a blog engine keeps a post's HTML beside its
source: the page then reads one row. It is made again on the first read
after any change to what it is made from:

* the article (``Article.save()``: its body), its authors and topics (who
  and which they are);
* its links to records (a link saved, decided or deleted; links accepted in
  bulk);
* the records it links (a record saved: its name, its address), their
  aliases (the words that are linked), records written in bulk (imports);
* the names of its authors and of its topics and their addresses;
* the library pictures its body names (a picture saved, or added with a
  number the body already names);
* the code and the settings that shape it (``render_key``: a deploy, the
  media address or storage, the script prefix).

Each of those writes gives the articles it touches a new
``body_render_token``, in its own transaction; a read that makes the parts
keeps them only if the token is still the one it read before it read what
it made them from, so a write in between is never covered by older parts.
Rows loaded raw (``loaddata``: a site restore, whose articles come without
their kept parts, see ``backups/serializer.py``) touch nothing, as with the
mention detector's receivers.

It is not a cache: nothing expires, and the page cache being off does not
turn it off; it is the article's data, derived and kept in step on write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe

from core.addresses import address_with_slug
from core.free_text import among
from core.signals import bulk_saved
from images.models import Image
from partnerships.models import Alias, Entity, EntityType, Tag, entity_url

from .linking import link_first_mentions
from .markdown import render_markdown
from .models import Article, ArticleBodyImage, ArticleEntityLink, LinkState, count_words

# Records announced in bulk (an import) are looked up this many at a time.
CHUNK = 500


def render_key() -> str:
    """What a kept body was made by: the code, and the settings that shape
    the addresses in it. A body made by another is made again."""
    from freshness.versions import code_version

    default_storage = settings.STORAGES.get("default", {})
    return _render_key(
        code_version()[0],
        get_script_prefix(),
        str(get_urlconf() or settings.ROOT_URLCONF),
        settings.MEDIA_URL,
        repr(sorted(default_storage.items())),
    )


@cache
def _render_key(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def keeps_bodies() -> bool:
    """Signed picture addresses expire: a body showing them is made for
    each reader."""
    options = settings.STORAGES.get("default", {}).get("OPTIONS", {})
    return not options.get("querystring_auth", False)


def is_current(article: Article) -> bool:
    return keeps_bodies() and article.body_rendered_by == render_key()


class Byline(NamedTuple):
    byline_name: str


class Topic(NamedTuple):
    name: str
    url: str


class LinkedEntity(NamedTuple):
    """A record an article links, as its page shows it."""

    pk: int
    entity_type: str
    name: str
    url: str

    def get_absolute_url(self) -> str:
        return self.url


@dataclass
class ArticleParts:
    """What an article's page shows besides the article's own fields."""

    body: SafeString
    words: int
    authors: list[Byline]
    tags: list[Topic]
    entities: list[LinkedEntity]  # by name


def page_parts(article: Article) -> ArticleParts:
    """``article``'s body, byline, topics and linked records as readers see
    them: the ones kept, or made now (and kept). Its ``body_words`` are
    brought up to date with them."""
    if is_current(article):
        kept = article.page_parts
        return _parts(article.body_rendered, article.body_words, kept)
    token = article.body_render_token
    entities = list(
        Entity.objects.filter(
            article_links__article=article,
            article_links__state=LinkState.ACCEPTED,
        )
        .prefetch_related("aliases")
        .order_by("name")
    )
    html = link_first_mentions(render_markdown(article.body), entities)
    words = count_words(article.body)
    parts = {
        "authors": [author.byline_name for author in article.authors.all()],
        "tags": [[tag.name, tag.slug] for tag in article.tags.all()],
        "entities": [[e.pk, e.entity_type, e.name, e.slug] for e in entities],
    }
    article.body_rendered, article.body_words = str(html), words
    article.page_parts = parts
    if keeps_bodies():
        key = render_key()
        kept = Article.objects.filter(pk=article.pk, body_render_token=token).update(
            body_rendered=html, body_words=words, page_parts=parts, body_rendered_by=key
        )
        if kept:
            article.body_rendered_by = key
    return _parts(html, words, parts)


def _parts(html: str, words: int, parts: dict) -> ArticleParts:
    return ArticleParts(
        body=mark_safe(html),  # noqa: S308 - made by page_parts() from sanitised HTML
        words=words,
        authors=[Byline(name) for name in parts["authors"]],
        tags=[
            Topic(name, address_with_slug("partnerships:tag_detail", slug))
            for name, slug in parts["tags"]
        ],
        entities=[
            LinkedEntity(pk, kind, name, entity_url(kind, slug))
            for pk, kind, name, slug in parts["entities"]
        ],
    )


def rendered_body(article: Article) -> SafeString:
    """``article``'s body as readers see it (``page_parts``)."""
    return page_parts(article).body


# --- Keeping it in step: every write it depends on -------------------------------


def _articles_linking(entity_ids: Iterable[int]) -> None:
    entity_ids = list(entity_ids)
    if not entity_ids:
        return
    # One statement however many (an import announces tens of thousands):
    # the ids go as one value (core.free_text.among).
    links = ArticleEntityLink.objects.filter(among("entity_id", entity_ids))
    Article.objects.filter(pk__in=links.values("article_id")).forget_rendering()


def link_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return  # a restore: its articles come without their kept parts
    Article.objects.filter(pk=instance.article_id).forget_rendering()


def links_written_in_bulk(sender, pks, **kwargs):
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        Article.objects.filter(
            entity_links__pk__in=pks[start : start + CHUNK]
        ).forget_rendering()


def entity_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or created:
        return  # a new record: no article links to it yet
    _articles_linking([instance.pk])


def entities_written_in_bulk(sender, pks, **kwargs):
    _articles_linking(pks)


def alias_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _articles_linking([instance.entity_id])


def aliases_written_in_bulk(sender, pks, **kwargs):
    _articles_linking(
        Alias.objects.filter(pk__in=list(pks))
        .values_list("entity_id", flat=True)
        .distinct()
    )


def byline_or_topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """An article's authors or topics were added, removed or cleared (from
    either side)."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if not reverse:
        Article.objects.filter(pk=instance.pk).forget_rendering()
    elif action == "pre_clear":  # which articles, while they are still there
        field = "authors" if sender is Article.authors.through else "tags"
        Article.objects.filter(**{field: instance}).forget_rendering()
    else:
        Article.objects.filter(pk__in=pk_set).forget_rendering()


def author_changed(sender, instance, update_fields=None, raw=False, **kwargs):
    """An author renamed, or about to be deleted (their rows in the byline go
    with them, and Django announces none of it)."""
    if raw:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes no name
    Article.objects.filter(authors=instance).forget_rendering()


def topic_changed(sender, instance, raw=False, **kwargs):
    """A topic renamed or moved, or about to be deleted."""
    if raw:
        return
    Article.objects.filter(tags=instance).forget_rendering()


# Pictures a statement: SQLite takes at most 32,766 parameters in one.
PICTURES_AT_ONCE = 10_000


def _articles_naming_pictures(pks: Iterable[int], *, uploaded: bool = False) -> None:
    # The bodies that name these pictures' numbers, shown or not yet (a
    # picture may be named before it is uploaded), found by the usage index,
    # not by reading the bodies; pictures just uploaded are theirs from now on.
    pks = list(pks)
    for start in range(0, len(pks), PICTURES_AT_ONCE):
        chunk = pks[start : start + PICTURES_AT_ONCE]
        if uploaded:
            ArticleBodyImage.pictures_uploaded(chunk)
        Article.objects.filter(body_image_uses__number__in=chunk).forget_rendering()


def picture_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    _articles_naming_pictures([instance.pk], uploaded=created)


def pictures_written_in_bulk(sender, pks, **kwargs):
    _articles_naming_pictures(pks, uploaded=True)


def connect() -> None:
    """Connect the receivers, each to its own sender (from ``ready()``)."""
    uid = "article-bodies"
    for signal in (post_save, post_delete):
        signal.connect(link_changed, sender=ArticleEntityLink, dispatch_uid=uid)
        signal.connect(alias_changed, sender=Alias, dispatch_uid=uid)
        signal.connect(picture_changed, sender=Image, dispatch_uid=uid)
    bulk_saved.connect(
        links_written_in_bulk, sender=ArticleEntityLink, dispatch_uid=uid
    )
    bulk_saved.connect(aliases_written_in_bulk, sender=Alias, dispatch_uid=uid)
    bulk_saved.connect(pictures_written_in_bulk, sender=Image, dispatch_uid=uid)
    for through in (Article.authors.through, Article.tags.through):
        m2m_changed.connect(byline_or_topics_changed, sender=through, dispatch_uid=uid)
    for signal in (post_save, pre_delete):
        signal.connect(author_changed, sender=get_user_model(), dispatch_uid=uid)
        signal.connect(topic_changed, sender=Tag, dispatch_uid=uid)
    named: list[type[Model]] = [Entity, *(kind.model for kind in EntityType)]
    for model in named:
        post_save.connect(entity_saved, sender=model, dispatch_uid=uid)
        bulk_saved.connect(entities_written_in_bulk, sender=model, dispatch_uid=uid)
