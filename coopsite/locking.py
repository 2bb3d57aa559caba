"""No lost update: the optimistic lock every edited thing shares (articles and
every kind of record).

A model with an ``edit_version`` counts its saves. A form remembers the
version it was opened on (``base_version``); saving it over a newer version
is refused, with what changed meanwhile, and the text typed stays in the
form. To save anyway the editor must say so (tick "replace their changes"),
and only over the version they were shown: if someone saves yet again, they
are asked again. A form that does not say which version it was opened on is
refused outright: nothing is written.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

MISSING_VERSION = (
    "This form does not say which version it was opened on, so saving it could "
    "undo someone else's work. Nothing was saved: reload the page and make your "
    "change again."
)
STALE = (
    "Someone else saved this while you were editing it. Nothing was saved: what "
    "they changed is shown above, and your text is still in the form. Merge "
    "what you need and save again, or tick “Replace their changes with mine”."
)


class StaleEdit(ValidationError):
    """The object changed since the form was opened."""

    def __init__(self, instance: models.Model, base_version: int, current: int):
        self.instance, self.base_version, self.current_version = (
            instance,
            base_version,
            current,
        )
        super().__init__(STALE, code="stale")


def current_version(instance: models.Model, *, lock: bool = True) -> int:
    """``instance``'s saved version, its row locked until the transaction ends
    (so nobody can save between this check and the caller's save)."""
    queryset = type(instance)._base_manager.filter(pk=instance.pk)
    if lock:
        queryset = queryset.select_for_update()
    return queryset.values_list("edit_version", flat=True).get()


def check_not_stale(
    *,
    instance: models.Model,
    base_version: int | None,
    overwrite_version: int | None = None,
) -> None:
    """Raise ``StaleEdit`` if ``instance`` was saved since ``base_version``,
    unless the editor chose to replace exactly the version now saved
    (``overwrite_version``). A change without a base version is refused."""
    if instance.pk is None:
        return
    if base_version is None:
        raise ValidationError(MISSING_VERSION, code="no_version")
    current = current_version(instance)
    if current not in (base_version, overwrite_version):
        raise StaleEdit(instance, base_version, current)


LOCK_FIELDS = ("base_version", "overwrite_version", "overwrite")


class OptimisticLockForm(forms.ModelForm):
    """A model form that refuses to save over someone else's change.

    Subclasses set ``conflict_class``: built from (instance, base version,
    current version), it says what changed meanwhile for the template.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    overwrite_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    overwrite = forms.BooleanField(
        label="Replace their changes with mine",
        required=False,
        help_text="Only after reading what they changed, above.",
    )
    conflict_class: type | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk and not self.is_bound:
            self.initial["base_version"] = self.instance.edit_version
        if not self.data.get(self.add_prefix("overwrite_version")):
            # Offered only once a save was refused and the change was shown.
            self.fields["overwrite"].widget = forms.HiddenInput()

    @cached_property
    def changed_data(self) -> list[str]:
        """What the editor changed: not the lock's own fields (sent with
        every save), which the admin's change message and history would
        otherwise list ("Changed base_version")."""
        return [name for name in super().changed_data if name not in LOCK_FIELDS]

    def clean(self):
        cleaned = super().clean()
        overwrite = (
            cleaned.get("overwrite_version") if cleaned.get("overwrite") else None
        )
        try:
            check_not_stale(
                instance=self.instance,
                base_version=cleaned.get("base_version"),
                overwrite_version=overwrite,
            )
        except StaleEdit as stale:
            if self.conflict_class is not None:
                self.conflict = self.conflict_class(
                    self.instance, stale.base_version, stale.current_version
                )
            # Shown again: the choice to replace what is now saved, unticked.
            self.data = self.data.copy()
            self.data[self.add_prefix("overwrite_version")] = stale.current_version
            self.data.pop(self.add_prefix("overwrite"), None)
            self.fields["overwrite"].widget = forms.CheckboxInput()
            raise forms.ValidationError(STALE, code="stale") from None
        return cleaned
