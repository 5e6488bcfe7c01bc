"""Reading and checking case JSON: every malformed input is a CaseError naming the field."""

import pytest

from graph.model.case import parse_case
from graph.model.errors import CaseError


def test_a_complete_case_is_read_with_its_timing():
    case = parse_case(
        {
            "id": "dev-x",
            "anc": 700,
            "patient": {"age_years": 38, "sex": "Female", "ancestry": "African"},
            "anc_history": [{"day": -7, "anc": 900}, {"day": -21, "anc": 2400}],
            "duration_days": 14,
            "labs": {"mcv_fl": 112},
            "medications": [{"name": "clozapine", "started_days_ago": 70}],
            "exposures": [{"name": "radiation therapy", "site": "pelvis", "days_ago": 20}],
            "tests": [{"name": "HIV antibody", "result": "negative"}],
        }
    )
    assert case.sex == "female"
    assert [p.day for p in case.anc_history] == [-21, -7]
    assert case.medications[0].started_days_ago == 70
    assert case.exposures[0].days_ago == 20
    assert case.tests[0].result == "negative"


def test_medications_absent_and_empty_are_told_apart():
    assert parse_case({"id": "a", "anc": 1}).medications is None
    assert parse_case({"id": "a", "anc": 1, "medications": []}).medications == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"anc": 500}, "'id' is missing"),
        ({"id": "x"}, "'anc' is missing"),
        ({"id": "x", "anc": "low"}, "'anc' must be a number"),
        ({"id": "x", "anc": True}, "'anc' must be a number"),
        ({"id": "x", "anc": -1}, "'anc' must not be negative"),
        ({"id": "x", "anc": 500, "patient": {"age_years": -3}}, "'patient.age_years' must not be negative"),
        ({"id": "x", "anc": 500, "labs": {"mcv_fl": "high"}}, "'labs.mcv_fl' must be a number"),
        ({"id": "x", "anc": 500, "findings": "Fever"}, "'findings' must be a list of strings"),
        ({"id": "x", "anc": 500, "medications": [{"started_days_ago": 3}]}, "'medications[0].name'"),
        ({"id": "x", "anc": 500, "anc_history": [{"day": -3}]}, "'anc_history[0].anc' must be a number"),
        ([1, 2], "a case must be a JSON object"),
    ],
)
def test_bad_input_names_the_problem(data, message):
    with pytest.raises(CaseError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_case(data)
