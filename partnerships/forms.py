"""Admin forms for the records."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from coopsite.admin import ChosenKeysAutocompleteSelect
from coopsite.locking import OptimisticLockForm
from coopsite.safety import refuse_control_characters
from core import free_text
from core.names import normalise_name

from .dates import DatePrecision, PartialDate, extend_to_precision
from .models import (
    Alias,
    Entity,
    EntityType,
    Partnership,
    PartnershipSystem,
    Tag,
    already_in_role,
)


class PartialDateField(forms.Field):
    """A date typed to the precision it is known: 2017, 2017-03 or 2017-03-12."""

    widget = forms.TextInput(
        attrs={
            "placeholder": "YYYY, YYYY-MM or YYYY-MM-DD",
            "size": 12,
            "maxlength": 10,
        }
    )
    default_error_messages = {
        "invalid": "Enter a year (2017), a month (2017-03) or a full date "
        "(2017-03-12).",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "A year (2017), a month (2017-03) or a day (2017-03-12)."
        )
        super().__init__(**kwargs)

    def has_changed(self, initial, data) -> bool:
        """Changed if it reads as another date (the form's initial value is
        the date as text, "2020", what it reads is a PartialDate)."""
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = initial.iso if isinstance(initial, PartialDate) else (initial or "")
        return (new.iso if new else "") != old

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if len(value) > 10:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return PartialDate.parse(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None


class RecordConflict:
    """What someone else changed in a record since the form was opened, from
    the record's history."""

    def __init__(self, record, base_version: int, current_version: int):
        history = record.history.select_related("history_user")
        self.current = (
            history.filter(edit_version=current_version)
            .order_by("-history_date")
            .first()
        )
        self.base = (
            history.filter(edit_version__lte=base_version)
            .order_by("-edit_version", "-history_date")
            .first()
        )
        self.current_version = current_version
        self.by = self.current.history_user if self.current else None
        self.at = self.current.history_date if self.current else None
        self.changes = []
        if self.current and self.base:
            delta = self.current.diff_against(
                self.base, excluded_fields=["edit_version", "updated_at"]
            )
            for change in delta.changes:
                field = record._meta.get_field(change.field)
                self.changes.append(
                    (field.verbose_name, _shown(change.old), _shown(change.new))
                )


def _shown(value) -> str:
    if value in (None, ""):
        return "—"
    return str(value)


class RecordForm(OptimisticLockForm):
    """Every kind of record is edited through this: a save over someone
    else's change is refused, showing what they changed (coopsite.locking)."""

    conflict_class = RecordConflict


