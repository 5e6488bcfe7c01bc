"""Two causes at once: the workup names a concurrent cause when the first leaves findings unexplained."""

from __future__ import annotations

import json

import pytest

from graph.cli.cli import main
from graph.workup.pipeline import workup_case


def _labels(kb, workup):
    return kb.label(workup.candidates[0].cause), kb.label(workup.concurrent.cause) if workup.concurrent else None


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (  # HIV named as known and zidovudine within its window
            {
                "id": "t",
                "anc": 700,
                "patient": {"age_years": 40, "sex": "male"},
                "conditions": ["HIV infection"],
                "duration_days": 60,
                "medications": [{"name": "zidovudine", "started_days_ago": 120}],
            },
            {"HIV infection", "Dose-dependent non-chemotherapy drug myelotoxicity"},
        ),
        (  # a vitamin B12 deficiency beside a drug
            {
                "id": "t",
                "anc": 600,
                "patient": {"age_years": 55, "sex": "male"},
                "labs": {"b12_pg_ml": 90, "mcv_fl": 112},
                "medications": [{"name": "clozapine", "started_days_ago": 60}],
            },
            {"Vitamin B12 (cobalamin) deficiency", "Clozapine-induced agranulocytosis"},
        ),
        (  # chemotherapy in its nadir window and a Gram-negative bacteraemia with shock
            {
                "id": "t",
                "anc": 300,
                "patient": {"age_years": 60, "sex": "female"},
                "findings": ["Fever", "Hypotension"],
                "medications": [{"name": "doxorubicin", "last_dose_days_ago": 10}],
                "tests": [{"name": "blood culture", "result": "Escherichia coli"}],
            },
            {"Chemotherapy-induced neutropenia", "Sepsis-associated neutropenia"},
        ),
    ],
)
def test_a_second_cause_that_explains_what_the_first_leaves_over_is_named(kb, case, expected):
    workup = workup_case(kb, case)
    assert set(_labels(kb, workup)) == expected
    assert workup.concurrent.likelihood_ratio >= kb.param("concurrent_cause_min_lr")
    assert all(e.log_lr > 0 for e in workup.concurrent.evidence)


def test_a_single_cause_case_names_no_concurrent_cause(kb):
    workup = workup_case(
        kb,
        {
            "id": "t",
            "anc": 150,
            "patient": {"age_years": 30, "sex": "male"},
            "findings": ["Fever", "Pharyngitis"],
            "duration_days": 2,
            "medications": [{"name": "clozapine", "started_days_ago": 60}],
        },
    )
    assert workup.concurrent is None


def test_the_reports_say_the_single_cause_probabilities_are_not_the_whole_story(kb, tmp_path, capsys):
    path = tmp_path / "two.json"
    path.write_text(
        json.dumps(
            {
                "id": "two",
                "anc": 600,
                "patient": {"age_years": 55, "sex": "male"},
                "labs": {"b12_pg_ml": 90, "mcv_fl": 112},
                "medications": [{"name": "clozapine", "started_days_ago": 60}],
            }
        )
    )
    assert main(["rank", str(path)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Consider a concurrent cause:" in text and "assume a single cause" in text
    assert main(["rank", str(path), "--format", "json"]) == 0
    concurrent = json.loads(capsys.readouterr().out)["concurrent_cause"]
    assert concurrent["label"] and concurrent["evidence"] and concurrent["likelihood_ratio"] >= 10
