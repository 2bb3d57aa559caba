"""What the dataset import commands share: the --strict option, one way of
reporting, and a clear refusal when a row is bad."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnerships.importing import ImportResult, RowError, name_report


class DatasetImportCommand(BaseCommand):
    noun = "records"  # what a record of the dataset is called: "deals"
    dataset = ""  # how the dataset is named in the summary

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument(
            "--strict",
            action="store_true",
            help=(
                "Refuse a name that is neither a known country nor marked as a "
                "non-state actor (* or **), instead of recording it as an "
                "organisation to check."
            ),
        )

    def run_import(self, file: Path, strict: bool) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args, file, strict, **options):
        try:
            result = self.run_import(file, strict)
        except RowError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        self.stdout.write(
            f"Read {result.records:,} {self.noun} from {self.dataset} "
            f"({result.format}, {result.encoding})."
        )
        for line in [*result.notes, *name_report(result.names)]:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.records:,} {self.noun}: {result.created:,} created, "
                f"{result.updated:,} updated, {result.unchanged:,} unchanged."
            )
        )
