"""Drug-associated aplastic anaemia: the drugs of the population case-control studies (IAAAS, Thailand,
France, the UK antiepileptic study) are agents of acquired aplastic anaemia (modules/drugs-aplasia.ttl),
so pancytopenia with an empty marrow after one of them names the drug, while an isolated
agranulocytosis on the same drug stays with the agranulocytosis cause."""

from __future__ import annotations

import math

import pytest

from graph.model.ids import expand
from graph.workup.pipeline import workup_case

AA = expand("cause:acquired-aplastic-anaemia")


def _aplasia(drug: str, **timing) -> dict:
    return {
        "id": "drug-aplasia",
        "patient": {"age_years": 45, "sex": "male"},
        "anc": {"value": 300, "unit": "/uL"},
        "labs": {"hemoglobin_g_dl": 7.2, "platelets_per_ul": 15000},
        "findings": ["HP:0001876", "HP:0005528", "petechiae"],
        "medications": [{"name": drug, **timing}],
    }


@pytest.mark.parametrize(
    ("drug", "ratio"),
    [("carbamazepine", 9), ("indomethacin", 12), ("chloramphenicol", 10), ("cotrimoxazole", 5), ("etanercept", 3)],
)
def test_pancytopenia_with_a_hypocellular_marrow_after_a_drug_names_the_drug(kb, drug, ratio):
    w = workup_case(kb, _aplasia(drug, started_days_ago=90, last_dose_days_ago=30), explain_top=3)
    first = w.candidates[0]
    assert first.cause == AA and first.agents
    (term,) = [e for e in first.evidence if e.kind == "agent"]
    assert math.isclose(math.exp(term.log_lr), ratio, rel_tol=1e-6)


def test_a_drug_stopped_long_before_the_aplasia_does_not_explain_it(kb):
    # the IAAAS window: a drug counts when taken 29-180 days before admission
    w = workup_case(kb, _aplasia("carbamazepine", started_days_ago=900, stopped_days_ago=400), explain_top=None)
    aa = next(c for c in w.candidates if c.cause == AA)
    (term,) = [e for e in aa.evidence if e.kind == "agent"]
    assert term.log_lr <= 0


def test_isolated_agranulocytosis_on_carbamazepine_stays_an_agranulocytosis(kb):
    case = {
        "id": "cbz-agranulocytosis",
        "patient": {"age_years": 30, "sex": "female"},
        "anc": {"value": 100, "unit": "/uL"},
        "labs": {"hemoglobin_g_dl": 13.5, "platelets_per_ul": 240000},
        "temperature_c": 38.9,
        "findings": ["sore throat"],
        "medications": [{"name": "carbamazepine", "started_days_ago": 40}],
    }
    w = workup_case(kb, case, explain_top=None)
    assert w.candidates[0].cause != AA
