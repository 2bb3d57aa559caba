"""Every country (ISO 3166-1, former states) and the main blocs."""

from django.db import migrations


def load(apps, schema_editor):
    from partnerships.reference_data import seed_blocs, seed_countries

    Country = apps.get_model("partnerships", "Country")
    Alias = apps.get_model("partnerships", "Alias")
    seed_countries(Country=Country, Alias=Alias)
    seed_blocs(
        Bloc=apps.get_model("partnerships", "Bloc"),
        BlocMembership=apps.get_model("partnerships", "BlocMembership"),
        Country=Country,
        Alias=Alias,
    )


def unload(apps, schema_editor):
    apps.get_model("partnerships", "Entity").objects.filter(
        entity_type__in=["country", "bloc"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
