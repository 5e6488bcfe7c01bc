"""The real-patient corpus: patients transcribed from published case reports, split and scored.

``tests/data/real-dev/`` and ``tests/data/real-test/`` hold one case file per published patient (case
format version 2), each with its source (PMID, DOI or PMCID) in ``expected.source``.  The corpus is
split once, by a hash of the case id, into a development part (about 60%, which may guide changes to
the knowledge and the model) and a test part (about 40%, opened only to measure); each part is also
a folder ``neutropenia-kg evaluate`` reads.  The split depends on nothing but the
id, so adding cases never moves an existing one between parts.

``tests/data/real-unindexed/`` is a third part outside the split: patients whose published source
(a meeting abstract, a bulletin, a journal no index covers) has no PMID, DOI or PMCID.  The only
criterion is the source, never how the case ranks.  ``add`` never files into it (it refuses a case
without such an id); ``score`` reports it apart, with figures only, as it does the test part.

    python scripts/real_cases.py add FOLDER...        # file new transcriptions into real-dev/ or real-test/
    python scripts/real_cases.py score [--format json] # top-1/3/10 and calibration on every part
    python scripts/real_cases.py score --ontology ontology/neutropenia-hpo-all.ttl  # with every HPO disease

The test part (and the unindexed part, which holds former test cases) prints its figures only, never
which of its cases fail, so that measuring it cannot guide a change.

Scoring counts a case the tool refuses to read as a miss (it is never silently left out), and
reports the calibration of the first candidate's probability (reliability bins and the expected
calibration error).

Examples
--------
>>> part_of("real-drug-001") in ("dev", "test")
True
>>> part_of("real-drug-001") == part_of("real-drug-001")
True
>>> indexed({"source": "DOI:10.1000/xyz123"}), indexed({"source": "SHM meeting abstract 397"})
(True, False)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.curate.evaluate import Evaluation, outcome, summarise  # noqa: E402
from graph.kb.knowledge import load_knowledge_base  # noqa: E402
from graph.model.errors import CaseError, NeutropeniaKGError  # noqa: E402
from graph.workup.pipeline import workup_case  # noqa: E402

DATA = ROOT / "tests" / "data"
PARTS = ("dev", "test")
#: the part outside the split: cases whose published source has no PMID, DOI or PMCID
UNINDEXED = "unindexed"
SCORED = (*PARTS, UNINDEXED)
LABELS = {
    "dev": "dev",
    "test": "test",
    UNINDEXED: "unindexed: cases whose published source has no PMID or DOI; reported apart",
}
TEST_SHARE = 0.4
#: a source index id as ``expected.source`` writes it (``PMID:123``, ``DOI:10.x/y``, ``PMCID:PMC1``)
INDEX_ID = re.compile(r"\b(PMID:\s*\d+|DOI:\s*10\.\d{4,9}/\S+|PMCID:\s*PMC\d+)", re.IGNORECASE)
#: an index id anywhere in ``expected.source`` or ``expected.citation``, also written ``PMID 123`` or bare ``10.x/y``
_ANY_ID = re.compile(
    r"\b(?:(PMID)[:\s]\s*(\d+)|(PMCID)[:\s]\s*(PMC\d+)|(?:DOI[:\s]\s*)?(10\.\d{4,9}/[^\s;,)]+))", re.IGNORECASE
)


def part_of(case_id: str) -> str:
    """The part a case belongs to, from a SHA-256 of its id alone."""
    digest = int(hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if digest / 0xFFFFFFFF < TEST_SHARE else "dev"


def indexed(expected: dict) -> bool:
    """Whether ``expected.source`` names the report by a PMID, a DOI or a PMCID."""
    return bool(INDEX_ID.search(str(expected.get("source") or "")))


def source_ids(expected: dict) -> set[str]:
    """Every PMID, PMCID and DOI that ``expected.source`` or ``expected.citation`` names, normalised.

    >>> sorted(source_ids({"source": "DOI:10.1000/Ab.1", "citation": "Blood 2001 (PMID 123); PMC9"}))
    ['doi:10.1000/ab.1', 'pmid:123']
    """
    text = f"{expected.get('source') or ''} {expected.get('citation') or ''}"
    ids = set()
    for match in _ANY_ID.finditer(text):
        if match.group(2):
            ids.add(f"pmid:{match.group(2)}")
        elif match.group(4):
            ids.add(f"pmcid:{match.group(4).lower()}")
        else:
            ids.add(f"doi:{match.group(5).rstrip('.').lower()}")
    return ids


def _corpus_sources() -> dict[str, str]:
    """Each source id already in the corpus, with the case that holds it (held-out cases are not named)."""
    seen: dict[str, str] = {}
    for part in SCORED:
        for path in sorted((DATA / f"real-{part}").glob("*.json")):
            expected = json.loads(path.read_text(encoding="utf-8")).get("expected") or {}
            where = f"real-dev/{path.name}" if part == "dev" else "a held-out part"
            for source_id in sorted(source_ids(expected)):
                seen.setdefault(source_id, where)
    return seen


def add(folders: list[Path]) -> int:
    """Copy every case file of ``folders`` into its part.

    Refuses a file without an indexed source, an id clash, or a report (PMID, PMCID or DOI) that a
    case of any part already transcribes; a held-out part is named as such, never by its case.
    Nothing is copied unless every file passes.
    """
    seen = _corpus_sources()
    plan: list[tuple[Path, Path]] = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            case = json.loads(path.read_text(encoding="utf-8"))
            expected = case.get("expected") or {}
            if not expected.get("source") or not expected.get("accept"):
                raise SystemExit(f"{path}: needs expected.source and expected.accept")
            if not indexed(expected):
                raise SystemExit(
                    f"{path}: expected.source {expected['source']!r} names no PMID, DOI or PMCID; "
                    "find one, or place the case in real-unindexed/ by hand"
                )
            target = DATA / f"real-{part_of(case['id'])}" / f"{case['id']}.json"
            if target.exists() and target.read_bytes() != path.read_bytes():
                raise SystemExit(f"{path}: a different case {case['id']} is already in {target.parent.name}/")
            if not target.exists():
                clash = sorted(source_id for source_id in source_ids(expected) if source_id in seen)
                if clash:
                    raise SystemExit(f"{path}: the report {clash[0]} is already transcribed ({seen[clash[0]]})")
            for source_id in source_ids(expected):
                seen.setdefault(source_id, str(path))
            plan.append((path, target))
    for path, target in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return len(plan)


def score_part(kb, part: str) -> tuple[Evaluation, list[str]]:
    """Rank every case of one part; a case the tool refuses counts as a miss and is named."""
    evaluation = Evaluation()
    refused = []
    for path in sorted((DATA / f"real-{part}").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        expected = raw["expected"]
        try:
            candidates = workup_case(kb, raw, explain_top=0).candidates
        except (CaseError, NeutropeniaKGError) as error:
            refused.append(f"{path.name}: {error}")
            candidates = ()
        evaluation.outcomes.append(outcome(kb, raw["id"], expected, list(candidates)))
    return evaluation, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    adding = sub.add_parser("add", help="file new case files into real-dev/ or real-test/ (never real-unindexed/)")
    adding.add_argument("folders", nargs="+", type=Path)
    scoring = sub.add_parser("score", help="score every part (dev, test, and unindexed apart)")
    scoring.add_argument("--format", choices=("text", "json"), default="text")
    scoring.add_argument("--part", choices=SCORED, action="append", help="only this part (repeatable)")
    scoring.add_argument(
        "--ontology", metavar="PATH", help="ontology root (default: $NEUTROPENIA_KG_ONTOLOGY or the bundled one)"
    )
    args = parser.parse_args(argv)
    if args.command == "add":
        print(f"added {add(args.folders)} cases")
        return 0
    try:
        kb = load_knowledge_base(args.ontology)
    except NeutropeniaKGError as error:
        print(f"real_cases: error: {error}", file=sys.stderr)
        return 2
    report = {}
    for part in args.part or SCORED:
        evaluation, refused = score_part(kb, part)
        held_out = part != "dev"
        if args.format == "json":
            report[part] = {
                **evaluation.to_dict(with_misses=not held_out),
                "refused": len(refused) if held_out else refused,
            }
        else:
            print(f"== {LABELS[part]} ({len(evaluation.outcomes)} cases)")
            print(summarise(evaluation, with_misses=not held_out))
            if held_out:
                print(f"  refused (counted as misses): {len(refused)}")
            else:
                for line in refused:
                    print(f"  refused (counted as a miss): {line}")
    if args.format == "json":
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
