"""Former states stay themselves: North Yemen (the Yemen Arab Republic) is a
former state of its own, no longer a name of today's Yemen; historical and
alternate names of current states (Saint Christopher and Nevis, Kampuchea,
Ceylon...) become their aliases."""

from django.db import migrations

MOVED_FROM_YEMEN = ["north yemen", "yemen arab republic"]


def apply(apps, schema_editor):
    from partnerships.reference_data import seed_countries

    Country = apps.get_model("partnerships", "Country")
    Alias = apps.get_model("partnerships", "Alias")
    Alias.objects.filter(
        entity__in=Country.objects.filter(alpha_2="YE", is_former=False),
        normalised__in=MOVED_FROM_YEMEN,
    ).delete()
    seed_countries(Country=Country, Alias=Alias)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0008_import_ownership")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
