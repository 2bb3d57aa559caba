from django.core.management.base import BaseCommand

from search import indexing


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index from every article and record. "
        "Saves and deletes keep the index up to date by themselves; run this "
        "after changing what is indexed, or after bulk changes made outside the "
        "application."
    )

    def handle(self, *args, **options):
        articles, entities = indexing.rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {articles} articles and {entities} records for search."
            )
        )
