"""Case format version 2 (shared/case-format.md): units, impossible values, temperature, a case without a count."""

import json

import pytest

from graph.cli.cli import main
from graph.model.case import parse_case
from graph.model.errors import CaseError
from graph.workup.normalise import normalise_case
from graph.workup.pipeline import workup_case

FEVER = "http://purl.obolibrary.org/obo/HP_0001945"


def read(kb, **fields):
    return parse_case({"id": "v2", **fields}, kb.case_rules)


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        ("anc", {"value": 0.8, "unit": "10^9/L"}, 800),
        ("anc", {"value": 0.45, "unit": "x10^3/µL"}, 450),
        ("anc", {"value": 700, "unit": "cells/mm3"}, 700),
        ("anc", {"value": 700, "unit": "/uL"}, 700),
        ("hemoglobin_g_dl", {"value": 95, "unit": "g/L"}, 9.5),
        ("b12_pg_ml", {"value": 100, "unit": "pmol/L"}, 135.54),  # molar mass of cobalamin 1355.4 g/mol
        ("folate_ng_ml", {"value": 10, "unit": "nmol/L"}, 4.414),  # molar mass of folic acid 441.4 g/mol
        ("copper_ug_dl", {"value": 10, "unit": "umol/L"}, 63.546),  # atomic weight of copper 63.546
        ("platelets_per_ul", {"value": 85, "unit": "10^9/L"}, 85000),
    ],
)
def test_values_with_units_are_converted(kb, field, given, expected):
    case = read(kb, anc=given) if field == "anc" else read(kb, anc=700, labs={field: given})
    value = case.anc if field == "anc" else case.labs[field]
    assert value == pytest.approx(expected)


def test_anc_history_takes_units_too(kb):
    case = read(kb, anc=500, anc_history=[{"day": -30, "anc": {"value": 2.1, "unit": "10^9/L"}}])
    assert case.anc_history[0].anc == pytest.approx(2100)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"anc": 0.8, "labs": {"wbc_per_ul": 4000}}, "'anc' = 0.8 is impossible in /uL"),
        ({"anc": 0.8, "labs": {"wbc_per_ul": 4000}}, "looks like 10^9/L"),
        ({"anc": 700, "labs": {"platelets_per_ul": 250}}, "looks like 10^9/L (x10^3/uL)"),
        ({"anc": 700, "labs": {"hemoglobin_g_dl": 120}}, "looks like g/L"),
        ({"anc": 700, "temperature_c": 101.2}, "looks like F"),
        ({"anc": {"value": 0.8, "unit": "/uL"}}, "looks like 10^9/L"),
        ({"anc": 5000, "labs": {"wbc_per_ul": 4000}}, "more than the white cell count"),
        ({"anc": 700, "patient": {"age_years": 300}}, "'patient.age_years' = 300 is impossible"),
        ({"anc": 700, "duration_days": 99999}, "'duration_days' = 99999 is impossible"),
        ({"anc": 700, "labs": {"mcv_fl": 900}}, "outside the possible range 40-180 fL"),
        ({"anc": {"value": 1, "unit": "mg"}}, "unit 'mg' is not one this tool converts"),
        ({"anc": 10**400}, "too large"),
        ({"anc": float("nan")}, "must be a finite number"),
        ({"anc": float("inf")}, "must be a finite number"),
    ],
)
def test_impossible_values_are_refused_naming_the_likely_unit(kb, fields, words):
    with pytest.raises(CaseError) as error:
        read(kb, **fields)
    assert words in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("fields", "present"),
    [
        ({"temperature_c": 38.6}, True),
        ({"temperature_c": 38.0}, True),  # the IDSA threshold (DOI:10.1093/cid/cir073), model.ttl
        ({"temperature_c": 37.2}, False),
        ({"temperature_c": 37.2, "findings": ["Fever"]}, True),  # a stated fever outranks a normal reading
        ({"temperature_c": 39.1, "findings": ["afebrile"]}, True),  # a measured fever outranks "afebrile"
        ({"findings": ["febrile"]}, True),
        ({"findings": ["pyrexia"]}, True),
        ({"findings": ["afebrile"]}, False),
        ({"findings": ["temperature 38.6 C"]}, True),
        ({"findings": ["T 101.2 F"]}, True),  # 38.4 C
        ({"findings": ["T 99.5 F"]}, False),  # 37.5 C
        ({"findings": ["fever of 39 C"]}, True),
        ({"findings": ["Temp: 37.1°C"]}, False),
    ],
)
def test_fever_is_read_from_temperatures_and_words(kb, fields, present):
    n = normalise_case(kb, read(kb, anc=300, **fields))
    fever = [o for o in n.observations if o.finding == FEVER]
    assert fever and fever[0].present is present
    assert not [u for u in n.unrecognized if u.field == "findings"]


def test_a_temperature_in_a_finding_that_cannot_be_celsius_is_refused(kb):
    with pytest.raises(CaseError, match="looks like F"):
        read(kb, anc=300, findings=["T 101.2"])


