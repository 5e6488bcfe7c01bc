"""Rank simulated patients of the imported rare diseases, with our ranker and with pyhpo's similarity.

Patients are simulated the way the Phenomizer was evaluated (Köhler et al. 2009,
DOI:10.1016/j.ajhg.2009.09.003): for each imported disease, 3-6 of its annotated phenotypes, about
half of them replaced by one of their ancestors (imprecision), and one or two unrelated phenotypes
added (noise).  Every patient has neutropenia (ANC 800/uL).  The same patients are then ranked

* by our ranker (``graph.pipeline.workup_case``, all causes of the ontology), and
* by pyhpo's set similarity (Resnik, funSimAvg, information content from OMIM) against every disease
  that HPO annotates with neutropenia (the imported ones and those linked to curated causes),

and top-1/top-3 are reported for both, in the same run.  Not a test: it needs pyhpo (the
``curate`` extra) and takes a few minutes.

    .venv/bin/python scripts/simulate_phenomizer.py [--seed 20250116] [--limit N]

Examples
--------
>>> import random
>>> from graph.hpo import HpoIndex
>>> hpo = HpoIndex.from_rows([("HP:0000001", "All", (), ()), ("HP:0000118", "Phenotypic abnormality", (),
...     ("HP:0000001",))] + [(f"HP:00000{n}", f"t{n}", (), ("HP:0000118",)) for n in range(10, 30)], "test")
>>> terms = [f"HP:00000{n}" for n in range(10, 18)]
>>> patient = simulate_patient(terms, hpo, random.Random(1), noise_pool=[f"HP:00000{n}" for n in range(18, 30)])
>>> 4 <= len(patient) <= 8
True
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.hpo import HpoIndex  # noqa: E402
from graph.ids import curie, expand  # noqa: E402

PHENOTYPIC_ABNORMALITY = "HP:0000118"
#: terms too general to stand for a patient's finding when a term is made imprecise
_TOO_GENERAL = {"HP:0000001", PHENOTYPIC_ABNORMALITY}


def simulate_patient(
    terms: Sequence[str], hpo: HpoIndex, rng: random.Random, noise_pool: Sequence[str], replace_fraction: float = 0.5
) -> list[str]:
    """One simulated patient: 3-6 of ``terms``, about half moved up to an ancestor, plus 1-2 noise terms.

    ``terms`` and the result are HPO CURIEs, all different; ``noise_pool`` holds the terms noise is
    drawn from (the disease's own terms and their ancestors are left out of it here).
    """
    chosen = rng.sample(list(terms), min(len(terms), rng.randint(3, 6)))
    patient = []
    for term in chosen:
        if rng.random() < replace_fraction:
            ancestors = sorted(
                curie(a) for a in hpo.ancestors(expand(term))
                if curie(a) not in _TOO_GENERAL and curie(a) != term and curie(a) not in patient
            )
            if ancestors:  # an ancestor already named stays named once: keep the term itself then
                term = rng.choice(ancestors)
        patient.append(term)
    related = {curie(a) for t in terms for a in hpo.ancestors(expand(t))}
    pool = [t for t in noise_pool if t not in related]
    patient += rng.sample(pool, min(len(pool), rng.randint(1, 2)))
    return patient


def _imported(kb) -> dict[str, list[str]]:  # noqa: ANN001 - KnowledgeBase, imported lazily
    """Imported cause -> its supporting HPO terms (not Neutropenia itself)."""
    diseases = {}
    for cause in sorted(kb.causes):
        if not curie(cause).startswith(("cause:omim-", "cause:orpha-")):
            continue
        terms = sorted({
            curie(a.finding) for a in kb.finding_assocs.get(cause, ())
            if a.polarity == "supports" and curie(a.finding).startswith("HP:") and curie(a.finding) != "HP:0001875"
        })
        if len(terms) >= 3:
            diseases[cause] = terms
    return diseases


def _pyhpo_candidates(neutropenia_ids: set[str]):  # noqa: ANN202
    from pyhpo import Ontology

    Ontology()
    candidates = []
    for disease in list(Ontology.omim_diseases) + list(Ontology.orpha_diseases):
        prefix = "OMIM" if disease in Ontology.omim_diseases else "ORPHA"
        disease_id = f"{prefix}:{disease.id}"
        if disease_id in neutropenia_ids:
            candidates.append((disease_id, disease.hpo_set()))
    return candidates


def _rank_of(ordered: Sequence[str], wanted: set[str]) -> int | None:
    for rank, item in enumerate(ordered, start=1):
        if item in wanted:
            return rank
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20250116)
    parser.add_argument("--limit", type=int, default=None, help="simulate only the first N diseases")
    args = parser.parse_args()
    try:
        from pyhpo import HPOSet
    except ImportError:
        sys.exit("simulate_phenomizer.py needs pyhpo: pip install 'neutropenia-kg[curate]'")
    from graph.knowledge import load_knowledge_base
    from graph.pipeline import workup_case

    kb = load_knowledge_base()
    diseases = _imported(kb)
    if args.limit:
        diseases = dict(list(diseases.items())[: args.limit])
    rng = random.Random(args.seed)
    noise_pool = sorted(
        curie(t) for t in kb.hpo.labels
        if t.startswith("http://purl.obolibrary.org/obo/HP_") and t not in kb.hpo.obsolete
        and expand(PHENOTYPIC_ABNORMALITY) in kb.hpo.ancestors(t) and curie(t) not in _TOO_GENERAL
    )
    patients = [(cause, simulate_patient(terms, kb.hpo, rng, noise_pool)) for cause, terms in diseases.items()]

    # every disease HPO annotates with neutropenia (imported ones, linked ones, those left out), by all its ids
    from graph.hpo_import import ImportSettings, pyhpo_data_dir, read_annotations, select_diseases

    _, annotations, genes = read_annotations(pyhpo_data_dir())
    selected = select_diseases(annotations, genes, kb.hpo, ImportSettings())
    neutropenia_ids = {i for d in selected.values() for i in (d.id, *d.also)}
    ids_of = {cause: set(kb.causes[cause].info.xrefs) for cause in diseases}

    start = time.perf_counter()
    ours = []
    for cause, terms in patients:
        ranked = workup_case(kb, {"id": "sim", "anc": 800, "findings": terms}, explain_top=0).candidates
        ours.append(_rank_of([c.cause for c in ranked], {cause}))
    ours_seconds = time.perf_counter() - start

    start = time.perf_counter()
    candidates = _pyhpo_candidates(neutropenia_ids)
    theirs = []
    for cause, terms in patients:
        patient = HPOSet.from_queries(terms)
        scored = sorted(
            ((patient.similarity(hpo_set, kind="omim", method="resnik", combine="funSimAvg"), disease_id)
             for disease_id, hpo_set in candidates),
            key=lambda item: (-item[0], item[1]),
        )
        theirs.append(_rank_of([d for _, d in scored], ids_of[cause]))
    theirs_seconds = time.perf_counter() - start

    def summary(ranks: list[int | None], seconds: float) -> dict[str, float]:
        n = len(ranks)
        return {
            "top1": round(sum(r == 1 for r in ranks) / n, 3),
            "top3": round(sum(r is not None and r <= 3 for r in ranks) / n, 3),
            "top10": round(sum(r is not None and r <= 10 for r in ranks) / n, 3),
            "ms_per_patient": round(seconds * 1000 / n, 1),
        }

    print(json.dumps({
        "patients": len(patients),
        "seed": args.seed,
        "hpo_release": kb.hpo.version,
        "our_ranker": {**summary(ours, ours_seconds), "candidates": len(kb.causes)},
        "pyhpo_resnik_funSimAvg": {**summary(theirs, theirs_seconds), "candidates": len(candidates)},
    }, indent=2))


if __name__ == "__main__":
    main()
