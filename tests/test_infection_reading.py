"""How the infection causes read exposures, known diagnoses and early test results (issues 8 and 10).

A clinician would notice each of these at once: a negative first-week serology struck a rickettsiosis off
the list, a known HIV infection or diabetes did not raise tuberculosis, and "origin in former Yugoslavia"
was not read as a stay in the Mediterranean basin where visceral leishmaniasis is endemic. Sources are in
``ontology/modules/infections.ttl`` and ``causes-missing.ttl`` beside each association.
"""

import math

import pytest

from graph.model.case import parse_case
from graph.workup.normalise import normalise_case
from graph.workup.rank import rank_causes

NKGR = "https://w3id.org/neutropenia-kg/resource/"
TB = NKGR + "cause/disseminated-tuberculosis"
MSF = NKGR + "cause/mediterranean-spotted-fever"
LEPTO = NKGR + "cause/leptospirosis"
VL = NKGR + "cause/visceral-leishmaniasis"


def _ranked(kb, **fields):
    case = parse_case({"id": "t", "anc": fields.pop("anc", 900), **fields})
    return {c.cause: c for c in rank_causes(kb, normalise_case(kb, case))}


def _evidence(candidate, kind, words):
    return [e for e in candidate.evidence if e.kind == kind and words in e.label]


@pytest.mark.parametrize(
    ("cause", "test", "finding_words"),
    [
        (MSF, "Rickettsia serology", "spotted fever"),
        (LEPTO, "leptospira serology", "Leptospira"),
    ],
)
def test_a_negative_first_week_serology_counts_by_its_early_sensitivity(kb, cause, test, finding_words):
    """Antibodies appear in the second week: a negative result on day 3 weighs less than one on day 21,
    and neither acts as a near-exclusion (a likelihood ratio above 0.5 early)."""
    base = {"findings": ["Fever", "Headache", "Thrombocytopenia"], "tests": [{"name": test, "result": "negative"}]}
    early = _evidence(_ranked(kb, duration_days=3, **base)[cause], "absent-finding", finding_words)
    late = _evidence(_ranked(kb, duration_days=21, **base)[cause], "absent-finding", finding_words)
    assert early and late, "the serology result must be read for the cause"
    assert late[0].log_lr < early[0].log_lr < 0
    assert early[0].log_lr > math.log(0.5)


def test_a_known_hiv_infection_raises_disseminated_tuberculosis(kb):
    case = {"patient": {"age_years": 35, "sex": "female"}, "findings": ["Pancytopenia", "Fever", "Weight loss"]}
    with_hiv = _ranked(kb, conditions=["HIV infection, newly diagnosed"], **case)[TB]
    without = _ranked(kb, **case)[TB]
    (term,) = _evidence(with_hiv, "context", "HIV infection")
    assert term.log_lr == pytest.approx(math.log(5.0))
    assert not _evidence(without, "context", "HIV infection")


def test_diabetes_is_read_as_a_risk_factor_for_tuberculosis(kb):
    candidate = _ranked(kb, findings=["Fever", "Pancytopenia"], conditions=["type 2 diabetes mellitus"])[TB]
    (term,) = _evidence(candidate, "context", "Diabetes mellitus")
    assert term.log_lr == pytest.approx(math.log(3.0))


def test_origin_in_the_balkans_is_a_stay_in_the_mediterranean_basin(kb):
    candidate = _ranked(
        kb,
        findings=["Splenomegaly", "Pancytopenia", "Weight loss"],
        exposures=[{"name": "origin in former Yugoslavia; resident in Germany for two years"}],
    )[VL]
    assert _evidence(candidate, "context", "Mediterranean")
    assert not [e for e in candidate.evidence if "none of its defining features" in e.label]


@pytest.mark.parametrize(
    ("name", "result", "finding", "present"),
    [
        ("Ziehl-Neelsen stain", "positive", "mycobacterium-tuberculosis-detected", True),
        ("Coxiella phase II IgG", "positive", "coxiella-detected", True),
        ("Ehrlichia IgG", "1:256", "ehrlichia-detected", True),
        ("Anaplasma IgG", "negative", "anaplasma-detected", False),
        ("Rickettsia IgG", "1:512", "spotted-fever-serology-positive", True),
        ("blood parasite smear", "positive", "malaria-parasites-detected", True),
        ("Wright agglutination", "1:320", "brucella-serology-positive", True),
        ("Paul-Bunnell", "positive", "heterophile-antibody-positive", True),
    ],
)
def test_infection_tests_are_read_by_their_common_names(kb, name, result, finding, present):
    """Each name used to fall to a test that bears on no cause (special stains, serum IgG, the blood film
    or a zoonosis panel) or to nothing, so the result said nothing about the infection it tests for."""
    case = parse_case({"id": "t", "anc": 900, "tests": [{"name": name, "result": result}]})
    observed = {(o.finding, o.present) for o in normalise_case(kb, case).observations}
    assert (NKGR + "finding/" + finding, present) in observed
