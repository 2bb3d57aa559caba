import pytest

from core.names import fold, normalise_name


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
