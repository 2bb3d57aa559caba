"""Country aliases as countryinfo spells them, mended: no leading space
(" República del Perú"), and a fragment cut at a comma (Brunei's " the Abode
of Peace") replaced by the whole spelling ("Nation of Brunei, the Abode of
Peace")."""

from django.db import migrations


def apply(apps, schema_editor):
    from partnerships.reference_data import is_fragment, seed_countries

    Country = apps.get_model("partnerships", "Country")
    Alias = apps.get_model("partnerships", "Alias")
    spaced = Alias.objects.filter(entity__entity_type="country").filter(
        name__regex=r"^\s|\s$"
    )
    for alias in spaced:
        if is_fragment(alias.name):
            alias.delete()
        else:
            alias.name = alias.name.strip()
            alias.save(update_fields=["name"])
    seed_countries(Country=Country, Alias=Alias)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0017_constraint_messages_and_country_codes")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
