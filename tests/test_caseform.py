"""The case form, pasted JSON and example cases: what a person enters becomes the case they meant."""

import json
from datetime import date, datetime

import pytest
from conftest import ROOT, dev_cases, load_json

from graph.caseio.caseform import (
    LAB_FIELDS,
    CaseForm,
    case_from_form,
    choice_label,
    finding_choices,
    form_from_case,
)
from graph.caseio.casejson import case_from_json_text
from graph.caseio.examples import example_directories, find_example_cases, load_example
from graph.model.errors import CaseError
from graph.workup.pipeline import workup_case

TODAY = date(2025, 6, 30)
EXAMPLES = sorted((ROOT / "examples").glob("*.json")) + dev_cases()


def ranking(kb, case):
    return [(c.cause, round(c.score, 9)) for c in workup_case(kb, case, explain_top=0).candidates]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_example_opened_in_the_form_and_submitted_unchanged_ranks_the_same(kb, path):
    case = load_json(path)
    again = case_from_form(form_from_case(case, TODAY, kb), TODAY)
    assert ranking(kb, again) == ranking(kb, case)


def test_dates_become_days_before_today_and_blank_rows_are_skipped():
    form = CaseForm(
        case_id="f1",
        anc=450.0,
        age_years=61.0,
        sex="male",
        findings=("HP:0001945",),
        medications=(
            {"name": "clozapine", "started": datetime(2025, 5, 1, 0, 0), "stopped": float("nan"), "last_dose": None},
            {"name": "", "started": None},
        ),
        anc_history=({"date": "2025-06-16", "anc": 2100}, {"date": None, "anc": None}),
        tests=({"name": "Monospot", "result": "negative"},),
        exposures=({"name": "tick bite", "date": date(2025, 6, 20)},),
        labs={"platelets_per_ul": 90000.0, "mcv_fl": None},
        family_history=("", "neutropenia in brother"),
    )
    case = case_from_form(form, TODAY)
    assert case["medications"] == [{"name": "clozapine", "started_days_ago": 60}]
    assert case["anc_history"] == [{"day": -14, "anc": 2100}]
    assert case["exposures"] == [{"name": "tick bite", "days_ago": 10}]
    assert case["labs"] == {"platelets_per_ul": 90000} and case["anc"] == 450
    assert case["patient"] == {"age_years": 61, "sex": "male"} and case["family_history"] == ["neutropenia in brother"]


def test_no_medication_list_differs_from_an_empty_one():
    assert "medications" not in case_from_form(CaseForm(case_id="m", anc=900, medications_recorded=False), TODAY)
    assert case_from_form(CaseForm(case_id="m", anc=900), TODAY)["medications"] == []


@pytest.mark.parametrize(
    "form, message",
    [
        (CaseForm(case_id="", anc=500), "'id' is missing"),
        (CaseForm(case_id="x", anc=None), "'anc' is missing"),
        (CaseForm(case_id="x", anc="low"), "'anc' must be a number, got 'low'"),
        (
            CaseForm(case_id="x", anc=500, medications=({"name": "clozapine", "started": date(2025, 7, 2)},)),
            r"'medications\[0\].started' is after today \(2025-07-02\)",
        ),
        (
            CaseForm(case_id="x", anc=500, medications=({"name": None, "last_dose": date(2025, 6, 1)},)),
            r"'medications\[0\]' has dates but no drug name",
        ),
        (
            CaseForm(case_id="x", anc=500, anc_history=({"date": date(2025, 6, 1), "anc": None},)),
            r"'anc_history\[0\]' needs both a date and an ANC",
        ),
        (
            CaseForm(case_id="x", anc=500, tests=({"name": "HIV antibody", "result": ""},)),
            r"'tests\[0\]' needs both a test name and a result",
        ),
        (CaseForm(case_id="x", anc=500, anc_history=({"date": "30/06/2025", "anc": 900},)), "YYYY-MM-DD"),
    ],
)
def test_a_mistake_in_the_form_names_its_field(form, message):
    with pytest.raises(CaseError, match=message):
        case_from_form(form, TODAY)


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"id": "x", "anc": }', "line 1, column 20"),
        ("[1, 2]", "a case must be a JSON object"),
        ('{"anc": 500}', "'id' is missing"),
        ("", "nothing to read"),
        (b"\xff\xfe", "not UTF-8"),
        ("[" * 100_000, "nested too deeply|invalid JSON"),
        ('{"id": "x", "anc": 5}' + " " * 1_000_001, "longer than"),
    ],
)
def test_pasted_or_uploaded_json_errors_say_where(text, message):
    with pytest.raises(CaseError, match=message):
        case_from_json_text(text, source="upload.json")


