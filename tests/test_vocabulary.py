"""The clinician's words: lay and clinical phrases, common test names and ancestry names (real ontology)."""

import pytest

from graph.case import parse_case
from graph.ids import expand
from graph.normalise import normalise_case


def _normalised(kb, **fields):
    return normalise_case(kb, parse_case({"id": "words", "anc": 900, **fields}))


def _observed(normalised):
    return {(o.finding, o.present) for o in normalised.observations}


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("sore throat", "HP:0025439"),  # the term causes link, not HPO's Pharyngalgia
        ("mouth ulcers", "HP:0000155"),
        ("enlarged spleen", "HP:0001744"),
        ("joint pain", "HP:0002829"),
        ("night sweats", "HP:0030166"),
        ("losing weight", "HP:0001824"),
        ("swollen glands", "HP:0002716"),
    ],
)
def test_lay_phrases_name_the_hpo_term_the_causes_use(kb, written, term):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), True) in _observed(normalised)
    assert not normalised.unrecognized


def test_a_negated_phrase_among_the_findings_is_an_absent_finding(kb):
    normalised = _normalised(kb, findings=["no night sweats"])
    assert (expand("HP:0030166"), False) in _observed(normalised)


@pytest.mark.parametrize(
    ("name", "result", "term", "present"),
    [
        ("CRP", "148 mg/L", "HP:0011227", True),
        ("C-reactive protein", "3 mg/L", "HP:0011227", False),
        ("CRP", "4.8 mg/dL", "HP:0011227", True),
        ("ESR", "64 mm/h", "HP:0003565", True),
        ("sed rate", "normal", "HP:0003565", False),
        ("CD4 count", "145 cells/uL (9%)", "HP:0005407", True),
        ("lymphocyte subsets", "B cells 3/uL, NK cells 12/uL, CD4 390/uL", "HP:0005407", True),
        ("reticulocytes", "4.1%", "HP:0001923", True),
        ("absolute reticulocyte count", "9,000/uL", "HP:0001896", True),
    ],
)
def test_common_tests_are_read_by_their_result_rules(kb, name, result, term, present):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert (expand(term), present) in _observed(normalised)
    assert not normalised.unrecognized


@pytest.mark.parametrize(
    ("ancestry", "group"),
    [
        ("Sudanese", "anc:african"),
        ("Somali", "anc:african"),
        ("Yemeni", "anc:middle-eastern"),
        ("Omani", "anc:middle-eastern"),
    ],
)
def test_country_and_population_names_map_to_ancestry_groups(kb, ancestry, group):
    normalised = normalise_case(kb, parse_case({"id": "a", "anc": 1200, "patient": {"ancestry": ancestry}}))
    assert normalised.ancestry_group == expand(group)


def test_common_conditions_are_recognised_even_when_they_change_no_odds(kb):
    normalised = _normalised(kb, conditions=["polymyalgia rheumatica", "type 2 diabetes"])
    assert not normalised.unrecognized
