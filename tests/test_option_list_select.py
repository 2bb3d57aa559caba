"""The lists' choice filters write their <select> in Python
(``coopsite.widgets.OptionListSelect``): readers and assistive technology
get exactly the markup Django's own templates wrote, whatever the choices,
labels, selection and attributes, hostile ones included."""

from django import forms
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from coopsite.widgets import OptionListSelect

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12
) | st.sampled_from(
    ["<script>alert(1)</script>", '" onfocus="x', "&amp;", "Côte d'Ivoire"]
)
values = texts | st.integers(-5, 10**6) | st.none()
labels = texts | texts.map(mark_safe) | st.integers(0, 10**6)
choices = st.lists(
    st.tuples(values, labels)
    | st.tuples(texts, st.lists(st.tuples(values, labels), max_size=3)),
    max_size=8,
)
attributes = st.dictionaries(
    st.sampled_from(
        ["id", "class", "required", "disabled", "data-x", "aria-describedby"]
    ),
    texts | st.booleans() | st.integers(0, 9),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(choices, texts, st.one_of(st.none(), texts, st.integers(-5, 10)), attributes)
def test_a_select_is_written_as_djangos_templates_write_it(
    options, name, chosen, attrs
):
    expected = forms.Select(choices=options).render(name, chosen, attrs)
    assert OptionListSelect(choices=options).render(name, chosen, attrs) == expected
