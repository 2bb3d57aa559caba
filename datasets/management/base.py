"""What the dataset import commands share: the options, one way of
reporting, and a clear refusal when a file or a row cannot be read."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from datasets.locking import AnotherImportRunning
from datasets.pipeline import Dataset, RowError, run_import


class DatasetImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument(
            "--strict",
            action="store_true",
            help=(
                "Refuse the file if any value is flagged (a date that does not "
                "exist, an end before the start, a number that is not one, a name "
                "that is no known country and not marked * or **...) instead of "
                "importing the best reading and recording a data issue."
            ),
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="The staff account the import is made for: its runs and the "
            "records' history name it.",
        )

    def dataset(self) -> Dataset:
        raise NotImplementedError

    def handle(self, *args, file, strict, user, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user is called “{user}”.")
        dataset = self.dataset()
        try:
            result = run_import(
                dataset, file, strict=strict, user=account, stdout=self.stdout
            )
        except RowError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from None
        except AnotherImportRunning as exc:
            raise CommandError(f"Not imported: {exc}.") from None
        lines = result.report(dataset)
        for line in lines[:-1]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(lines[-1]))
        # The bulk downloads follow the records (nothing to write when the
        # import changed nothing).
        call_command("build_snapshot", stdout=self.stdout)
