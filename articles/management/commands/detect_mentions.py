import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.essays import EssayError, read_essay
from articles.markdown import markdown_segments
from partnerships.mentions import get_detector
from partnerships.models import Entity


class Command(BaseCommand):
    help = (
        "Print the entities mentioned in Markdown or text files (kind, name, slug, "
        "number of mentions, the first mention in context), without saving "
        "anything. For editors checking names and aliases."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, files, **options):
        detector = get_detector()
        results = []
        for path in files:
            try:
                essay = read_essay(path)
                segments = [essay.title, *markdown_segments(essay.body)]
            except EssayError as exc:
                if exc.reason.startswith("has no '# ' heading"):
                    segments = markdown_segments(path.read_text(encoding="utf-8"))
                else:
                    raise CommandError(f"{exc.path}: {exc.reason}.") from None
            found = detector.detect(segments)
            entities = Entity.objects.in_bulk(list(found))
            mentions = sorted(
                (
                    {
                        "kind": entities[entity_id].entity_type,
                        "name": entities[entity_id].name,
                        "slug": entities[entity_id].slug,
                        "count": detection.count,
                        "snippet": detection.snippet,
                    }
                    for entity_id, detection in found.items()
                    if entity_id in entities
                ),
                key=lambda m: (-m["count"], m["kind"], m["name"]),
            )
            results.append({"file": str(path), "mentions": mentions})
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        for result in results:
            self.stdout.write(result["file"])
            if not result["mentions"]:
                self.stdout.write("  no known entity is mentioned")
            for mention in result["mentions"]:
                self.stdout.write(
                    f"  {mention['count']:3d}× {mention['kind']:12} {mention['name']}"
                    f"  — {mention['snippet']}"
                )
