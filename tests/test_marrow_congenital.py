"""Marrow and flow-cytometry reports read as a haematologist reads them (ontology/modules/marrow-congenital.ttl).

Published patients (tests/data/real-dev) showed marrow reports the rules did not read, and one they
misread: a T-cell panel whose "CD56" was taken for CD5 and read as a CLL clone.  The cases below are
written from the report wording such sources use, not copied from a corpus case.
"""

import pytest

from graph.model.case import parse_case
from graph.model.ids import expand
from graph.workup.pipeline import workup_case
from graph.workup.resolve import read_result


def _read(kb, test: str, result: str) -> set[tuple[str, bool]]:
    return {(finding, present) for finding, present, _ in read_result(kb, expand(test), result) if finding}


def test_a_t_cell_panel_is_not_read_as_a_b_cell_clone(kb):
    fired = _read(kb, "test:flow-cytometry", "CD3 95%, CD8 85%; CD19 2%, CD20 3%, CD23 1%, CD56 2%")
    assert (expand("find:clonal-b-cell-population"), True) not in fired
    assert (expand("HP:0031393"), True) in fired


def test_a_cll_phenotype_still_reads_as_a_b_cell_clone(kb):
    assert (expand("find:clonal-b-cell-population"), True) in _read(kb, "test:flow-cytometry", "CD5+ CD23+ B cells")


@pytest.mark.parametrize(
    "result, finding",
    [
        ("extensive bone marrow necrosis", "find:marrow-necrosis"),
        ("clusters of cytokeratin-positive metastatic adenocarcinoma", "find:marrow-carcinoma-cells"),
        ("atypical cells suspicious for a non-haematological tumour", "find:marrow-carcinoma-cells"),
        ("80% infiltrate of large cells positive for CD20 and BCL2", "find:lymphoid-marrow-infiltration"),
    ],
)
def test_marrow_report_wording_is_read(kb, result, finding):
    assert (expand(finding), True) in _read(kb, "test:bone-marrow-biopsy", result)


@pytest.mark.parametrize(
    "result, finding",
    [
        ("cellular marrow, no necrosis", "find:marrow-necrosis"),
        ("no metastatic carcinoma seen", "find:marrow-carcinoma-cells"),
        ("caseating granulomas with necrosis", "find:marrow-necrosis"),
        ("negative for dysplasia, MDS or lymphoma", "find:lymphoid-marrow-infiltration"),
        ("negative for dysplasia, MDS or lymphoma", "HP:0002863"),
    ],
)
def test_a_negated_marrow_finding_is_not_read_as_present(kb, result, finding):
    assert (expand(finding), True) not in _read(kb, "test:bone-marrow-biopsy", result)


def _first(kb, case) -> str:
    return kb.label(workup_case(kb, parse_case(case), explain_top=0).candidates[0].cause)


def test_carcinoma_cells_in_the_marrow_point_to_metastases_not_myeloma(kb):
    case = {
        "id": "marrow-carcinoma",
        "patient": {"age_years": 62, "sex": "female"},
        "anc": 900,
        "findings": ["Anemia", "Thrombocytopenia", "Bone pain"],
        "tests": [{"name": "bone marrow trephine", "result": "infiltration by clusters of carcinoma cells"}],
    }
    assert _first(kb, case) == "Metastatic solid-tumour infiltration of the bone marrow"


def test_an_expanded_cd8_population_with_lymphocytosis_points_to_t_lgl(kb):
    case = {
        "id": "cd8-expansion",
        "patient": {"age_years": 60, "sex": "male"},
        "anc": 400,
        "findings": ["Lymphocytosis"],
        "tests": [{"name": "peripheral blood flow cytometry", "result": "CD3 96%, CD8 88%, CD57 positive; CD19 1%"}],
    }
    assert _first(kb, case) == "T-cell large granular lymphocytic leukaemia"


def _evidence_kinds(kb, case, cause: str) -> set[str]:
    candidates = workup_case(kb, parse_case(case), explain_top=None).candidates
    found = next(c for c in candidates if c.cause == expand(cause))
    return {e.kind for e in found.evidence}


@pytest.mark.parametrize(
    "cause, stated",
    [
        ("cause:acquired-aplastic-anaemia", "Pancytopenia"),
        ("cause:dyskeratosis-congenita", "Nail dystrophy"),
        ("cause:chediak-higashi-syndrome", "Partial albinism"),
    ],
)
def test_a_syndrome_without_its_hallmark_is_told_so(kb, cause, stated):
    bare = {"id": "bare", "patient": {"age_years": 9, "sex": "male"}, "anc": 600, "findings": ["Recurrent infections"]}
    assert "no-defining-feature" in _evidence_kinds(kb, bare, cause)
    with_hallmark = {**bare, "findings": ["Recurrent infections", stated]}
    assert "no-defining-feature" not in _evidence_kinds(kb, with_hallmark, cause)
