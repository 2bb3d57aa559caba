"""The lists' filter forms, with their choices written in Python
(``coopsite.widgets.OptionListSelect``), are the very pages Django's form
templates made: same markup for readers and assistive technology."""

import re

import pytest
from django import forms

from coopsite.widgets import OptionListSelect


@pytest.mark.parametrize(
    "path",
    [
        "/partnerships/",
        "/partnerships/?kind=export&country=poland&sort=name",
        "/partnerships/?country=nowhere&year_from=abc",
        "/articles/?tag=drones&sort=oldest",
        "/countries/?region=Europe",
        "/organisations/",
    ],
)
def test_the_lists_filter_forms_are_the_markup_djangos_templates_write(
    client, demo, monkeypatch, path
):
    response = client.get(path)
    widgets = [
        field.widget for field in response.context["filterset"].form.fields.values()
    ]
    assert any(isinstance(widget, OptionListSelect) for widget in widgets)
    written = response.content.decode()
    monkeypatch.setattr(OptionListSelect, "render", forms.Select.render)
    by_templates = client.get(path).content.decode()
    assert "<select" in written
    assert _without_nonces(written) == _without_nonces(by_templates)


def _without_nonces(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)
