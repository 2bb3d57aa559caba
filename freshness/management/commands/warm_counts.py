"""Count now what the public pages keep per version of the data."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from freshness.versions import wait_for_refreshes

# The pages whose counts take longest to make: the home page's figures and
# each list's own count and facets, as a reader first sees them.
PAGES = (
    "home",
    "articles:list",
    "partnerships:partnership_list",
    "partnerships:country_list",
    "partnerships:organisation_list",
    "partnerships:system_list",
    "partnerships:bloc_list",
)


def served_host() -> str:
    """A host name this site answers to (the first of ALLOWED_HOSTS)."""
    for host in settings.ALLOWED_HOSTS:
        if host != "*":
            return host.lstrip(".")
    return "localhost"


class Command(BaseCommand):
    help = (
        "Count the home page's figures and each public list's count and facet "
        "counts for the data as it is now, and keep them in the shared cache, "
        "as a reader's first request would: run it after an import or a "
        "deploy, so that no reader waits for them. Extra addresses (a list "
        "with filters readers use often) may be given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="more addresses to warm, e.g. /articles/?tag=x"
        )

    def handle(self, *args, paths=(), **options):
        if not settings.COOPSITE_KEEP_COUNTS:
            raise CommandError(
                "Counts are not kept (COOPSITE_KEEP_COUNTS is off): nothing to warm."
            )
        client = Client(HTTP_HOST=served_host(), secure=settings.SECURE_SSL_REDIRECT)
        for path in [*(reverse(name) for name in PAGES), *paths]:
            if not path.startswith("/"):
                raise CommandError(f"Not an address on this site: {path!r}")
            started = time.perf_counter()
            response = client.get(path, secure=settings.SECURE_SSL_REDIRECT)
            # Counts answered as they were last made are made again in the
            # background: waited for, so that they are kept when it returns.
            wait_for_refreshes()
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{path} answered {response.status_code}")
            self.stdout.write(f"{path}: {elapsed:.1f} s")
