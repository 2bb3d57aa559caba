import string

import pytest
from django.utils.text import slugify

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
