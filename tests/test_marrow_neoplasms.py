"""Marrow neoplasms (ontology/modules/marrow-neoplasms.ttl), end to end: an aggressive lymphoma in the marrow
is told from chronic lymphocytic leukaemia by its course, fever and LDH and from hairy cells by its large
cells; film, marrow and flow reports are read in their own words (smudge cells, APL cells, a non-diagnostic
marrow, an LGL count); a somatic STAT3 mutation speaks for an LGL clone."""

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


def _observed(kb, case):
    """(label, present) of every finding the case was read into."""
    return {
        (kb.label(o.finding), o.present)
        for o in workup_case(kb, parse_case(case), explain_top=0).normalised.observations
    }


def test_smudge_cells_are_read_as_a_film_finding_not_as_a_clone(kb):
    seen = _observed(
        kb, {"id": "smudge", "anc": 800, "tests": [{"name": "blood film", "result": "a few smudge cells"}]}
    )
    assert ("Smudge cells on the blood film", True) in seen
    assert ("Clonal B-cell population", True) not in seen


def test_a_large_b_cell_lymphoma_in_the_marrow_is_not_hairy_cell_leukaemia(kb):
    case = {
        "id": "marrow-dlbcl-old-man",
        "patient": {"age_years": 79, "sex": "male"},
        "findings": ["Pancytopenia", "Weight loss", "Fatigue", "Abdominal pain"],
        "absent_findings": ["Lymphadenopathy"],
        "tests": [{"name": "bone marrow biopsy", "result": "infiltration by diffuse large B-cell lymphoma"}],
    }
    ranked = _ranked(kb, case)
    assert ranked[0] == AGGRESSIVE
    assert ranked.index(AGGRESSIVE) < ranked.index("Hairy cell leukaemia")


def test_a_somatic_stat3_mutation_speaks_for_an_lgl_clone_instead_of_against_it(kb):
    case = {
        "id": "lgl-stat3",
        "patient": {"age_years": 66, "sex": "male"},
        "anc": 350,
        "duration_days": 500,
        "labs": {"lymphocytes_per_ul": 2600},
        "tests": [{"name": "STAT3 mutation analysis", "result": "STAT3 Y640F mutation detected"}],
    }
    candidate = next(
        c
        for c in workup_case(kb, parse_case(case)).candidates
        if kb.label(c.cause) == "T-cell large granular lymphocytic leukaemia"
    )
    kinds = {(e.kind, e.direction) for e in candidate.evidence}
    assert ("agent", "for") in kinds
    assert not any(e.kind == "genotype" for e in candidate.evidence)


def test_an_lgl_count_above_2_x_10_9_per_litre_puts_lgl_leukaemia_before_felty_syndrome(kb):
    def case(count):
        return {
            "id": "ra-lgl",
            "patient": {"age_years": 58, "sex": "female"},
            "anc": 600,
            "conditions": ["rheumatoid arthritis"],
            "findings": ["increased large granular lymphocytes on blood smear"],
            "tests": [{"name": "flow cytometry", "result": f"CD3+CD8+CD57+ large granular lymphocytes {count}"}],
        }

    high = _ranked(kb, case("3.4 x 10^9/L"))
    low = _ranked(kb, case("0.9 x 10^9/L"))
    lgl, felty = "T-cell large granular lymphocytic leukaemia", "Felty syndrome"
    assert high.index(lgl) < high.index(felty)
    assert high.index(lgl) <= low.index(lgl)


def test_a_non_diagnostic_marrow_rules_out_acute_leukaemia_unless_the_sample_was_necrotic(kb):
    def seen(result):
        return _observed(kb, {"id": "nd", "anc": 300, "tests": [{"name": "bone marrow biopsy", "result": result}]})

    assert ("Bone marrow blasts 20% or more", False) in seen("non-diagnostic")
    necrotic = seen("extensive bone marrow necrosis, non-diagnostic")
    assert ("Bone marrow blasts 20% or more", False) not in necrotic
    assert ("Bone marrow necrosis", True) in necrotic


def test_apl_cells_in_a_hypocellular_marrow_are_acute_promyelocytic_leukaemia(kb):
    case = {
        "id": "hypoplastic-apl",
        "patient": {"age_years": 84, "sex": "female"},
        "findings": ["Pancytopenia", "Subcutaneous hemorrhage"],
        "tests": [
            {"name": "bone marrow biopsy", "result": "hypocellular marrow with APL cells"},
            {"name": "coagulation tests", "result": "mild coagulopathy"},
        ],
    }
    assert _ranked(kb, case)[0] == "Acute promyelocytic leukaemia"
