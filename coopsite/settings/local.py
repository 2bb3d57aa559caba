"""A developer's machine: debug on, a throwaway key, loopback hosts."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# While templates change under it, no page is kept (base.py), nor a count:
# both on wherever DEBUG is off.
COOPSITE_PUBLIC_CACHE = env.bool("COOPSITE_PUBLIC_CACHE", default=not DEBUG)
COOPSITE_KEEP_COUNTS = env.bool("COOPSITE_KEEP_COUNTS", default=not DEBUG)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="local-only-insecure-key-do-not-use-in-production-0123456789abcdef",
)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"]
)

# Serve static files straight from the app folders while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded pictures are served by Django itself while developing.
COOPSITE_SERVE_MEDIA = env.bool("COOPSITE_SERVE_MEDIA", default=True)
