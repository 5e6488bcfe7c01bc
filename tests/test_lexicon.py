"""A drug the ontology does not model is recognised by the lexicon and reported as not a known cause."""

from __future__ import annotations

import math

import pytest

from graph.kb.knowledge import load_knowledge_base
from graph.kb.lexicon import NOT_A_KNOWN_CAUSE, lookup_drug
from graph.model.case import parse_case
from graph.present.report import workup_to_dict, workup_to_text
from graph.workup.normalise import normalise_case
from graph.workup.pipeline import workup_case


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def _normalised(kb, *names):
    case = parse_case({"id": "lex", "anc": 900, "medications": [{"name": n, "started_days_ago": 60} for n in names]})
    return normalise_case(kb, case)


@pytest.mark.parametrize(
    ("written", "xref"),
    [
        ("lamivudine", "DrugBank:DB00709"),
        ("Nevirapine 200 mg daily", "DrugBank:DB00238"),
        ("amlodipine", "DrugBank:DB00381"),
    ],
)
def test_other_drug_is_recognised_with_its_drugbank_id_and_not_unrecognised(kb, written, xref):
    n = _normalised(kb, written)
    assert [(d.written, d.xref) for d in n.other_drugs] == [(written, xref)]
    assert not [u for u in n.unrecognized if u.field == "medications"]


def test_a_linked_drug_is_not_reported_as_not_a_cause(kb):
    n = _normalised(kb, "tocilizumab", "entecavir")
    assert [d.label for d in n.other_drugs] == ["Entecavir"]
    assert [kb.label(d.agent) for d in n.drugs] == ["tocilizumab"]


def test_a_lexicon_synonym_of_an_ontology_drug_resolves_to_that_drug(kb):
    # "zidovudine" is both in the ontology and in the lexicon: the ontology drug wins
    n = _normalised(kb, "zidovudine")
    assert [kb.label(d.agent) for d in n.drugs] == ["zidovudine"]
    assert n.other_drugs == ()


def test_nonsense_stays_unrecognised(kb):
    n = _normalised(kb, "foobarzol")
    assert n.other_drugs == ()
    assert [u.text for u in n.unrecognized] == ["foobarzol"]
    assert lookup_drug("foobarzol") is None


def test_reports_carry_the_one_phrase(kb):
    case = parse_case({"id": "lex", "anc": 900, "medications": [{"name": "lamivudine", "started_days_ago": 60}]})
    workup = workup_case(kb, case)
    assert f"lamivudine: a drug, DrugBank:DB00709, {NOT_A_KNOWN_CAUSE}" in workup_to_text(kb, workup)
    assert workup_to_dict(kb, workup)["other_drugs"][0]["xref"] == "DrugBank:DB00709"


def _drug_cause_evidence(kb, duration_days=None, **medication):
    """The agent evidence of idiosyncratic drug-induced agranulocytosis for a febrile agranulocytosis on one drug."""
    case = {
        "id": "unlisted",
        "anc": 150,
        "patient": {"age_years": 55, "sex": "female"},
        "temperature_c": 38.7,
        "findings": ["sore throat"],
        "medications": [medication],
    }
    if duration_days is not None:
        case["duration_days"] = duration_days
    w = workup_case(kb, case, explain_top=None)
    candidate = next(c for c in w.candidates if c.cause.endswith("/idiosyncratic-drug-agranulocytosis"))
    (evidence,) = [e for e in candidate.evidence if e.kind in ("agent", "no-agent")]
    return w, candidate, evidence


def test_a_recently_started_drug_no_cause_lists_still_counts_for_drug_induced_agranulocytosis(kb):
    # 125 drugs were implicated in published agranulocytosis (PMID:17470834): an unlisted drug started
    # three weeks before is not the same as no drug at all
    w, candidate, evidence = _drug_cause_evidence(kb, name="ciprofloxacin", started_days_ago=25)
    none_w, none_candidate, none_evidence = _drug_cause_evidence(kb, name="ciprofloxacin", started_days_ago=3000)
    assert evidence.kind == "agent" and "ciprofloxacin" in evidence.detail
    assert evidence.label.startswith(kb.label(kb.unlisted_drug))
    assert math.isclose(math.exp(evidence.log_lr), 0.3)
    assert candidate.rank < none_candidate.rank and evidence.log_lr > none_evidence.log_lr
    # the stand-in is never implicated by name: no causality form, no "implicated agent" for it
    assert kb.unlisted_drug not in candidate.agents
    assert [o.written for o in w.normalised.other_drugs] == ["ciprofloxacin"]


def test_an_unlisted_drug_started_after_the_neutropenia_counts_as_no_drug(kb):
    _, _, after = _drug_cause_evidence(kb, duration_days=30, name="ciprofloxacin", started_days_ago=5)
    assert math.isclose(math.exp(after.log_lr), kb.param("no_exposure_lr"))


@pytest.mark.parametrize("name", ["filgrastim", "prednisolone", "IVIG", "micafungin", "cyanocobalamin", "leucovorin"])
def test_a_treatment_of_neutropenia_is_reported_and_not_weighed_as_a_culprit(kb, name):
    """G-CSF, a corticosteroid for a suspected immune cause, immunoglobulin or an antifungal for febrile
    neutropenia, or vitamin B12 or folinic acid for a cause (nkg:deliversTreatment), is what the patient is
    expected to be given: named without dates it is not the unlisted drug at LR 0.3 **
    unknown_timing_exponent, but no drug at all."""
    w, _, evidence = _drug_cause_evidence(kb, name=name)
    assert w.normalised.other_drugs == ()
    (reported,) = [b for b in w.normalised.no_bearing if b.field == "medications"]
    assert reported.text == name and "not weighed as a culprit" in reported.reason
    assert evidence.kind == "no-agent"
    _, _, unlisted = _drug_cause_evidence(kb, name="ciprofloxacin")
    assert unlisted.kind == "agent" and evidence.log_lr < unlisted.log_lr


def test_a_treatment_drug_that_a_cause_links_is_still_weighed_by_its_link(kb):
    # cefepime is given for febrile neutropenia and is also a beta-lactam culprit: its link decides
    n = _normalised(kb, "cefepime")
    assert [kb.label(d.agent) for d in n.drugs] == ["cefepime"] and not n.no_bearing
