"""A concurrent cause: when the first candidate leaves findings unexplained and another explains them.

Real patients often have two causes at once (HIV and zidovudine, lupus and a drug, chemotherapy and
sepsis, a vitamin B12 deficiency beside either).  The ranking's posterior assumes one cause; this
module says when that assumption leaves something out.  For the first candidate, the *left over*
evidence is every present finding it does not explain with a likelihood ratio above 1 (leaving out
statements about the count itself and consequences of the neutropenia such as fever).  Each other
explained candidate of another category is scored on what it alone brings: its positive finding
terms on the left-over findings, and its positive agent, context and known-diagnosis terms that the
first candidate does not share.  A candidate that brings findings only must rank within
``concurrent_cause_max_rank`` (it must also be plausible on the whole case); one with its own agent,
condition or named diagnosis (a fact about the patient) may rank lower.  The first such candidate in
the ranking whose residual likelihood ratio reaches the model parameter ``concurrent_cause_min_lr`` is
reported, with its evidence: the ranking already holds each candidate's prior, age and evidence against
it.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 700, "patient": {"age_years": 40, "sex": "male"},
...                      "conditions": ["HIV infection"], "duration_days": 60,
...                      "medications": [{"name": "zidovudine", "started_days_ago": 120}]})
>>> sorted([kb.label(w.candidates[0].cause), kb.label(w.concurrent.cause)])
['Dose-dependent non-chemotherapy drug myelotoxicity', 'HIV infection']
"""

from __future__ import annotations

import math

from ..kb.knowledge import KnowledgeBase
from ..model.results import Candidate, ConcurrentCause, Evidence

__all__ = ["concurrent_cause"]

_OWN_KINDS = ("agent", "context", "known-diagnosis")


def _explained(candidate: Candidate) -> set[str]:
    return {e.path[0] for e in candidate.evidence if e.kind == "finding" and e.log_lr > 0 and e.path}


def _a_finding_to_explain(kb: KnowledgeBase, finding: str) -> bool:
    """Not a statement about the count itself (grade, chronicity, onset age, a neutropenia term), and
    not a consequence of the neutropenia (fever, a sore throat: the first cause explains those too)."""
    info = kb.findings.get(finding)
    if info is not None and (info.derived or kb.premise_finding in info.consequence_of):
        return False
    return finding not in kb.onset_ranges and kb.premise_finding not in kb.hpo.ancestors(finding)


def _left_over(kb: KnowledgeBase, explained: list[Candidate]) -> set[str]:
    """The findings to explain that the first candidate does not explain with a likelihood ratio above 1."""
    covered = _explained(explained[0])
    left_over = {
        e.path[0]
        for c in explained
        for e in c.evidence
        if e.kind in ("finding", "unexplained-finding") and e.path and e.path[0] not in covered
    }
    return {f for f in left_over if _a_finding_to_explain(kb, f)}


def _brings(other: Candidate, left_over: set[str], shared: set[str]) -> tuple[Evidence, ...]:
    """The positive evidence ``other`` alone brings: left-over findings, and own terms the first does not share."""
    return tuple(
        e
        for e in other.evidence
        if e.log_lr > 0
        and e.path
        and ((e.kind == "finding" and e.path[0] in left_over) or (e.kind in _OWN_KINDS and e.path[0] not in shared))
    )


def _best_second(
    kb: KnowledgeBase, explained: list[Candidate], left_over: set[str], shared: set[str]
) -> tuple[float, Candidate, tuple[Evidence, ...]] | None:
    """The most probable other candidate (of another category, without the first's agents) whose own
    evidence weighs at least ``concurrent_cause_min_lr``: the ranking already holds its prior, age and
    evidence against it, so a newborn's sepsis is not offered beside an adult's chemotherapy."""
    first = explained[0]
    first_category = kb.causes[first.cause].category
    max_rank = kb.param("concurrent_cause_max_rank")
    enough = math.log(kb.param("concurrent_cause_min_lr"))
    for other in explained[1:]:
        if kb.causes[other.cause].category == first_category or set(other.agents) & set(first.agents):
            continue
        brings = _brings(other, left_over, shared)
        if not brings or (other.rank > max_rank and not any(e.kind in _OWN_KINDS for e in brings)):
            continue  # a second cause on findings alone must also rank near the top
        residual = math.fsum(e.log_lr for e in brings)
        if residual >= enough:
            return residual, other, brings
    return None


def concurrent_cause(kb: KnowledgeBase, candidates: tuple[Candidate, ...] | list[Candidate]) -> ConcurrentCause | None:
    """The second cause that explains what the first leaves over, or None (see module docstring)."""
    explained = [c for c in candidates if c.evidence]
    if len(explained) < 2:
        return None
    first = explained[0]
    shared = {e.path[0] for e in first.evidence if e.kind in _OWN_KINDS and e.log_lr > 0 and e.path}
    shared |= set(first.agents)
    best = _best_second(kb, explained, _left_over(kb, explained), shared)
    if best is None:
        return None
    residual, other, brings = best
    findings = tuple(dict.fromkeys(e.path[0] for e in brings if e.kind == "finding"))
    return ConcurrentCause(other.cause, first.cause, math.exp(residual), findings, brings)
