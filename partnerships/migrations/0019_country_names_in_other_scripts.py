"""Countries are found by their names in the UN's languages written in other
scripts ("Россия", "中国", "روسيا") and China by "PRC": the aliases added."""

from django.db import migrations


def apply(apps, schema_editor):
    from partnerships.reference_data import seed_countries

    seed_countries(
        Country=apps.get_model("partnerships", "Country"),
        Alias=apps.get_model("partnerships", "Alias"),
    )


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0018_country_aliases_without_stray_spaces")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
