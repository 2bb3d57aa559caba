from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.demo import load_demo_articles
from partnerships.demo import load_demo_records


class Command(BaseCommand):
    help = (
        "Load the demo content written for coopsite: organisations, systems and "
        "partnerships of every kind, tags, authors, and articles in every state "
        "(published, scheduled, in review, draft). Safe to re-run: it creates "
        "what is missing and leaves what is there as it is, edits and all."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("setup_roles", stdout=self.stdout)
        records = load_demo_records()
        articles = load_demo_articles()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo content loaded: "
                f"{records['partnerships']} partnerships, "
                f"{records['organisations']} organisations, "
                f"{records['systems']} systems, {records['tags']} tags; "
                f"{articles['published']} published articles, "
                f"{articles['scheduled']} scheduled, "
                f"{articles['unpublished']} in review or draft."
            )
        )
