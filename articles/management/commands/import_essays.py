from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.essays import EssayError, import_essays, read_essays


class Command(BaseCommand):
    help = (
        "Import Markdown or text essays (files, or folders of .md/.markdown/.txt "
        "files) as articles: the first '# ' heading is the title, the rest the "
        "body. Re-importing updates articles (matched by the address made from "
        "the title) rather than duplicating them. One bad file and nothing is "
        "written. New articles are drafts unless --publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", type=Path)
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported articles now (otherwise new ones are drafts).",
        )
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="Credit new articles to this user.",
        )

    def handle(self, *args, paths, publish, author, **options):
        authors = []
        if author:
            user = get_user_model().objects.filter(username=author).first()
            if user is None:
                raise CommandError(f"No user is called “{author}”.")
            authors = [user]
        try:
            essays = read_essays(paths)
        except EssayError as exc:
            raise CommandError(
                f"Nothing was imported. {exc.path}: {exc.reason}."
            ) from None
        summary = import_essays(essays, publish=publish, authors=authors)
        for label, articles in (
            ("created", summary.created),
            ("updated", summary.updated),
            ("unchanged", summary.unchanged),
        ):
            for article in articles:
                self.stdout.write(f"  {label:9} {article.slug}")
        for article in summary.kept:
            self.stdout.write(
                f"  kept      {article.slug}: changed in the admin since its import; "
                "the file's changes were not applied"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.total} essay{'s' if summary.total != 1 else ''}: "
                f"{len(summary.created)} created, {len(summary.updated)} updated, "
                f"{len(summary.unchanged)} unchanged, {len(summary.kept)} kept; "
                f"{summary.suggestions} links to entities suggested."
            )
        )
