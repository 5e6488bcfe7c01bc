"""Any well-formed case, however odd, is ranked without an error, and the scores stay probabilities."""

import math
import random

import pytest

from graph.model.case import LAB_KEYS
from graph.present.report import workup_to_dict
from graph.workup.pipeline import workup_case

WORDS = [
    "fever",
    "Tegretol",
    "clozapin",
    "HP:0001744",
    "tick bite",
    "Fy(a-b-)",
    "positive",
    "negative",
    "no blasts",
    "<0.01",
    "1:1280",
    "µg/L",
    "β-lactam",
    "",
    "   ",
    "🙂",
    "HP:0000000",
    "x" * 300,
]


def _lab(rng: random.Random, kb, key: str, anc: float) -> float:
    """A value the ontology's bounds allow (model.ttl); the white count holds the neutrophils."""
    measure = kb.case_rules.measures[key]
    low = max(measure.low, measure.least_nonzero or 0.0, anc if key == "wbc_per_ul" else 0.0)
    return rng.uniform(low, min(measure.high, 500000))


def random_case(rng: random.Random, index: int, kb) -> dict:
    def text() -> str:  # never blank: a blank name is a case error, tested in test_case.py
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).strip() or "fever"

    anc = rng.choice([0, 10, 99, 100, 499, 500, 999, 1000, 1499, 1500, 5000])
    return {
        "id": f"random-{index}",
        "anc": anc,
        "patient": {
            "age_years": rng.choice([0, 0.01, 0.5, 1, 16, 45, 99]),
            "sex": rng.choice(["female", "male", "x"]),
            "ancestry": rng.choice(["African", "European", "unknown", ""]),
        },
        "anc_history": [
            {"day": -rng.randint(1, 4000), "anc": rng.choice([0, rng.randint(10, 9000)])}
            for _ in range(rng.randint(0, 8))
        ],
        "duration_days": rng.choice([None, 0, 30, 90, 5000]),
        "findings": [text() for _ in range(rng.randint(0, 4))],
        "absent_findings": [text() for _ in range(rng.randint(0, 3))],
        "labs": {key: _lab(rng, kb, key, anc) for key in rng.sample(LAB_KEYS, rng.randint(0, len(LAB_KEYS)))},
        "medications": [
            {
                "name": text(),
                "started_days_ago": rng.choice([None, 0, 10, 400]),
                "stopped_days_ago": rng.choice([None, 5]),
                "last_dose_days_ago": rng.choice([None, 9]),
            }
            for _ in range(rng.randint(0, 4))
        ],
        "exposures": [{"name": text(), "days_ago": rng.choice([None, 3])} for _ in range(rng.randint(0, 2))],
        "conditions": [text() for _ in range(rng.randint(0, 3))],
        "tests": [{"name": text(), "result": text()} for _ in range(rng.randint(0, 4))],
        "family_history": [text() for _ in range(rng.randint(0, 2))],
    }


@pytest.mark.parametrize("seed", range(4))
def test_odd_but_valid_cases_are_ranked(kb, seed):
    rng = random.Random(seed)
    for index in range(25):
        workup = workup_case(kb, random_case(rng, index, kb))
        assert math.isclose(sum(c.score for c in workup.candidates), 1.0, rel_tol=1e-9)
        assert all(0 <= c.score <= 1 for c in workup.candidates)
        data = workup_to_dict(kb, workup, top=3)
        assert len(data["candidates"]) == 3
