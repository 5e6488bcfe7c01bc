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

from collections import defaultdict
from dataclasses import replace
from typing import Any

from ..kb.knowledge import KnowledgeBase
from ..model.case import Case, parse_case
from ..model.results import MechanismScore, Workup
from .alerts import raise_alerts
from .causality import assess_drugs
from .concurrent import concurrent_cause
from .explain import add_next_tests
from .normalise import normalise_case
from .rank import rank_causes
from .situations import expected_situations
from .usefultests import useful_tests

__all__ = ["workup_case"]


def workup_case(kb: KnowledgeBase, case: Case | dict[str, Any], explain_top: int | None = 10) -> Workup:
    """Rank the causes of one case; evidence and next tests for the first ``explain_top`` (None: all), the
    useful tests for the whole case, the situations its timeline predicts and the causality of its drugs."""
    checked = case if isinstance(case, Case) else parse_case(case, kb.case_rules)
    normalised = normalise_case(kb, checked)
    candidates = rank_causes(kb, normalised, explain=explain_top)
    candidates = add_next_tests(kb, normalised, candidates, limit=explain_top)
    mass: dict[str, float] = defaultdict(float)
    for candidate in candidates:
        mass[kb.causes[candidate.cause].mechanism] += candidate.score
    mechanisms = tuple(MechanismScore(m, s) for m, s in sorted(mass.items(), key=lambda item: -item[1]))
    alerts = tuple(raise_alerts(kb, normalised, candidates))
    workup = Workup(
        normalised,
        tuple(candidates),
        mechanisms,
        alerts,
        concurrent_cause(kb, candidates),
        useful_tests(kb, normalised, candidates) if explain_top != 0 else (),  # 0: batch ranking, nothing explained
        expected_situations(kb, normalised),
    )
    return replace(workup, causality=assess_drugs(kb, workup)) if explain_top != 0 else workup
