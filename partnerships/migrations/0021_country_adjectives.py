"""Countries are found by adjectives the reference library lacks
("Philippine", "Saudi"): added to their demonyms, beside what staff set.
Only those two are touched: a demonym staff emptied stays empty, and
nothing else of the reference data is applied again."""

from django.db import migrations


def apply(apps, schema_editor):
    from partnerships.reference_data import EXTRA_DEMONYMS, with_extra_demonyms

    Country = apps.get_model("partnerships", "Country")
    for country in Country.objects.filter(
        alpha_2__in=list(EXTRA_DEMONYMS), is_former=False
    ).exclude(demonym=""):
        demonym = with_extra_demonyms(country.demonym, country.alpha_2)
        if demonym != country.demonym:
            country.demonym = demonym
            country.save(update_fields=["demonym"])


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0020_history_unread_indexes")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
