"""Text normalisation, edit distance, negation and phrase spotting."""

import pytest

from graph.model.text import PhraseIndex, edit_distance, is_negated, normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anaemia", "anemia"),
        ("Leukaemia, acute", "leukemia acute"),
        ("β-lactam", "beta lactam"),
        ("Trimethoprim–sulfamethoxazole", "trimethoprim sulfamethoxazole"),
        ("  Clozaril®  ", "clozaril"),
        ("sulphasalazine", "sulfasalazine"),
    ],
)
def test_normalise_folds_spelling_case_and_punctuation(raw, expected):
    assert normalise(raw) == expected


def test_edit_distance_counts_transpositions_once():
    assert edit_distance("clozapine", "clozapnie") == 1
    assert edit_distance("methimazole", "metamizole") == 3
    assert edit_distance("abc", "abc") == 0


def test_edit_distance_limit_stops_early():
    assert edit_distance("a" * 20, "b" * 20, limit=2) == 3


@pytest.mark.parametrize(
    ("text", "word", "negated"),
    [
        ("no family history of neutropenia", "neutropenia", True),
        ("parents not consanguineous", "consanguineous", True),
        ("mother had neutropenia", "neutropenia", False),
        ("no fever, but splenomegaly", "splenomegaly", False),
        ("without splenomegaly", "splenomegaly", True),
    ],
)
def test_negation_is_limited_to_its_clause(text, word, negated):
    assert is_negated(text, text.index(word)) is negated


def test_phrase_index_prefers_the_longest_match_and_reports_negation():
    index = PhraseIndex({"gastric bypass": ["bypass"], "gastric": ["stomach"], "tick bite": ["tick"]})
    spotted = index.spot("Roux-en-Y gastric bypass 8 years ago; denies tick bite")
    assert [(s.ids, s.negated) for s in spotted] == [(("bypass",), False), (("tick",), True)]
    assert index.lookup("Gastric  Bypass") == ("bypass",)
