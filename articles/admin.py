from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import ngettext

from partnerships.admin import without_record_stamps

from . import services
from .forms import PUBLISHING_STATUSES, ArticleAdminForm
from .models import Article, ArticleStatus


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author_names",
        "updated_at",
    ]
    list_filter = [
        "status",
        ("authors", admin.RelatedOnlyFieldListFilter),
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "slug", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "tags"]
    date_hierarchy = "published_at"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body"]}),
        ("Credits and topics", {"fields": ["authors", "tags"]}),
        ("Publication", {"fields": ["status", "published_at"]}),
        ("Record", {"fields": [("created_at", "updated_at")]}),
    ]
    actions = ["publish_now", "return_to_draft"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    def get_fieldsets(self, request, obj=None):
        return without_record_stamps(super().get_fieldsets(request, obj), obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.can_publish = self.has_publish_permission(request)
        return form

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self.has_publish_permission(request):
            kwargs["choices"] = [
                (value, label)
                for value, label in ArticleStatus.choices
                if value not in PUBLISHING_STATUSES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            readonly.append("published_at")
        return readonly

    def has_change_permission(self, request, obj=None):
        if (
            obj is not None
            and obj.status in PUBLISHING_STATUSES
            and not self.has_publish_permission(request)
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_publish_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not form.instance.authors.exists():
            form.instance.authors.add(request.user)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else None

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            return (
                f"Scheduled for {timezone.localtime(obj.published_at):%d %b %Y %H:%M}"
            )
        return obj.get_status_display()

    @admin.display(description="authors")
    def author_names(self, obj):
        return ", ".join(author.display_name for author in obj.authors.all())

    @admin.action(
        description="Publish the selected articles now", permissions=["publish"]
    )
    def publish_now(self, request, queryset):
        count = 0
        for article in queryset:
            if not article.is_public:
                services.article_publish(article=article, user=request.user)
                self.log_change(request, article, "Published.")
                count += 1
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description="Return the selected articles to draft", permissions=["publish"]
    )
    def return_to_draft(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=ArticleStatus.DRAFT):
            services.article_unpublish(article=article, user=request.user)
            self.log_change(request, article, "Returned to draft.")
            count += 1
        self.message_user(
            request,
            ngettext(
                "Returned %d article to draft.", "Returned %d articles to draft.", count
            )
            % count,
            messages.SUCCESS,
        )
