"""Warm start from the JSON cache, next to the pickle it replaced and a bare ``import rdflib, networkx``.

Not a test: run it and report the ratios (all figures are from one run on one machine):

    .venv/bin/python scripts/measure_cache.py [--runs 7]

Each figure is the median wall time of fresh processes.  "pickle" loads a pickle of the same
knowledge base the way the old cache did (cyclic GC off); it is written to a temporary folder for
the comparison only and never read by the tool.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median_wall(code: str, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``runs`` fresh processes running ``code``."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "NEUTROPENIA_KG_CACHE": folder}
        subprocess.run(
            [sys.executable, "-c", "from graph.kb.knowledge import load_knowledge_base as l; l()"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        from graph.kb.knowledge import load_knowledge_base

        os.environ["NEUTROPENIA_KG_CACHE"] = folder
        kb = load_knowledge_base()
        legacy = Path(folder) / "legacy.pkl"
        legacy.write_bytes(pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
        json_bytes = sum(p.stat().st_size for p in Path(folder).glob("kb-*.json"))
        figures = {
            "bare import rdflib, networkx": _median_wall("import rdflib, networkx", env, args.runs),
            "warm start, JSON cache": _median_wall(
                "from graph.kb.knowledge import load_knowledge_base; load_knowledge_base()", env, args.runs
            ),
            "warm start, old pickle": _median_wall(
                "import gc, pickle; from graph.kb.knowledge import KnowledgeBase; gc.disable(); "
                f"pickle.load(open({str(legacy)!r}, 'rb'))",
                env,
                args.runs,
            ),
            "warm start and rank one case, JSON cache": _median_wall(
                "from graph.kb.knowledge import load_knowledge_base; from graph.workup.pipeline import workup_case; "
                "workup_case(load_knowledge_base(), {'id': 'x', 'anc': 400, 'findings': ['Fever']})",
                env,
                args.runs,
            ),
        }
        probe = (
            "import sys; from graph.kb.knowledge import load_knowledge_base as l; l(); print(sorted(m for m in "
            "('rdflib', 'networkx') if m in sys.modules))"
        )
        imported = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=ROOT)
        bare_wall, bare_cpu = figures["bare import rdflib, networkx"]
        print(f"{'':<42} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6}")
        for name, (wall, cpu) in figures.items():
            print(
                f"{name:<42} {wall * 1000:6.0f}ms {wall / bare_wall:5.2f}x {cpu * 1000:6.0f}ms {cpu / bare_cpu:5.2f}x"
            )
        json_wall, json_cpu = figures["warm start, JSON cache"]
        old_wall, old_cpu = figures["warm start, old pickle"]
        print(f"{'JSON / pickle':<42} {json_wall / old_wall:7.2f}x {'':>6} {json_cpu / old_cpu:7.2f}x")
        print(f"{'imported on the warm path':<42} {imported.stdout.strip()}")
        print(f"{'cache size':<34} {json_bytes / 1e6:7.1f} MB JSON, {legacy.stat().st_size / 1e6:.1f} MB pickle")


if __name__ == "__main__":
    main()
