"""Form widgets the public lists share."""

from __future__ import annotations

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import (  # type: ignore[attr-defined]  # not in django-stubs
    template_localtime,
)


def _shown(value) -> str:
    """``{{ value }}`` in a template: localized, escaped unless safe."""
    return conditional_escape(localize(template_localtime(value)))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` in a template (the filter keeps what
    was safe safe)."""
    text = str(value) if isinstance(value, tuple) else f"{value}"
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _attrs(attrs: dict) -> str:
    """Django's ``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {_shown(name)}"
        if value is True
        else f' {_shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class OptionListSelect(forms.Select):
    """A ``<select>`` whose markup is written here rather than by the form
    templates, byte for byte what Django's ``select.html`` and
    ``select_option.html`` write (a test compares the two).

    A facet lists up to a hundred choices (countries, tags, authors), and
    the templates include a template per option: with the full datasets
    that was most of the time a list page took to render. Same choices,
    same attributes, same selection, same escaping."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
            parts.extend(
                f'\n  <option value="{_formatted(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_shown(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        # The form renderer strips what its template writes.
        return mark_safe("".join(parts).strip())  # noqa: S308  # every part escaped above
