"""A list's free-text filter, written as a condition on the keys found
(``core.free_text.Among``): whichever form it takes on PostgreSQL (the
keys listed; the range from the first to the last, less the keys missing;
the ranges the keys run in), it keeps exactly the rows of those keys, on
both databases, from the keys or from their packed form."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.models import Article
from core import free_text
from core.free_text import FoundKeys, among, pack_keys

key_sets = st.lists(st.integers(min_value=1, max_value=400), max_size=300).map(
    lambda keys: sorted(set(keys))
)


def keys_of(form: tuple) -> set[int]:
    """The keys a form of the condition keeps, read as PostgreSQL reads it."""
    kind, *values = form
    if kind == "listed":
        (array,) = values
        return {int(key) for key in array.strip("{}").split(",") if key}
    if kind == "between":
        first, last, missing = values
        gone = {int(key) for key in missing.strip("{}").split(",") if key}
        return set(range(first, last + 1)) - gone
    (ranges,) = values
    kept = set()
    for pair in ranges.strip("{}").split("],["):
        first, last = pair.strip("[]").split(",")
        kept.update(range(int(first), int(last) + 1))
    return kept


@given(key_sets, st.sampled_from([0, 1, 5, 40, 2_000]))
def test_every_form_keeps_exactly_the_keys(keys, listed_max):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(free_text, "LISTED_MAX", listed_max)
        form = free_text._postgres_form(keys)
    assert keys_of(form) == set(keys), form


def test_each_form_is_chosen_for_what_the_planner_can_weigh(monkeypatch):
    monkeypatch.setattr(free_text, "LISTED_MAX", 10)
    few = list(range(1, 11))
    assert free_text._postgres_form(few)[0] == "listed"
    nearly_all = [key for key in range(1, 1001) if key % 200]  # 5 missing
    assert free_text._postgres_form(nearly_all) == (
        "between",
        1,
        999,
        "{200,400,600,800}",
    )
    in_runs = [key for key in range(1, 1001) if key % 100 < 50]  # 500 missing
    assert free_text._postgres_form(in_runs)[0] == "ranges"
    scattered = list(range(1, 1001, 3))
    assert free_text._postgres_form(scattered)[0] == "listed"


@pytest.fixture
def essays(db):
    return [
        essay.pk
        for essay in Article.objects.bulk_create(
            Article(title=f"Essay {n}", slug=f"essay-{n}", body="Text.")
            for n in range(60)
        )
    ]


@pytest.mark.parametrize("listed_max", [0, 3, 2_000])
@pytest.mark.parametrize(
    "pick",
    [
        lambda pks: pks[:0],
        lambda pks: pks[5:6],
        lambda pks: pks[:50],
        lambda pks: [pk for i, pk in enumerate(pks) if i not in (7, 30)],
        lambda pks: pks[:20] + pks[40:],
        lambda pks: pks[::3],
    ],
)
def test_the_rows_kept_are_the_rows_of_the_keys(essays, monkeypatch, listed_max, pick):
    monkeypatch.setattr(free_text, "LISTED_MAX", listed_max)
    free_text._kept_postgres_form.cache_clear()
    keys = pick(essays)
    for found in (keys, FoundKeys(pack_keys(keys)), FoundKeys(pack_keys(keys), keys)):
        kept = Article.objects.filter(among("pk", found)).values_list("pk", flat=True)
        assert sorted(kept) == sorted(keys)
    free_text._kept_postgres_form.cache_clear()


def test_found_keys_read_back_only_when_asked_for():
    empty, some = FoundKeys(pack_keys([])), FoundKeys(pack_keys([3, 1, 2]))
    assert not empty
    assert some
    assert some._keys is None  # truth did not unpack them
    assert list(some) == [1, 2, 3]
    assert len(some) == 3
    assert some == FoundKeys(pack_keys([1, 2, 3]))
