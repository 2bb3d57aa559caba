"""Countries' search documents hold their aliases: index them again, once,
now that they have names in other scripts (partnerships 0019)."""

from django.db import migrations


def index_countries_again(apps, schema_editor):
    if not apps.get_model("search", "SearchEntry").objects.exists():
        return  # a new database: indexed whole after migrating (search.apps)
    Country = apps.get_model("partnerships", "Country")
    pks = list(Country.objects.values_list("pk", flat=True))
    from search import indexing  # the live indexer: documents as the code makes them

    indexing.index_entities(pks)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_partnerships_without_stored_status"),
        ("partnerships", "0019_country_names_in_other_scripts"),
    ]

    operations = [
        migrations.RunPython(index_countries_again, migrations.RunPython.noop),
    ]
