"""Who may do what to an article. Every admin view, action and service asks
here; nothing relies on a button merely being hidden.

- Editors (``articles.publish_article``) may edit any article and move it
  through every state.
- Contributors (``articles.change_article`` without the publish permission)
  may write their own drafts and submit them for review; once submitted,
  an article is out of their hands until an editor returns it.
- Anyone with ``articles.view_article`` may look, not touch; contributors
  only see their own articles.
"""

from __future__ import annotations

from .models import Article, ArticleStatus

PUBLISH = "articles.publish_article"
CHANGE = "articles.change_article"
ADD = "articles.add_article"
VIEW = "articles.view_article"


def is_editor(user) -> bool:
    return user.is_active and user.has_perm(PUBLISH) and user.has_perm(CHANGE)


def is_contributor(user) -> bool:
    return user.is_active and user.has_perm(CHANGE) and not user.has_perm(PUBLISH)


def is_author(user, article: Article) -> bool:
    if article.pk is None:
        return True
    return article.authors.filter(pk=user.pk).exists()


def can_view(user, article: Article) -> bool:
    """May see the article in the admin and preview it."""
    if not user.is_active or not user.is_staff:
        return False
    if is_editor(user):
        return True
    if is_contributor(user):
        return is_author(user, article)
    return user.has_perm(VIEW)


def can_edit(user, article: Article) -> bool:
    """May change the article's text, topics and links."""
    if is_editor(user):
        return True
    return (
        is_contributor(user)
        and article.status == ArticleStatus.DRAFT
        and is_author(user, article)
    )


def can_publish(user) -> bool:
    return is_editor(user)


def visible_in_admin(user, queryset):
    """The articles ``user`` sees in the admin."""
    if is_contributor(user):
        return queryset.filter(authors=user)
    return queryset
