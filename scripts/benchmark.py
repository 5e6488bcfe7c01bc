"""Speed benchmark: every figure of issue 11 in one run, as ratios to the bare-import floor and to pyhpo.

Not a test (the CI machine is shared and noisy); run it and report the figures:

    .venv/bin/python scripts/benchmark.py [CASE_DIR] [--repeat 5] [--runs 3] [--all-hpo ROOT]

Cases are read as ``neutropenia-kg`` reads them (the knowledge base's unit rules), from CASE_DIR
(default ``tests/data/real-dev``).  In one run it measures:

* the floor: wall time of a fresh ``python -c "import rdflib, networkx"`` (and its peak memory);
* pyhpo 4.0.0's query on the same patients: the patient's present HPO terms (as this tool normalises
  them) as an ``HPOSet``, compared with every disease of a set by ``HPOSet.similarity(kind="omim",
  method="resnik", combine="BMA")`` and sorted (the disease sets are built before the clock starts); the
  set is the diseases HPO annotates with neutropenia (OMIM and Orphanet, about as many as the bundled
  causes), and with ``--all-hpo`` also every OMIM and Orphanet disease pyhpo holds, on the first
  ``--pyhpo-all-patients`` patients (one such query takes minutes);
* per case, in one process: the whole workup (explanations of the first 10 and the useful tests) and the
  ranking alone (``explain_top=0``), median over ``--repeat`` passes;
* fresh processes: a warm start to the first ranked case (compiled cache present, and Python's bytecode
  kept as an installed package's is; also without it, where ``PYTHONDONTWRITEBYTECODE`` is set, every
  start compiling the package from source), a machine's first start (empty cache),
  ``neutropenia-kg validate`` with an empty cache and with its stored report;
* with ``--all-hpo ROOT`` (the root file ``neutropenia-kg import-hpo --all`` writes): the triples of
  ROOT, its cold load (empty cache) and warm load, the peak memory (``ru_maxrss``) of each, the first
  case after a warm load, and the per-case times at that size.

Every time is printed with its ratio to the floor; per-case times also with pyhpo's query time on the
same patients divided by ours (how many times faster), and starts with pyhpo's own load time divided by
ours.  Targets (issue 11): per case at most floor/250 with the bundled causes and 20 ms with every HPO
disease; warm start at most 2x the floor; first start at most 6x; validate at most 10x; at least 300x
faster than pyhpo's query.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_HPO_PREFIX = "http://purl.obolibrary.org/obo/HP_"


def _wall(command: list[str], env: dict[str, str], runs: int, empty: Path | None = None) -> list[float]:
    """Wall time of ``runs`` fresh processes; with ``empty``, that cache folder is emptied before each."""
    times = []
    for _ in range(runs):
        if empty is not None:
            for item in empty.iterdir():
                shutil.rmtree(item) if item.is_dir() else item.unlink()  # validate keeps a shacl/ folder
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


_LOAD = """
import gc, json, resource, sys, time
start = time.perf_counter()
from graph.kb.knowledge import load_knowledge_base
kb = load_knowledge_base(sys.argv[1] or None)
loaded = time.perf_counter() - start
first, per_case, rank_only = None, [], []
files = json.loads(sys.argv[2]) if sys.argv[2:] else []
if files:
    from graph.model.case import read_case_file
    from graph.workup.pipeline import workup_case
    cases = [read_case_file(f, kb.case_rules)[0] for f in files]
    begin = time.perf_counter()
    workup_case(kb, cases[0])
    first = time.perf_counter() - begin
    for case in cases:
        workup_case(kb, case)  # the finding tables each case needs are built on first use
    for explain, out in ((10, per_case), (0, rank_only)):
        for case in cases:
            begin = time.perf_counter()
            workup_case(kb, case, explain_top=explain)
            out.append(time.perf_counter() - begin)
