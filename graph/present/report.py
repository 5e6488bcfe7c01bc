"""Workups as plain data (JSON-ready dicts) and as text a clinician reads in a terminal.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> data = workup_to_dict(kb, workup_case(kb, {"id": "x", "anc": 700}), top=3)
>>> sorted(data)[:4], len(data["candidates"])
(['alerts', 'ancestry_group', 'candidates', 'case_id'], 3)
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..kb.knowledge import KnowledgeBase
from ..kb.lexicon import describe_not_a_cause
from ..model.ids import curie
from ..model.results import (
    Alert,
    Candidate,
    ConcurrentCause,
    DrugCausality,
    Evidence,
    NormalisedCase,
    Observation,
    Severity,
    Situation,
    UsefulTest,
    Workup,
)
from ..workup.phrases import (
    NO_BEARING_HEADING,
    causality_line,
    causality_reason_text,
    course_words,
    describe_concurrent,
    limit_text,
    mechanisms_text,
    note_text,
    other_drug_text,
    score_text,
    situation_text,
    useful_test_text,
)

__all__ = ["workup_to_dict", "workup_to_text", "node_summary"]

#: evidence weaker than this (|log LR|, i.e. LR within about 0.9-1.1) is left out of the text summary
_NOTEWORTHY = 0.1


def node_summary(kb: KnowledgeBase, node: str) -> dict[str, Any]:
    """id (CURIE), label, synonyms and xrefs of a node."""
    info = kb.node_info(node)
    if info is None:
        return {"id": curie(node), "label": kb.label(node), "synonyms": [], "xrefs": []}
    return {"id": curie(node), "label": info.label, "synonyms": list(info.synonyms), "xrefs": list(info.xrefs)}


def _useful_test(kb: KnowledgeBase, useful: UsefulTest) -> dict[str, Any]:
    cost = kb.tests[useful.test].cost
    return {
        **node_summary(kb, useful.test),
        "gain_bits": round(useful.gain_bits, 6),
        "cost_band": cost.band if cost else None,
        "invasiveness": cost.invasiveness if cost else None,
        "cost_is_estimate": cost.estimate if cost else None,
        "turns_on": node_summary(kb, useful.finding),
        "if_found_rises": {**node_summary(kb, useful.rises), "to": round(useful.rises_to, 6)},
        "text": useful_test_text(kb, useful),
    }


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "label": e.label,
        "log_lr": round(e.log_lr, 4),
        "direction": e.direction,
        "path": [curie(p) for p in e.path],
        "sources": list(e.sources),
        "detail": e.detail,
    }


def _candidate(kb: KnowledgeBase, candidate: Candidate) -> dict[str, Any]:
    cause = kb.causes[candidate.cause]
    return {
        "rank": candidate.rank,
        **node_summary(kb, cause.id),
        "definition": cause.info.definition,
        "mechanism": cause.mechanism,
        "category": cause.category,
        "score": round(candidate.score, 6),
        "log_score": round(candidate.log_score, 4),
        "agents": [node_summary(kb, a) for a in candidate.agents],
        "evidence": [_evidence(e) for e in candidate.evidence],
        "next_tests": [{"id": curie(t), "label": kb.label(t), "why": why} for t, why in candidate.next_tests],
        "management": cause.management,
        "treatments": [{"id": curie(t), "label": kb.label(t)} for t in cause.treatments],
        "sources": list(cause.info.sources),
    }


def _causality(kb: KnowledgeBase, assessment: DrugCausality) -> dict[str, Any]:
    return {
        "written": assessment.written,
        **node_summary(kb, assessment.drug),
        "cause": node_summary(kb, assessment.cause),
        "who_umc": assessment.who_umc,
        "naranjo_score": assessment.naranjo_score,
        "naranjo": assessment.naranjo,
        "summary": causality_line(kb, assessment),
        "items": [
            {
                "question": item.question,
                "answer": item.answer,
                "points": item.points,
                "origin": item.origin,
                "why": causality_reason_text(item),
            }
            for item in assessment.items
        ],
    }


def _severity(severity: Severity) -> dict[str, Any]:
    return {
        "grade": severity.grade,
        "anc": severity.anc,
        "threshold": severity.threshold,
        "chronic": severity.chronic,
        "onset_days_ago": severity.onset_days_ago,
        "cyclic": severity.cyclic,
        "count_given": severity.count_given,
        "stated_by": curie(severity.stated_by) if severity.stated_by else None,
    }


def _alert(alert: Alert) -> dict[str, Any]:
    return {"code": alert.code, "level": alert.level, "message": alert.message, "sources": list(alert.sources)}


def _situation(situation: Situation) -> dict[str, Any]:
    return {
        "code": situation.code,
        "day": situation.day,
        "agents": list(situation.agents),
        "message": situation.message,
        "management": situation.management,
        "text": situation_text(situation),
        "sources": list(situation.sources),
    }


def _finding(kb: KnowledgeBase, observation: Observation) -> dict[str, Any]:
    return {
        "id": curie(observation.finding),
        "label": kb.label(observation.finding),
        "present": observation.present,
        "origin": observation.origin,
        "derived": observation.derived,
    }


def _concurrent(kb: KnowledgeBase, concurrent: ConcurrentCause | None) -> dict[str, Any] | None:
    if concurrent is None:
        return None
    return {
        **node_summary(kb, concurrent.cause),
        "alongside": curie(concurrent.alongside),
        "likelihood_ratio": round(concurrent.likelihood_ratio, 6),
        "explains": [{"id": curie(f), "label": kb.label(f)} for f in concurrent.findings],
        "evidence": [_evidence(e) for e in concurrent.evidence],
        "summary": describe_concurrent(kb, concurrent),
    }


def _inputs(kb: KnowledgeBase, n: NormalisedCase) -> dict[str, Any]:
    """What the case said, as the tool read it: findings, drugs, ancestry, and what it did not rank on."""
    return {
        "findings": [_finding(kb, o) for o in n.observations],
        "drugs": [{"written": d.written, **node_summary(kb, d.agent), "match": d.match} for d in n.drugs],
        "ancestry_group": kb.label(n.ancestry_group) if n.ancestry_group else None,
        "unrecognized": [{"field": u.field, "text": u.text, "reason": u.reason} for u in n.unrecognized],
        "no_bearing": [{"field": u.field, "text": u.text, "reason": u.reason} for u in n.no_bearing],
        "other_drugs": [
            {"written": d.written, "label": d.label, "xref": d.xref, "note": describe_not_a_cause(d.xref)}
            for d in n.other_drugs
        ],
    }


def workup_to_dict(kb: KnowledgeBase, workup: Workup, top: int | None = None) -> dict[str, Any]:
    """The JSON form of a workup (``top`` limits the candidates)."""
    n = workup.normalised
    return {
        "case_id": n.case.case_id,
        "severity": _severity(n.severity),
        "alerts": [_alert(a) for a in workup.alerts],
        "mechanisms": [{"mechanism": m.mechanism, "score": round(m.score, 6)} for m in workup.mechanisms],
        "situations": [_situation(s) for s in workup.situations],
        "useful_tests": [_useful_test(kb, t) for t in workup.useful_tests],
        "causality": [_causality(kb, a) for a in workup.causality],
        **_inputs(kb, n),
        "candidates": [_candidate(kb, c) for c in workup.candidates[:top]],
        "concurrent_cause": _concurrent(kb, workup.concurrent),
        "ontology_version": kb.version,
    }


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent + "  ")


def _header_text(workup: Workup) -> str:
    """``Case x: ANC 700/uL - severe neutropenia, acute``, with the age-appropriate limit when not low."""
    n = workup.normalised
    s = n.severity
    limit = limit_text(s, "/uL")
    return (
        f"Case {n.case.case_id}: {s.count_text()} - {s.grade_text()}"
        + (f" ({limit})" if limit else "")
        + "".join(f", {word}" for word in course_words(s))
    )


def _case_text(kb: KnowledgeBase, workup: Workup) -> list[str]:
    """Alerts, expected situations, mechanisms, causality and the useful tests, one line or list each."""
    lines = [_wrap(f"[{alert.level.upper()}] {alert.message}", "  ") for alert in workup.alerts]
    lines += [_wrap(f"[EXPECTED] {situation_text(situation)}", "  ") for situation in workup.situations]
    lines.append("  Mechanism: " + mechanisms_text(workup))
    lines += [_wrap(f"[CAUSALITY] {causality_line(kb, assessment)}", "  ") for assessment in workup.causality]
    if workup.useful_tests:
        lines.append("  Useful tests for the whole case (most expected change to the differential first):")
        lines += [_wrap(f"- {useful_test_text(kb, t)}", "    ") for t in workup.useful_tests]
    return lines


def _candidate_text(kb: KnowledgeBase, candidate: Candidate) -> list[str]:
    """One candidate: rank, label, probability and agents; its strongest evidence for and against; next tests."""
    cause = kb.causes[candidate.cause]
    agents = f" - agent: {', '.join(kb.label(a) for a in candidate.agents)}" if candidate.agents else ""
    lines = [
        "",
        f"{candidate.rank:>2}. {cause.label}  [{score_text(candidate.score)}]{agents}",
        f"    {cause.mechanism}; {cause.category}",
    ]
    strongest = sorted(
        (e for e in candidate.evidence if e.kind != "prior" and abs(e.log_lr) >= _NOTEWORTHY),
        key=lambda e: -abs(e.log_lr),
    )
    for direction in ("for", "against"):
        items = [e for e in strongest if e.direction == direction][:4]
        if items:
            lines.append(_wrap(f"{direction}: " + "; ".join(e.label for e in items), "    "))
    if candidate.next_tests:
        lines.append(_wrap("next tests: " + "; ".join(kb.label(t) for t, _ in candidate.next_tests), "    "))
    return lines


def _listing(heading: str, items: list[str]) -> list[str]:
    """A blank line, ``heading``, and one wrapped ``- item`` per item; nothing when there is no item."""
    return ["", heading, *(_wrap(f"- {item}", "  ") for item in items)] if items else []


def workup_to_text(kb: KnowledgeBase, workup: Workup, top: int = 5) -> str:
    """A terminal report: severity, alerts, mechanisms, the differential with its reasons."""
    n = workup.normalised
    lines = [_header_text(workup), *_case_text(kb, workup)]
    for candidate in workup.candidates[:top]:
        lines += _candidate_text(kb, candidate)
    if workup.concurrent is not None:
        lines += ["", _wrap(describe_concurrent(kb, workup.concurrent), "")]
    lines += _listing("Drugs recognised that no cause links:", [other_drug_text(d) for d in n.other_drugs])
    lines += _listing(
        "Not recognised (check the spelling or add it to the ontology):", [note_text(u) for u in n.unrecognized]
    )
    lines += _listing(NO_BEARING_HEADING + ":", [note_text(u) for u in n.no_bearing])
    return "\n".join(lines)
