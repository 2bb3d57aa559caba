"""What other pages read of the articles: the record pages' "articles on
this" panel and the records' admin ("used in"). They ask here rather than
query the article models themselves."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from freshness.versions import kept_rendering

from .models import Article, ArticleEntityLink, ArticleQuerySet, LinkState
from .rendering import keeps_bodies


def cards_are_shared() -> bool:
    """Whether an article's card is the same for every reader, so that it
    may be kept: not where its picture's address is signed (and expires)."""
    return keeps_bodies()


def kept_article_cards(name: str, articles) -> SafeString:
    """The cards of ``articles`` (``includes/article_cards.html``; nothing
    if there are none), rendered once per version of the data and kept for
    it under ``name``, which says which articles they are: a page served
    from them reads none of the articles or their authors. Cards whose
    pictures' addresses expire are made for each reader."""

    def rendered() -> str:
        shown = list(articles)
        if not shown:
            return ""
        return render_to_string("includes/article_cards.html", {"articles": shown})

    return kept_rendering(f"article-cards:{name}", rendered, keep=cards_are_shared())


def articles_on(entity) -> ArticleQuerySet:
    """The published articles whose editors linked ``entity``, newest first,
    with what their cards show."""
    return Article.objects.published().linking(entity).for_cards().newest_first()


def articles_tagged(tag) -> ArticleQuerySet:
    """The published articles on the topic ``tag``, newest first, with their
    authors."""
    return Article.objects.published().filter(tags=tag).for_cards().newest_first()


def linking_article_count() -> Expression:
    """How many articles link each entity annotated with it, as a subquery
    (no GROUP BY over a changelist)."""
    return Coalesce(
        Subquery(
            ArticleEntityLink.objects.accepted()
            .filter(entity=OuterRef("pk"))
            .order_by()
            .values("entity")
            .annotate(total=Count("pk"))
            .values("total"),
            output_field=IntegerField(),
        ),
        0,
    )


def links_to(entity) -> tuple[list[ArticleEntityLink], list[ArticleEntityLink]]:
    """The articles that link ``entity`` (accepted links) and those a link
    to it is suggested for, each link with its article."""
    links = (
        ArticleEntityLink.objects.filter(entity=entity)
        .exclude(state=LinkState.REJECTED)
        .select_related("article")
        .order_by("state", "-article__published_at", "article__title")
    )
    accepted = [link for link in links if link.state == LinkState.ACCEPTED]
    suggested = [link for link in links if link.state == LinkState.SUGGESTED]
    return accepted, suggested


def accepted_links_to_any(entities) -> list[ArticleEntityLink]:
    """The accepted links to any of ``entities``, each with its article and
    entity, in one query (a record's delete page, one or many records)."""
    return list(
        ArticleEntityLink.objects.accepted()
        .filter(entity__in=[entity.pk for entity in entities])
        .select_related("article", "entity")
        .order_by("entity__name", "article__title")
    )
