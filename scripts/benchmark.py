"""Speed benchmark: cold start to the first ranked case, and per-case ranking time over a batch.

Not a test (the CI machine is shared and noisy); run it and report the figures:

    .venv/bin/python scripts/benchmark.py [CASE_DIR] [--repeat 20]

Cold start is measured as wall time of a fresh ``python -m graph rank CASE --format json`` process,
with an empty compiled-ontology cache (first run on a machine) and with a warm cache, next to a
bare ``python -c "import rdflib, networkx"`` on the same machine (the floor).  ``neutropenia-kg
validate`` is timed the same way, with an empty cache and with its stored report.  Every start is
also given as a ratio to the floor taken in the same run (targets, issue 11: cold start at most 6x,
warm start at most 2x, validate at most 10x).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", default=str(ROOT.parent / "shared" / "cases" / "dev"))
    parser.add_argument("--repeat", type=int, default=20, help="passes over the batch for per-case timing")
    parser.add_argument("--runs", type=int, default=5, help="process starts per cold-start figure")
    args = parser.parse_args()
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
