"""The usage index's number is required, each number once an article, and a
row's picture, where it has one, is the one its number names."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_body_pictures_by_number"),
    ]

    operations = [
        migrations.AlterField(
            model_name="articlebodyimage",
            name="number",
            field=models.PositiveBigIntegerField(
                db_index=True, help_text="The picture's number as the body names it."
            ),
        ),
        migrations.AddConstraint(
            model_name="articlebodyimage",
            constraint=models.UniqueConstraint(
                fields=("article", "number"), name="article_body_picture_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="articlebodyimage",
            constraint=models.CheckConstraint(
                condition=models.Q(image__isnull=True)
                | models.Q(image=models.F("number")),
                name="article_body_picture_is_its_number",
            ),
        ),
    ]
