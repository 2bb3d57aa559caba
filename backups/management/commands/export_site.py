from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups.site import export_site


class Command(BaseCommand):
    help = (
        "Export the whole site (users, records with their history, articles with "
        "their links, revisions and old addresses, tags, the admin log) as one "
        "JSON file, for import_site to restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", type=Path)

    def handle(self, *args, file, **options):
        if file.is_dir():
            raise CommandError(f"{file} is a folder; name a file to write.")
        if not file.parent.is_dir():
            raise CommandError(
                f"There is no folder {file.parent} to write {file.name} in."
            )
        count = export_site(file)
        self.stdout.write(self.style.SUCCESS(f"Exported {count:,} objects to {file}."))
