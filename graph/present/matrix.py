"""The finding matrix: the patient's findings (rows) against the top candidates (columns).

Each cell is the log likelihood ratio that the finding contributed to the candidate's score and
how the finding met the cause's annotations (exact, more specific, more general, unrelated,
absent), read from the very evidence terms the explanation shows (:attr:`Candidate.evidence`),
so a cell and the "why" list can never disagree.  A finding with no term for a candidate is
"not scored" (for example a reported absence the cause does not annotate); a finding that no
candidate scored is left out.  After Monarch's
phenogrid.  Pure data; the app draws it as a table.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 300, "findings": ["Fever"]})
>>> m = finding_matrix(kb, w, top=2)
>>> [row.label for row in m.rows][:1], m.cells[0][0].match
(['Fever'], 'exact')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..kb.knowledge import KnowledgeBase
from ..model.errors import UsageError
from ..model.results import Evidence, Workup

__all__ = ["Match", "MATCHES", "MatrixRow", "MatrixCell", "FindingMatrix", "finding_matrix", "cell_colour"]

Match = Literal["exact", "more specific", "more general", "unrelated", "absent", "not scored"]
MATCHES: tuple[Match, ...] = ("exact", "more specific", "more general", "unrelated", "absent", "not scored")
#: the scoring's match kind of a term (``Evidence.match``, one of graph.workup.rank.MATCH_KINDS) -> the matrix's name
_MATCH_NAMES: dict[str, Match] = {
    "exact": "exact",
    "query more specific": "more specific",
    "query more general": "more general",
    "unrelated": "unrelated",
    "excluded": "absent",
}
_FINDING_TERMS = ("finding", "absent-finding", "unexplained-finding")


@dataclass(frozen=True)
class MatrixRow:
    """One patient finding: its node, label, and whether the patient has it or it was reported absent."""

    finding: str
    label: str
    present: bool


@dataclass(frozen=True)
class MatrixCell:
    """What one finding did for one candidate: the summed log LR of its terms and how it matched."""

    log_lr: float
    match: Match
    labels: tuple[str, ...]


@dataclass(frozen=True)
class FindingMatrix:
    """Rows (findings) x columns (candidate causes, by rank); ``cells[row][column]``."""

    rows: tuple[MatrixRow, ...]
    causes: tuple[str, ...]
    cause_labels: tuple[str, ...]
    cells: tuple[tuple[MatrixCell, ...], ...]


def _match(evidence: Evidence) -> Match:
    return _MATCH_NAMES[evidence.match]  # every phenotype term carries its match kind


def finding_matrix(kb: KnowledgeBase, workup: Workup, top: int = 5) -> FindingMatrix:
    """The matrix of the first ``top`` candidates (see the module docstring).

    Raises
    ------
    UsageError
        When ``top`` is not a whole number from 1 to 20.
    """
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 20:
        raise UsageError(f"top must be a whole number from 1 to 20, got {top!r}")
    rows: dict[tuple[str, bool], MatrixRow] = {}
    for observation in workup.normalised.observations:
        key = (observation.finding, observation.present)
        rows.setdefault(key, MatrixRow(observation.finding, kb.label(observation.finding), observation.present))
    candidates = workup.candidates[:top]
    cells, kept = [], []
    for (finding, present), row in rows.items():
        line = []
        for candidate in candidates:
            terms = [
                e
                for e in candidate.evidence
                if e.kind in _FINDING_TERMS
                and e.path
                and e.path[0] == finding
                and (e.kind == "absent-finding") is not present
            ]
            if not terms:
                line.append(MatrixCell(0.0, "not scored", ()))
                continue
            strongest = max(terms, key=lambda e: (abs(e.log_lr), e.label))
            line.append(MatrixCell(sum(e.log_lr for e in terms), _match(strongest), tuple(e.label for e in terms)))
        if any(cell.match != "not scored" for cell in line):  # a row no candidate scored says nothing
            cells.append(tuple(line))
            kept.append(row)
    return FindingMatrix(
        rows=tuple(kept),
        causes=tuple(c.cause for c in candidates),
        cause_labels=tuple(kb.label(c.cause) for c in candidates),
        cells=tuple(cells),
    )


def cell_colour(log_lr: float, scale: float = 2.0) -> str:
    """A background colour for a log LR: blue for evidence for, vermilion against, white for none.

    The strength saturates at ``scale`` (|log LR| 2, a likelihood ratio of about 7).

    Examples
    --------
    >>> cell_colour(0.0), cell_colour(5.0), cell_colour(-5.0)
    ('#ffffff', '#5a9fd6', '#e3874d')
    """
    strength = min(abs(log_lr), scale) / scale
    target = (0x5A, 0x9F, 0xD6) if log_lr > 0 else (0xE3, 0x87, 0x4D)
    red, green, blue = (round(255 + (channel - 255) * strength) for channel in target)
    return f"#{red:02x}{green:02x}{blue:02x}"
