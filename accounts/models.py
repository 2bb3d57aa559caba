from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A member of staff. Authors of articles are users; readers never log in."""

    bio = models.TextField(
        blank=True, help_text="A sentence or two shown with the author's articles."
    )

    class Meta(AbstractUser.Meta):
        ordering = ["last_name", "first_name", "username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name printed in a byline: full name, else the username."""
        return self.get_full_name() or self.username
