"""The test suite: fast hashing, in-memory mail, the same database choice."""

from .base import *  # noqa: F403
from .base import MAILERS, env

DEBUG = False
SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

MAILERS = {
    **MAILERS,
    "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}

# This process's memory, or a Redis server when the run has one
# (scripts/with-redis): each parallel worker in a database of its own, as
# tests clear the cache.
if TEST_REDIS_URL := env.str("COOPSITE_TEST_REDIS_URL", default=""):
    worker = env.str("PYTEST_XDIST_WORKER", default="gw-1").removeprefix("gw")
    CACHES = {
        "default": {
            "BACKEND": "coopsite.cache.RedisCache",
            "LOCATION": f"{TEST_REDIS_URL.rsplit('/', 1)[0]}/{int(worker) % 15 + 1}",
            "KEY_PREFIX": "coopsite-test",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Conditional GET and the page cache: on in the tests that ask for them
# (the ``public_cache`` fixture), as a test's own transaction never commits
# the changes that would give the data a new version.
COOPSITE_PUBLIC_CACHE = False
# Counts kept per data version: on in the tests that ask for them (the
# ``kept_counts`` fixture), so that query counts are the pages' own.
COOPSITE_KEEP_COUNTS = False
# Kept counts, where a test keeps them, are counted again at once after a
# change (the ``stale_counts`` fixture shows the older ones meanwhile).
COOPSITE_STALE_COUNTS_SECONDS = 0

# Refusals (403, 404, 405) are what many tests ask for, thousands of times a
# run: Django logs each at WARNING with its traceback, which pytest then
# formats and keeps. Server errors (5xx) are still logged, with theirs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Pictures: served by Django so browser tests can load them; each test
# gets its own MEDIA_ROOT (tests/conftest.py).
COOPSITE_SERVE_MEDIA = True

# The rate limit's own tests set the documented one; the rest of the suite
# makes hundreds of requests a minute from one address.
COOPSITE_API_RATE_LIMIT = "100000/minute"
