"""The mention detector, on its own: what counts as a mention of a name."""

import pytest

from partnerships.mentions import MentionDetector, is_short_capitals

NAMES = {
    1: ["Oman"],
    2: ["Romania"],
    3: ["Mali"],
    4: ["Türkiye", "Turkey"],
    5: ["United States", "US", "U.S.", "USA"],
    6: ["Missile"],
    7: ["missile defense system"],
    8: ["Bayraktar TB2", "TB2"],
    9: ["India"],
    10: ["Congo-Brazzaville", "Republic of the Congo"],
    11: ["Antigua and Barbuda"],
    12: ["Pakistan"],
    13: ["Pakistan Aeronautical Complex", "PAC"],
    14: ["HİSAR-A"],
    15: ["Rafale"],
    16: ["Niger"],
    17: ["Georgia"],
    18: ["Georgia"],  # two entities share a name: both are proposed
}


@pytest.fixture(scope="module")
def detector():
    return MentionDetector(
        (entity_id, name) for entity_id, names in NAMES.items() for name in names
    )


def found(detector, text):
    return [(m.entity_id, m.text) for m in detector.find(text)]


def ids(detector, text):
    return [m.entity_id for m in detector.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Romania and Oman", [2, 1]),
        ("Somalia", []),
        ("Nigeria and Niger", [16]),
        ("Romanian forces", []),
        ("the Omani navy", []),
    ],
)
def test_names_match_whole_words_only(detector, text, expected):
    assert ids(detector, text) == expected


@pytest.mark.parametrize("text", ["PAKISTAN", "pakistan", "Pakistan", "PaKiStAn"])
def test_matching_ignores_case(detector, text):
    assert ids(detector, text) == [12]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The US signed.", [(5, "US")]),
        ("Let us sign.", []),
        ("Us and them.", []),
        ("The U.S. signed.", [(5, "U.S")]),
        ("USA and USA's allies", [(5, "USA"), (5, "USA")]),
        ("PAC Kamra builds it; pac is not a name.", [(13, "PAC")]),
    ],
)
def test_short_all_capital_aliases_match_only_in_capitals(detector, text, expected):
    assert found(detector, text) == expected


def test_a_longer_capitalised_name_still_matches_in_any_case(detector):
    assert ids(detector, "the united states of america") == [5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Turkiye", [(4, "Turkiye")]),
        ("TÜRKIYE and Türkiye", [(4, "TÜRKIYE"), (4, "Türkiye")]),
        ("HISAR-A and Hisar A", [(14, "HISAR-A"), (14, "Hisar A")]),
    ],
)
def test_matching_ignores_accents(detector, text, expected):
    assert found(detector, text) == expected


def test_the_longest_match_wins(detector):
    assert found(detector, "an all-encompassing missile defense system.") == [
        (7, "missile defense system")
    ]
    assert found(detector, "a missile, then a missile defense system") == [
        (6, "missile"),
        (7, "missile defense system"),
    ]
    assert found(detector, "Pakistan Aeronautical Complex in Pakistan") == [
        (13, "Pakistan Aeronautical Complex"),
        (12, "Pakistan"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("India's drones", [(9, "India")]),
        ("India’s drones", [(9, "India")]),
        ("two TB2s and four Rafales", [(8, "TB2s"), (15, "Rafales")]),
        ("the Bayraktar TB2's range", [(8, "Bayraktar TB2")]),
        ("Indian drones", []),
    ],
)
def test_possessives_and_plurals_are_mentions(detector, text, expected):
    assert found(detector, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Congo - Brazzaville",
        "Congo–Brazzaville",
        "congo brazzaville",
        "CONGO-BRAZZAVILLE",
    ],
)
def test_punctuation_and_spacing_do_not_matter(detector, text):
    assert ids(detector, text) == [10]


def test_an_ampersand_reads_as_and(detector):
    assert ids(detector, "Antigua & Barbuda") == [11]


def test_web_addresses_are_not_prose(detector):
    assert ids(detector, "see https://www.pakistan.gov.pk/india and www.oman.om") == []
    assert ids(detector, "write to press@pakistan.example") == []


def test_a_name_shared_by_two_entities_proposes_both(detector):
    assert sorted(ids(detector, "Georgia")) == [17, 18]


def test_offsets_point_into_the_original_text(detector):
    text = "Öncü: Türkiye’s ally, Pakistan."
    for mention in detector.find(text):
        assert text[mention.start : mention.end] == mention.text


def test_detect_counts_mentions_across_segments_with_the_first_snippet(detector):
    found = detector.detect(
        ["A heading about Pakistan", "Pakistan and India.", "Once more, Pakistan."]
    )
    assert found[12].count == 3
    assert found[12].snippet == "A heading about Pakistan"
    assert found[9].count == 1


def test_snippets_are_cut_at_word_boundaries_with_ellipses(detector):
    text = ("lorem " * 40) + "India signed. " + ("ipsum " * 40)
    snippet = detector.detect([text])[9].snippet
    assert snippet.startswith("… lorem")
    assert snippet.endswith("ipsum …")
    assert "India signed." in snippet
    assert len(snippet) < 220


def test_an_empty_detector_finds_nothing():
    assert MentionDetector([]).find("Pakistan") == []


@pytest.mark.parametrize(
    ("alias", "short"),
    [
        ("US", True),
        ("U.S.", True),
        ("NATO", True),
        ("TB2", True),
        ("ASEAN", False),
        ("Us", False),
        ("KF-21", True),
        ("Rafale", False),
    ],
)
def test_which_aliases_count_as_short_capitals(alias, short):
    assert is_short_capitals(alias) is short
