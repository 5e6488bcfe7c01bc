"""Marrow disease written as a report writes it: a marrow neoplasm named by its WHO subtype is that cause, and
a somatic mutation written with its gene as the test's name weighs the myeloid neoplasms (while one gene
found wild-type says nothing of the rest) (ontology/modules/marrow-neoplasms.ttl)."""

import pytest

from graph.model.case import parse_case
from graph.workup.pipeline import workup_case

AML = "Acute myeloid leukaemia"
CCUS = "Clonal or idiopathic cytopenia of undetermined significance (CCUS/ICUS)"
SOMATIC = "Somatic myeloid driver mutation in blood or marrow"


def _workup(kb, tests=(), conditions=(), age=67):
    case = {
        "id": "marrow-words",
        "patient": {"age_years": age, "sex": "male"},
        "anc": 700,
        "findings": ["Fatigue", "Pallor"],
        "labs": {"hemoglobin_g_dl": 8.1, "platelets_per_ul": 62000, "wbc_per_ul": 2100},
        "tests": [{"name": n, "result": r} for n, r in tests],
        "conditions": list(conditions),
    }
    return workup_case(kb, parse_case(case), explain_top=0)


def _ranked(result):
    return [c.cause for c in result.candidates]


def _observed(kb, result):
    return {(kb.label(o.finding), o.present) for o in result.normalised.observations}


@pytest.mark.parametrize(
    "name, written", [("FLT3-ITD", "positive"), ("TET2", "mutated"), ("NPM1 mutation", "detected")]
)
def test_a_mutation_named_by_its_gene_is_a_somatic_myeloid_driver(kb, name, written):
    assert (SOMATIC, True) in _observed(kb, _workup(kb, [(name, written)]))


def test_a_myeloid_driver_mutation_puts_acute_myeloid_leukaemia_before_ccus(kb):
    tests = [("bone marrow aspirate", "hypercellular, 35% blasts"), ("FLT3-ITD", "positive"), ("NPM1", "mutated")]
    ranked = [kb.label(c) for c in _ranked(_workup(kb, tests))]
    assert ranked[0] == AML
    assert ranked.index(AML) < ranked.index(CCUS)


def test_one_gene_found_wild_type_says_nothing_of_the_other_genes(kb):
    """'NPM1: negative' is usual in AML: it must not read as a negative myeloid panel."""
    blasts = [("bone marrow aspirate", "hypercellular, 35% blasts")]
    alone = _workup(kb, blasts)
    with_negative = _workup(kb, [*blasts, ("NPM1", "negative"), ("FLT3-ITD", "not detected")])
    assert (SOMATIC, False) not in _observed(kb, with_negative)
    assert {"NPM1: negative", "FLT3-ITD: not detected"} <= {b.text for b in with_negative.normalised.no_bearing}
    assert [c.score for c in with_negative.candidates[:5]] == [c.score for c in alone.candidates[:5]]


def test_a_negative_myeloid_panel_still_counts_against_a_clone(kb):
    observed = _observed(kb, _workup(kb, [("myeloid NGS panel", "no pathogenic variants")]))
    assert (SOMATIC, False) in observed


@pytest.mark.parametrize(
    "condition, cause",
    [
        ("splenic marginal zone lymphoma", "Chronic lymphocytic leukaemia or lymphoma with marrow infiltration"),
        ("post-polycythaemia vera myelofibrosis", "Primary myelofibrosis"),
        ("acute myelomonocytic leukaemia", AML),
        ("MDS with excess blasts", "Myelodysplastic syndrome (myelodysplastic neoplasm)"),
        ("plasma cell leukaemia", "Multiple myeloma with marrow infiltration"),
        ("bone marrow metastasis", "Metastatic solid-tumour infiltration of the bone marrow"),
    ],
)
def test_a_marrow_neoplasm_named_by_its_who_subtype_is_that_cause(kb, condition, cause):
    """Named as a known condition, the subtype raises its cause (by known_diagnosis_lr) into the first three."""
    named = [kb.label(c) for c in _ranked(_workup(kb, conditions=[condition]))]
    unnamed = [kb.label(c) for c in _ranked(_workup(kb))]
    assert named.index(cause) < 3
    assert named.index(cause) < unnamed.index(cause) or unnamed.index(cause) == 0


@pytest.mark.parametrize(
    "test, result, finding",
    [
        (
            "bone marrow biopsy",
            "clusters of atypical megakaryocytes",
            "Atypical megakaryocytes in clusters in the marrow",
        ),
        (
            "bone marrow biopsy",
            "multifocal aggregates of spindle-shaped mast cells",
            "Mast-cell aggregates in the marrow",
        ),
        ("flow cytometry", "CD56+ NK cells expanded", "Expansion of CD3-negative CD16/CD56-positive NK cells"),
        ("serum free light chains", "kappa/lambda ratio 45", "Paraproteinemia"),
        ("Bence Jones protein", "positive", "Paraproteinemia"),
    ],
)
def test_marrow_flow_and_paraprotein_reports_are_read_in_their_own_words(kb, test, result, finding):
    assert (finding, True) in _observed(kb, _workup(kb, [(test, result)]))


def test_a_normal_free_light_chain_ratio_is_no_paraprotein(kb):
    assert ("Paraproteinemia", True) not in _observed(
        kb, _workup(kb, [("serum free light chains", "kappa/lambda ratio 1.2")])
    )


def test_mast_cell_aggregates_put_systemic_mastocytosis_first(kb):
    tests = [("bone marrow biopsy", "multifocal dense aggregates of CD25-positive spindle-shaped mast cells")]
    assert kb.label(_ranked(_workup(kb, tests, age=55))[0]) == "Systemic mastocytosis (KIT D816V)"


def test_atypical_megakaryocyte_clusters_with_fibrosis_put_primary_myelofibrosis_first(kb):
    tests = [("bone marrow biopsy", "grade 2 reticulin fibrosis with clusters of atypical megakaryocytes")]
    assert kb.label(_ranked(_workup(kb, tests))[0]) == "Primary myelofibrosis"


def test_a_cancer_in_the_history_raises_marrow_metastases_even_when_not_called_metastatic(kb):
    """Most marrow metastases come in patients whose cancer is known (Ozkalemkas 2005; Filanovsky 2017)."""

    def metastatic(conditions):
        case = {
            "id": "known-cancer",
            "patient": {"age_years": 62, "sex": "female"},
            "anc": 800,
            "findings": ["Fatigue", "Bone pain"],
            "labs": {"hemoglobin_g_dl": 8.4, "platelets_per_ul": 58000},
            "conditions": conditions,
        }
        candidates = workup_case(kb, parse_case(case), explain_top=0).candidates
        label = "Metastatic solid-tumour infiltration of the bone marrow"
        return next(c for c in candidates if kb.label(c.cause) == label)

    known = metastatic(["breast cancer treated with surgery 6 years ago"])
    assert known.rank == 1
    assert known.score > 0.5
    assert known.score > 1.5 * metastatic([]).score


@pytest.mark.parametrize(
    "test, result, finding, present",
    [
        ("IGH rearrangement", "clonal", "Clonal B-cell population", True),
        ("immunoglobulin heavy chain gene rearrangement", "polyclonal", "Clonal B-cell population", False),
        ("T-cell receptor gamma gene rearrangement", "monoclonal", "Clonal T-cell receptor gene rearrangement", True),
    ],
)
def test_a_gene_rearrangement_study_is_read_as_a_clone_or_its_absence(kb, test, result, finding, present):
    assert (finding, present) in _observed(kb, _workup(kb, [(test, result)]))
