"""The article admin: writing, linking, the editorial workflow (buttons and
actions over ``services``), revisions with diffs and reverts, and previews.
Every view and action asks ``permissions`` what the user may do."""

from collections import defaultdict
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import (
    IS_POPUP_VAR,
    ActionLocation,
    IncorrectLookupParameters,
)
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import Resolver404, path, resolve, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from coopsite.admin import (
    LOCK_FIELDS,
    KeptCountMixin,
    KeptRelatedOnlyFilter,
    public_url,
)
from core import free_text
from core.admin import without_record_stamps
from images.models import Image
from partnerships.models import Tag

from . import history, linking, permissions, services, workflow
from .admin_links import LinkedEntityInline, RejectedLinkInline, SuggestedLinkInline
from .forms import RETURN_NOTE, WORKFLOW, ArticleAdminForm
from .linking import link_first_mentions
from .markdown import body_links, body_pictures, render_markdown
from .models import (
    WORDS_PER_MINUTE,
    Article,
    ArticleEntityLink,
    ArticleRevision,
    ArticleStatus,
    ArticleWorkingCopy,
    state_condition,
)
from .previews import signed_preview_url

ACCEPT_ALL = "_accept_all_suggestions"
MAX_BODY = 500_000  # characters: a preview or autosave beyond this is refused
# What an autosave keeps of the form (tags too, as a list).
AUTOSAVED_FIELDS = [
    "title",
    "slug",
    "standfirst",
    "body",
    "lead_image",
    "meta_description",
    "social_image",
    "published_at_0",
    "published_at_1",
]


# Steps that take articles off the site (or off their schedule): the
# list's actions ask before taking them, as the form's buttons do.
ASKS_FIRST = frozenset({"unpublish", "archive"})


def workflow_buttons(user, article: Article) -> list[tuple[str, str]]:
    """The buttons under the form: the steps the workflow allows now (on the
    Add page, the steps from a draft of the user's own)."""
    return [(t.name, t.button) for t in workflow.available(user, article)]


def _posted_version(raw: str) -> int | None:
    """The article's edit version the form was opened at, as an autosave
    posts it (None: not sent); ValidationError for a value no version can
    be (not a whole number, or beyond the column)."""
    version = forms.IntegerField(required=False, min_value=0).clean(raw)
    if version is not None:
        ArticleWorkingCopy._meta.get_field("base_version").run_validators(version)
    return version


def suggested_link_count():
    """How many links are suggested for each article, as a subquery."""
    return Coalesce(
        Subquery(
            ArticleEntityLink.objects.suggested()
            .filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(total=Count("pk"))
            .values("total"),
            output_field=IntegerField(),
        ),
        0,
    )


class ArticleStateFilter(admin.ChoicesFieldListFilter):
    """The status filter, in the workflow's states: "Scheduled" apart, and
    "Published" only what readers see (the status column's words)."""

    def get_facet_counts(self, pk_attname, filtered_qs):
        return {
            f"{n}__c": Count(pk_attname, filter=state_condition(state))
            for n, state in enumerate(workflow.State.values)
        }

    def choices(self, changelist):
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        yield {
            "selected": self.lookup_val is None,
            "query_string": changelist.get_query_string(
                remove=[self.lookup_kwarg, self.lookup_kwarg_isnull]
            ),
            "display": "All",
        }
        for n, (state, title) in enumerate(workflow.State.choices):
            yield {
                "selected": self.lookup_val is not None and state in self.lookup_val,
                "query_string": changelist.get_query_string(
                    {self.lookup_kwarg: state}, [self.lookup_kwarg_isnull]
                ),
                "display": f"{title} ({counts[f'{n}__c']})" if counts else title,
            }

    def queryset(self, request, queryset):
        chosen = self.used_parameters.get(self.lookup_kwarg)
        if chosen is None:
            return queryset
        state = chosen[-1] if isinstance(chosen, list) else chosen
        try:
            return queryset.filter(state_condition(state))
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error


