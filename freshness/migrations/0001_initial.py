import uuid

import django.utils.timezone
from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("freshness", "DataVersion").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = []
    # Saves in the other apps' data migrations bump the version: the table
    # must be there first.
    run_before = [
        ("accounts", "0001_initial"),
        ("partnerships", "0001_initial"),
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("version", models.UUIDField(default=uuid.uuid4)),
                (
                    "changed_at",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pk", 1)), name="data_version_single_row"
                    )
                ],
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
