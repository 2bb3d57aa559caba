"""What the importers keep about their work: each run, and each problem a
dataset's row has that a researcher should look at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Entity


class DatasetName(models.TextChoices):
    SIPRI = "sipri", "SIPRI Arms Transfers Database"
    MME = "mme", "Multinational Military Exercises"


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def same_as(self, dataset: str, *, sha256: str, context: str) -> ImportRun | None:
        """The dataset's last import, if it read this very file (by its
        SHA-256) and nothing it depended on has changed since (``context``):
        importing the file again would find every record unchanged."""
        last = self.filter(dataset=dataset, outcome=ImportRun.Outcome.IMPORTED).first()
        if last and context and last.sha256 == sha256 and last.context == context:
            return last
        return None


class ImportRun(models.Model):
    """One run of an importer: which file, who ran it, when, and what it did.

    Written for every run, the refused ones too (with what stopped them);
    read-only in the admin. The history rows of the records a run created
    or changed name it."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused, nothing written"
        FAILED = "failed", "Failed, nothing written"

    dataset = models.CharField(max_length=20, choices=DatasetName.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    format = models.CharField(max_length=60, blank=True)
    strict = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_runs",
        help_text="The staff account the run was made for (--user).",
    )
    run_by = models.CharField(
        max_length=150, blank=True, help_text="The system account that ran it."
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    records = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(
        default=0, help_text="Records with at least one data issue."
    )
    report = models.TextField(blank=True)
    context = models.CharField(
        max_length=64,
        blank=True,
        help_text="What else the outcome depended on: the version of the "
        "records when the run finished, and of the importer's code. A later "
        "run of the same file in the same context has nothing to do.",
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["dataset", "-started_at"])]

    def __str__(self):
        return f"Import run {self.pk}: {self.file_name}"

    def get_absolute_url(self):
        """Runs are for staff: their page is in the admin."""
        return reverse("admin:datasets_importrun_change", args=[self.pk])

    @property
    def label(self) -> str:
        """How a record's history names the run (its page has the file)."""
        return f"import run {self.pk}"


class IssueReason(models.TextChoices):
    """Why a value of a row was flagged. Every one is a fact about the
    source: the row is imported, its value kept verbatim here."""

    ENDS_BEFORE_START = "ends_before_start", "Ends before it starts"
    IMPOSSIBLE_DATE = "impossible_date", "A date that does not exist"
    NOT_A_YEAR = "not_a_year", "Not a year"
    COORDINATE_OUT_OF_RANGE = "coordinate", "Coordinate not a number or out of range"
    NOT_A_NUMBER = "not_a_number", "Not a number, or not one the source would give"
    NOT_YES_OR_NO = "not_yes_or_no", "Not 1 or 0"
    UNKNOWN_VALUE = "unknown_value", "A value the dataset does not define"
    UNKNOWN_NAME = "unknown_name", "A name that is no known country"
    TOO_LONG = "too_long", "Longer than the field holds"
    CONTROL_CHARACTERS = "control_characters", "Control characters removed"
    DUPLICATE_ID = "duplicate_id", "An id another row has too"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    GONE = "gone", "No longer in the source"


class DataIssueQuerySet(models.QuerySet):
    def open(self) -> DataIssueQuerySet:
        return self.filter(status=IssueStatus.OPEN)


class DataIssue(models.Model):
    """A value a dataset's row got wrong, imported as the best reading and
    kept here verbatim, for a researcher to check and mark resolved."""

    entity = models.ForeignKey(
        Entity,
        on_delete=models.CASCADE,
        related_name="data_issues",
        help_text="The record the row became.",
    )
    dataset = models.CharField(max_length=20, choices=DatasetName.choices)
    external_id = models.CharField(
        "dataset id", max_length=255, help_text="The row's id in the dataset."
    )
    row = models.PositiveIntegerField(
        null=True, blank=True, help_text="The row's line in the file."
    )
    field = models.CharField(max_length=60, help_text="What the value is.")
    source_value = models.TextField(blank=True, help_text="As the source gives it.")
    reason = models.CharField(max_length=30, choices=IssueReason.choices)
    message = models.CharField(max_length=500)
    import_run = models.ForeignKey(
        ImportRun,
        on_delete=models.PROTECT,
        related_name="issues",
        help_text="The run that found it (last).",
    )
    status = models.CharField(
        max_length=10,
        choices=IssueStatus.choices,
        default=IssueStatus.OPEN,
        db_index=True,
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, help_text="What was done about it.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DataIssueQuerySet.as_manager()

    class Meta:
        ordering = ["dataset", "row", "pk"]
        verbose_name = "data issue"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IssueStatus.values),
                name="data_issue_status_known",
            ),
        ]
        indexes = [models.Index(fields=["entity", "status"])]

    def __str__(self):
        return f"{self.external_id}: {self.get_reason_display()} ({self.field})"

    def get_absolute_url(self):
        """Issues are for staff: their page is in the admin."""
        return reverse("admin:datasets_dataissue_change", args=[self.pk])

    @property
    def source_value_shown(self) -> str:
        """The value as a reader is told the source gives it: a date's parts
        are kept joined, the missing ones empty ("20x1--" for a year and
        nothing else), and shown without the empty ones ("20x1")."""
        if self.field.endswith("_date"):
            return self.source_value.rstrip("-")
        return self.source_value


class ImportLock(models.Model):
    """The row an import holds while it runs, so a second one at the same
    time waits for nothing and says so (on PostgreSQL an advisory lock does
    the same without this table)."""

    name = models.CharField(max_length=40, unique=True)
    holder = models.CharField(max_length=255)
    since = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.name} held by {self.holder}"
