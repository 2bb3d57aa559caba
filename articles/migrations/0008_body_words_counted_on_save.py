"""Every article's words counted, as every save now counts them: a list of
articles shows each one's reading time from ``body_words`` without reading
its Markdown (0 is "not counted", and is counted when read)."""

from django.db import migrations, models

BATCH = 2000


def count_every_body(apps, schema_editor):
    from articles.models import count_words

    Article = apps.get_model("articles", "Article")
    batch = []
    for article in Article.objects.only("pk", "body").iterator(chunk_size=BATCH):
        article.body_words = count_words(article.body)
        batch.append(article)
        if len(batch) == BATCH:
            Article.objects.bulk_update(batch, ["body_words"])
            batch = []
    Article.objects.bulk_update(batch, ["body_words"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_kept_for_readers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="body_words",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="The body's words, counted on every save; 0: not counted.",
            ),
        ),
        migrations.RunPython(count_every_body, migrations.RunPython.noop),
    ]
