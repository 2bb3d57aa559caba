"""Multi-step writes on articles, each in one transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import Article, ArticleStatus

PUBLISH_PERMISSION = "articles.publish_article"


def _require_publisher(user) -> None:
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only editors may publish or unpublish articles.")


@transaction.atomic
def article_publish(
    *, article: Article, user, when: dt.datetime | None = None
) -> Article:
    """Publish ``article`` now, or schedule it for ``when``."""
    _require_publisher(user)
    article.status = ArticleStatus.PUBLISHED
    article.published_at = when or article.published_at or timezone.now()
    if when is None and article.published_at > timezone.now():
        article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    return article


@transaction.atomic
def article_unpublish(*, article: Article, user) -> Article:
    """Take ``article`` off the public site and back to draft."""
    _require_publisher(user)
    article.status = ArticleStatus.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article
