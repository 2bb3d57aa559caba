"""Admin for the records: staff curate countries, blocs, organisations,
systems, partnerships and tags here."""

from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import Count
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext

from articles.selectors import accepted_links_to_any, linking_article_count, links_to
from coopsite.admin import (
    LOCK_FIELDS,
    AutocompleteKeysMixin,
    KeptCountMixin,
    KeptRelatedOnlyFilter,
    ReadOnlyHistoryAdmin,
    public_url,
)
from core.admin import without_record_stamps

from . import services
from .forms import (
    AliasInlineFormSet,
    ParticipantInlineFormSet,
    PartnershipAdminForm,
    PartnershipSystemForm,
    RecordForm,
    TagActionForm,
    UntagActionForm,
)
from .models import (
    Alias,
    Bloc,
    BlocMembership,
    Country,
    Entity,
    ExternalIdentifier,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    Source,
    System,
    Tag,
)

# Who may change an article's links to records (Editors).
LINK_DECISION = "articles.change_articleentitylink"

# --- Inlines -----------------------------------------------------------------


class AliasInline(admin.TabularInline):
    model = Alias
    formset = AliasInlineFormSet
    fields = ["name"]
    extra = 1
    verbose_name = "alias"
    verbose_name_plural = "aliases (other names the detector and resolver know)"


class ExternalIdentifierInline(admin.TabularInline):
    model = ExternalIdentifier
    fields = ["scheme", "value"]
    extra = 0


class BlocMembershipInline(AutocompleteKeysMixin, admin.TabularInline):
    model = BlocMembership
    fields = ["bloc", "country", "joined", "left", "note"]
    autocomplete_fields = ["bloc", "country"]
    extra = 0


class ParticipantInline(AutocompleteKeysMixin, admin.TabularInline):
    model = Participant
    formset = ParticipantInlineFormSet
    fields = ["role", "country", "organisation", "bloc", "note"]
    autocomplete_fields = ["country", "organisation", "bloc"]
    extra = 1


class PartnershipSystemInline(AutocompleteKeysMixin, admin.StackedInline):
    model = PartnershipSystem
    form = PartnershipSystemForm
    fields = [
        "system",
        ("quantity_ordered", "quantity_ordered_is_estimate"),
        ("quantity_delivered", "quantity_delivered_is_estimate"),
        ("condition", "local_production"),
        ("delivery_years", "delivery_years_are_estimates"),
        ("tiv_per_unit", "tiv_order", "tiv_delivered"),
        "note",
    ]
    autocomplete_fields = ["system"]
    extra = 0


class SourceInline(admin.StackedInline):
    model = Source
    fields = [("title", "publisher"), "url", ("published_on", "accessed_on")]
    extra = 0


# --- Entities ----------------------------------------------------------------


