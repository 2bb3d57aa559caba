"""What a reader sees of a record's data issues: not errors, but a short
note beside the best reading, "the source gives …"."""

from django import template

from datasets.models import DataIssue, IssueReason, IssueStatus

register = template.Library()

FIELD_LABELS = {
    "start_date": "Start",
    "end_date": "End",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "quantity_ordered": "Number ordered",
    "quantity_delivered": "Number delivered",
    "delivery_years": "Delivery year",
    "condition": "Condition",
    "tiv_per_unit": "TIV per unit",
    "tiv_order": "TIV of the order",
    "tiv_delivered": "TIV delivered",
    "participants": "Participant",
}
# Problems a reader has no use for: the record shows the value whole.
NOT_FOR_READERS = {IssueReason.CONTROL_CHARACTERS, IssueReason.DUPLICATE_ID}


@register.inclusion_tag("includes/source_notes.html")
def source_notes(entity):
    """The notes on values the source got wrong, for ``entity``'s page."""
    notes = []
    issues = (
        DataIssue.objects.filter(entity=entity.pk)
        .exclude(status=IssueStatus.GONE)
        .exclude(reason__in=NOT_FOR_READERS)
        .order_by("field", "pk")
    )
    for issue in issues:
        label = FIELD_LABELS.get(
            issue.field, issue.field.replace("_", " ").capitalize()
        )
        if issue.reason == IssueReason.ENDS_BEFORE_START:
            text = f"uncertain: the source gives “{issue.source_value_shown}”, before the start"
        elif issue.reason == IssueReason.UNKNOWN_NAME:
            text = f"the source gives “{issue.source_value_shown}”, which is not a known state"
        else:
            text = f"the source gives “{issue.source_value_shown}”"
        notes.append({"label": label, "text": text})
    return {"notes": notes}
