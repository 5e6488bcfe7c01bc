"""Speed benchmark: cold start to the first ranked case, and per-case ranking time over a batch.

Not a test (the CI machine is shared and noisy); run it and report the figures:

    .venv/bin/python scripts/benchmark.py [CASE_DIR] [--repeat 20]

Cold start is measured as wall time of a fresh ``python -m graph rank CASE --format json`` process,
with an empty compiled-ontology cache (first run on a machine) and with a warm cache, next to a
bare ``python -c "import rdflib, networkx"`` on the same machine (the floor).  ``neutropenia-kg
validate`` is timed the same way, with an empty cache and with its stored report.  Every start is
also given as a ratio to the floor taken in the same run (targets, issue 11: cold start at most 6x,
warm start at most 2x, validate at most 10x).

With ``--all-hpo ROOT`` (the root file ``neutropenia-kg import-hpo --all`` writes) it measures instead, in
fresh processes, the bundled ontology against ROOT: triples of the extra module, cold load (empty cache)
and warm load time and peak memory (``ru_maxrss``), and time per case over CASE_DIR and
``tests/data/holdout``, each also as a ratio to the bare import floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _wall(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


_LOAD = """
import json, resource, sys, time
start = time.perf_counter()
from graph.kb.knowledge import load_knowledge_base
kb = load_knowledge_base(sys.argv[1] or None)
loaded = time.perf_counter() - start
per_case = []
if sys.argv[2:]:
    from pathlib import Path
    from graph.model.case import read_case_file
    from graph.workup.pipeline import workup_case
    cases = [read_case_file(f, kb.case_rules)[0] for d in sys.argv[2:] for f in sorted(Path(d).glob("*.json"))]
    for case in cases:
        begin = time.perf_counter()
        workup_case(kb, case)
        per_case.append(time.perf_counter() - begin)
print(json.dumps({"seconds": loaded, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "per_case": per_case}))
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


def _child(code: str, args: list[str], env: dict[str, str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"benchmark child failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "wall_s": time.perf_counter() - start}


def all_hpo_report(root: Path, case_dirs: list[str]) -> dict:
    """Bundled ontology against ROOT (bundled + every other HPO disease): size, loads, memory, per case."""
    from graph.curate.hpo_import import ALL_ROOT_SUFFIX

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    floor = _child(_FLOOR, [], env)
    module = root.parent / "imports" / "hpo-all.ttl"
    if not root.name.endswith(ALL_ROOT_SUFFIX) or not module.is_file():
        raise SystemExit(f"{root}: not a root written by 'neutropenia-kg import-hpo --all'")
    triples = {
        "bundled": int(
            subprocess.run(
                [sys.executable, "-c", _TRIPLES, str(ROOT / "ontology" / "neutropenia.ttl")],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    }
    triples["all"] = int(
        subprocess.run(
            [sys.executable, "-c", _TRIPLES, str(root)], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    report: dict = {"floor_import_rdflib_networkx": floor, "triples": triples}
    for name, path in (("bundled", ""), ("all", str(root))):
        with tempfile.TemporaryDirectory() as cache:
            child_env = {**env, "NEUTROPENIA_KG_CACHE": cache}
            cold = _child(_LOAD, [path], child_env)
            warm = _child(_LOAD, [path, *case_dirs], child_env)
        per_case = warm.pop("per_case")
        cold.pop("per_case")
        report[name] = {
            "cold_load_s": round(cold["seconds"], 2),
            "cold_load_ratio": round(cold["seconds"] / floor["seconds"], 1),
            "cold_maxrss_ratio": round(cold["maxrss_mb"] / floor["maxrss_mb"], 1),
            "cold_maxrss_mb": round(cold["maxrss_mb"]),
            "warm_load_s": round(warm["seconds"], 2),
            "warm_load_ratio": round(warm["seconds"] / floor["seconds"], 1),
            "warm_maxrss_mb": round(warm["maxrss_mb"]),
            "warm_maxrss_ratio": round(warm["maxrss_mb"] / floor["maxrss_mb"], 1),
            "per_case_median_ms": round(statistics.median(per_case) * 1000, 2),
            "per_case_ratio_to_floor": round(statistics.median(per_case) / floor["seconds"], 3),
            "cases": len(per_case),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", default=str(ROOT.parent / "shared" / "cases" / "dev"))
    parser.add_argument("--repeat", type=int, default=20, help="passes over the batch for per-case timing")
    parser.add_argument("--runs", type=int, default=5, help="process starts per cold-start figure")
    parser.add_argument("--all-hpo", metavar="ROOT", help="compare with the root of 'import-hpo --all' instead")
    args = parser.parse_args()
    if args.all_hpo:
        dirs = [args.cases, str(ROOT / "tests" / "data" / "holdout")]
        print(json.dumps(all_hpo_report(Path(args.all_hpo), dirs), indent=2))
        return
    files = sorted(Path(args.cases).glob("*.json")) or sorted((ROOT / "examples").glob("*.json"))
    first = str(files[0])
    env = {**os.environ}
    python = sys.executable

    bare = _wall([python, "-c", "import rdflib, networkx"], env, args.runs)
    with tempfile.TemporaryDirectory() as cache:
        cold_env = {**env, "NEUTROPENIA_KG_CACHE": cache}
        uncached = []
        for _ in range(args.runs):
            for item in Path(cache).iterdir():
                item.unlink()
            uncached += _wall([python, "-m", "graph", "rank", first, "--format", "json"], cold_env, 1)
        warm = _wall([python, "-m", "graph", "rank", first, "--format", "json"], cold_env, args.runs)
        validate_cold = []
        for _ in range(args.runs):
            for item in Path(cache).iterdir():
                item.unlink()
            validate_cold += _wall([python, "-m", "graph", "validate"], cold_env, 1)
        validate_warm = _wall([python, "-m", "graph", "validate"], cold_env, args.runs)

    from graph.kb.knowledge import load_knowledge_base
    from graph.model.case import read_case_file
    from graph.workup.pipeline import workup_case

    kb = load_knowledge_base()
    cases = [read_case_file(f)[0] for f in files]
    per_case = []
    for _ in range(args.repeat):
        for case in cases:
            start = time.perf_counter()
            workup_case(kb, case)
            per_case.append(time.perf_counter() - start)
    rank_only = []
    for _ in range(args.repeat):
        for case in cases:
            start = time.perf_counter()
            workup_case(kb, case, explain_top=0)
            rank_only.append(time.perf_counter() - start)

    def ms(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "median_ms": round(statistics.median(values) * 1000, 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        }

    floor = statistics.median(bare)

    def ratio(values: list[float]) -> float:
        return round(statistics.median(values) / floor, 2)

    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "bare_import_rdflib_networkx": ms(bare),
        "cold_start_first_case_empty_cache": ms(uncached),
        "cold_start_first_case_warm_cache": ms(warm),
        "validate_empty_cache": ms(validate_cold),
        "validate_stored_report": ms(validate_warm),
        "ratio_warm_to_bare": ratio(warm),
        "ratio_empty_cache_to_bare": ratio(uncached),
        "ratio_validate_empty_cache_to_bare": ratio(validate_cold),
        "ratio_validate_stored_report_to_bare": ratio(validate_warm),
        "per_case_workup_with_next_tests": {**ms(per_case), "cases": len(cases), "passes": args.repeat},
        "per_case_ranking_only": ms(rank_only),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
