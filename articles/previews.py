"""Previews of articles that are not public: for staff who may see them,
and through a signed link an editor shares, which expires within a day."""

from django.core import signing
from django.urls import reverse

SALT = "articles.preview"
MAX_AGE = 24 * 60 * 60  # seconds: a shared preview works for a day at most


def preview_token(article) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(article.pk))


def signed_preview_url(article) -> str:
    return reverse("articles:shared_preview", args=[preview_token(article)])


def article_id_from_token(token: str) -> int | None:
    """The article a token was made for, or None when it is forged or old."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    except ValueError:
        # Signed with the right key and salt but without a timestamp (a plain
        # Signer's token): not ours.
        return None
    return int(value) if value.isdecimal() else None
