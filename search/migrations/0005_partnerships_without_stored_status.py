"""Partnerships' search documents no longer hold their stored status (today's
is read from the dates): index them again, once, on upgrade."""

from django.db import migrations


def index_partnerships_again(apps, schema_editor):
    Partnership = apps.get_model("partnerships", "Partnership")
    pks = list(Partnership.objects.values_list("pk", flat=True))
    if not pks:
        return
    from search import indexing  # the live indexer: documents as the code makes them

    indexing.index_entities(pks)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_entries_newest_first"),
        ("partnerships", "0017_constraint_messages_and_country_codes"),
    ]

    operations = [
        migrations.RunPython(index_partnerships_again, migrations.RunPython.noop),
    ]
