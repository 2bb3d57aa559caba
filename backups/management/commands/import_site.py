from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.site import SiteImportError, content_counts, import_site


class Command(BaseCommand):
    help = (
        "Restore a site exported by export_site into this database, which must "
        "be migrated to the same schema and hold no content (or pass --replace "
        "to delete its content first). All of the export is loaded, or, on any "
        "error, nothing changes. The search index is rebuilt afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete this database's content (users, records, articles) first.",
        )

    def handle(self, *args, file, replace, **options):
        try:
            count = import_site(file, replace=replace)
        except SiteImportError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        held = ", ".join(f"{n:,} {name}" for name, n in content_counts().items())
        self.stdout.write(self.style.SUCCESS(f"Imported {count:,} objects: {held}."))
