from django.db import migrations, models

from core.names import slugify_name


def fill_author_slugs(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set()
    for user in User.objects.order_by("pk"):
        full_name = f"{user.first_name} {user.last_name}".strip()
        base = slugify_name(full_name)[:150] or "author"
        slug, number = base, 2
        while slug in taken or slug == "author":
            slug = f"{base}-{number}"
            number += 1
        taken.add(slug)
        user.author_slug = slug
        user.save(update_fields=["author_slug"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="author_slug",
            field=models.SlugField(max_length=160, null=True, db_index=False),
        ),
        migrations.RunPython(fill_author_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="author_slug",
            field=models.SlugField(
                help_text="How the public site names this author in addresses "
                "(/articles/?author=…): made from the full name, never the username.",
                max_length=160,
                unique=True,
            ),
        ),
    ]
