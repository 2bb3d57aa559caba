from django.core.management.base import BaseCommand

from api import snapshots


class Command(BaseCommand):
    help = (
        "Write the bulk downloads: every record and published article as CSV "
        "(one file per table, zipped) and JSON Lines, dated, through the "
        "storage API. Does nothing when the data has not changed since the "
        "last snapshot (unless --force). Imports run it when they finish; "
        "run it on a schedule too, so that editors' changes and articles "
        "whose time has come reach the downloads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write a new snapshot even if nothing changed.",
        )

    def handle(self, *args, force=False, **options):
        manifest = snapshots.build(force=force)
        if manifest is None:
            self.stdout.write("Nothing changed since the last snapshot.")
            return
        rows = sum(manifest.tables.values())
        self.stdout.write(
            f"Snapshot {manifest.stamp}: {rows:,} rows in "
            f"{len(manifest.tables)} tables."
        )
        for described in manifest.files.values():
            self.stdout.write(f"  {described['name']}  {described['size']:,} bytes")
