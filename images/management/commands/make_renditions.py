from django.core.management.base import BaseCommand

from images.models import Image
from images.renditions import make_renditions


class Command(BaseCommand):
    help = (
        "Make every picture's missing renditions (after a restore, a move to "
        "another storage, or a change in the sizes the site shows), and remove "
        "those of earlier focal points. Renditions already stored are kept "
        "unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Make every rendition again."
        )

    def handle(self, *args, force, **options):
        images = Image.objects.order_by("pk")
        total, made = images.count(), 0
        for number, image in enumerate(images.iterator(), start=1):
            made += make_renditions(image, force=force)
            if number % 50 == 0:
                self.stdout.write(f"  {number:,} of {total:,} pictures…")
        self.stdout.write(
            self.style.SUCCESS(f"{total:,} pictures; {made:,} renditions made.")
        )
