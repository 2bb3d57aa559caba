"""Production settings, with the bare view of ``bench/throughput_urls.py``."""

from coopsite.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.throughput_urls"