@pytest.mark.parametrize(
    ("findings", "grade"),
    [
        (["Neutropenia"], "count not given"),
        (["HP:0001882"], "count not given"),  # Leukopenia
        (["HP:0001913"], "count not given"),  # Granulocytopenia: nearly all granulocytes are neutrophils
        (["Pancytopenia"], "count not given"),  # every lineage low, the white cells among them
        (["Agranulocytosis"], "severe"),  # defined as ANC < 500/uL (PMID:17470834)
        (["HP:0012235"], "severe"),  # Drug-induced agranulocytosis, a descendant
        (["Severe neutropenia"], "severe"),
        (["Profound neutropenia"], "profound"),
        (["Cyclic neutropenia"], "count not given"),  # a descendant of Neutropenia
    ],
)
def test_a_case_without_a_count_takes_its_grade_from_the_finding(kb, findings, grade):
    workup = workup_case(kb, {"id": "nc", "findings": findings + ["Oral ulcer"]})
    assert workup.normalised.severity.grade == grade and workup.normalised.severity.anc is None
    assert workup.candidates


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ({"id": "x", "findings": ["Fever"]}, "no finding states the neutropenia"),
        ({"id": "x", "findings": ["family history of neutropenia"]}, "no finding states the neutropenia"),
        ({"id": "x", "findings": ["Fever"], "absent_findings": ["Neutropenia"]}, "neutropenia is excluded"),
        ({"id": "x"}, "'anc' is missing and no finding states the neutropenia"),
    ],
)
def test_a_case_with_neither_count_nor_stated_neutropenia_is_refused(kb, case, words):
    with pytest.raises(CaseError, match=words):
        workup_case(kb, case)


def run(tmp_path, capsys, case, *options):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    code = main(["rank", str(path), *options])
    return code, capsys.readouterr()


@pytest.mark.parametrize(
    "case",
    [
        {"id": "fn-1", "anc": 300, "temperature_c": 38.6},
        {"id": "fn-2", "anc": 300, "findings": ["febrile"]},
        {"id": "fn-3", "anc": {"value": 0.3, "unit": "10^9/L"}, "findings": ["T 101.2 F"]},
        {"id": "fn-4", "findings": ["Agranulocytosis", "temperature 38.9 C"]},
    ],
)
def test_the_febrile_neutropenia_alert_fires_end_to_end(tmp_path, capsys, case):
    code, out = run(tmp_path, capsys, case, "--format", "json")
    assert code == 0, out.err
    assert [a["code"] for a in json.loads(out.out)["alerts"] if a["level"] == "emergency"] == ["febrile-neutropenia"]


def test_fever_with_a_stated_neutropenia_and_no_count_asks_for_the_count(tmp_path, capsys):
    code, out = run(tmp_path, capsys, {"id": "fn-5", "findings": ["Neutropenia", "febrile"]})
    assert code == 0 and "FEVER WITH NEUTROPENIA and no neutrophil count given" in out.out
    assert "None" not in out.out and "ANC not given" in out.out


def test_no_alert_when_afebrile(tmp_path, capsys):
    code, out = run(tmp_path, capsys, {"id": "af", "anc": 300, "findings": ["afebrile"]}, "--format", "json")
    assert code == 0 and not [a for a in json.loads(out.out)["alerts"] if a["level"] == "emergency"]


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ({"id": "u", "anc": 0.8, "labs": {"wbc_per_ul": 4000}}, "looks like 10^9/L"),
        ({"id": "u", "anc": 700, "labs": {"platelets_per_ul": 250}}, "looks like 10^9/L (x10^3/uL)"),
        ({"id": "u", "anc": 700, "labs": {"hemoglobin_g_dl": 120}}, "looks like g/L"),
        ({"id": "u", "findings": ["Fever"], "absent_findings": ["Neutropenia"]}, "neutropenia is excluded"),
        ({"id": "u", "findings": ["Fever"]}, "no finding states the neutropenia"),
    ],
)
def test_the_cli_refuses_in_one_line_with_exit_2(tmp_path, capsys, case, words):
    code, out = run(tmp_path, capsys, case)
    assert code == 2 and words in out.err and out.err.count("\n") == 1 and "Traceback" not in out.err


def test_a_case_without_a_count_prints_no_none_in_any_format(tmp_path, capsys, kb):
    from graph.present.export import workup_to_html, workup_to_markdown

    case = {"id": "nc", "findings": ["Agranulocytosis"], "medications": [{"name": "methimazole"}]}
    code, out = run(tmp_path, capsys, case)
    assert code == 0 and "None" not in out.out and "ANC not given - severe neutropenia (stated, no count)" in out.out
    for options in (("--format", "json"), ("--format", "jsonl")):
        code, out = run(tmp_path, capsys, case, *options)
        severity = json.loads(out.out)["severity"]
        assert code == 0 and severity["grade"] == "severe" and severity["count_given"] is False
        assert severity["stated_by"] == "HP:0012234" and "None" not in out.out
    workup = workup_case(kb, case)
    for text in (workup_to_markdown(kb, workup), workup_to_html(kb, workup)):
        assert "ANC not given" in text and "None" not in text


def test_a_whole_number_below_the_analyser_step_is_a_hand_count_not_a_unit_error(kb):
    from graph.model.case import parse_case

    # 1% monocytes of a white count of 900/uL: 9/uL, worked out by hand from the differential
    case = parse_case({"id": "h", "anc": 4, "labs": {"wbc_per_ul": 900, "monocytes_per_ul": 9}}, kb.case_rules)
    assert case.anc == 4 and case.labs["monocytes_per_ul"] == 9
    with pytest.raises(CaseError, match="fraction of a cell"):
        parse_case({"id": "h", "anc": 4.5}, kb.case_rules)
    with pytest.raises(CaseError, match="not reported"):  # platelets are machine counts only
        parse_case({"id": "h", "anc": 500, "labs": {"platelets_per_ul": 250}}, kb.case_rules)
