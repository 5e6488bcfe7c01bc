"""Evaluation on cases with an ``expected`` block: top-k accuracy, MRR, per mechanism and difficulty.

A candidate matches when one of ``accept`` equals (case-insensitively, spaces folded) its label, a
synonym or an xref, or the label, a synonym or an xref of an agent it names as implicated
(``shared/case-format.md``).  The ranker never sees ``expected``.

Examples
--------
>>> folded("  Clozapine-Induced   Agranulocytosis ")
'clozapine-induced agranulocytosis'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..kb.knowledge import KnowledgeBase
from ..model.results import Candidate

__all__ = ["folded", "candidate_names", "matching_rank", "outcome", "CaseOutcome", "Evaluation", "summarise"]


def folded(text: str) -> str:
    """Lower case with runs of whitespace folded to one space."""
    return " ".join(text.lower().split())


def _names(kb: KnowledgeBase, node: str) -> set[str]:
    info = kb.node_info(node)
    if info is None:
        return {folded(kb.label(node))}
    return {folded(x) for x in (info.label, *info.synonyms, *info.xrefs)}


def candidate_names(kb: KnowledgeBase, candidate: Candidate) -> set[str]:
    """Every name a candidate answers to: its own and those of its implicated agents."""
    names = _names(kb, candidate.cause)
    for agent in candidate.agents:
        names |= _names(kb, agent)
    return names


def outcome(kb: KnowledgeBase, case_id: str, expected: dict[str, Any], candidates: list[Candidate]) -> CaseOutcome:
    """How one case went: where the expected cause ranked, the top three, and the first probability.

    No candidates (the tool refused the case) is a miss, never a case left out.
    """
    return CaseOutcome(
        case_id,
        str(expected.get("cause", "")),
        str(expected.get("mechanism", "")),
        str(expected.get("difficulty", "")),
        matching_rank(kb, candidates, expected.get("accept") or []) if candidates else None,
        tuple(kb.label(c.cause) for c in candidates[:3]),
        str(expected.get("category", "")),
        candidates[0].score if candidates else None,
    )


def matching_rank(kb: KnowledgeBase, candidates: Iterable[Candidate], accept: Iterable[str]) -> int | None:
    """The rank of the first candidate that matches ``accept``, or None."""
    wanted = {folded(a) for a in accept}
    for candidate in candidates:
        if candidate_names(kb, candidate) & wanted:
            return candidate.rank
    return None


@dataclass(frozen=True)
class CaseOutcome:
    """How one evaluation case went."""

    case_id: str
    expected: str
    mechanism: str
    difficulty: str
    rank: int | None
    top: tuple[str, ...]
    #: the expected cause's kind of cause (drug, infection, ...), when the case says
    category: str = ""
    #: the posterior probability of the first candidate (None when the case could not be ranked)
    confidence: float | None = None


@dataclass
class Evaluation:
    """Aggregate figures over many outcomes."""

    outcomes: list[CaseOutcome] = field(default_factory=list)

    @staticmethod
    def _figures(outcomes: list[CaseOutcome]) -> dict[str, float]:
        total = len(outcomes)
        if total == 0:
            return {"n": 0, "top1": 0.0, "top3": 0.0, "top10": 0.0, "mrr": 0.0}

        def within(k: int) -> float:
            return sum(1 for o in outcomes if o.rank is not None and o.rank <= k) / total

        mrr = sum(1 / o.rank for o in outcomes if o.rank) / total
        return {"n": total, "top1": within(1), "top3": within(3), "top10": within(10), "mrr": mrr}

    def overall(self) -> dict[str, float]:
        return self._figures(self.outcomes)

    def by(self, attribute: str) -> dict[str, dict[str, float]]:
        groups: dict[str, list[CaseOutcome]] = defaultdict(list)
        for outcome in self.outcomes:
            groups[getattr(outcome, attribute) or "unspecified"].append(outcome)
        return {key: self._figures(value) for key, value in sorted(groups.items())}

    def calibration(self, bins: int = 5) -> tuple[list[dict[str, float]], float]:
        """Reliability of the first candidate's probability: per equal-width bin its count, mean
        probability and top-1 accuracy, and the expected calibration error (the bins' mean absolute
        gap between probability and accuracy, weighted by their counts; Guo et al. 2017,
        arXiv:1706.04599)."""
        rated = [o for o in self.outcomes if o.confidence is not None]
        table = []
        gap = 0.0
        for b in range(bins):
            low, high = b / bins, (b + 1) / bins
            inside = [o for o in rated if low <= o.confidence < high or (b == bins - 1 and o.confidence == 1.0)]  # type: ignore[operator]
            if not inside:
                continue
            confidence = sum(o.confidence for o in inside) / len(inside)  # type: ignore[misc]
            accuracy = sum(1 for o in inside if o.rank == 1) / len(inside)
            table.append({"low": low, "high": high, "n": len(inside), "confidence": confidence, "accuracy": accuracy})
            gap += len(inside) * abs(confidence - accuracy)
        return table, (gap / len(rated) if rated else 0.0)

    def misses(self, k: int = 1) -> list[CaseOutcome]:
        return [o for o in self.outcomes if o.rank is None or o.rank > k]

    def to_dict(self, *, with_misses: bool = True) -> dict[str, Any]:
        figures = {
            "overall": self.overall(),
            "by_mechanism": self.by("mechanism"),
            "by_difficulty": self.by("difficulty"),
            "by_category": self.by("category"),
            "calibration": dict(zip(("bins", "ece"), self.calibration(), strict=True)),
        }
        if with_misses:
            figures["misses"] = [
                {"case_id": o.case_id, "expected": o.expected, "rank": o.rank, "top3": list(o.top)}
                for o in self.misses()
            ]
        return figures


def summarise(evaluation: Evaluation, *, with_misses: bool = True) -> str:
    """Evaluation as text; its last lines are the overall figures.

    ``with_misses=False`` leaves out the case-by-case misses, for a held-out set that is opened only
    to measure (its figures may be read, its individual failures not).
    """
    lines = []
    tables = [("by mechanism", evaluation.by("mechanism")), ("by difficulty", evaluation.by("difficulty"))]
    if any(o.category for o in evaluation.outcomes):
        tables.append(("by category", evaluation.by("category")))
    for title, table in tables:
        lines.append(title + ":")
        for key, f in table.items():
            lines.append(
                f"  {key:<14} n={f['n']:<3} top1={f['top1']:.2f} top3={f['top3']:.2f} "
                f"top10={f['top10']:.2f} mrr={f['mrr']:.2f}"
            )
    misses = evaluation.misses() if with_misses else []
    if misses:
        lines.append("misses (not ranked first):")
        for o in misses:
            found = f"rank {o.rank}" if o.rank else "not in the list"
            lines.append(f"  {o.case_id}: expected {o.expected!r}, {found}; top 3: {', '.join(o.top)}")
    bins, ece = evaluation.calibration()
    lines.append("calibration of the first candidate's probability (bin: n, mean probability, top-1 accuracy):")
    for row in bins:
        lines.append(
            f"  {row['low']:.1f}-{row['high']:.1f}: n={row['n']:<3} p={row['confidence']:.2f} acc={row['accuracy']:.2f}"
        )
    lines.append(f"  expected calibration error: {ece:.3f}")
    f = evaluation.overall()
    lines.append(f"cases: {f['n']}")
    lines.append(f"top-1: {f['top1']:.3f}  top-3: {f['top3']:.3f}  top-10: {f['top10']:.3f}  MRR: {f['mrr']:.3f}")
    return "\n".join(lines)
