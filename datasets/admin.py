"""Admin for the importers' records: every import run (read-only) and the
data issues researchers check and resolve. The record pages of partnerships
and organisations get a panel of their issues and a "has data issues"
filter, added here so that ``partnerships`` knows nothing of datasets."""

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from partnerships.admin import OrganisationAdmin, PartnershipAdmin
from partnerships.models import Organisation, Partnership

from .models import DataIssue, ImportRun, IssueStatus


class ReadOnlyAdminMixin:
    """Seen, never changed, from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    view_on_site = False  # runs have no public page
    list_display = [
        "started_at",
        "dataset",
        "file_name",
        "outcome",
        "records",
        "created",
        "updated",
        "unchanged",
        "flagged_link",
        "user",
    ]
    list_filter = ["dataset", "outcome"]
    list_select_related = ["user"]
    search_fields = ["file_name", "sha256"]
    date_hierarchy = "started_at"
    fields = [
        ("dataset", "format", "strict"),
        ("file_name", "encoding"),
        "sha256",
        ("user", "run_by"),
        ("started_at", "finished_at"),
        "outcome",
        ("records", "created", "updated", "unchanged", "flagged_link"),
        "report_text",
    ]
    readonly_fields = ["flagged_link", "report_text"]

    @admin.display(description="flagged", ordering="flagged")
    def flagged_link(self, obj):
        if not obj.flagged:
            return "0"
        url = reverse("admin:datasets_dataissue_changelist")
        return format_html(
            '<a href="{}?import_run__id__exact={}&amp;status=all">{}</a>',
            url,
            obj.pk,
            f"{obj.flagged:,}",
        )

    @admin.display(description="report")
    def report_text(self, obj):
        return format_html('<pre class="import-report">{}</pre>', obj.report)


class IssueStatusFilter(admin.SimpleListFilter):
    """Open issues unless asked otherwise: the researcher's work list."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*IssueStatus.choices, ("all", "All")]

    def choices(self, changelist):
        value = self.value() or IssueStatus.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or IssueStatus.OPEN
        if value == "all":
            return queryset
        return queryset.filter(status=value)


@admin.register(DataIssue)
class DataIssueAdmin(admin.ModelAdmin):
    view_on_site = False  # the record has one: "record" links to it
    list_display = [
        "external_id",
        "record_link",
        "row",
        "field",
        "source_value_short",
        "reason",
        "status",
        "import_run",
    ]
    list_filter = [IssueStatusFilter, "reason", "dataset", "import_run"]
    list_select_related = ["entity", "import_run"]
    search_fields = ["external_id", "entity__name", "source_value", "message"]
    actions = ["mark_resolved", "reopen"]
    fields = [
        "record_link",
        ("dataset", "external_id", "row"),
        ("field", "reason"),
        "source_value",
        "message",
        "import_run",
        ("status", "resolved_by", "resolved_at"),
        "note",
    ]
    readonly_fields = [
        "record_link",
        "dataset",
        "external_id",
        "row",
        "field",
        "reason",
        "source_value",
        "message",
        "import_run",
        "resolved_by",
        "resolved_at",
    ]

    def has_add_permission(self, request):
        return False  # the importers find issues; people resolve them

    @admin.display(description="record", ordering="entity__name")
    def record_link(self, obj):
        entity = obj.entity
        url = reverse(
            f"admin:partnerships_{entity.entity_type}_change", args=[entity.pk]
        )
        return format_html('<a href="{}">{}</a>', url, entity.name)

    @admin.display(description="source value", ordering="source_value")
    def source_value_short(self, obj):
        value = obj.source_value
        return value if len(value) <= 60 else f"{value[:59]}…"

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            _set_status(obj, obj.status, request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description="Mark resolved (the record is checked)")
    def mark_resolved(self, request, queryset):
        self._set(request, queryset, IssueStatus.RESOLVED)

    @admin.action(description="Reopen")
    def reopen(self, request, queryset):
        self._set(request, queryset, IssueStatus.OPEN)

    def _set(self, request, queryset, status):
        issues = list(queryset.exclude(status=status))
        for issue in issues:
            _set_status(issue, status, request.user)
        DataIssue.objects.bulk_update(
            issues, ["status", "resolved_by", "resolved_at"], batch_size=500
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d issue marked %(status)s.",
                "%(count)d issues marked %(status)s.",
                len(issues),
            )
            % {"count": len(issues), "status": IssueStatus(status).label.lower()},
            messages.SUCCESS,
        )


def _set_status(issue: DataIssue, status: str, user) -> None:
    issue.status = status
    resolved = status == IssueStatus.RESOLVED
    issue.resolved_by = user if resolved else None
    issue.resolved_at = timezone.now() if resolved else None


# --- On the records' pages -------------------------------------------------------------


@admin.display(description="data issues")
def data_issues_panel(obj) -> str:
    """The record's data issues, each linked to its page where a researcher
    marks it resolved."""
    issues = DataIssue.objects.filter(entity=obj.pk).select_related("import_run")
    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td></tr>",
        (
            (
                reverse("admin:datasets_dataissue_change", args=[issue.pk]),
                issue.message,
                issue.field,
                issue.source_value,
                issue.get_status_display(),
                issue.import_run,
            )
            for issue in issues
        ),
    )
    if not rows:
        return "None: every value was read as the source gives it."
    return format_html(
        '<table class="data-issues"><thead><tr><th scope="col">Issue</th>'
        '<th scope="col">Field</th><th scope="col">Source value</th>'
        '<th scope="col">Status</th><th scope="col">Found by</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        rows,
    )


VIEW_ISSUES = "datasets.view_dataissue"


class HasDataIssuesFilter(admin.SimpleListFilter):
    title = "data issues"
    parameter_name = "data_issues"

    def lookups(self, request, model_admin):
        return [("open", "Has open data issues"), ("any", "Has data issues")]

    def queryset(self, request, queryset):
        issues = DataIssue.objects.filter(entity=OuterRef("pk"))
        if self.value() == "open":
            return queryset.filter(Exists(issues.open()))
        if self.value() == "any":
            return queryset.filter(Exists(issues))
        return queryset


def with_data_issues(base: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """The record admin ``base``, with a data-issue panel on the change page
    (for those who may see issues) and a "has data issues" filter."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = base.get_fieldsets(self, request, obj)
        if obj is None or not request.user.has_perm(VIEW_ISSUES):
            return fieldsets
        return [*fieldsets, ("Data issues", {"fields": ["data_issues"]})]

    def get_list_filter(self, request):
        filters = base.get_list_filter(self, request)
        if not request.user.has_perm(VIEW_ISSUES):
            return filters  # whether a record has issues is the issues' own
        return [*filters, HasDataIssuesFilter]

    @admin.display(description="data issues")
    def data_issues(self, obj):
        return data_issues_panel(obj)

    def get_deleted_objects(self, objs, request):
        # A record's data issues go with it: whoever may delete the record
        # needs no permission of their own to delete its issues.
        deleted, counts, perms_needed, protected = base.get_deleted_objects(
            self, objs, request
        )
        perms_needed.discard(DataIssue._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    return type(
        base.__name__,
        (base,),
        {
            "__module__": __name__,
            "get_list_filter": get_list_filter,
            "readonly_fields": [*base.readonly_fields, "data_issues"],
            "get_fieldsets": get_fieldsets,
            "data_issues": data_issues,
            "get_deleted_objects": get_deleted_objects,
        },
    )


for _model, _admin in (
    (Partnership, PartnershipAdmin),
    (Organisation, OrganisationAdmin),
):
    admin.site.unregister(_model)
    admin.site.register(_model, with_data_issues(_admin))
