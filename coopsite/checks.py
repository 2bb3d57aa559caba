"""Deploy checks of our own (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Several app processes must share one cache (pages, the data version,
    rate limits): a cache in each process's memory is for one process only."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "The cache is in each process's memory: with several app processes, "
            "pages, the data version and rate limits are not shared.",
            hint="Set CACHE_URL (or REDIS_URL) to a Redis server, e.g. "
            "redis://127.0.0.1:6379/0 (docs/deploy.md).",
            id="coopsite.W001",
        )
    ]
