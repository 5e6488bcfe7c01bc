"""Acute HIV, enterovirus and adenovirus infection (ontology/modules/causes-reported.ttl), end to end."""

from graph.model.case import parse_case
from graph.workup.pipeline import workup_case


def _top(kb, case, n=3):
    return [kb.label(c.cause) for c in workup_case(kb, parse_case(case), explain_top=0).candidates[:n]]


def _acute_hiv_case(tests):
    return {
        "id": "acute-hiv",
        "patient": {"age_years": 27, "sex": "male"},
        "anc": 900,
        "duration_days": 10,
        "findings": ["Fever", "Pharyngitis", "Skin rash", "Lymphadenopathy", "Myalgia", "Oral ulcer"],
        "labs": {"platelets_per_ul": 95000},
        "exposures": [{"name": "condomless sex"}],
        "tests": tests,
    }


def test_a_negative_antibody_test_with_hiv_rna_detected_means_acute_hiv_first(kb):
    case = _acute_hiv_case(
        [
            {"name": "HIV-1/2 antibody", "result": "negative"},
            {"name": "HIV-1 RNA", "result": "2,400,000 copies/mL"},
        ]
    )
    assert _top(kb, case, 1) == ["Acute HIV infection"]


def test_the_acute_retroviral_syndrome_before_any_test_ranks_acute_hiv_high(kb):
    assert "Acute HIV infection" in _top(kb, _acute_hiv_case([]))


def test_a_long_known_neutropenia_with_hiv_antibodies_stays_chronic_hiv(kb):
    case = {
        "id": "chronic-hiv",
        "patient": {"age_years": 45, "sex": "female"},
        "anc": 1100,
        "duration_days": 400,
        "findings": ["Weight loss"],
        "tests": [
            {"name": "HIV antibody", "result": "positive"},
            {"name": "HIV viral load", "result": "35,000 copies/mL"},
        ],
    }
    top = _top(kb, case)
    assert top[0] == "HIV infection"
    assert "Acute HIV infection" not in top[:1]


def test_hiv_rna_not_detected_lowers_the_odds_of_acute_hiv_twentyfold(kb):
    def acute_hiv_score(tests):
        result = workup_case(kb, parse_case(_acute_hiv_case(tests)), explain_top=0)
        return next(c.log_score for c in result.candidates if kb.label(c.cause) == "Acute HIV infection")

    untested = acute_hiv_score([])
    assert acute_hiv_score([{"name": "HIV RNA", "result": "not detected"}]) < untested - 3.0


def test_a_febrile_infant_with_meningitis_and_enterovirus_pcr_positive_ranks_enterovirus(kb):
    case = {
        "id": "ev",
        "patient": {"age_years": 0.066, "sex": "female"},
        "anc": 700,
        "findings": ["Fever", "Irritability", "Meningitis"],
        "tests": [{"name": "CSF enterovirus PCR", "result": "positive"}],
    }
    assert "Enterovirus infection" in _top(kb, case)


def test_a_child_with_pharyngoconjunctival_fever_and_adenovirus_detected_ranks_adenovirus(kb):
    case = {
        "id": "adv",
        "patient": {"age_years": 3, "sex": "male"},
        "anc": 800,
        "findings": ["Fever", "Pharyngitis", "Conjunctivitis", "Cough"],
        "tests": [{"name": "adenovirus PCR", "result": "detected"}],
    }
    assert "Adenovirus infection" in _top(kb, case)


def test_a_young_woman_with_tender_neck_nodes_fever_and_leukopenia_ranks_kikuchi_after_biopsy(kb):
    case = {
        "id": "kfd",
        "patient": {"age_years": 24, "sex": "female"},
        "anc": 1000,
        "duration_days": 21,
        "findings": ["Cervical lymphadenopathy", "Fever"],
        "labs": {"wbc_per_ul": 2800},
        "tests": [{"name": "lymph node biopsy", "result": "histiocytic necrotizing lymphadenitis"}],
    }
    assert _top(kb, case, 1) == ["Kikuchi-Fujimoto disease"]


def test_tender_neck_nodes_fever_and_leukopenia_before_biopsy_keep_kikuchi_in_the_top_ten(kb):
    case = {
        "id": "kfd-no-biopsy",
        "patient": {"age_years": 24, "sex": "female"},
        "anc": 1000,
        "duration_days": 21,
        "findings": ["Cervical lymphadenopathy", "Fever"],
        "labs": {"wbc_per_ul": 2800},
    }
    assert "Kikuchi-Fujimoto disease" in _top(kb, case, 10)