@admin.register(Article)
class ArticleAdmin(KeptCountMixin, admin.ModelAdmin):
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
        ("status", ArticleStateFilter),
        ("authors", KeptRelatedOnlyFilter),
        ("tags", KeptRelatedOnlyFilter),
    ]
    search_fields = ["title", "slug", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "tags", "lead_image", "social_image"]
    date_hierarchy = "published_at"
    inlines = [SuggestedLinkInline, LinkedEntityInline, RejectedLinkInline]
    # The workflow's actions come from its table (see get_actions).
    actions = ["find_mentions_again", "accept_all_suggestions"]
    show_full_result_count = False
    # Fifty rows a page, not Django's hundred: at 100,000 articles an editor
    # finds an article by its search, filters, dates and sorting, not by
    # paging; fifty rows are two screens, and half the rows to read and
    # write on every visit of the list.
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/article-editor.js"]

    # --- What each user sees and may do -------------------------------------

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            # A subquery, counted for the rows shown only (not a GROUP BY
            # over every article's links before the page is cut).
            .annotate(suggestions=suggested_link_count())
        )
        return permissions.visible_in_admin(request.user, queryset)

    def get_search_results(self, request, queryset, search_term):
        """What the site's search finds too (drafts and all: the index
        holds every article), so that "turkiye" finds what "Türkiye" does
        and "drone" finds "drones", as readers' search does; and what the
        words are part of (a slug, a fragment of a word), as Django's
        search finds it."""
        found, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if not search_term.strip():
            return found, may_have_duplicates
        keys = free_text.found_pks(Article, search_term, unpublished=True)
        if not keys:
            return found, may_have_duplicates
        # One parameter however many (a common word finds most articles).
        in_index = queryset.filter(free_text.among("pk", sorted(set(keys))))
        return found | in_index, may_have_duplicates

    def prepare_changelist_rows(self, rows: list[Article]) -> None:
        """A changelist page's rows, before they are written (not when they
        are kept written: ``coopsite.templatetags.admin_rows``): read with
        their authors' bylines in one query of plain values; prefetched,
        each row's authors cost a queryset and its models (two hundred for
        a page)."""
        bylines: dict[int, list[str]] = defaultdict(list)
        user_model = get_user_model()
        for article_id, *names in (
            Article.authors.through.objects.filter(article_id__in=[a.pk for a in rows])
            .order_by(*(f"user__{field}" for field in user_model._meta.ordering or ()))
            .values_list(
                "article_id", "user__first_name", "user__last_name", "user__username"
            )
        ):
            first_name, last_name, username = names
            bylines[article_id].append(
                user_model(
                    first_name=first_name, last_name=last_name, username=username
                ).display_name
            )
        for article in rows:
            # Set on the page's instances only (the row's column reads them).
            setattr(article, "bylines_shown", bylines[article.pk])  # noqa: B010

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
            (
                None,
                {
                    "fields": [
                        "title",
                        "slug",
                        "standfirst",
                        "lead_image",
                        "body",
                        *LOCK_FIELDS,
                    ]
                },
            ),
            ("Credits and topics", {"fields": ["authors", "tags"]}),
            (
                "Search and social",
                {
                    "fields": ["meta_description", "social_image"],
                    "description": "How the article looks in search results and "
                    "link previews. Left empty, the standfirst and the lead "
                    "picture are used.",
                },
            ),
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
        extra_context["editor"] = self._editor_context(request, object_id)
        if not object_id:
            extra_context["transitions"] = workflow_buttons(request.user, Article())
        if object_id:
            article = self.get_object(request, object_id)
            if article is not None and self.has_view_permission(request, article):
                extra_context.update(
                    transitions=workflow_buttons(request.user, article),
                    preview_url=reverse("articles:preview", args=[article.pk]),
                    share_url=(
                        request.build_absolute_uri(signed_preview_url(article))
                        if permissions.can_publish(request.user)
                        else None
                    ),
                    revision_count=article.revisions.count(),
                    # "Save and accept all suggestions" for who may decide them.
                    may_decide_links=permissions.can_edit(request.user, article),
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request, obj, form, change):
        if (
            change
            and request.POST.get(WORKFLOW)
            and "published_at" in form.changed_data
        ):
            # The step after this save takes its publication time from the
            # form (a future one schedules, a past or empty one publishes
            # now): the save keeps the stored time, so that the step starts
            # from the state the editor saw ("Save and publish" on a
            # scheduled article brought forward).
            obj.published_at = form.initial.get("published_at")
        super().save_model(request, obj, form, change)
        if not change and "authors" not in form.base_fields:
            # A contributor's new article is theirs before its link panel is
            # saved (the linking services ask whether they wrote it); for
            # those who choose the authors, save_related credits the writer
            # when they left the field empty.
            obj.authors.add(request.user)

    def save_formset(self, request, form, formset, change):
        """The link panels' decisions, through the linking services (which
        keep who decided and when), never written around them."""
        if formset.model is not ArticleEntityLink:
            return super().save_formset(request, form, formset, change)
        new, changed, removed = [], [], []
        deleted = set(formset.deleted_forms)
        for link_form in formset.forms:
            link = link_form.instance
            if link_form in deleted:
                if link.pk is not None:
                    linking.link_remove(link=link, user=request.user)
                    removed.append(link)
            elif not link_form.has_changed():
                continue
            elif link.pk is None:
                new.append(
                    linking.link_add(
                        article=form.instance,
                        entity=link_form.cleaned_data["entity"],
                        role=link_form.cleaned_data["role"],
                        user=request.user,
                    )
                )
            else:
                linking.link_decide(
                    link=link,
                    state=link_form.cleaned_data.get("state", link.state),
                    role=link_form.cleaned_data["role"],
                    user=request.user,
                )
                changed.append((link, link_form.changed_data))
        # What the admin's change message reads.
        formset.new_objects, formset.changed_objects = new, changed
        formset.deleted_objects = removed
        return None

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
        self._warn_about_pictures(request, article)
        self._warn_about_links(request, article)
        services.article_saved(
            article=article,
            user=request.user,
            created=not change,
            went_public=change and self._went_public(article, form),
        )
        transition = request.POST.get(WORKFLOW)
        if transition:
            self._run_transition(request, article, transition, form)

    def _warn_about_links(self, request, article):
        """Links to the site's own articles that readers cannot follow: no
        such article, or one not public (yet). An article that moved is
        found at its new address (the old one redirects)."""
        host = request.get_host()
        for address in body_links(article.body):
            parts = urlsplit(address)
            if parts.scheme not in ("", "http", "https") or (
                parts.netloc and parts.netloc != host
            ):
                continue  # another site's, or mail
            try:
                match = resolve(parts.path or "/")
            except Resolver404:
                if parts.netloc or parts.path.startswith("/"):
                    self.message_user(
                        request,
                        f"The body links to {address}, which is no page of this "
                        "site: readers will find nothing there.",
                        messages.WARNING,
                    )
                continue
            if match.view_name != "articles:detail":
                continue
            slug = match.kwargs["slug"]
            linked = (
                Article.objects.filter(slug=slug).first()
                or Article.objects.formerly_at(slug).first()
            )
            if linked is None:
                problem = "no article is at that address"
            elif not linked.is_public:
                problem = f"“{linked.title}” is not public"
            else:
                continue
            self.message_user(
                request,
                f"The body links to {address}: {problem}, so readers will find "
                "nothing there.",
                messages.WARNING,
            )

    def _warn_about_pictures(self, request, article):
        """Pictures the public page cannot show: from other sites (the
        content security policy blocks them) or not in the library."""
        found = body_pictures(article.body)
        for address in found.external:
            self.message_user(
                request,
                format_html(
                    "The body shows a picture from another site ({}). Readers "
                    "will see only its alt text: upload it to the "
                    '<a href="{}">picture library</a> and insert it as '
                    "<code>![alt text](image:NUMBER)</code>.",
                    address,
                    reverse("admin:images_image_add"),
                ),
                messages.WARNING,
            )
        known = set(article.body_image_uses.values_list("image_id", flat=True))
        for number in found.ids:
            if number not in known:
                self.message_user(
                    request,
                    f"The body shows picture {number}, which is not in the "
                    "library: readers will see only its alt text.",
                    messages.WARNING,
                )

    def _run_transition(self, request, article, name, form):
        # The service asks the workflow; a refusal (a forged or stale
        # button) is a 403 and rolls the whole save back.
        services.article_transition(
            article=article,
            user=request.user,
            name=name,
            when=form.cleaned_data.get("published_at"),
            # Why it goes back to its writer: kept in its history.
            note=" ".join(request.POST.get(RETURN_NOTE, "").split())[:255]
            if name == "return"
            else "",
        )
        self.message_user(
            request,
            f"“{article}” is now {self._state_phrase(article)}.",
            messages.SUCCESS,
        )

    @staticmethod
    def _went_public(article, form) -> bool:
        """Whether this save made a scheduled article public: the form was
        opened on a publication time to come, and the article is public now
        (its time moved to now or before). The status is not a field of the
        form, so it is the one the form was opened on."""
        opened_on = form.initial.get("published_at")
        return (
            article.status == ArticleStatus.PUBLISHED
            and opened_on is not None
            and opened_on > timezone.now()
            and article.is_public
        )

    def _state_phrase(self, article) -> str:
        """Where the article stands, as a sentence ends: "a draft", "in
        review", "scheduled for 20 Dec 2026 09:00"... (the status column's
        words)."""
        if article.status == ArticleStatus.DRAFT:
            return "a draft"
        label = self.status_label(article)
        return label[:1].lower() + label[1:]

    def response_change(self, request, obj):
        if ACCEPT_ALL in request.POST or WORKFLOW in request.POST:
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if WORKFLOW in request.POST:
            # Saved and published (or submitted): show the article as it is now.
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)

    # --- The writing screen: live preview, counts, autosave ---------------------

    def _editor_context(self, request, object_id) -> dict:
        """What the editor script (static/js/article-editor.js) needs, and the
        working copy autosaved from this form, if one is newer than the article."""
        article = self.get_object(request, object_id) if object_id else None
        copy = (
            ArticleWorkingCopy.objects.filter(user=request.user, article=article)
            .order_by("-updated_at")
            .first()
        )
        if (
            copy is not None
            and article is not None
            and copy.updated_at <= article.updated_at
        ):
            copy = None  # saved since: nothing to restore
        return {
            "preview_url": reverse("admin:articles_article_render_preview"),
            "autosave_url": reverse("admin:articles_article_autosave"),
            "discard_url": reverse("admin:articles_article_discard_autosave"),
            "article": article.pk if article else "",
            "words_per_minute": WORDS_PER_MINUTE,
            "autosave_seconds": settings.COOPSITE_AUTOSAVE_SECONDS,
            "working_copy": copy,
            "working_copy_labels": _chosen_labels(copy.fields) if copy else {},
        }

    def _may_write(self, request, article: Article | None) -> bool:
        if article is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, article)

    def _posted_article(self, request) -> Article | None:
        raw = request.POST.get("article", "")
        if not raw:
            return None
        article = self.get_object(request, raw) if raw.isdecimal() else None
        if article is None:
            raise Http404("No such article.")
        return article

    def render_preview_view(self, request):
        """The body as the public page will show it, with its word count and
        reading time: the same code as the article page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._posted_article(request)
        if not self._may_write(request, article) and not (
            article is not None and self.has_view_permission(request, article)
        ):
            raise PermissionDenied
        body = request.POST.get("body", "")
        if len(body) > MAX_BODY:
            return JsonResponse(
                {"error": "The body is too long to preview."}, status=400
            )
        draft = Article(body=body)
        entities = (
            [
                link.entity
                for link in article.entity_links.accepted()
                .select_related("entity")
                .prefetch_related("entity__aliases")
            ]
            if article is not None
            else []
        )
        return JsonResponse(
            {
                "html": str(link_first_mentions(render_markdown(body), entities)),
                "words": draft.word_count,
                "minutes": draft.reading_time,
            }
        )

    def autosave_view(self, request):
        """Keep the form as typed, as the editor's working copy: the article
        and its public page do not change."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._posted_article(request)
        if not self._may_write(request, article):
            raise PermissionDenied
        fields = {
            name: request.POST.get(name, "")[:MAX_BODY]
            for name in AUTOSAVED_FIELDS
            if name in request.POST
        }
        if "tags" in request.POST:
            fields["tags"] = request.POST.getlist("tags")[:200]
        try:
            version = _posted_version(request.POST.get("base_version", ""))
        except ValidationError:
            return JsonResponse(
                {
                    "error": "The form's version is not one an article can have; "
                    "nothing was autosaved. Reload the page."
                },
                status=400,
            )
        try:
            copy = services.working_copy_autosave(
                user=request.user,
                article=article,
                fields=fields,
                base_version=version,
            )
        except services.StaleWorkingCopy:
            return JsonResponse(
                {
                    "error": "The article was saved after this form was opened; "
                    "nothing was autosaved. Reload the page to go on from the "
                    "saved article."
                },
                status=409,
            )
        return JsonResponse(
            {
                "saved_at": timezone.localtime(copy.updated_at).strftime("%H:%M:%S"),
                "autosaves": copy.autosaves,
            }
        )

    def discard_autosave_view(self, request):
        """Forget the working copy, keep the article as saved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._posted_article(request)
        # Asked from the page the working copy is offered on: the article's
        # (which its readers in the admin see), or the Add page.
        if not self._may_write(request, article) and not (
            article is not None and self.has_view_permission(request, article)
        ):
            raise PermissionDenied
        ArticleWorkingCopy.objects.filter(user=request.user, article=article).delete()
        self.message_user(
            request, "The autosaved changes were discarded.", messages.INFO
        )
        target = (
            reverse("admin:articles_article_change", args=[article.pk])
            if article
            else reverse("admin:articles_article_add")
        )
        return HttpResponseRedirect(target)

    # --- The changelist -----------------------------------------------------

    def view_on_site(self, obj):
        return public_url(obj) if obj.is_public else None

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
        names = getattr(obj, "bylines_shown", None)
        if names is None:
            names = [author.display_name for author in obj.authors.all()]
        return ", ".join(names)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        """On the list: the workflow's steps this user may take on some
        article, then the other actions. (On an article's page the buttons
        under the form take the steps.)"""
        actions = super().get_actions(request, action_location)
        if action_location != ActionLocation.CHANGE_LIST or IS_POPUP_VAR in request.GET:
            return actions
        steps = {}
        for transition in workflow.offered(request.user):
            step = self.get_action(self._workflow_action(transition), action_location)
            steps[step.name] = step
        return {**steps, **actions}

    def _workflow_action(self, transition):
        @admin.action(description=transition.action_label)
        def action(modeladmin, request, queryset):
            """Take the step on each selected article the workflow allows it
            for; say what happened to the others. A step that takes articles
            off the site asks first, as deleting does."""
            if transition.name in ASKS_FIRST and request.POST.get("post") != "yes":
                return TemplateResponse(
                    request,
                    "admin/articles/article/confirm_step.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": f"{transition.button} these articles?",
                        "opts": self.opts,
                        "transition": transition,
                        "articles": list(queryset.order_by("title")),
                        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    },
                )
            done, skipped, refused = 0, [], []
            for article in queryset:
                try:
                    services.article_transition(
                        article=article, user=request.user, name=transition.name
                    )
                except workflow.StepNotAllowed:
                    skipped.append(article.title)
                except PermissionDenied:
                    refused.append(article.title)
                else:
                    done += 1
            if done:
                self.message_user(
                    request, f"{transition.done}: {done}.", messages.SUCCESS
                )
            if skipped:
                self.message_user(
                    request,
                    f"Left as they were (“{transition.button}” is not a step "
                    f"from where they are): {'; '.join(skipped)}.",
                    messages.WARNING,
                )
            if refused:
                self.message_user(
                    request,
                    "Not allowed for: " + "; ".join(refused) + ".",
                    messages.ERROR,
                )
            return None  # back to the list, as Django's actions do

        action.__name__ = transition.action
        return action

    def _say_refused(self, request, articles, may_not: str, so: str) -> None:
        """Name the selected articles a list action left alone, and why."""
        if articles:
            self.message_user(
                request,
                f"You may not {may_not} "
                + ", ".join(f"“{article}”" for article in articles)
                + f": {so}.",
                messages.WARNING,
            )

    @admin.action(
        description="Find mentions again in the selected articles",
        permissions=["change"],
    )
    def find_mentions_again(self, request, queryset):
        total, scanned, refused = 0, 0, []
        for article in queryset:
            if not permissions.can_edit(request.user, article):
                refused.append(article)
                continue
            total += linking.article_scan_mentions(article=article).suggested
            scanned += 1
        self._say_refused(request, refused, "change", "they were not scanned")
        if scanned:
            self.message_user(
                request,
                ngettext(
                    "Scanned %(articles)d article: %(new)d new suggestions.",
                    "Scanned %(articles)d articles: %(new)d new suggestions.",
                    scanned,
                )
                % {"articles": scanned, "new": total},
                messages.SUCCESS,
            )

    @admin.action(
        description="Accept all suggested links of the selected articles",
        permissions=["change"],
    )
    def accept_all_suggestions(self, request, queryset):
        accepted, refused = 0, []
        for article in queryset:
            try:
                accepted += linking.article_accept_suggestions(
                    article=article, user=request.user
                )
            except PermissionDenied:
                refused.append(article)
        self._say_refused(
            request, refused, "decide the links of", "nothing was accepted there"
        )
        if len(refused) < len(queryset):
            self.message_user(
                request,
                ngettext(
                    "Accepted %d suggestion.", "Accepted %d suggestions.", accepted
                )
                % accepted,
                messages.SUCCESS,
            )

    # --- Revisions: history, compare, revert --------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "render-preview/",
                self.admin_site.admin_view(self.render_preview_view),
                name=f"{info[0]}_{info[1]}_render_preview",
            ),
            path(
                "autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name=f"{info[0]}_{info[1]}_autosave",
            ),
            path(
                "autosave/discard/",
                self.admin_site.admin_view(self.discard_autosave_view),
                name=f"{info[0]}_{info[1]}_discard_autosave",
            ),
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
        # Exactly what the revert will write (services.revert_plan).
        now = history.as_revision(services.snapshot(article))
        after = history.as_revision(
            services.revert_plan(article=article, revision=revision, user=request.user)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revert “{article}” to revision {revision.number}?",
            "opts": self.opts,
            "article": article,
            "revision": revision,
            "changes": history.compare(now, after),
        }
        return TemplateResponse(request, "admin/articles/article/revert.html", context)


def _chosen_labels(fields: dict) -> dict[str, dict[str, str]]:
    """The names of the pictures and topics a working copy chose, by field
    and id: the form's autocompletes show only what is saved, and the
    restore puts these back beside it."""

    def ids(name) -> list[int]:
        value = fields.get(name) or []
        values = value if isinstance(value, list) else [value]
        return [int(v) for v in values if str(v).isdigit()]

    pictures = {
        str(image.pk): str(image)
        for image in Image.objects.filter(
            pk__in=ids("lead_image") + ids("social_image")
        )
    }
    topics = {str(t.pk): t.name for t in Tag.objects.filter(pk__in=ids("tags"))}
    return {"lead_image": pictures, "social_image": pictures, "tags": topics}
