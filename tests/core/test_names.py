import string

import pytest
from django.utils.text import slugify
from hypothesis import given
from hypothesis import strategies as st

from core.names import fold, normalise_name, slugify_name


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Türkiye", "TURKIYE"),
        ("Turkiye", "türkiye"),
        ("Antigua & Barbuda", "Antigua and Barbuda"),
        ("Congo - Brazzaville", "Congo-Brazzaville"),
        ("Côte d’Ivoire", "Cote d'Ivoire"),
        ("  São   Tomé ", "sao tome"),
        ("Ålesund", "alesund"),
        ("Straße", "strasse"),
    ],
)
def test_names_that_readers_consider_equal_normalise_alike(left, right):
    assert normalise_name(left) == normalise_name(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("Oman", "Romania"), ("Niger", "Nigeria"), ("Mali", "Somalia")],
)
def test_different_names_stay_different(left, right):
    assert normalise_name(left) != normalise_name(right)


def test_fold_strips_accents_and_case_but_keeps_punctuation():
    assert fold("HİSAR-A Akıncı") == "hisar-a akinci"


def test_a_name_of_only_punctuation_normalises_to_nothing():
    assert normalise_name(" - & ") == "and"
    assert normalise_name(" -- ") == ""


@pytest.mark.parametrize(
    "name",
    [
        "GS-1782 (fighter aircraft): Netherlands to French Polynesia, 1961",
        "  --Akıncı__ UAV--  ",
        "Türkiye",
        "Côte d’Ivoire & São Tomé",
        'F-16C/D Block 52+ ("Peace Xenia")',
        "a\tb\nc\x0bd\x1ce\x1ff  g -- h",
        "___",
        string.printable,
        "".join(chr(n) for n in range(128)),
    ],
)
def test_a_slug_is_djangos_slug_of_the_folded_name(name):
    assert slugify_name(name) == slugify(fold(name))


def _fold_whole(text: str) -> str:
    """The fold as one pass over the whole text (what ``fold`` does word by
    word, each word once)."""
    import unicodedata

    from core.names import _LATIN_SPECIALS

    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN_SPECIALS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@given(
    st.lists(
        st.sampled_from([" ", "  ", "é", "\u0301", "İ", "ß", "ﬁ", "\u00a0", "ı", "Ø"])
        | st.text(max_size=4),
        max_size=12,
    ).map("".join)
)
def test_folding_word_by_word_folds_as_the_whole_text_would(text):
    assert fold(text) == (text.lower() if text.isascii() else _fold_whole(text))
