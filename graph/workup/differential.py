"""A workup as a reader takes it in: the differential rows, and why one candidate.

Plain frozen data (no formatting for a particular screen), shared by the app and the reports; the
phrases they are written with live in :mod:`graph.workup.phrases`.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 150, "findings": ["Fever"], "duration_days": 2,
...                      "medications": [{"name": "clozapine", "started_days_ago": 60}]})
>>> row = differential_rows(kb, w, top=1)[0]
>>> row.rank, row.agents, row.imported
(1, 'clozapine', False)
>>> detail = candidate_detail(kb, w, row.cause)
>>> detail.against == () or all(reason.direction == "against" for reason in detail.against)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NodeNotFound
from ..model.ids import curie, is_imported_cause
from ..model.links import Link, source_link
from ..model.results import Evidence, Workup
from .phrases import score_text, source_text

__all__ = [
    "leading_causes",
    "DifferentialRow",
    "Reason",
    "NextTest",
    "CandidateDetail",
    "differential_rows",
    "differential_cells",
    "candidate_detail",
    "score_text",  # the phrase itself lives in graph.workup.phrases; kept here for graph.present.render
]


@dataclass(frozen=True)
class DifferentialRow:
    """One line of the differential table."""

    rank: int
    cause: str
    curie: str
    label: str
    mechanism: str
    category: str
    agents: str
    score: float
    #: imported from the HPO annotations rather than curated (shown with :data:`IMPORTED_BADGE`)
    imported: bool = False


@dataclass(frozen=True)
class Reason:
    """One term of the score: what it says, the likelihood ratio, where it came from, its sources."""

    label: str
    likelihood_ratio: float
    direction: str
    kind: str
    detail: str
    sources: tuple[Link, ...]


@dataclass(frozen=True)
class NextTest:
    """A test that would help, and why."""

    test: str
    curie: str
    label: str
    why: str


@dataclass(frozen=True)
class CandidateDetail:
    """Everything the app shows for one candidate of a workup."""

    cause: str
    curie: str
    label: str
    rank: int
    score: float
    definition: str
    mechanism: str
    category: str
    agents: tuple[str, ...]
    prior: tuple[Reason, ...]
    supporting: tuple[Reason, ...]
    against: tuple[Reason, ...]
    next_tests: tuple[NextTest, ...]
    management: str
    treatments: tuple[str, ...]
    sources: tuple[Link, ...]
    imported: bool = False


def differential_rows(kb: KnowledgeBase, workup: Workup, top: int | None = None) -> list[DifferentialRow]:
    """The ranked causes (the first ``top``) with mechanism, category, implicated agents and score."""
    rows = []
    for candidate in workup.candidates[:top]:
        cause = kb.causes[candidate.cause]
        rows.append(
            DifferentialRow(
                candidate.rank,
                cause.id,
                curie(cause.id),
                cause.label,
                cause.mechanism,
                cause.category,
                ", ".join(kb.label(a) for a in candidate.agents),
                candidate.score,
                is_imported_cause(cause.id),
            )
        )
    return rows


def differential_cells(row: DifferentialRow) -> tuple[int, str, str, str, str, str, str]:
    """One row of the differential table, cell by cell under :data:`~graph.workup.phrases.DIFFERENTIAL_COLUMNS`."""
    return (
        row.rank,
        row.label,
        source_text(row.imported),
        row.mechanism,
        row.category,
        row.agents,
        score_text(row.score),
    )


def leading_causes(
    kb: KnowledgeBase, workup: Workup, top: int = 3, reasons: int = 2
) -> list[tuple[DifferentialRow, tuple[str, ...]]]:
    """The first ``top`` causes, each with the labels of its ``reasons`` strongest supporting evidence
    items: the summary a clinician reads before the full table.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.workup.pipeline import workup_case
    >>> kb = load_knowledge_base()
    >>> w = workup_case(kb, {"id": "x", "anc": 300, "medications": [{"name": "metamizole", "started_days_ago": 9}]})
    >>> row, why = leading_causes(kb, w, top=1)[0]
    >>> row.rank, len(why) <= 2
    (1, True)
    """
    rows = differential_rows(kb, workup, top)
    out = []
    for row, candidate in zip(rows, workup.candidates[: len(rows)], strict=True):
        strongest = sorted((e for e in candidate.evidence if e.log_lr > 0), key=lambda e: (-e.log_lr, e.label))
        out.append((row, tuple(e.label for e in strongest[:reasons])))
    return out


def _reason(evidence: Evidence) -> Reason:
    sources = tuple(source_link(s) for s in dict.fromkeys(evidence.sources))
    return Reason(
        evidence.label, math.exp(evidence.log_lr), evidence.direction, evidence.kind, evidence.detail, sources
    )


def candidate_detail(kb: KnowledgeBase, workup: Workup, cause: str) -> CandidateDetail:
    """Why ``cause`` stands where it does: evidence for and against (strongest first), next tests,
    management and sources.

    Raises
    ------
    NodeNotFound
        When ``cause`` is not a candidate of the workup.
    """
    found = next((c for c in workup.candidates if c.cause == cause), None)
    if found is None:
        raise NodeNotFound(
            f"{curie(cause)} is not a candidate of case {workup.normalised.case.case_id}; "
            "pick one from the differential"
        )
    info = kb.causes[cause]
    terms = sorted(found.evidence, key=lambda e: -abs(e.log_lr))
    return CandidateDetail(
        cause=cause,
        curie=curie(cause),
        label=info.label,
        rank=found.rank,
        score=found.score,
        definition=info.info.definition,
        mechanism=info.mechanism,
        category=info.category,
        agents=tuple(kb.label(a) for a in found.agents),
        prior=tuple(_reason(e) for e in found.evidence if e.kind == "prior"),
        supporting=tuple(_reason(e) for e in terms if e.kind != "prior" and e.direction == "for"),
        against=tuple(_reason(e) for e in terms if e.kind != "prior" and e.direction == "against"),
        next_tests=tuple(NextTest(t, curie(t), kb.label(t), why) for t, why in found.next_tests),
        management=info.management,
        treatments=tuple(kb.label(t) for t in info.treatments),
        sources=tuple(source_link(s) for s in info.info.sources),
        imported=is_imported_cause(cause),
    )