class PartnershipAdminForm(RecordForm):
    """Dates are typed as "2017", "2017-03" or "2017-03-12"; the precision
    follows from what was typed."""

    start = PartialDateField(label="Start")
    end = PartialDateField(label="End")

    class Meta:
        model = Partnership
        fields = [
            "name",
            "slug",
            "kind",
            "status",
            "summary",
            "start_is_estimate",
            "end_is_estimate",
            "tags",
            "is_featured",
            "series",
            "location",
            "latitude",
            "longitude",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.start:
            self.initial.setdefault("start", instance.start.iso)
        if instance.end:
            self.initial.setdefault("end", instance.end.iso)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        # "April 2005" may end an exercise that starts on 13 April 2005.
        if start and end and extend_to_precision(end.date, end.precision) < start.date:
            self.add_error("end", "The end cannot come before the start.")
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error(
                "longitude" if longitude is None else "latitude",
                "Give both the latitude and the longitude, or neither.",
            )
        return cleaned

    def _post_clean(self):
        for prefix in ("start", "end"):
            value = self.cleaned_data.get(prefix)
            setattr(self.instance, f"{prefix}_date", value.date if value else None)
            setattr(
                self.instance,
                f"{prefix}_precision",
                value.precision if value else DatePrecision.YEAR,
            )
        super()._post_clean()


class YearListField(forms.CharField):
    """Years typed as a list: "2015, 2016" or SIPRI's "2015; 2016"."""

    default_error_messages = {
        "invalid": "Enter years of four digits, separated by commas: 2015, 2016.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "2015, 2016")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(year) for year in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
        if not all(p.isdecimal() and len(p) == 4 for p in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({int(p) for p in parts})


class PartnershipSystemForm(forms.ModelForm):
    delivery_years = YearListField(label="Delivered in")

    class Meta:
        model = PartnershipSystem
        fields = [
            "system",
            "quantity_ordered",
            "quantity_ordered_is_estimate",
            "quantity_delivered",
            "quantity_delivered_is_estimate",
            "condition",
            "local_production",
            "delivery_years",
            "delivery_years_are_estimates",
            "tiv_per_unit",
            "tiv_order",
            "tiv_delivered",
            "note",
        ]


def _autocomplete_tags(field: forms.Field, admin_site) -> None:
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
    field.widget = ChosenKeysAutocompleteSelect(
        Partnership._meta.get_field("tags"), admin_site
    )
    field.widget.choices = field.choices


class TagActionForm(forms.Form):
    """The intermediate page of the bulk tag and untag actions."""

    tag = forms.ModelChoiceField(queryset=Tag.objects.all(), required=False)
    new_tag = forms.CharField(
        label="Or a new tag",
        max_length=100,
        required=False,
        validators=[refuse_control_characters],
        help_text="Creates the tag if no tag has this name yet.",
    )

    def __init__(self, *args, admin_site, allow_new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        _autocomplete_tags(self.fields["tag"], admin_site)
        if not allow_new:
            del self.fields["new_tag"]

    def clean(self):
        cleaned = super().clean()
        tag, new_name = cleaned.get("tag"), (cleaned.get("new_tag") or "").strip()
        if tag and new_name:
            raise ValidationError("Choose a tag or name a new one, not both.")
        if not tag and not new_name:
            raise ValidationError("Choose a tag.")
        if new_name and not normalise_name(new_name):
            raise ValidationError("A tag's name needs at least one letter or digit.")
        return cleaned


class UntagActionForm(forms.Form):
    tag = forms.ModelChoiceField(queryset=Tag.objects.all())

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        _autocomplete_tags(self.fields["tag"], admin_site)


def named_elsewhere(entity: Entity, name: str) -> Entity | None:
    """Another record of ``entity``'s kind that is called ``name``, by its
    name or an alias (case, accents and punctuation aside, as the importers'
    resolver reads names: "Turkiye" is Türkiye's), if any."""
    kind = getattr(entity, "ENTITY_TYPE", None) or entity.entity_type
    key = normalise_name(name)
    return (
        Entity.objects.filter(entity_type=kind)
        .exclude(pk=entity.pk)
        .filter(
            Q(name__iexact=name.strip())
            | Q(pk__in=free_text.names_holding(type(entity), key, whole=True))
            | Q(pk__in=Alias.objects.filter(normalised=key).values("entity_id"))
        )
        .order_by("name")
        .first()
    )


class ParticipantInlineFormSet(forms.BaseInlineFormSet):
    """Refuses the same participant twice in one role within one save (the
    database's constraint would, but only as an error page), in the words
    of the constraint's message (``already_in_role``)."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            role = form.cleaned_data.get("role")
            for field in ("country", "organisation", "bloc"):
                actor = form.cleaned_data.get(field)
                if not role or actor is None:
                    continue
                if (field, actor.pk, role) in seen:
                    form.add_error(field, already_in_role(field))
                seen.add((field, actor.pk, role))


class AliasInlineFormSet(forms.BaseInlineFormSet):
    """Refuses two aliases in one save that read the same once normalised,
    and a new or changed alias that another record of the same kind is
    called: a name two countries (or two systems...) share could mean
    either, so mentions of it are suggested for both and an import naming
    it stops as ambiguous."""

    def clean(self):
        super().clean()
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            name = form.cleaned_data.get("name")
            if not name:
                continue
            key = normalise_name(name)
            if key in seen:
                raise ValidationError(
                    f"“{name}” and “{seen[key]}” are the same alias once case, "
                    "accents and punctuation are ignored."
                )
            seen[key] = name
            if "name" in form.changed_data and (
                other := named_elsewhere(self.instance, name)
            ):
                kind = EntityType(other.entity_type).label.lower()
                form.add_error(
                    "name",
                    f"“{name}” is already what another {kind} is called "
                    f"({other.name}). A name two records share could mean "
                    "either: mentions of it would be suggested for both, and "
                    "an import naming it would stop as ambiguous.",
                )
