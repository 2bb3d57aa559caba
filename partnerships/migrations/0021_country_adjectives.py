"""Countries are found by adjectives the reference library lacks
("Philippine", "Saudi"): added to their demonyms, beside what staff set."""

from django.db import migrations


def apply(apps, schema_editor):
    from partnerships.reference_data import seed_countries

    seed_countries(
        Country=apps.get_model("partnerships", "Country"),
        Alias=apps.get_model("partnerships", "Alias"),
    )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0020_history_unread_indexes")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
