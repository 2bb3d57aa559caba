"""What the dataset import commands share: the --strict option, one way of
reporting, and a clear refusal when a file or a row cannot be read."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datasets.pipeline import Dataset, ImportResult, RowError, name_report, run_import


class DatasetImportCommand(BaseCommand):
    dataset_name = ""  # how the dataset is named in the summary

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

    def dataset(self) -> Dataset:
        raise NotImplementedError

    def handle(self, *args, file, strict, **options):
        dataset = self.dataset()
        try:
            result = run_import(dataset, file, strict=strict, stdout=self.stdout)
        except RowError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        self.report(dataset, result)

    def report(self, dataset: Dataset, result: ImportResult) -> None:
        self.stdout.write(
            f"Read {result.records:,} {dataset.plural} from {self.dataset_name} "
            f"({result.format}, {result.encoding})."
        )
        for line in [*result.notes, *name_report(result.names)]:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.records:,} {dataset.plural}: "
                f"{result.created:,} created, {result.updated:,} updated, "
                f"{result.unchanged:,} unchanged."
            )
        )