class EntityAdmin(KeptCountMixin, ReadOnlyHistoryAdmin):
    """What every kind of entity shares in the admin: where it is used (the
    articles that link it) and its history (who changed what, when)."""

    form = RecordForm
    change_form_template = "admin/partnerships/record_change_form.html"
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    search_fields = ["name", "slug", "aliases__name"]
    inlines: list[type[InlineModelAdmin]] = [AliasInline, ExternalIdentifierInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_total=linking_article_count())
        )

    def view_on_site(self, obj):
        return public_url(obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None:
                extra_context["usage"] = self.usage(request, obj)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_deleted_objects(self, objs, request):
        """Deleting a country, bloc, organisation, system or partnership
        deletes its shared entity row too; the entity look-up's admin allows
        no deletes, which would make Django refuse every delete. Whoever may
        delete this kind may delete its entity row."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        perms_needed.discard(Entity._meta.verbose_name)
        # Editors decide an article's links: a record articles link to is
        # theirs to unlink before someone who may not decide links deletes
        # it (the articles would lose the link without a word).
        if not request.user.has_perm(LINK_DECISION):
            protected.extend(
                f"Article “{link.article.title}” links to {link.entity.name} "
                "(an editor removes the link first)"
                for link in accepted_links_to_any(objs)
            )
        return deleted, counts, perms_needed, protected

    def get_fieldsets(self, request, obj=None):
        fieldsets = without_record_stamps(super().get_fieldsets(request, obj), obj)
        # The version the form was opened on travels with the first fieldset.
        name, options = fieldsets[0]
        own = [f for f in options["fields"] if f not in LOCK_FIELDS]
        return [
            (name, {**options, "fields": [*own, *LOCK_FIELDS]}),
            *fieldsets[1:],
        ]

    @admin.display(description="articles", ordering="article_total")
    def used_in(self, obj):
        return obj.article_total

    def usage(self, request, obj) -> dict:
        """The articles that link this entity, for the "Used in" panel: what
        the user may read in the admin is listed with its state and a link;
        a published article is public anyway; any other is only counted."""
        from articles import permissions

        accepted, suggested = links_to(obj)
        shown: dict[str, list[dict]] = {"accepted": [], "suggested": []}
        hidden = 0
        for state, links in (("accepted", accepted), ("suggested", suggested)):
            for link in links:
                article = link.article
                if permissions.can_view(request.user, article):
                    url = reverse("admin:articles_article_change", args=[article.pk])
                elif article.is_public:
                    url = article.get_absolute_url()
                else:
                    hidden += 1
                    continue
                shown[state].append(
                    {
                        "title": article.title,
                        "url": url,
                        "status": article.get_status_display().lower(),
                        "mentions": link.mention_count,
                    }
                )
        return {**shown, "hidden": hidden, "total": len(accepted) + len(suggested)}


@admin.register(Entity)
class EntityLookupAdmin(admin.ModelAdmin):
    """Not shown in the admin menu: it answers the look-ups ("autocomplete")
    for fields that may hold any kind of entity, such as an article's links."""

    search_fields = ["name", "aliases__name"]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country)
class CountryAdmin(EntityAdmin):
    list_display = ["name", "alpha_2", "alpha_3", "subregion", "is_former", "used_in"]
    list_filter = ["is_former", "region", "subregion", "blocs"]
    search_fields = [
        "name",
        "official_name",
        "alpha_2",
        "alpha_3",
        "alpha_4",
        "aliases__name",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "official_name", "summary"]}),
        ("Codes", {"fields": [("alpha_2", "alpha_3", "alpha_4", "numeric")]}),
        (
            "Geography",
            {"fields": [("region", "subregion"), "demonym", ("latitude", "longitude")]},
        ),
        ("History", {"fields": [("is_former", "existed_until")]}),
        ("Record", {"fields": [("created_at", "updated_at")]}),
    ]
    inlines = [AliasInline, BlocMembershipInline, ExternalIdentifierInline]


@admin.register(Bloc)
class BlocAdmin(EntityAdmin):
    list_display = [
        "name",
        "abbreviation",
        "kind",
        "founded",
        "member_count",
        "used_in",
    ]
    list_filter = ["kind"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "kind",
                    "official_name",
                    "abbreviation",
                    "summary",
                ]
            },
        ),
        ("Details", {"fields": ["founded", "website"]}),
        ("Record", {"fields": [("created_at", "updated_at")]}),
    ]
    inlines = [AliasInline, BlocMembershipInline, ExternalIdentifierInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_total=Count("memberships", distinct=True))
            .order_by("name")
        )

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total


@admin.register(Organisation)
class OrganisationAdmin(EntityAdmin):
    list_display = ["name", "kind", "home_country", "used_in", "updated_at"]
    list_select_related = ["home_country"]
    list_filter = ["kind", ("home_country", KeptRelatedOnlyFilter)]
    autocomplete_fields = ["home_country"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "kind", "home_country", "website", "summary"]},
        ),
        ("Record", {"fields": [("created_at", "updated_at")]}),
    ]


