"""Golden rankings: the first ten causes, with their log scores, of every case the repository holds.

A change that should not move any ranking (a refactor, a speed-up, a new serialisation of the knowledge
base) is checked against this file by ``tests/test_golden_rankings.py``; a change that is meant to move
rankings regenerates it and says so in its commit.

    python scripts/golden_rankings.py write    # regenerate tests/data/golden-rankings.json
    python scripts/golden_rankings.py check    # exit 1 and name the cases whose ranking changed

Cases of the real-patient test part, and of its unindexed part (cases whose source has no PMID or DOI,
some of them former test cases), are stored as a digest of their ranking only, so that the file never
shows which of them the tool gets wrong (those parts are opened only to measure).

Examples
--------
>>> digest([("cause/a", -1.5), ("cause/b", -2.25)]) == digest([("cause/a", -1.5), ("cause/b", -2.25)])
True
>>> len(digest([("cause/a", -1.5)]))
16
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.caseio.phenopacket import is_phenopacket, phenopacket_to_case  # noqa: E402
from graph.kb.knowledge import KnowledgeBase, load_knowledge_base  # noqa: E402
from graph.model.ids import curie  # noqa: E402
from graph.workup.pipeline import workup_case  # noqa: E402

GOLDEN = ROOT / "tests" / "data" / "golden-rankings.json"
#: folders of cases, relative to the repository; the last two are stored as digests only
FOLDERS = (
    "examples",
    "tests/data/holdout",
    "tests/data/phenopackets",
    "tests/data/real-dev",
    "tests/data/real-test",
    "tests/data/real-unindexed",
)
DIGEST_ONLY = ("tests/data/real-test", "tests/data/real-unindexed")
TOP = 10
DECIMALS = 4


def digest(ranking: list[tuple[str, float]]) -> str:
    """A short, stable digest of a ranking (ids and rounded log scores)."""
    text = json.dumps([[cause, round(score, DECIMALS)] for cause, score in ranking])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def ranking_of(kb: KnowledgeBase, path: Path) -> list[tuple[str, float]]:
    """The first ``TOP`` causes of one case file (a case or a phenopacket) with their log scores."""
    data = json.loads(path.read_text(encoding="utf-8"))
    case = phenopacket_to_case(data) if is_phenopacket(data) else data
    workup = workup_case(kb, case, explain_top=0)
    return [(curie(c.cause), round(c.log_score, DECIMALS)) for c in workup.candidates[:TOP]]


def current(kb: KnowledgeBase) -> dict[str, object]:
    """Every case's ranking (or digest), keyed by its path, in path order."""
    out: dict[str, object] = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).glob("*.json")):
            ranking = ranking_of(kb, path)
            key = f"{folder}/{path.name}"
            out[key] = digest(ranking) if folder in DIGEST_ONLY else [[c, s] for c, s in ranking]
    return out


def changed(stored: dict[str, object], now: dict[str, object]) -> list[str]:
    """The keys whose ranking differs, or that are in only one of the two."""
    return sorted(k for k in set(stored) | set(now) if stored.get(k) != now.get(k))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("write", "check"))
    args = parser.parse_args(argv)
    now = current(load_knowledge_base())
    if args.action == "write":
        lines = [f" {json.dumps(key)}: {json.dumps(value)}" for key, value in sorted(now.items())]
        GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")  # a case per line
        print(f"wrote {len(now)} rankings to {GOLDEN.relative_to(ROOT)}")
        return 0
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))
    moved = changed(stored, now)
    for key in moved:
        print(f"changed: {key}")
    print(f"{len(now) - len(moved)} of {len(now)} rankings unchanged")
    return 1 if moved else 0


if __name__ == "__main__":
    raise SystemExit(main())
