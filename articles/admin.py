"""The article admin: writing, linking, the editorial workflow (buttons and
actions over ``services``), revisions with diffs and reverts, and previews.
Every view and action asks ``permissions`` what the user may do."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from partnerships.admin import without_record_stamps

from . import linking, permissions, services
from .admin_links import LinkedEntityInline, RejectedLinkInline, SuggestedLinkInline
from .forms import ArticleAdminForm
from .models import Article, ArticleRevision, ArticleStatus, LinkState
from .previews import signed_preview_url

ACCEPT_ALL = "_accept_all_suggestions"
WORKFLOW = "_workflow"

# The buttons under the form: (name, label, who may, in which states).
WORKFLOW_BUTTONS = [
    ("submit", "Save and submit for review"),
    ("publish", "Save and publish"),
    ("return", "Save and return to draft"),
    ("unpublish", "Unpublish"),
    ("archive", "Archive"),
]


def available_transitions(user, article: Article) -> list[tuple[str, str]]:
    if article.pk is None:
        return []
    status, editor = article.status, permissions.can_publish(user)
    allowed = {
        "submit": permissions.can_submit(user, article),
        "publish": editor and not article.is_public,
        "return": editor and status == ArticleStatus.REVIEW,
        "unpublish": editor and status == ArticleStatus.PUBLISHED,
        "archive": editor and article.is_public,
    }
    return [(name, label) for name, label in WORKFLOW_BUTTONS if allowed[name]]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
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
    inlines = [SuggestedLinkInline, LinkedEntityInline, RejectedLinkInline]
    actions = [
        "submit_for_review",
        "publish_now",
        "return_to_draft",
        "archive",
        "find_mentions_again",
        "accept_all_suggestions",
    ]
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin.css"]}

    # --- What each user sees and may do -------------------------------------

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related("authors")
            .annotate(
                suggestions=Count(
                    "entity_links", filter=Q(entity_links__state=LinkState.SUGGESTED)
                )
            )
        )
        return permissions.visible_in_admin(request.user, queryset)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or permissions.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def get_fieldsets(self, request, obj=None):
        publication = ["status_label", "published_at"]
        fieldsets = [
            (None, {"fields": ["title", "slug", "standfirst", "body", "base_version"]}),
            ("Credits and topics", {"fields": ["authors", "tags"]}),
            (
                "Publication",
                {
                    "fields": publication,
                    "description": "Publish with the buttons below the form. A "
                    "publication time in the future schedules the article: it "
                    "goes public by itself then.",
                },
            ),
            ("Record", {"fields": [("created_at", "updated_at")]}),
        ]
        return without_record_stamps(fieldsets, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["created_at", "updated_at", "status_label"]
        if not permissions.can_publish(request.user):
            readonly += ["published_at", "authors"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and obj.is_public else self.prepopulated_fields

    # --- Saving ---------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            article = self.get_object(request, object_id)
            if article is not None and self.has_view_permission(request, article):
                extra_context.update(
                    transitions=available_transitions(request.user, article),
                    preview_url=reverse("articles:preview", args=[article.pk]),
                    share_url=(
                        request.build_absolute_uri(signed_preview_url(article))
                        if permissions.can_publish(request.user)
                        else None
                    ),
                    revision_count=article.revisions.count(),
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_formset(self, request, form, formset, change):
        now = timezone.now()
        for link_form in formset.forms:
            decided = link_form.instance.pk is None or "state" in link_form.changed_data
            if link_form.has_changed() and decided:
                link_form.instance.decided_by = request.user
                link_form.instance.decided_at = now
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not article.authors.exists():
            article.authors.add(request.user)
        # Editors' decisions are saved; bring suggestions in line with the text.
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
        services.article_saved(article=article, user=request.user, created=not change)
        transition = request.POST.get(WORKFLOW)
        if transition:
            self._run_transition(request, article, transition, form)

    def _run_transition(self, request, article, name, form):
        if name not in dict(available_transitions(request.user, article)):
            raise PermissionDenied("That step is not open to you for this article.")
        when = form.cleaned_data.get("published_at")
        step = {
            "submit": lambda: services.article_submit(
                article=article, user=request.user
            ),
            "publish": lambda: services.article_publish(
                article=article, user=request.user, when=when
            ),
            "return": lambda: services.article_return_to_draft(
                article=article, user=request.user
            ),
            "unpublish": lambda: services.article_unpublish(
                article=article, user=request.user
            ),
            "archive": lambda: services.article_archive(
                article=article, user=request.user
            ),
        }[name]
        step()
        self.message_user(
            request,
            f"“{article}” is now {self.status_label(article).lower()}.",
            messages.SUCCESS,
        )

    def response_change(self, request, obj):
        if ACCEPT_ALL in request.POST or WORKFLOW in request.POST:
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- The changelist -----------------------------------------------------

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else None

    @admin.display(description="suggestions", ordering="suggestions")
    def suggestion_count(self, obj):
        return obj.suggestions or "—"

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

    def _each(self, request, queryset, step, done: str) -> None:
        """Run a workflow step on each selected article; say what happened."""
        succeeded, refused = 0, []
        for article in queryset:
            try:
                step(article)
            except PermissionDenied:
                refused.append(article.title)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{done}: {succeeded}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                "Not allowed for: " + "; ".join(refused) + ".",
                messages.ERROR,
            )

    @admin.action(
        description="Submit the selected drafts for review", permissions=["change"]
    )
    def submit_for_review(self, request, queryset):
        self._each(
            request,
            queryset.filter(status=ArticleStatus.DRAFT),
            lambda a: services.article_submit(article=a, user=request.user),
            "Submitted for review",
        )

    @admin.action(
        description="Publish the selected articles now", permissions=["publish"]
    )
    def publish_now(self, request, queryset):
        self._each(
            request,
            [a for a in queryset if not a.is_public],
            lambda a: services.article_publish(article=a, user=request.user),
            "Published",
        )

    @admin.action(
        description="Return the selected articles to draft", permissions=["publish"]
    )
    def return_to_draft(self, request, queryset):
        self._each(
            request,
            queryset.exclude(status=ArticleStatus.DRAFT),
            lambda a: services.article_return_to_draft(article=a, user=request.user),
            "Returned to draft",
        )

    @admin.action(description="Archive the selected articles", permissions=["publish"])
    def archive(self, request, queryset):
        self._each(
            request,
            queryset.filter(status=ArticleStatus.PUBLISHED),
            lambda a: services.article_archive(article=a, user=request.user),
            "Archived",
        )

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
        accepted = 0
        for article in queryset:
            try:
                accepted += linking.article_accept_suggestions(
                    article=article, user=request.user
                )
            except PermissionDenied:
                continue
        self.message_user(
            request,
            ngettext("Accepted %d suggestion.", "Accepted %d suggestions.", accepted)
            % accepted,
            messages.SUCCESS,
        )

    # --- Revisions: history, compare, revert --------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{info[0]}_{info[1]}_compare",
            ),
            path(
                "<path:object_id>/history/<int:number>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name=f"{info[0]}_{info[1]}_revert",
            ),
            *super().get_urls(),
        ]

    def _article_for(self, request, object_id) -> Article:
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_permission(request, article):
            raise Http404("No such article.")
        return article

    def history_view(self, request, object_id, extra_context=None):
        """The article's revisions: who did what, when; compare any two."""
        article = self._article_for(request, object_id)
        revisions = list(article.revisions.select_related("user").order_by("-number"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"History of “{article}”",
            "opts": self.opts,
            "article": article,
            "revisions": revisions,
            "can_revert": permissions.can_edit(request.user, article),
        }
        return TemplateResponse(
            request, "admin/articles/article/revisions.html", context
        )

    def compare_view(self, request, object_id):
        article = self._article_for(request, object_id)
        revisions = article.revisions.all()
        try:
            older = revisions.get(number=int(request.GET.get("from", "")))
            newer = revisions.get(number=int(request.GET.get("to", "")))
        except (ValueError, ArticleRevision.DoesNotExist):
            raise Http404("Choose two revisions of this article.") from None
        if older.number > newer.number:
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revision {older.number} → {newer.number} of “{article}”",
            "opts": self.opts,
            "article": article,
            "older": older,
            "newer": newer,
            "changes": services.compare(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def revert_view(self, request, object_id, number):
        article = self._article_for(request, object_id)
        revision = get_object_or_404(ArticleRevision, article=article, number=number)
        if not permissions.can_edit(request.user, article):
            raise PermissionDenied
        if request.method == "POST":
            new = services.article_revert(
                article=article, revision=revision, user=request.user
            )
            self.message_user(
                request,
                f"Reverted to revision {revision.number}; that is now revision {new.number}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=[article.pk])
            )
        latest = article.revisions.order_by("-number").first()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revert “{article}” to revision {revision.number}?",
            "opts": self.opts,
            "article": article,
            "revision": revision,
            "changes": services.compare(latest, revision) if latest else [],
        }
        return TemplateResponse(request, "admin/articles/article/revert.html", context)

    @admin.display(description="history")
    def history_link(self, obj):
        return format_html(
            '<a href="{}">History</a>',
            reverse("admin:articles_article_history", args=[obj.pk]),
        )
