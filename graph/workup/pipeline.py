"""The whole flow in one short function: case -> normalised findings -> ranking -> explanation.

The CLI and the app both call :func:`workup_case`.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "demo", "anc": 1100, "patient": {"age_years": 34, "ancestry": "African"},
...                      "duration_days": 1460, "tests": [{"name": "Duffy phenotype", "result": "Fy(a-b-)"}]})
>>> kb.label(w.candidates[0].cause)
'Duffy-null associated neutrophil count'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..kb.knowledge import KnowledgeBase
from ..kb.scoretables import score_tables
from ..model.case import Case, parse_case
from ..model.results import Candidate, MechanismScore, Workup
from .alerts import raise_alerts
from .causality import assess_drugs
from .concurrent import concurrent_cause
from .explain import add_next_tests, reported_tests
from .normalise import normalise_case
from .rank import rank_causes
from .situations import expected_situations
from .usefultests import useful_tests

__all__ = ["workup_case", "mechanism_scores"]


def mechanism_scores(kb: KnowledgeBase, candidates: Sequence[Candidate]) -> tuple[MechanismScore, ...]:
    """The posterior mass of each mechanism, summed over its candidates in rank order, largest first (ties:
    the mechanism whose first candidate ranks higher).  As arrays: 12,000 candidates with every HPO disease.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> w = workup_case(kb, {"id": "x", "anc": 900, "findings": ["Splenomegaly"]})
    >>> round(sum(m.score for m in w.mechanisms), 9)
    1.0
    """
    tables = score_tables(kb)
    position = tables.position
    codes = tables.mechanism_of[np.array([position[c.cause] for c in candidates], dtype=np.int64)]
    scores = np.array([c.score for c in candidates], dtype=float)
    mass = np.bincount(codes, weights=scores, minlength=len(tables.mechanisms))  # summed in rank order
    present, first = np.unique(codes, return_index=True)
    order = sorted(zip(present.tolist(), first.tolist(), strict=True), key=lambda item: (-mass[item[0]], item[1]))
    return tuple(MechanismScore(tables.mechanisms[code], float(mass[code])) for code, _ in order)


def workup_case(kb: KnowledgeBase, case: Case | dict[str, Any], explain_top: int | None = 10) -> Workup:
    """Rank the causes of one case; evidence and next tests for the first ``explain_top`` (None: all), the
    useful tests for the whole case, the situations its timeline predicts and the causality of its drugs."""
    checked = case if isinstance(case, Case) else parse_case(case, kb.case_rules)
    normalised = normalise_case(kb, checked)
    candidates = rank_causes(kb, normalised, explain=explain_top)
    explained = explain_top != 0  # 0: batch ranking, nothing explained
    done = reported_tests(kb, normalised) if explained else frozenset()
    candidates = add_next_tests(kb, normalised, candidates, limit=explain_top, done=done)
    mechanisms = mechanism_scores(kb, candidates)
    alerts = tuple(raise_alerts(kb, normalised, candidates))
    workup = Workup(
        normalised,
        tuple(candidates),
        mechanisms,
        alerts,
        concurrent_cause(kb, candidates),
        useful_tests(kb, normalised, candidates, done) if explained else (),
        expected_situations(kb, normalised),
    )
    return replace(workup, causality=assess_drugs(kb, workup)) if explained else workup