def test_pasted_json_keeps_the_case_as_written():
    text = json.dumps({"id": "p1", "anc": 700, "findings": ["Fever"], "expected": {"cause": "x"}})
    assert case_from_json_text(text)["expected"] == {"cause": "x"}  # kept for the teaching view; never ranked


def test_lab_fields_read_like_a_lab_report():
    labels = {field.key: f"{field.label} ({field.unit})" for field in LAB_FIELDS}
    assert labels["platelets_per_ul"] == "Platelets (/µL)"
    assert labels["hemoglobin_g_dl"] == "Hemoglobin (g/dL)"
    assert labels["b12_pg_ml"] == "Vitamin B12 (pg/mL)"


def test_findings_are_offered_by_label_and_unknown_text_is_flagged(mini_kb):
    choices = finding_choices(mini_kb, extra=("a rash I saw",))
    assert "HP:0001945" in choices and choices[-1] == "a rash I saw"
    assert choice_label(mini_kb, "HP:0001945") == "Fever · HP:0001945"
    assert choice_label(mini_kb, "a rash I saw") == "a rash I saw (not recognised)"


def test_examples_include_the_bundled_cases_and_the_dev_cases_beside_the_checkout():
    found, problems = find_example_cases(example_directories(ROOT))
    keys = [e.key for e in found]
    assert problems == [] and {"febrile-agranulocytosis", "chronic-mild"} <= set(keys)
    if dev_cases():
        assert "dev-001" in keys
    febrile = next(e for e in found if e.key == "febrile-agranulocytosis")
    assert febrile.title.startswith("example-febrile-agranulocytosis — Illustrative case")
    assert load_example(febrile)["anc"] == 120


def test_an_unreadable_example_is_reported_not_fatal(tmp_path):
    (tmp_path / "good.json").write_text('{"id": "g", "anc": 1}', encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"id": "b"', encoding="utf-8")
    found, problems = find_example_cases([("example", tmp_path)])
    assert [e.key for e in found] == ["good"] and "bad.json" in problems[0] and "invalid JSON" in problems[0]


def test_an_example_in_si_units_is_offered_and_loads_converted(mini_kb, tmp_path):
    (tmp_path / "si.json").write_text(
        '{"id": "si", "anc": {"value": 0.4, "unit": "10^9/L"}, "temperature_c": 38.6}', encoding="utf-8"
    )
    found, problems = find_example_cases([("example", tmp_path)], mini_kb.case_rules)
    assert [e.key for e in found] == ["si"] and problems == []
    assert load_example(found[0], mini_kb.case_rules)["anc"] == {"value": 0.4, "unit": "10^9/L"}
    # without the ontology's unit rules the same file could not be read: the app must pass them
    assert "gives a unit" in find_example_cases([("example", tmp_path)])[1][0]


def test_the_finding_search_knows_lay_words_and_shows_no_internal_id(kb):
    """Typing "enlarged spleen" in the form's finding box finds Splenomegaly; a finding of the
    ontology's own is offered by its label, which the case reads, never by an internal id."""
    from graph.caseio.caseform import finding_search_label
    from graph.model.case import parse_case
    from graph.workup.normalise import normalise_case

    choices = finding_choices(kb)
    labels = {value: finding_search_label(kb, value) for value in choices}
    spleen = [v for v, label in labels.items() if "enlarged spleen" in label]
    assert spleen == ["HP:0001744"] and labels["HP:0001744"].startswith("Splenomegaly · HP:0001744")
    assert not [label for label in labels.values() if "find:" in label or "not recognised" in label]
    local = [v for v in choices if not v.startswith("HP:")]
    assert local, "the ontology has findings of its own"
    n = normalise_case(kb, parse_case({"id": "f", "anc": 800, "findings": local[:20]}))
    assert not n.unrecognized
