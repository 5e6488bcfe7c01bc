"""An aggressive lymphoma in the marrow (ontology/modules/marrow-neoplasms.ttl) is told from chronic
lymphocytic leukaemia by its course, fever and LDH, end to end."""

from graph.model.case import parse_case
from graph.workup.pipeline import workup_case

AGGRESSIVE = "Aggressive lymphoma with bone marrow involvement"
CLL = "Chronic lymphocytic leukaemia or lymphoma with marrow infiltration"


def _ranked(kb, case):
    return [kb.label(c.cause) for c in workup_case(kb, parse_case(case), explain_top=0).candidates]


def test_a_febrile_pancytopenia_with_a_large_b_cell_infiltrate_is_an_aggressive_lymphoma(kb):
    case = {
        "id": "dlbcl-marrow",
        "patient": {"age_years": 52, "sex": "male"},
        "anc": 600,
        "duration_days": 30,
        "temperature_c": 38.9,
        "findings": ["Night sweats", "Weight loss", "Fatigue"],
        "absent_findings": ["Lymphadenopathy"],
        "labs": {"hemoglobin_g_dl": 7.9, "platelets_per_ul": 41000, "wbc_per_ul": 1900},
        "tests": [
            {"name": "LDH", "result": "1,450 U/L (normal 120-246)"},
            {
                "name": "bone marrow biopsy",
                "result": "diffuse infiltrate of large atypical cells positive for CD20 and PAX5",
            },
        ],
    }
    ranked = _ranked(kb, case)
    assert ranked[0] == AGGRESSIVE
    assert ranked.index(AGGRESSIVE) < ranked.index(CLL)


def test_an_old_patient_with_lymphocytosis_and_nodes_stays_chronic_lymphocytic_leukaemia(kb):
    case = {
        "id": "cll-marrow",
        "patient": {"age_years": 78, "sex": "male"},
        "anc": 900,
        "duration_days": 400,
        "findings": ["Lymphadenopathy", "Splenomegaly"],
        "labs": {"lymphocytes_per_ul": 42000, "hemoglobin_g_dl": 10.8},
        "tests": [
            {"name": "peripheral blood smear", "result": "mature small lymphocytes with smudge cells"},
            {"name": "flow cytometry", "result": "clonal B cells, CD5 and CD23 positive"},
        ],
    }
    ranked = _ranked(kb, case)
    assert ranked.index(CLL) < ranked.index(AGGRESSIVE)


def test_myeloid_blasts_on_flow_cytometry_put_aml_before_all(kb):
    def case(result):
        return {
            "id": "blasts",
            "patient": {"age_years": 14, "sex": "female"},
            "anc": 400,
            "findings": ["Fever", "Pallor"],
            "labs": {"hemoglobin_g_dl": 7.2, "platelets_per_ul": 35000},
            "tests": [{"name": "flow cytometry", "result": result}],
        }

    myeloid = _ranked(kb, case("32% blasts expressing CD34, CD117, CD13 and CD33"))
    untyped = _ranked(kb, case("32% blasts"))
    assert myeloid.index("Acute myeloid leukaemia") < myeloid.index("Acute lymphoblastic leukaemia")
    assert untyped.index("Acute lymphoblastic leukaemia") < untyped.index("Acute myeloid leukaemia")
