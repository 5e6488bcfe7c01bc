"""How much of what a clinician writes in a case the tool recognises, per corpus folder.

Every item of a case is counted once: each finding and absent finding, medication, exposure,
condition, test (name and result), family-history item, unknown lab key and the ancestry (a number
under a lab key of the case format is always read, so it is not counted).  An item is
recognised unless the package's own normalisation (:func:`graph.workup.normalise.normalise_case`, the
function every workup calls) reports it under ``unrecognized``; a test the knowledge base knows
whose result bears on no cause is recognised and counted apart ("no bearing").  A case the tool
refuses counts all its items as unrecognised.

    python scripts/recognition.py                      # the real-patient parts and the holdout vignettes
    python scripts/recognition.py tests/data/real-dev  # one folder, with its unrecognised items
    python scripts/recognition.py --format json
    python scripts/recognition.py tests/data/phenopackets-store/dev  # phenopackets, read as the app reads them

A Phenopacket (the Phenopacket Store copies) is read into a case as the app reads an uploaded one.
The real-patient test part (``real-test``), its unindexed part (``real-unindexed``, cases whose
source has no PMID or DOI, some of them former test cases) and the store's test part
(``phenopackets-store/test``) print their figures only, never their items, so that measuring them cannot guide a change.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> tally = Tally()
>>> tally.add_case(kb, {"id": "x", "anc": 600, "findings": ["Fever", "zorblax"], "conditions": ["hypertension"]})
>>> tally.items, tally.unrecognised, round(tally.share(), 3)
(3, 1, 0.667)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.caseio.phenopacket import is_phenopacket, phenopacket_to_case  # noqa: E402
from graph.kb.knowledge import KnowledgeBase, load_knowledge_base  # noqa: E402
from graph.model.case import Case, parse_case  # noqa: E402
from graph.model.errors import CaseError, NeutropeniaKGError  # noqa: E402
from graph.workup.normalise import normalise_case  # noqa: E402

DATA = ROOT / "tests" / "data"
FOLDERS = (DATA / "real-dev", DATA / "real-test", DATA / "real-unindexed", DATA / "holdout")
#: folders whose individual items are never printed (measured only)
HELD_OUT = (DATA / "real-test", DATA / "real-unindexed", DATA / "phenopackets-store" / "test")


def case_items(case: Case) -> list[tuple[str, str]]:
    """Every item of a checked case as ``(field, text)``, in the form ``unrecognized`` names it."""
    items = [("findings", t) for t in case.findings]
    items += [("absent_findings", t) for t in case.absent_findings]
    items += [("medications", m.name) for m in case.medications or ()]
    items += [("exposures", e.name) for e in case.exposures]
    items += [("conditions", c) for c in case.conditions]
    items += [("tests", f"{t.name}: {t.result}") for t in case.tests]
    items += [("family_history", f) for f in case.family_history]
    items += [("labs", key) for key in case.unknown_labs]  # numbers under known keys are read by their rules
    if case.ancestry:
        items.append(("patient.ancestry", case.ancestry))
    return items


@dataclass
class Tally:
    """Items counted over the cases of one folder."""

    items: int = 0
    unrecognised: int = 0
    no_bearing: int = 0
    refused: int = 0
    by_field: Counter[str] = field(default_factory=Counter)
    missed_by_field: Counter[str] = field(default_factory=Counter)
    missed: list[tuple[str, str, str, str]] = field(default_factory=list)  # case id, field, text, reason

    def share(self) -> float:
        """The share of items recognised (1.0 for a folder without items)."""
        return 1.0 - self.unrecognised / self.items if self.items else 1.0

    def add_case(self, kb: KnowledgeBase, raw: dict[str, Any]) -> None:
        """Count one case's items and the ones its normalisation does not recognise."""
        raw = {k: v for k, v in raw.items() if k != "expected"}
        case_id = str(raw.get("id", "?"))
        try:
            if is_phenopacket(raw):
                raw = phenopacket_to_case(raw)
            case = parse_case(raw, kb.case_rules)
            normalised = normalise_case(kb, case)
        except (CaseError, NeutropeniaKGError) as error:
            self.refused += 1
            self.missed.append((case_id, "case", "refused", str(error)))
            return
        items = case_items(case)
        unknown = Counter((u.field, u.text) for u in normalised.unrecognized)
        reasons = {(u.field, u.text): u.reason for u in normalised.unrecognized}
        self.no_bearing += len(normalised.no_bearing)
        for item in items:
            self.items += 1
            self.by_field[item[0]] += 1
            if unknown[item] > 0:
                unknown[item] -= 1
                self.unrecognised += 1
                self.missed_by_field[item[0]] += 1
                self.missed.append((case_id, item[0], item[1], reasons[item]))

    def to_dict(self, with_items: bool) -> dict[str, Any]:
        fields = sorted(self.by_field)
        report: dict[str, Any] = {
            "items": self.items,
            "recognised": self.items - self.unrecognised,
            "share": round(self.share(), 4),
            "no_bearing": self.no_bearing,
            "refused_cases": self.refused,
            "by_field": {f: {"items": self.by_field[f], "unrecognised": self.missed_by_field[f]} for f in fields},
        }
        if with_items:
            report["unrecognised_items"] = [
                {"case": c, "field": f, "text": t, "reason": r} for c, f, t, r in self.missed
            ]
        return report


def measure(kb: KnowledgeBase, folder: Path) -> Tally:
    """The tally of every case file in ``folder`` (sorted by name)."""
    tally = Tally()
    for path in sorted(folder.glob("*.json")):
        tally.add_case(kb, json.loads(path.read_text(encoding="utf-8")))
    return tally


def _text(name: str, tally: Tally, with_items: bool) -> str:
    lines = [
        f"== {name}: {tally.share():.1%} of {tally.items} items recognised "
        f"({tally.unrecognised} unrecognised, {tally.no_bearing} recognised with no bearing, "
        f"{tally.refused} cases refused)"
    ]
    for f in sorted(tally.by_field):
        lines.append(f"  {f:<18} {tally.by_field[f]:>5} items, {tally.missed_by_field[f]:>4} unrecognised")
    if with_items:
        for case_id, f, text, reason in sorted(tally.missed, key=lambda m: (m[1], m[2].lower(), m[0])):
            lines.append(f"  - [{f}] {text}  ({reason}; {case_id})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="*", type=Path, help="case folders (default: real-dev, real-test, real-unindexed, holdout)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--no-items", action="store_true", help="print the figures only")
    args = parser.parse_args(argv)
    folders = args.folders or list(FOLDERS)
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        print(f"recognition: error: not a folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        kb = load_knowledge_base()
    except NeutropeniaKGError as error:
        print(f"recognition: error: {error}", file=sys.stderr)
        return 2
    report = {}
    for folder in folders:
        tally = measure(kb, folder)
        with_items = not args.no_items and folder.resolve() not in {f.resolve() for f in HELD_OUT}
        if args.format == "json":
            report[folder.name] = tally.to_dict(with_items)
        else:
            print(_text(folder.name, tally, with_items))
    if args.format == "json":
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
