"""Phenotype-only patients of rare diseases on the bundled ontology: how the premise, the imported prior
and the hand-made links of the HPO import treat them."""

from __future__ import annotations

from graph.model.case import parse_case
from graph.model.ids import expand, is_imported_cause
from graph.workup.normalise import normalise_case
from graph.workup.rank import rank_causes

NEUTROPENIA = expand("HP:0001875")
CHRONIC_NEUTROPENIA = expand("HP:0410252")


def _ranked(kb, **fields):
    case = parse_case({"id": "rare", **fields})
    return rank_causes(kb, normalise_case(kb, case), explain=400)


def _only_neutropenia_annotated(kb):
    """Imported causes annotated with Neutropenia itself and with no term below it."""
    chosen = []
    for cause in sorted(kb.causes):
        if not is_imported_cause(cause):
            continue
        terms = {a.finding for a in kb.finding_assocs.get(cause, ())}
        below = {t for t in terms if t != NEUTROPENIA and NEUTROPENIA in kb.hpo.ancestors(t)}
        if NEUTROPENIA in terms and not below:
            chosen.append(cause)
    return chosen


def test_chronic_neutropenia_matched_only_through_the_premise_annotation_is_neutral(kb):
    """Every patient ranked is neutropenic, so a cause's 'Neutropenia in 33%' says nothing about whether
    the neutropenia is chronic: the derived Chronic neutropenia neither helps nor hurts such a cause."""
    causes = _only_neutropenia_annotated(kb)
    assert causes
    chronic = _ranked(kb, anc=800, duration_days=400, findings=["HP:0000407"])
    acute = _ranked(kb, anc=800, duration_days=10, findings=["HP:0000407"])
    assert CHRONIC_NEUTROPENIA in {
        o.finding
        for o in normalise_case(kb, parse_case({"id": "c", "anc": 800, "duration_days": 400})).observations
        if o.present
    }
    by_cause = {c.cause: c for c in chronic}
    for cause in causes:
        labels = [e.label for e in by_cause[cause].evidence if e.kind == "finding"]
        assert not [label for label in labels if label.startswith(kb.label(CHRONIC_NEUTROPENIA))], (cause, labels)
    # the same causes keep the same finding evidence whether the neutropenia is chronic or acute
    acute_by_cause = {c.cause: c for c in acute}
    for cause in causes[:20]:
        chronic_sum = sum(e.log_lr for e in by_cause[cause].evidence if e.kind == "finding")
        acute_sum = sum(e.log_lr for e in acute_by_cause[cause].evidence if e.kind == "finding")
        assert abs(chronic_sum - acute_sum) < 1e-9, kb.label(cause)


def test_an_imported_disease_has_the_prior_of_the_rarest_curated_congenital_causes(kb):
    imported = sorted({kb.causes[c].prevalence for c in kb.causes if is_imported_cause(c)})
    curated = min(
        cause.prevalence
        for cid, cause in kb.causes.items()
        if not is_imported_cause(cid) and cause.category == kb.congenital_category
    )
    assert imported == [curated] == [kb.param("hpo_import_prevalence")]


def test_hand_made_links_name_curated_causes_for_hpo_diseases_of_other_names(kb):
    """Evans syndrome, pediatric-onset Graves disease and the Hermansky-Pudlak group are answered by the
    curated causes a curator linked them to, so a patient of those HPO entries can be named."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import hpo_peers

    ids = hpo_peers.cause_ids(kb)
    named = {
        disease: sorted(kb.label(c) for c, found in ids.items() if disease in found)
        for disease in ("ORPHA:1959", "ORPHA:525731", "ORPHA:79430")
    }
    assert named == {
        "ORPHA:1959": ["Secondary (adult) autoimmune neutropenia"],
        "ORPHA:525731": ["Hyperthyroidism (Graves disease)-associated neutropenia"],
        "ORPHA:79430": ["Hermansky-Pudlak syndrome type 2"],
    }


def test_a_phenotype_only_patient_of_a_rare_syndrome_is_not_explained_by_an_unlisted_chemotherapy(kb):
    """A simulated patient of severe congenital neutropenia 10 (OMIM:620534; scripts/simulate_phenomizer.py,
    default seed) lists no medicines: chemotherapy-induced neutropenia, whose drug a clinician would name,
    no longer comes first, and it carries the 'no medication list given' term against it."""
    ranked = _ranked(kb, findings=["HP:0001875", "HP:0012135", "HP:0001871", "HP:0001873", "HP:6000457"])
    assert ranked[0].cause == expand("cause:omim-620534")
    chemo = next(c for c in ranked if c.cause == expand("cause:chemotherapy-induced-neutropenia"))
    against = [e for e in chemo.evidence if e.kind == "no-agent"]
    assert [e.label for e in against] == ["no medication list given"] and against[0].log_lr < 0


def _finding_term(candidate, label_start):
    return next(e for e in candidate.evidence if e.kind == "finding" and e.label.startswith(label_start))


def test_a_specific_finding_under_a_general_annotation_counts_for_its_share_of_the_child_terms(kb):
    """Cartilage-hair hypoplasia annotates Abnormal distal phalanx morphology of finger (HP:0009832, 90%,
    16 child terms). Stippling of the distal phalangeal epiphyses of the hand (HP:0010255) lies beneath it:
    as in LIRICAL, the cause predicts it in 90% / 16 of patients, not 90%, so it is weak evidence, while
    the annotated term itself stays strong."""
    chh = expand("cause:cartilage-hair-hypoplasia")
    annotated = expand("HP:0009832")
    assert kb.hpo.children_count(annotated) == 16
    specific = next(c for c in _ranked(kb, findings=["HP:0001875", "HP:0010255"]) if c.cause == chh)
    exact = next(c for c in _ranked(kb, findings=["HP:0001875", "HP:0009832"]) if c.cause == chh)
    weak = _finding_term(specific, kb.label(expand("HP:0010255")))
    strong = _finding_term(exact, kb.label(annotated))
    assert "query more specific" in weak.label and 0 < weak.log_lr < 0.5
    assert strong.log_lr > 4
