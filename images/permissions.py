"""Who may do what in the picture library (see accounts/roles.py).

- Contributors and Editors upload pictures (``images.add_image``) and may
  pick any picture in the library for their articles.
- Editors change any picture's description and focal point, and delete
  pictures no article shows. Contributors change only the pictures they
  uploaded themselves, while no article but their own drafts shows them
  (a picture an article in review or published shows is that article's
  content: out of their hands, as the article is), and delete none.
- A picture that an article shows (lead, social or in the body) cannot be
  deleted by anyone: the article would lose it.
"""

from __future__ import annotations

from .models import Image

ADD = "images.add_image"
CHANGE = "images.change_image"
DELETE = "images.delete_image"
VIEW = "images.view_image"
ANY = "articles.publish_article"  # editors may change every picture


def can_change(user, image: Image | None) -> bool:
    if not (user.is_active and user.is_staff and user.has_perm(CHANGE)):
        return False
    if image is None or user.has_perm(ANY):
        return True
    return image.uploaded_by_id == user.pk and not shown_beyond_drafts_of(user, image)


def shown_beyond_drafts_of(user, image: Image) -> bool:
    """Whether an article other than ``user``'s own drafts shows ``image``."""
    from articles.models import Article, ArticleStatus

    return (
        Article.objects.showing(image)
        .exclude(status=ArticleStatus.DRAFT, authors=user)
        .exists()
    )


def can_delete(user, image: Image | None) -> bool:
    return (
        user.is_active
        and user.is_staff
        and user.has_perm(DELETE)
        and user.has_perm(ANY)
    )
