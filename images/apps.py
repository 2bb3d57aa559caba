from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"
    verbose_name = "Pictures"

    def ready(self):
        from . import signals  # noqa: F401
