from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import ngettext

from partnerships.admin import without_record_stamps
from search import indexing

from . import linking, services
from .admin_links import LinkedEntityInline, RejectedLinkInline, SuggestedLinkInline
from .forms import PUBLISHING_STATUSES, ArticleAdminForm
from .models import Article, ArticleEntityLink, ArticleStatus, LinkState

ACCEPT_ALL = "_accept_all_suggestions"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "status_label",
        "published_at",
        "author_names",
        "suggestion_count",
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
    inlines = [SuggestedLinkInline, LinkedEntityInline, RejectedLinkInline]
    actions = [
        "publish_now",
        "return_to_draft",
        "find_mentions_again",
        "accept_all_suggestions",
    ]
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("authors")
            .annotate(
                suggestions=Count(
                    "entity_links", filter=Q(entity_links__state=LinkState.SUGGESTED)
                )
            )
        )

    @admin.display(description="suggestions", ordering="suggestions")
    def suggestion_count(self, obj):
        return obj.suggestions or "—"

    def get_fieldsets(self, request, obj=None):
        return without_record_stamps(super().get_fieldsets(request, obj), obj)

    def changeform_view(self, request, *args, **kwargs):
        with indexing.deferred():
            return super().changeform_view(request, *args, **kwargs)

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
        article = form.instance
        if not article.authors.exists():
            article.authors.add(request.user)
        # Editors' decisions are saved; now bring suggestions in line with
        # the text as saved.
        summary = linking.article_scan_mentions(article=article)
        if summary.suggested:
            self.message_user(
                request,
                ngettext(
                    "Found %d new mention to decide on.",
                    "Found %d new mentions to decide on.",
                    summary.suggested,
                )
                % summary.suggested,
                messages.INFO,
            )
        if ACCEPT_ALL in request.POST:
            accepted = linking.article_accept_suggestions(
                article=article, user=request.user
            )
            self.message_user(
                request,
                ngettext(
                    "Accepted %d suggestion.", "Accepted %d suggestions.", accepted
                )
                % accepted,
                messages.SUCCESS,
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is ArticleEntityLink:
            now = timezone.now()
            for link_form in formset.forms:
                decided = (
                    link_form.instance.pk is None or "state" in link_form.changed_data
                )
                if link_form.has_changed() and decided:
                    link_form.instance.decided_by = request.user
                    link_form.instance.decided_at = now
        super().save_formset(request, form, formset, change)

    def response_change(self, request, obj):
        if ACCEPT_ALL in request.POST:
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

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
        description="Find mentions again in the selected articles",
        permissions=["change"],
    )
    def find_mentions_again(self, request, queryset):
        total = 0
        for article in queryset:
            total += linking.article_scan_mentions(article=article).suggested
        self.message_user(
            request,
            ngettext(
                "Scanned %(articles)d article: %(new)d new suggestions.",
                "Scanned %(articles)d articles: %(new)d new suggestions.",
                len(queryset),
            )
            % {"articles": len(queryset), "new": total},
            messages.SUCCESS,
        )

    @admin.action(
        description="Accept all suggested links of the selected articles",
        permissions=["change"],
    )
    def accept_all_suggestions(self, request, queryset):
        accepted = sum(
            linking.article_accept_suggestions(article=article, user=request.user)
            for article in queryset
        )
        self.message_user(
            request,
            ngettext("Accepted %d suggestion.", "Accepted %d suggestions.", accepted)
            % accepted,
            messages.SUCCESS,
        )

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
