"""Draw a seeded random sample of curated clinical assertions for a manual audit.

The population is every finding association (cause, finding, frequency, polarity) and every agent
association (cause, agent, likelihood ratio) of a curated cause; causes imported from HPO
(``cause:omim-N``, ``cause:orpha-N``) are left out, since their numbers come from HPO annotations
rather than from a curator.  Each sampled assertion is printed with its labels, its numbers, its
sources and whether the ontology marks the number as an estimate, so that a reviewer can read the
cited source and judge it.

    python scripts/audit_sample.py                 # 40 assertions, seed 20261202
    python scripts/audit_sample.py --size 10 --seed 7
    python scripts/audit_sample.py --exclude docs/audited-assertions.txt   # leave earlier samples out

``--exclude`` names a file of association ids (``assoc:...``), one a line, ``#`` starting a comment;
those assertions are left out of the population before the draw, so that a fresh audit does not
re-read what an earlier one judged.

Examples
--------
>>> imported("https://example.org/nkg/cause/omim-202700"), imported("https://example.org/nkg/cause/sle")
(True, False)
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.kb.knowledge import load_knowledge_base  # noqa: E402
from graph.model.ids import curie  # noqa: E402

#: the id of a cause imported from HPO ends in omim-N or orpha-N
_IMPORTED = re.compile(r"cause[/:](omim|orpha)-\d+$")


def imported(cause_id: str) -> bool:
    """True when *cause_id* names a cause imported from HPO rather than curated."""
    return bool(_IMPORTED.search(cause_id))


def read_excluded(path: Path) -> set[str]:
    r"""The association ids listed in *path* (one a line; blank lines and ``#`` comments skipped).

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    ...     _ = f.write("# seed 1\nassoc:a--b\n\nassoc:c--d  # why\n")
    >>> sorted(read_excluded(Path(f.name)))
    ['assoc:a--b', 'assoc:c--d']
    """
    ids = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {i for i in ids if i}


def population(kb) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """Every curated assertion as (kind, association), in a fixed order (by association id)."""
    rows: list[tuple[str, object]] = []
    for cause in sorted(kb.finding_assocs):
        if not imported(cause):
            rows += [("finding", a) for a in kb.finding_assocs[cause]]
    # agent associations are keyed by agent, so the cause is read from each association
    for agent in sorted(kb.agent_assocs):
        rows += [("agent", a) for a in kb.agent_assocs[agent] if not imported(a.cause)]
    return sorted(rows, key=lambda row: (row[0], row[1].id))  # type: ignore[attr-defined]


def describe(kb, kind: str, assoc) -> str:  # type: ignore[no-untyped-def]
    """One sampled assertion as a line of text."""
    node = kb.graph.nodes[assoc.id] if assoc.id in kb.graph else {}
    estimate = any(str(v).lower() in ("true", "1") for v in node.get("estimate", ()))
    cause = kb.labels.get(assoc.cause, curie(assoc.cause))
    if kind == "finding":
        target = kb.labels.get(assoc.finding) or kb.hpo.label(assoc.finding) or curie(assoc.finding)
        numbers = f"frequency {assoc.frequency:g}, {assoc.polarity}"
    else:
        target = kb.labels.get(assoc.agent, curie(assoc.agent))
        numbers = f"likelihood ratio {assoc.likelihood_ratio:g}"
    sources = ", ".join(assoc.sources) or "(none)"
    return (
        f"{curie(assoc.id)}\n    {kind}: {cause} -> {target}\n    {numbers}"
        f"\n    sources: {sources}\n    estimate: {'yes' if estimate else 'no'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=40, help="how many assertions to draw (default 40)")
    parser.add_argument("--seed", type=int, default=20261202, help="random seed (default 20261202)")
    parser.add_argument("--exclude", type=Path, help="file of association ids (assoc:...) to leave out, one a line")
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("--size must be at least 1")
    if args.exclude is not None and not args.exclude.is_file():
        parser.error(f"--exclude: no file {args.exclude}")
    excluded = read_excluded(args.exclude) if args.exclude is not None else set()
    kb = load_knowledge_base()
    rows = [row for row in population(kb) if curie(row[1].id) not in excluded]  # type: ignore[attr-defined]
    if excluded:
        print(f"{len(excluded)} ids excluded ({args.exclude})")
    size = min(args.size, len(rows))
    sample = random.Random(args.seed).sample(rows, size)
    print(f"{size} of {len(rows)} curated assertions (seed {args.seed})\n")
    for number, (kind, assoc) in enumerate(sample, 1):
        print(f"{number:>2}. {describe(kb, kind, assoc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
