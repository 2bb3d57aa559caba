from django.core.management.base import BaseCommand

from partnerships import links


class Command(BaseCommand):
    help = (
        "Make the network's table (partnerships shared by each pair of "
        "countries, per kind and year) again from the records."
    )

    def handle(self, *args, **options):
        rows = links.rebuild()
        self.stdout.write(f"The network's table holds {rows:,} rows.")
