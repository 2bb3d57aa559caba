"""The bulk download read back with the csv module: every record of the
demo content, in the database's numbers (a module of its own: the demo is
shared by its tests)."""

import gzip
import json
from io import StringIO

import pytest
from django.core.management import call_command

from articles.models import Article, ArticleEntityLink
from partnerships.models import (
    Alias,
    Bloc,
    BlocMembership,
    Country,
    ExternalIdentifier,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    Source,
    System,
    Tag,
)
from tests.api.test_snapshots import download, read_csv_tables

pytestmark = pytest.mark.django_db


def database_counts():
    published = Article.objects.published()
    return {
        "countries": Country.objects.count(),
        "blocs": Bloc.objects.count(),
        "bloc_memberships": BlocMembership.objects.count(),
        "organisations": Organisation.objects.count(),
        "systems": System.objects.count(),
        "system_makers": System.makers.through.objects.count(),
        "partnerships": Partnership.objects.count(),
        "participants": Participant.objects.count(),
        "partnership_systems": PartnershipSystem.objects.count(),
        "sources": Source.objects.count(),
        "tags": Tag.objects.count(),
        "partnership_tags": Partnership.tags.through.objects.count(),
        "aliases": Alias.objects.count(),
        "external_ids": ExternalIdentifier.objects.count(),
        "articles": published.count(),
        "article_authors": Article.authors.through.objects.filter(
            article__in=published
        ).count(),
        "article_tags": Article.tags.through.objects.filter(
            article__in=published
        ).count(),
        "article_links": ArticleEntityLink.objects.accepted()
        .filter(article__in=published)
        .count(),
    }


def test_the_snapshot_holds_every_record_in_the_databases_numbers(client, demo):
    call_command("build_snapshot", stdout=StringIO())
    tables = read_csv_tables(client)
    counts = database_counts()
    assert {name: len(rows) for name, rows in tables.items()} == counts
    assert counts["partnerships"] > 20
    assert counts["articles"] > 3
    ids = {int(row["id"]) for row in tables["partnerships"]}
    assert ids == set(Partnership.objects.values_list("pk", flat=True))
    deal = Partnership.objects.filter(start_date__isnull=False).first()
    row = next(row for row in tables["partnerships"] if row["id"] == str(deal.pk))
    assert row["start_date"] == deal.start_date.isoformat()
    assert row["start_precision"] == deal.start_precision
    assert row["path"] == deal.get_absolute_url()
    line = PartnershipSystem.objects.exclude(delivery_years=[]).first()
    row = next(r for r in tables["partnership_systems"] if r["id"] == str(line.pk))
    assert row["delivery_years"] == ";".join(map(str, sorted(line.delivery_years)))

    lines = gzip.decompress(download(client, "/api/v1/downloads/latest.jsonl.gz"))
    records_by_table: dict[str, int] = {}
    for text in lines.decode().splitlines():
        record = json.loads(text)
        records_by_table[record["table"]] = records_by_table.get(record["table"], 0) + 1
    assert records_by_table == {name: n for name, n in counts.items() if n}
