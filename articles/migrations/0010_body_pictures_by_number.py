"""The usage index of the pictures a body names keeps each number, with its
picture where it is in the library: an upload finds the bodies that named
it beforehand by number, not by reading every body. (The number becomes
required, and the index's constraints move to it, in 0011: on PostgreSQL a
table cannot be altered in the transaction that just filled it.)"""

from django.db import migrations, models
from django.db.models import F


def index_numbers(apps, schema_editor):
    from articles.markdown import body_pictures

    Article = apps.get_model("articles", "Article")
    ArticleBodyImage = apps.get_model("articles", "ArticleBodyImage")
    Image = apps.get_model("images", "Image")
    ArticleBodyImage.objects.update(number=F("image_id"))
    naming = Article.objects.filter(body__contains="image:").values_list("pk", "body")
    waiting = []
    for pk, body in naming.iterator(chunk_size=500):
        numbers = body_pictures(body).ids
        known = set(Image.objects.filter(pk__in=numbers).values_list("pk", flat=True))
        waiting += [
            ArticleBodyImage(article_id=pk, number=number, image_id=None)
            for number in numbers
            if number not in known
        ]
    ArticleBodyImage.objects.bulk_create(waiting, batch_size=500)


def forget_waiting_numbers(apps, schema_editor):
    """Back to one row per picture shown: the numbers waiting for a picture
    go (the body still names them; the old index never held them)."""
    ArticleBodyImage = apps.get_model("articles", "ArticleBodyImage")
    ArticleBodyImage.objects.filter(image=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_body_help_names_notes"),
        ("images", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="articlebodyimage", name="article_body_image_once"
        ),
        migrations.AddField(
            model_name="articlebodyimage",
            name="number",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="articlebodyimage",
            name="image",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="images.image",
            ),
        ),
        migrations.RunPython(index_numbers, forget_waiting_numbers),
    ]
