"""End dates known to a year or a month are stored as the period's last day."""

from django.db import migrations


def _move_ends(apps, move):
    Partnership = apps.get_model("partnerships", "Partnership")
    changed = []
    for partnership in Partnership.objects.exclude(end_date=None).exclude(
        end_precision="day"
    ):
        partnership.end_date = move(partnership.end_date, partnership.end_precision)
        changed.append(partnership)
    Partnership.objects.bulk_update(changed, ["end_date"], batch_size=500)


def extend_ends(apps, schema_editor):
    from partnerships.dates import extend_to_precision

    _move_ends(apps, extend_to_precision)


def truncate_ends(apps, schema_editor):
    from partnerships.dates import truncate_to_precision

    _move_ends(apps, truncate_to_precision)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0005_dataset_fields")]

    operations = [migrations.RunPython(extend_ends, truncate_ends)]