@admin.register(System)
class SystemAdmin(EntityAdmin):
    list_display = [
        "name",
        "category",
        "origin_country",
        "maker_names",
        "used_in",
        "updated_at",
    ]
    list_select_related = ["origin_country"]
    list_filter = ["category", ("origin_country", KeptRelatedOnlyFilter)]
    autocomplete_fields = ["origin_country", "makers"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "category",
                    "origin_country",
                    "makers",
                    "summary",
                ]
            },
        ),
        ("Record", {"fields": [("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("makers")

    @admin.display(description="makers")
    def maker_names(self, obj):
        return ", ".join(maker.name for maker in obj.makers.all())


def shown_names(partnerships: list[Partnership]) -> None:
    """Give each of a changelist page's ``partnerships`` the names its row
    shows, in one query each as plain names: its participants' (their
    actors', by role, then as added) and its tags' (by name). Prefetched,
    they made 500 model instances and 200 querysets for each page of a
    hundred rows."""
    keys = [partnership.pk for partnership in partnerships]
    participants: dict[int, list[str]] = defaultdict(list)
    for key, name in (
        Participant.objects.filter(partnership_id__in=keys)
        .order_by("role", "id")
        .values_list(
            "partnership_id",
            Coalesce("country__name", "organisation__name", "bloc__name"),
        )
    ):
        participants[key].append(name)
    tags: dict[int, list[str]] = defaultdict(list)
    for key, name in (
        Partnership.tags.through.objects.filter(partnership_id__in=keys)
        .order_by("tag__name", "tag_id")
        .values_list("partnership_id", "tag__name")
    ):
        tags[key].append(name)
    for partnership in partnerships:
        # Set on the page's instances only (the row's columns read them).
        setattr(partnership, "participant_names_shown", participants[partnership.pk])  # noqa: B010
        setattr(partnership, "tag_names_shown", tags[partnership.pk])  # noqa: B010


@admin.register(Partnership)
class PartnershipAdmin(EntityAdmin):
    form = PartnershipAdminForm
    list_display = [
        "name",
        "kind",
        "status_today",
        "start_display",
        "participant_names",
        "tag_names",
        "is_featured",
        "used_in",
    ]
    list_filter = [
        "kind",
        "status",
        ("participants__country", KeptRelatedOnlyFilter),
        ("tags", KeptRelatedOnlyFilter),
        "is_featured",
    ]
    search_fields = ["name", "slug", "summary", "aliases__name"]
    autocomplete_fields = ["tags"]
    date_hierarchy = "start_date"
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "status", "summary"]}),
        (
            "Dates",
            {"fields": [("start", "start_is_estimate"), ("end", "end_is_estimate")]},
        ),
        ("Curation", {"fields": ["tags", "is_featured"]}),
        (
            "Series and place",
            {"fields": ["series", "location", ("latitude", "longitude")]},
        ),
        ("Record", {"fields": [("created_at", "updated_at")]}),
    ]
    inlines = [
        ParticipantInline,
        PartnershipSystemInline,
        SourceInline,
        AliasInline,
        ExternalIdentifierInline,
    ]
    actions = ["add_tag", "remove_tag"]
    # Fifty rows a page, as the articles' list (see ArticleAdmin): 30,000
    # records are found by search, filters, dates and sorting.
    list_per_page = 50
    object_history_template = "admin/partnerships/partnership/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The record's own history, and its participants', systems' and
        sources' changes, newest first."""
        extra_context = {
            **(extra_context or {}),
            "part_changes": part_changes(object_id),
        }
        return super().history_view(request, object_id, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    def prepare_changelist_rows(self, rows: list[Partnership]) -> None:
        """A changelist page's rows, before they are written: read with their
        participants' and tags' names (``shown_names``); not when the page's
        rows are kept written (``coopsite.templatetags.admin_rows``)."""
        shown_names(rows)

    @admin.display(description="status", ordering="status_now")
    def status_today(self, obj):
        """The status today, read from the dates (the stored one is what
        they do not decide)."""
        return obj.get_current_status_display()

    @admin.display(description="start", ordering="start_date")
    def start_display(self, obj):
        return str(obj.start) if obj.start else "—"

    @admin.display(description="participants")
    def participant_names(self, obj):
        names = getattr(obj, "participant_names_shown", None)
        if names is None:
            names = [str(p.actor) for p in obj.participants.order_by("role", "id")]
        return ", ".join(names)

    @admin.display(description="tags")
    def tag_names(self, obj):
        names = getattr(obj, "tag_names_shown", None)
        if names is None:
            names = [tag.name for tag in obj.tags.all()]
        return ", ".join(names)

    @admin.action(
        description="Add a tag to the selected partnerships", permissions=["change"]
    )
    def add_tag(self, request, queryset):
        allow_new = request.user.has_perm("partnerships.add_tag")
        form = TagActionForm(
            request.POST if "apply" in request.POST else None,
            admin_site=self.admin_site,
            allow_new=allow_new,
        )
        if form.is_bound and form.is_valid():
            tag = form.cleaned_data["tag"] or services.tag_get_or_create(
                name=form.cleaned_data["new_tag"]
            )
            added = services.partnerships_tag(partnerships=queryset, tag=tag)
            for partnership in added:
                self.log_change(request, partnership, f"Added tag “{tag}”.")
            self.message_user(
                request,
                ngettext(
                    "Tagged %(count)d partnership “%(tag)s”.",
                    "Tagged %(count)d partnerships “%(tag)s”.",
                    len(added),
                )
                % {"count": len(added), "tag": tag},
                messages.SUCCESS,
            )
            return None
        return self._tag_action_page(
            request, queryset, form, action="add_tag", title="Add a tag"
        )

    @admin.action(
        description="Remove a tag from the selected partnerships",
        permissions=["change"],
    )
    def remove_tag(self, request, queryset):
        form = UntagActionForm(
            request.POST if "apply" in request.POST else None,
            admin_site=self.admin_site,
        )
        if form.is_bound and form.is_valid():
            tag = form.cleaned_data["tag"]
            removed = services.partnerships_untag(partnerships=queryset, tag=tag)
            for partnership in removed:
                self.log_change(request, partnership, f"Removed tag “{tag}”.")
            self.message_user(
                request,
                ngettext(
                    "Removed “%(tag)s” from %(count)d partnership.",
                    "Removed “%(tag)s” from %(count)d partnerships.",
                    len(removed),
                )
                % {"count": len(removed), "tag": tag},
                messages.SUCCESS,
            )
            return None
        return self._tag_action_page(
            request, queryset, form, action="remove_tag", title="Remove a tag"
        )

    def _tag_action_page(self, request, queryset, form, *, action, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "partnerships": queryset.order_by("name"),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/partnerships/partnership/tag_action.html", context
        )


def part_changes(partnership_id) -> list[dict]:
    """Changes to a partnership's participants, systems and sources."""
    try:
        partnership_id = int(partnership_id)
    except (TypeError, ValueError):
        return []
    verbs = {"+": "Added", "~": "Changed", "-": "Removed"}
    rows = []
    for model, what in (
        (Participant, "participant"),
        (PartnershipSystem, "system"),
        (Source, "source"),
    ):
        records = (
            model.history.filter(partnership_id=partnership_id)
            .select_related("history_user")
            .order_by("-history_date")[:200]
        )
        for record in records:
            rows.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "what": f"{verbs.get(record.history_type, '')} {what}: "
                    f"{_describe(record, what)}",
                }
            )
    return sorted(rows, key=lambda row: row["when"], reverse=True)


def _describe(record, what: str) -> str:
    if what == "participant":
        actor = record.country or record.organisation or record.bloc
        return f"{actor} ({record.get_role_display().lower()})"
    if what == "system":
        quantity = f" ×{record.quantity_ordered}" if record.quantity_ordered else ""
        return f"{record.system}{quantity}"
    return record.title


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "partnership_count", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                partnership_total=Count("partnerships", distinct=True),
                article_total=Count("articles", distinct=True),
            )
            .order_by("name")
        )

    @admin.display(description="partnerships", ordering="partnership_total")
    def partnership_count(self, obj):
        return obj.partnership_total

    @admin.display(description="articles", ordering="article_total")
    def article_count(self, obj):
        return obj.article_total

    def view_on_site(self, obj):
        return public_url(obj)
