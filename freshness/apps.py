from django.apps import AppConfig


class FreshnessConfig(AppConfig):
    name = "freshness"
    verbose_name = "Freshness"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from . import signals, versions

        signals.connect()
        # Counts made again in the background start once the request that
        # found them old has its answer.
        request_started.connect(versions.hold_refreshes)
        request_finished.connect(versions.release_refreshes)
