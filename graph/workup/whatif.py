"""What if a finding were present, absent or not recorded: change a case and compare the rankings.

A case is never changed in place; :func:`apply_what_if` returns a new case dict.

Examples
--------
>>> case = {"id": "x", "anc": 300, "findings": ["Fever"], "absent_findings": ["Splenomegaly"]}
>>> apply_what_if(case, {"Fever": "absent", "Lymphadenopathy": "present"})["findings"]
['Lymphadenopathy']
>>> apply_what_if(case, {"Fever": "absent"})["absent_findings"]
['Splenomegaly', 'Fever']
>>> case["findings"]
['Fever']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..kb.knowledge import KnowledgeBase
from ..model.errors import UsageError
from ..model.ids import curie, expand
from ..model.results import Alert, Workup

__all__ = [
    "findings_to_try",
    "FindingState",
    "STATES",
    "FindingToggle",
    "finding_toggles",
    "apply_what_if",
    "RankChange",
    "rank_changes",
    "WhatIf",
    "what_if_alerts",
]

FindingState = Literal["present", "absent", "not recorded"]
STATES: tuple[FindingState, ...] = ("present", "absent", "not recorded")


@dataclass(frozen=True)
class FindingToggle:
    """A finding of the case as written, its label, and whether the case records it present or absent."""

    text: str
    label: str
    state: FindingState


def finding_toggles(kb: KnowledgeBase, case: Mapping[str, Any]) -> list[FindingToggle]:
    """The case's findings, present ones first, each with its label (the text itself when unknown).

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> [(t.label, t.state) for t in finding_toggles(kb, {"id": "x", "anc": 1, "findings": ["HP:0001945"]})]
    [('Fever', 'present')]
    """
    toggles = []
    for key, state in (("findings", "present"), ("absent_findings", "absent")):
        for text in case.get(key) or ():
            term = kb.hpo.resolve(text)
            toggles.append(FindingToggle(text, kb.label(term) if term else text, state))  # type: ignore[arg-type]
    return toggles


def apply_what_if(case: Mapping[str, Any], states: Mapping[str, FindingState]) -> dict[str, Any]:
    """A copy of ``case`` with each finding in ``states`` moved to present, absent or neither.

    A finding named in ``states`` that the case does not mention is added.  Raises
    :class:`~graph.model.errors.UsageError` for a state other than those of :data:`STATES`.
    """
    for text, state in states.items():
        if state not in STATES:
            raise UsageError(f"the state of {text!r} must be one of {', '.join(STATES)}, got {state!r}")
    present = [f for f in case.get("findings") or () if f not in states]
    absent = [f for f in case.get("absent_findings") or () if f not in states]
    for text, state in states.items():
        if state == "present":
            present.append(text)
        elif state == "absent":
            absent.append(text)
    changed = {key: value for key, value in case.items() if key not in ("findings", "absent_findings")}
    if present:
        changed["findings"] = present
    if absent:
        changed["absent_findings"] = absent
    return changed


def findings_to_try(kb: KnowledgeBase, workup: Workup, top: int = 10) -> list[str]:
    """Findings (CURIEs) linked to the first ``top`` candidates that the case does not mention yet,
    sorted by label: the ones whose presence or absence could reorder the differential.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.workup.pipeline import workup_case
    >>> kb = load_knowledge_base()
    >>> w = workup_case(kb, {"id": "x", "anc": 300, "findings": ["Fever"]})
    >>> "HP:0001945" in findings_to_try(kb, w)  # Fever is already in the case
    False
    """
    mentioned = {o.finding for o in workup.normalised.observations}
    linked = {a.finding for c in workup.candidates[:top] for a in kb.finding_assocs.get(c.cause, ())}
    derived = {node for node, info in kb.findings.items() if info.derived}
    return sorted((curie(f) for f in linked - mentioned - derived), key=lambda c: (kb.label(expand(c)).lower(), c))


@dataclass(frozen=True)
class RankChange:
    """Where a cause stood before and after a change."""

    cause: str
    curie: str
    label: str
    before_rank: int
    after_rank: int
    before_score: float
    after_score: float

    @property
    def moved(self) -> int:
        """Places gained (positive) or lost (negative)."""
        return self.before_rank - self.after_rank


def rank_changes(kb: KnowledgeBase, before: Workup, after: Workup, top: int = 10) -> list[RankChange]:
    """Causes in the first ``top`` before or after whose rank changed, in their new order.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.workup.pipeline import workup_case
    >>> kb = load_knowledge_base()
    >>> case = {"id": "x", "anc": 300, "findings": ["Fever"]}
    >>> same = rank_changes(kb, workup_case(kb, case), workup_case(kb, case))
    >>> same
    []
    """
    old = {c.cause: c for c in before.candidates}
    new = {c.cause: c for c in after.candidates}
    shown = {c.cause for c in before.candidates[:top]} | {c.cause for c in after.candidates[:top]}
    changes = [
        RankChange(
            cause, curie(cause), kb.label(cause), old[cause].rank, new[cause].rank, old[cause].score, new[cause].score
        )
        for cause in shown
        if cause in old and cause in new and old[cause].rank != new[cause].rank
    ]
    return sorted(changes, key=lambda change: change.after_rank)


@dataclass(frozen=True)
class WhatIf:
    """A what-if: the workup of the case as entered and the changes made to it (finding text, new state).

    A report of the changed case carries it, so it says that it is hypothetical and keeps the
    alerts that the real case raised.
    """

    entered: Workup
    changes: tuple[tuple[str, FindingState], ...]


def what_if_alerts(entered: Workup, changed: Workup) -> tuple[tuple[Alert, bool], ...]:
    """The alerts to show for a what-if: every alert of the case as entered (a toggle that removes
    fever must not hide the febrile-neutropenia emergency), then those only the changed case raises,
    each with True when it is raised only by the change.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.workup.pipeline import workup_case
    >>> kb = load_knowledge_base()
    >>> case = {"id": "x", "anc": 300, "findings": ["Fever"]}
    >>> entered, changed = workup_case(kb, case), workup_case(kb, apply_what_if(case, {"Fever": "absent"}))
    >>> [a.code for a in changed.alerts], [(a.code, only) for a, only in what_if_alerts(entered, changed)]
    ([], [('febrile-neutropenia', False)])
    """
    real = {alert.code for alert in entered.alerts}
    return tuple((alert, False) for alert in entered.alerts) + tuple(
        (alert, True) for alert in changed.alerts if alert.code not in real
    )
