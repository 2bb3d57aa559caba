from django.core.management.base import BaseCommand, CommandError

from articles.linking import article_scan_mentions
from articles.models import Article
from partnerships.mentions import get_detector


class Command(BaseCommand):
    help = (
        "Find mentions of known entities in articles and update their suggested "
        "links. Editors' decisions (accepted, rejected, hand-made links) are kept. "
        "Name articles by slug, or use --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--all", action="store_true", help="Scan every article.")

    def handle(self, *args, slugs, all, **options):
        if all == bool(slugs):
            raise CommandError("Name articles by slug, or use --all (not both).")
        if all:
            articles = Article.objects.order_by("pk")
        else:
            articles = Article.objects.filter(slug__in=slugs).order_by("pk")
            missing = sorted(set(slugs) - set(articles.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No article has the slug: {', '.join(missing)}.")
        detector = get_detector()
        totals = {"suggested": 0, "updated": 0, "withdrawn": 0}
        count = 0
        for article in articles.iterator(chunk_size=200):
            summary = article_scan_mentions(article=article, detector=detector)
            count += 1
            for key in totals:
                totals[key] += getattr(summary, key)
            if options["verbosity"] > 1:
                self.stdout.write(f"  {article.slug}: {summary}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {count} article{'s' if count != 1 else ''} against "
                f"{detector.size} names: {totals['suggested']} new suggestions, "
                f"{totals['updated']} updated, {totals['withdrawn']} withdrawn."
            )
        )
