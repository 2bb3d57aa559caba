"""The picture library in the admin: upload with alt text, caption, credit
and licence; search; see where each picture is used; copy the Markdown
that puts it in an article."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from coopsite.admin import KeptRelatedOnlyFilter

from . import permissions, services
from .embeds import picture_html
from .forms import ImageForm
from .models import Image


class UsageFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "Shown in an article"), ("no", "Not used")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(usage__gt=0)
        if self.value() == "no":
            return queryset.filter(usage=0)
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = [
        "thumbnail",
        "title",
        "number",
        "dimensions",
        "used_in",
        "credit",
        "uploaded_by",
        "created_at",
    ]
    list_display_links = ["thumbnail", "title"]
    list_select_related = ["uploaded_by"]
    list_filter = [
        UsageFilter,
        "format",
        ("uploaded_by", KeptRelatedOnlyFilter),
    ]
    search_fields = ["=id", "title", "alt_text", "caption", "credit", "licence"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/focal-point.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    def get_fieldsets(self, request, obj=None):
        description = (
            "Describe the picture for readers who cannot see it. Alt text is "
            "required; caption, credit and licence are shown under the picture."
        )
        fieldsets = [
            (None, {"fields": ["upload", "title"]}),
            (
                "Description",
                {
                    "fields": ["alt_text", "caption", "credit", "licence"],
                    "description": description,
                },
            ),
            (
                "Focal point",
                {
                    "fields": [("focal_x", "focal_y")],
                    "description": "Optional. Crops for cards and link previews "
                    "keep this point in view. Click the subject in the picture "
                    "above, or give percentages from the left and top edges.",
                },
            ),
        ]
        if obj is not None:
            fieldsets[0][1]["fields"] = ["preview", "markdown_code", "upload", "title"]
            fieldsets.append(
                (
                    "File",
                    {
                        "fields": [
                            ("dimensions", "file_size_display", "format"),
                            "crops",
                            ("uploaded_by", "created_at", "updated_at"),
                        ]
                    },
                )
            )
            fieldsets.append(("Used in", {"fields": ["usage"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "preview",
            "markdown_code",
            "dimensions",
            "file_size_display",
            "format",
            "crops",
            "uploaded_by",
            "created_at",
            "updated_at",
            "usage",
        ]

    # --- Who may do what (permissions.py) -------------------------------------

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and permissions.can_change(
            request.user, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and permissions.can_delete(
            request.user, obj
        )

    def get_object(self, request, object_id, from_field=None):
        image = super().get_object(request, object_id, from_field)
        if image is not None:
            image.viewer = request.user  # whose articles "usage" may name
        return image

    def change_view(self, request, object_id, form_url="", extra_context=None):
        image = self.get_object(request, unquote(object_id))
        if (
            request.method == "GET"
            and image is not None
            and image.uploaded_by_id == request.user.pk
            and not permissions.can_change(request.user, image)
            and permissions.shown_beyond_drafts_of(request.user, image)
        ):
            messages.info(
                request,
                "An article other than your own drafts shows this picture: only "
                "an editor may change it now.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_deleted_objects(self, objs, request):
        """A picture an article shows is protected: the delete page and the
        list's action name the articles that show it (take it out of them
        first), as Django names protected objects, and delete nothing."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        for image in objs:
            for article in _articles_showing(image):
                protected.append(
                    format_html(
                        'Article: <a href="{}">{}</a> (shows “{}”)',
                        reverse("admin:articles_article_change", args=[article.pk]),
                        article.title,
                        image,
                    )
                )
        return deleted, counts, perms_needed, protected

    # --- Saving through the services ----------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            description = form.description()
            if form.clean_file is not None:
                if not {"focal_x", "focal_y"} & set(form.changed_data):
                    # The old focal point is of the old picture: the new
                    # one is cropped about its centre until one is chosen.
                    description.update(focal_x=None, focal_y=None)
                self.message_user(
                    request,
                    "A new file: check that its description, caption and "
                    "credit still fit it, and choose its focal point.",
                    messages.WARNING,
                )
            services.image_update(image=obj, upload=form.clean_file, **description)
        else:
            services.image_create(
                image=obj,
                upload=form.clean_file,
                user=request.user,
                **form.description(),
            )

    def delete_model(self, request, obj):
        services.image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.image_delete(image=image)

    # --- Columns and read-only fields -----------------------------------------

    @admin.display(description="picture")
    def thumbnail(self, obj):
        return picture_html(obj, spec="card", sizes="6rem", loading="lazy")

    @admin.display(description="number", ordering="pk")
    def number(self, obj):
        return obj.pk

    @admin.display(description="size")
    def dimensions(self, obj):
        return f"{obj.width:,} × {obj.height:,}"

    @admin.display(description="file size")
    def file_size_display(self, obj):
        return filesizeformat(obj.file_size)

    @admin.display(description="used in", ordering="usage")
    def used_in(self, obj):
        if not obj.usage:
            return "—"
        return "1 article" if obj.usage == 1 else f"{obj.usage} articles"

    @admin.display(description="picture")
    def preview(self, obj):
        return format_html(
            '<div class="image-preview">{}</div>',
            picture_html(obj, sizes="(min-width: 60rem) 40rem, 90vw"),
        )

    @admin.display(description="to show it in an article")
    def markdown_code(self, obj):
        return format_html(
            '<input type="text" readonly class="markdown-code" value="{}" '
            'aria-label="Markdown for this picture" size="60"> '
            '<span class="help">Paste into an article\'s body, on a line of '
            "its own.</span>",
            obj.markdown,
        )

    @admin.display(description="crops")
    def crops(self, obj):
        return format_html(
            '<div class="image-crops"><figure>{}<figcaption>Cards</figcaption>'
            "</figure><figure>{}<figcaption>Link previews</figcaption></figure></div>",
            picture_html(obj, spec="card", sizes="12rem"),
            picture_html(obj, spec="social", sizes="16rem"),
        )

    @admin.display(description="articles")
    def usage(self, obj):
        from articles.permissions import visible_in_admin

        showing = _articles_showing(obj)
        # Only the articles the viewer may open are named (a contributor's
        # own); the others are counted, as a record's "Used in" panel does.
        viewer = getattr(obj, "viewer", None)
        articles = list(visible_in_admin(viewer, showing)) if viewer else []
        others = showing.count() - len(articles)
        if not articles and not others:
            return "Not used in any article."
        listed = format_html_join(
            "",
            '<li><a href="{}">{}</a></li>',
            (
                (reverse("admin:articles_article_change", args=[a.pk]), a.title)
                for a in articles
            ),
        )
        if others:
            listed = format_html(
                "{}<li>{}</li>",
                listed,
                ngettext(
                    "%d article of other writers",
                    "%d articles of other writers",
                    others,
                )
                % others,
            )
        return format_html("<ul>{}</ul>", listed)


def _articles_showing(image: Image):
    """The articles that show ``image``: as lead or social picture, or in
    the body."""
    from articles.models import Article

    return Article.objects.showing(image).order_by("title")