print(json.dumps({"seconds": loaded, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "first_case": first, "per_case": per_case, "rank_only": rank_only}))
"""

_FLOOR = """
import json, resource, time
start = time.perf_counter()
import rdflib, networkx
print(json.dumps({"seconds": time.perf_counter() - start,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_TRIPLES = """
import sys
from graph.kb.ontology import load_rdf
graph, _ = load_rdf(__import__("pathlib").Path(sys.argv[1]))
print(len(graph))
"""

_PYHPO = """
import json, sys, time
start = time.perf_counter()
from pyhpo import HPOSet, Ontology
Ontology()
loaded = time.perf_counter() - start
patients, all_count = json.loads(open(sys.argv[1]).read()), int(sys.argv[2])
neutropenia = Ontology.get_hpo_object("HP:0001875")
order = lambda diseases: sorted(diseases, key=lambda d: (type(d).__name__, d.id))
sets = {"neutropenia": order(neutropenia.omim_diseases | neutropenia.orpha_diseases)}
if all_count:
    sets["all"] = order(Ontology.omim_diseases | Ontology.orpha_diseases)
known = {term.id for term in Ontology}
out = {"load_s": loaded}
for name, diseases in sets.items():
    disease_sets = [HPOSet.from_queries(sorted(d.hpo)) for d in diseases]
    times = []
    for terms in patients[: all_count if name == "all" else len(patients)]:
        patient = HPOSet.from_queries([t for t in terms if t in known])
        begin = time.perf_counter()
        scores = [patient.similarity(d, kind="omim", method="resnik", combine="BMA") for d in disease_sets]
        sorted(range(len(scores)), key=lambda i: -scores[i])
        times.append(time.perf_counter() - begin)
    out[name] = {"diseases": len(diseases), "per_patient_s": times}
print(json.dumps(out))
"""


def _child(code: str, args: list[str], env: dict[str, str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "wall_s": time.perf_counter() - start}


def _median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3)


class Figures:
    """Each figure with its ratio to the floor, and to pyhpo's query (per case) or load (starts)."""

    def __init__(self, floor_s: float, floor_mb: float, pyhpo: dict) -> None:
        self.floor_s, self.floor_mb = floor_s, floor_mb
        self.pyhpo = pyhpo

    def start(self, seconds: float) -> dict[str, float]:
        return {
            "ms": round(seconds * 1000, 1),
            "ratio_to_floor": round(seconds / self.floor_s, 2),
            "share_of_pyhpo_load": round(seconds / self.pyhpo["load_s"], 4),
        }

    def per_case(self, ours: list[float], same_patients: list[float], pyhpo_set: str) -> dict[str, float]:
        query = statistics.median(self.pyhpo[pyhpo_set]["per_patient_s"])
        mine = statistics.median(same_patients)
        return {
            "median_ms": _median_ms(ours),
            "ratio_to_floor": round(statistics.median(ours) / self.floor_s, 5),
            "floor_over_this": round(self.floor_s / statistics.median(ours), 1),
            "same_patients_median_ms": round(mine * 1000, 3),
            f"pyhpo_query_{pyhpo_set}_over_this": round(query / mine, 1),
        }


def patient_terms(kb, files: list[Path]) -> list[list[str]]:
    """Each case's present HPO terms as this tool normalises them (``HP:0001945`` form)."""
    from graph.model.case import read_case_file
    from graph.workup.normalise import normalise_case

    out = []
    for path in files:
        normalised = normalise_case(kb, read_case_file(path, kb.case_rules)[0])
        terms = {o.finding for o in normalised.observations if o.present and o.finding.startswith(_HPO_PREFIX)}
        out.append(sorted("HP:" + t[len(_HPO_PREFIX) :] for t in terms))
    return out


def per_case_times(kb, files: list[Path], repeat: int) -> tuple[list[float], list[float], list[list[float]]]:
    """Median per case over ``repeat`` passes: the whole workup, the ranking alone, and each case's times."""
    from graph.model.case import read_case_file
    from graph.workup.pipeline import workup_case

    cases = [read_case_file(f, kb.case_rules)[0] for f in files]
    for case in cases:
        workup_case(kb, case)  # the finding tables each case needs are built on first use
    by_case: list[list[float]] = [[] for _ in cases]
    rank_only = []
    for _ in range(repeat):
        for k, case in enumerate(cases):
            start = time.perf_counter()
            workup_case(kb, case)
            by_case[k].append(time.perf_counter() - start)
        for case in cases:
            start = time.perf_counter()
            workup_case(kb, case, explain_top=0)
            rank_only.append(time.perf_counter() - start)
    return [t for times in by_case for t in times], rank_only, by_case


def _bytecode_env(env: dict[str, str], folder: str) -> dict[str, str]:
    """A warm start's environment with Python's own cache warm too: compiled bytecode kept in ``folder``.

    An installed package comes with its bytecode (pip compiles it), as the floor's rdflib and networkx
    do; where ``PYTHONDONTWRITEBYTECODE`` is set (a sandbox, a container) every start would otherwise
    compile this package from source and the floor's modules not.
    """
    kept = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**kept, "PYTHONPYCACHEPREFIX": folder}


def starts(first: str, runs: int, env: dict[str, str], figures: Figures) -> dict:
    """Fresh processes: first start (empty cache), warm start, validate from nothing and from its report."""
    python = sys.executable
    rank = [python, "-m", "graph", "rank", first, "--format", "json"]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as bytecode:
        folder = Path(cache)
        cold_env = {**env, "NEUTROPENIA_KG_CACHE": cache}
        uncached = _wall(rank, cold_env, runs, empty=folder)
        warm_source = _wall(rank, cold_env, runs)
        warm_env = _bytecode_env(cold_env, bytecode)
        _wall([python, "-c", "import rdflib, networkx"], warm_env, 1)  # their bytecode, once
        _wall(rank, warm_env, 1)  # writes the bytecode the warm starts read
        warm = _wall(rank, warm_env, runs)
        floor_bytecode = _wall([python, "-c", "import rdflib, networkx"], warm_env, runs)
        validate_cold = _wall([python, "-m", "graph", "validate"], cold_env, runs, empty=folder)
        validate_warm = _wall([python, "-m", "graph", "validate"], cold_env, runs)
    return {
        "warm_start_first_case": {**figures.start(statistics.median(warm)), "target_ratio_to_floor": 2},
        "warm_start_first_case_compiling_from_source": {
            **figures.start(statistics.median(warm_source)),
            "bytecode_written": not env.get("PYTHONDONTWRITEBYTECODE"),
        },
        "floor_with_the_same_bytecode_cache": figures.start(statistics.median(floor_bytecode)),
        "first_start_empty_cache": {**figures.start(statistics.median(uncached)), "target_ratio_to_floor": 6},
        "validate_empty_cache": {**figures.start(statistics.median(validate_cold)), "target_ratio_to_floor": 10},
        "validate_stored_report": figures.start(statistics.median(validate_warm)),
    }


def all_hpo_report(root: Path, files: list[Path], subset: int, env: dict[str, str], figures: Figures) -> dict:
    """ROOT (bundled + every other HPO disease): triples, cold and warm load, peak memory, per case."""
    from graph.curate.hpo_import import ALL_ROOT_SUFFIX

    module = root.parent / "imports" / "hpo-all.ttl"
    if not root.name.endswith(ALL_ROOT_SUFFIX) or not module.is_file():
        raise SystemExit(f"{root}: not a root written by 'neutropenia-kg import-hpo --all'")
    triples = int(
        subprocess.run(
            [sys.executable, "-c", _TRIPLES, str(root)], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    floor_mb = figures.floor_mb
    with tempfile.TemporaryDirectory() as cache:
        child_env = {**env, "NEUTROPENIA_KG_CACHE": cache}
        cold = _child(_LOAD, [str(root)], child_env)
        warm = _child(_LOAD, [str(root), json.dumps([str(f) for f in files])], child_env)
    per_case = warm["per_case"]
    return {
        "triples": triples,
        "cold_load": {**figures.start(cold["seconds"]), "peak_mb": round(cold["maxrss_mb"])},
        "cold_peak_memory_ratio_to_floor": round(cold["maxrss_mb"] / floor_mb, 1),
        "warm_load": {**figures.start(warm["seconds"]), "peak_mb": round(warm["maxrss_mb"])},
        "warm_peak_memory_ratio_to_floor": round(warm["maxrss_mb"] / floor_mb, 1),
        "first_case_after_warm_load": figures.start(warm["first_case"]),
        "per_case_workup": {**figures.per_case(per_case, per_case[:subset], "all"), "target_ms": 20},
        "per_case_ranking_only": figures.per_case(warm["rank_only"], warm["rank_only"][:subset], "all"),
        "cases": len(per_case),
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", default=str(ROOT / "tests" / "data" / "real-dev"))
    parser.add_argument("--repeat", type=int, default=5, help="passes over the batch for per-case timing")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per start figure")
    parser.add_argument("--pyhpo-patients", type=int, default=20, help="patients pyhpo ranks the neutropenia set for")
    parser.add_argument("--pyhpo-all-patients", type=int, default=2, help="patients pyhpo ranks every disease for")
    parser.add_argument("--all-hpo", metavar="ROOT", help="also the root that 'import-hpo --all' writes")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    from graph.kb.knowledge import load_knowledge_base

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kb = load_knowledge_base()
    files = sorted(Path(args.cases).glob("*.json"))
    terms = patient_terms(kb, files)
    with_terms = [k for k, t in enumerate(terms) if t]  # pyhpo needs at least one HPO term
    chosen = with_terms[: args.pyhpo_patients]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump([terms[k] for k in chosen], handle)
    all_count = min(args.pyhpo_all_patients, len(chosen)) if args.all_hpo else 0
    pyhpo = _child(_PYHPO, [handle.name, str(all_count)], env)
    os.unlink(handle.name)
    bare = _wall([sys.executable, "-c", "import rdflib, networkx"], env, args.runs)
    floor = _child(_FLOOR, [], env)
    figures = Figures(statistics.median(bare), floor["maxrss_mb"], pyhpo)
    per_case, rank_only, by_case = per_case_times(kb, files, args.repeat)
    same = [t for k in chosen for t in by_case[k]]
    report: dict = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_average": os.getloadavg()},
        "cases": {"dir": args.cases, "n": len(files), "pyhpo_patients": len(chosen), "bundled_causes": len(kb.causes)},
        "floor_import_rdflib_networkx": {"ms": round(figures.floor_s * 1000, 1), "peak_mb": round(floor["maxrss_mb"])},
        "pyhpo": {
            "load_ms": round(pyhpo["load_s"] * 1000, 1),
            **{
                f"query_{name}": {
                    "diseases": pyhpo[name]["diseases"],
                    "median_ms": _median_ms(pyhpo[name]["per_patient_s"]),
                }
                for name in ("neutropenia", "all")
                if name in pyhpo
            },
        },
        "per_case_workup": {**figures.per_case(per_case, same, "neutropenia"), "target_floor_over_this": 250},
        "per_case_ranking_only": figures.per_case(
            rank_only, [t for k in chosen for t in rank_only[k :: len(files)]], "neutropenia"
        ),
    }
    print(json.dumps(report), file=sys.stderr)  # so far, in case a later stage fails
    report.update(starts(str(files[0]), args.runs, env, figures))
    if args.all_hpo:
        subset = [files[k] for k in chosen[:all_count]]
        ordered = subset + [f for f in files if f not in subset]  # pyhpo's patients first
        report["all_hpo"] = all_hpo_report(Path(args.all_hpo), ordered, len(subset), env, figures)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
