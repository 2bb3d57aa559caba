from django.contrib.auth.models import AbstractUser
from django.db import models

from core.names import slugify_name

# The byline of an author with no name on their account.
ANONYMOUS_BYLINE = "coopsite staff"


class User(AbstractUser):
    """A member of staff. Authors of articles are users; readers never log in."""

    bio = models.TextField(
        blank=True, help_text="A sentence or two shown with the author's articles."
    )
    author_slug = models.SlugField(
        max_length=160,
        unique=True,
        help_text="How the public site names this author in addresses "
        "(/articles/?author=…): made from the full name, never the username.",
    )

    class Meta(AbstractUser.Meta):
        ordering = ["last_name", "first_name", "username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        if not self.author_slug:
            self.author_slug = self.new_author_slug()
        super().save(*args, **kwargs)

    def new_author_slug(self) -> str:
        """The full name as a slug, numbered if taken; "author" for someone
        without a name: the username is for signing in, not for readers."""
        base = slugify_name(self.get_full_name())[:150] or "author"
        taken = set(
            type(self)
            .objects.filter(author_slug__startswith=base)
            .exclude(pk=self.pk)
            .values_list("author_slug", flat=True)
        )
        if base not in taken and base != "author":
            return base
        number = 2
        while f"{base}-{number}" in taken:
            number += 1
        return f"{base}-{number}"

    @property
    def display_name(self) -> str:
        """The name staff know this account by: full name, else the username."""
        return self.get_full_name() or self.username

    @property
    def byline_name(self) -> str:
        """The name readers see (bylines, feeds, JSON-LD, the API): the full
        name; never the username, which is for signing in."""
        return self.get_full_name() or ANONYMOUS_BYLINE
