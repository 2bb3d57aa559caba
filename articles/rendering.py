"""An article's body as readers see it, kept beside its Markdown.

Making it (Markdown to sanitised HTML, the library pictures it shows, the
first mention of each linked record linked to the record's page) takes far
longer than the rest of the article page, so it is made once and kept on
the article's row (``body_rendered``, with ``body_words``), as a blog engine
keeps the HTML of a post beside its source. It is made again on the first
read after any change to what it is made from:

* the article (``Article.save()``: its body);
* its links to records (a link saved, decided or deleted; links accepted in
  bulk);
* the records it links (a record saved: its name, its address), their
  aliases (the words that are linked), records written in bulk (imports);
* the library pictures its body names (a picture saved, or added with a
  number the body already names);
* the code and the settings that shape it (``render_key``: a deploy, the
  media address or storage, the script prefix).

Each of those writes gives the articles it touches a new
``body_render_token``, in its own transaction; a read that makes the body
keeps it only if the token is still the one it read before it read what it
made it from, so a write in between is never covered by an older body. It
is not a cache: nothing expires, and the page cache being off does not turn
it off; it is the article's data, derived and kept in step on write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe

from core.signals import bulk_saved
from images.models import Image
from partnerships.models import Alias, Entity, EntityType

from .linking import link_first_mentions
from .markdown import render_markdown
from .models import Article, ArticleEntityLink, LinkState, count_words

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


def rendered_body(article: Article) -> SafeString:
    """``article``'s body as readers see it: the one kept, or made now (and
    kept). Its ``body_words`` are brought up to date with it."""
    if is_current(article):
        return mark_safe(article.body_rendered)  # noqa: S308 - kept from below
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
    article.body_rendered, article.body_words = str(html), words
    if keeps_bodies():
        key = render_key()
        kept = Article.objects.filter(pk=article.pk, body_render_token=token).update(
            body_rendered=html, body_words=words, body_rendered_by=key
        )
        if kept:
            article.body_rendered_by = key
    return html


# --- Keeping it in step: every write it depends on -------------------------------


def _articles_linking(entity_ids: Iterable[int]) -> None:
    entity_ids = list(entity_ids)
    for start in range(0, len(entity_ids), CHUNK):
        chunk = entity_ids[start : start + CHUNK]
        Article.objects.filter(
            pk__in=ArticleEntityLink.objects.filter(entity_id__in=chunk).values(
                "article_id"
            )
        ).forget_rendering()


def link_changed(sender, instance, **kwargs):
    Article.objects.filter(pk=instance.article_id).forget_rendering()


def links_written_in_bulk(sender, pks, **kwargs):
    pks = list(pks)
    for start in range(0, len(pks), CHUNK):
        Article.objects.filter(
            entity_links__pk__in=pks[start : start + CHUNK]
        ).forget_rendering()


def entity_saved(sender, instance, **kwargs):
    _articles_linking([instance.pk])


def entities_written_in_bulk(sender, pks, **kwargs):
    _articles_linking(pks)


def alias_changed(sender, instance, **kwargs):
    _articles_linking([instance.entity_id])


def aliases_written_in_bulk(sender, pks, **kwargs):
    _articles_linking(
        Alias.objects.filter(pk__in=list(pks))
        .values_list("entity_id", flat=True)
        .distinct()
    )


def _articles_naming_pictures(pks: Iterable[int]) -> None:
    # Every body that names the number, shown or not yet (a picture may be
    # named before it is uploaded): "image:4" also finds "image:42", which
    # only makes a body again that needed not be.
    for pk in pks:
        Article.objects.filter(body__contains=f"image:{pk}").forget_rendering()


def picture_changed(sender, instance, **kwargs):
    _articles_naming_pictures([instance.pk])


def pictures_written_in_bulk(sender, pks, **kwargs):
    _articles_naming_pictures(pks)


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
    for model in {Entity, *(entity_type.model for entity_type in EntityType)}:
        post_save.connect(entity_saved, sender=model, dispatch_uid=uid)
        bulk_saved.connect(entities_written_in_bulk, sender=model, dispatch_uid=uid)
