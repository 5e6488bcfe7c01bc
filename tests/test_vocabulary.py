"""The clinician's words: lay and clinical phrases, common test names and ancestry names (real ontology)."""

import pytest
from conftest import normalised_case

from graph.model.case import parse_case
from graph.model.ids import expand
from graph.workup.normalise import normalise_case


def _normalised(kb, **fields):
    return normalised_case(kb, **fields)


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


@pytest.mark.parametrize(
    ("name", "result", "known_as"),
    [
        ("serum potassium", "3.1 mmol/L", "Serum potassium, LOINC:2823-3"),
        ("haemoglobin HPLC", "normal", "Haemoglobin electrophoresis or HPLC"),
        ("serum lysozyme", "elevated", "Serum lysozyme"),  # haptoglobin now reads haemolysis
        ("RDW", "25.8", "Red cell distribution width, LOINC:788-0"),
        ("thyroid uptake scan", "homogeneous increased uptake", "Imaging study"),
        ("serum electrolytes", "normal", "Electrolytes panel"),
    ],
)
def test_a_known_test_without_bearing_is_recognised_and_reported(kb, name, result, known_as):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert not normalised.unrecognized
    assert [(u.field, u.text) for u in normalised.no_bearing] == [("tests", f"{name}: {result}")]
    assert f"({known_as})" in normalised.no_bearing[0].reason


def test_a_test_nobody_knows_stays_unrecognised(kb):
    normalised = _normalised(kb, tests=[{"name": "zorblax index", "result": "12"}])
    assert [u.text for u in normalised.unrecognized] == ["zorblax index: 12"] and not normalised.no_bearing


def test_a_known_test_by_a_new_name_still_reads_its_result(kb):
    normalised = _normalised(kb, tests=[{"name": "differential count", "result": "pancytopenia"}])
    assert (expand("HP:0001876"), True) in _observed(normalised) and not normalised.no_bearing


@pytest.mark.parametrize(
    ("written", "term"),
    [("sore tongue", "HP:0000206"), ("typhlitis", "HP:0004387"), ("acute tonsillitis", "HP:0025439")],
)
def test_clinical_and_lay_words_for_findings(kb, written, term):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), True) in _observed(normalised) and not normalised.unrecognized


def test_a_relatives_disease_and_an_empty_family_history_are_recognised_without_bearing(kb):
    normalised = _normalised(kb, family_history=["leukaemia in the father", "unremarkable"])
    assert not normalised.unrecognized
    assert [u.text for u in normalised.no_bearing] == ["leukaemia in the father", "unremarkable"]
    assert not [o for o in normalised.observations if o.origin.startswith("family_history")]


def test_a_condition_that_changes_no_odds_is_recognised(kb):
    assert not _normalised(kb, conditions=["multiple sclerosis", "end-stage kidney disease"]).unrecognized


@pytest.mark.parametrize(
    ("name", "result", "term", "present"),
    [
        ("serum sodium", "125 mmol/L", "HP:0002902", True),  # below 135 mmol/L (DOI:10.1530/EJE-13-1020)
        ("sodium", "139 mmol/L", "HP:0002902", False),
        ("serum sodium", "low", "HP:0002902", True),
    ],
)
def test_sodium_written_as_a_test_is_read_for_hyponatraemia(kb, name, result, term, present):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert (expand(term), present) in _observed(normalised)
    assert not normalised.unrecognized and not normalised.no_bearing


def test_a_drug_class_is_recognised_with_a_request_to_name_the_drug(kb):
    normalised = _normalised(kb, medications=[{"name": "antihypertensives"}, {"name": "a statin"}])
    assert not normalised.unrecognized and not normalised.drugs
    assert [u.text for u in normalised.no_bearing] == ["antihypertensives", "a statin"]
    assert all("name the drug" in u.reason for u in normalised.no_bearing)


def test_a_statement_that_nothing_was_found_is_recognised_without_bearing(kb):
    normalised = _normalised(kb, findings=["otherwise well"], medications=[{"name": "no regular medications"}])
    assert not normalised.unrecognized and not normalised.drugs
    assert [(u.field, u.text) for u in normalised.no_bearing] == [
        ("medications", "no regular medications"),
        ("findings", "otherwise well"),
    ]


def test_an_hpo_term_inside_a_finding_and_a_plural_are_read(kb):
    normalised = _normalised(kb, findings=["progressive pallor over weeks", "nail dystrophies"])
    assert (expand("HP:0000980"), True) in _observed(normalised)  # Pallor, named inside the phrase
    assert (expand("HP:0008404"), True) in _observed(normalised)  # Nail dystrophy, from the plural
    assert not normalised.unrecognized
