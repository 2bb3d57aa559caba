"""Every filter on every public list is labelled: a reader (and a screen
reader) is told what each control filters by."""

from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db

LISTS = [
    "/articles/",
    "/partnerships/",
    "/countries/",
    "/organisations/",
    "/systems/",
    "/blocs/",
    "/tags/",
]


class FilterForm(HTMLParser):
    """The filter form's controls and labels: {control id: label text}."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.controls: list[str] = []
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "filter-form" in (attrs.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id", ""))
        if tag == "label":
            self._label_for = attrs.get("for", "")
            self.labels[self._label_for] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for is not None:
            self.labels[self._label_for] += data


@pytest.mark.parametrize("path", LISTS)
def test_every_filter_on_a_list_has_a_label_that_says_what_it_filters(client, path):
    response = client.get(path)
    assert response.status_code == 200
    form = FilterForm()
    form.feed(response.content.decode())
    assert form.controls, "the list shows a filter form"
    for control in form.controls:
        label = " ".join(form.labels.get(control, "").split()).rstrip(":")
        assert label, f"{path}: #{control} has no label"
        assert "invalid name" not in label, f"{path}: #{control} is {label!r}"


def test_the_article_lists_entity_filters_are_named_after_their_kind(client):
    response = client.get("/articles/")
    form = response.context["filterset"].form
    assert [form[name].label for name in ("country", "organisation", "system")] == [
        "Country",
        "Organisation",
        "System",
    ]


@pytest.mark.parametrize("url", LISTS)
def test_every_sort_menu_offers_each_order_once_in_words(client, url):
    """No order twice ("Latest first" as the default and again), none
    named by its field ("Start", "Published"); the list's own order first,
    and choosing it keeps the list as it was."""
    response = client.get(url)
    sort = response.context["filter"].form.fields["sort"]
    choices = list(sort.choices)
    labels = [label for _value, label in choices]
    assert len(labels) == len(set(labels)), labels
    assert "" not in [value for value, _label in choices]
    for label in labels:
        assert label.endswith(("first", "A–Z", "Z–A", "updated")), label
    default = choices[0][0]
    again = client.get(url, {"sort": default})
    assert list(again.context["paginator"].object_list) == list(
        response.context["paginator"].object_list
    )
