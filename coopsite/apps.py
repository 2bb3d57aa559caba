from django.contrib.admin.apps import AdminConfig


class CoopsiteAdminConfig(AdminConfig):
    default_site = "coopsite.admin.CoopsiteAdminSite"

    def ready(self):
        super().ready()
        from . import (
            checks,  # noqa: F401 (registers the deploy checks)
            collation,
            lookups,
        )
        from .history import share_manager_classes

        share_manager_classes()
        lookups.register()
        collation.register()
