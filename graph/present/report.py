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
from ..model.results import NO_BEARING_HEADING, Candidate, ConcurrentCause, DrugCausality, Evidence, UsefulTest, Workup
from ..workup.differential import causality_line, causality_reason_text, score_text, situation_text, useful_test_text

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


def describe_concurrent(kb: KnowledgeBase, concurrent: ConcurrentCause) -> str:
    """The one phrase for a concurrent cause, used by every report."""
    what = "; ".join(kb.label(f) for f in concurrent.findings) or "; ".join(e.label for e in concurrent.evidence[:2])
    return (
        f"Consider a concurrent cause: {kb.label(concurrent.cause)} explains what "
        f"{kb.label(concurrent.alongside)} leaves over ({what}), together LR {concurrent.likelihood_ratio:.3g}. "
        "The probabilities above assume a single cause."
    )


def workup_to_dict(kb: KnowledgeBase, workup: Workup, top: int | None = None) -> dict[str, Any]:
    """The JSON form of a workup (``top`` limits the candidates)."""
    n = workup.normalised
    severity = n.severity
    return {
        "case_id": n.case.case_id,
        "severity": {
            "grade": severity.grade,
            "anc": severity.anc,
            "threshold": severity.threshold,
            "chronic": severity.chronic,
            "onset_days_ago": severity.onset_days_ago,
            "cyclic": severity.cyclic,
            "count_given": severity.count_given,
            "stated_by": curie(severity.stated_by) if severity.stated_by else None,
        },
        "alerts": [
            {"code": a.code, "level": a.level, "message": a.message, "sources": list(a.sources)} for a in workup.alerts
        ],
        "mechanisms": [{"mechanism": m.mechanism, "score": round(m.score, 6)} for m in workup.mechanisms],
        "situations": [
            {
                "code": s.code,
                "day": s.day,
                "agents": list(s.agents),
                "message": s.message,
                "management": s.management,
                "text": situation_text(s),
                "sources": list(s.sources),
            }
            for s in workup.situations
        ],
        "useful_tests": [_useful_test(kb, t) for t in workup.useful_tests],
        "causality": [_causality(kb, a) for a in workup.causality],
        "findings": [
            {
                "id": curie(o.finding),
                "label": kb.label(o.finding),
                "present": o.present,
                "origin": o.origin,
                "derived": o.derived,
            }
            for o in n.observations
        ],
        "drugs": [{"written": d.written, **node_summary(kb, d.agent), "match": d.match} for d in n.drugs],
        "ancestry_group": kb.label(n.ancestry_group) if n.ancestry_group else None,
        "unrecognized": [{"field": u.field, "text": u.text, "reason": u.reason} for u in n.unrecognized],
        "no_bearing": [{"field": u.field, "text": u.text, "reason": u.reason} for u in n.no_bearing],
        "other_drugs": [
            {"written": d.written, "label": d.label, "xref": d.xref, "note": describe_not_a_cause(d.xref)}
            for d in n.other_drugs
        ],
        "candidates": [_candidate(kb, c) for c in workup.candidates[:top]],
        "concurrent_cause": None
        if workup.concurrent is None
        else {
            **node_summary(kb, workup.concurrent.cause),
            "alongside": curie(workup.concurrent.alongside),
            "likelihood_ratio": round(workup.concurrent.likelihood_ratio, 6),
            "explains": [{"id": curie(f), "label": kb.label(f)} for f in workup.concurrent.findings],
            "evidence": [_evidence(e) for e in workup.concurrent.evidence],
            "summary": describe_concurrent(kb, workup.concurrent),
        },
        "ontology_version": kb.version,
    }


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent + "  ")


def workup_to_text(kb: KnowledgeBase, workup: Workup, top: int = 5) -> str:
    """A terminal report: severity, alerts, mechanisms, the differential with its reasons."""
    n = workup.normalised
    s = n.severity
    lines = [
        f"Case {n.case.case_id}: {s.count_text()} - {s.grade_text()}"
        + (f" (age-appropriate limit {s.threshold:g}/uL)" if s.grade == "none" else "")
        + ("" if s.chronic is None else (", chronic" if s.chronic else ", acute"))
        + (", cyclic pattern" if s.cyclic else "")
    ]
    for alert in workup.alerts:
        lines.append(_wrap(f"[{alert.level.upper()}] {alert.message}", "  "))
    for situation in workup.situations:
        lines.append(_wrap(f"[EXPECTED] {situation_text(situation)}", "  "))
    lines.append("  Mechanism: " + "; ".join(f"{m.mechanism} {score_text(m.score)}" for m in workup.mechanisms))
    for assessment in workup.causality:
        lines.append(_wrap(f"[CAUSALITY] {causality_line(kb, assessment)}", "  "))
    if workup.useful_tests:
        lines.append("  Useful tests for the whole case (most expected change to the differential first):")
        lines += [_wrap(f"- {useful_test_text(kb, t)}", "    ") for t in workup.useful_tests]
    for candidate in workup.candidates[:top]:
        cause = kb.causes[candidate.cause]
        agents = f" - agent: {', '.join(kb.label(a) for a in candidate.agents)}" if candidate.agents else ""
        lines.append("")
        lines.append(f"{candidate.rank:>2}. {cause.label}  [{score_text(candidate.score)}]{agents}")
        lines.append(f"    {cause.mechanism}; {cause.category}")
        strongest = sorted(
            (e for e in candidate.evidence if e.kind != "prior" and abs(e.log_lr) >= _NOTEWORTHY),
            key=lambda e: -abs(e.log_lr),
        )
        for sign, title in (("for", "for"), ("against", "against")):
            items = [e for e in strongest if e.direction == sign][:4]
            if items:
                lines.append(_wrap(f"{title}: " + "; ".join(e.label for e in items), "    "))
        if candidate.next_tests:
            lines.append(_wrap("next tests: " + "; ".join(kb.label(t) for t, _ in candidate.next_tests), "    "))
    if workup.concurrent is not None:
        lines.append("")
        lines.append(_wrap(describe_concurrent(kb, workup.concurrent), ""))
    if n.other_drugs:
        lines.append("")
        lines.append("Drugs recognised that no cause links:")
        for d in n.other_drugs:
            lines.append(_wrap(f"- {d.written}: {describe_not_a_cause(d.xref)}", "  "))
    if n.unrecognized:
        lines.append("")
        lines.append("Not recognised (check the spelling or add it to the ontology):")
        for item in n.unrecognized:
            lines.append(_wrap(f"- {item.field}: {item.text} ({item.reason})", "  "))
    if n.no_bearing:
        lines.append("")
        lines.append(NO_BEARING_HEADING + ":")
        for note in n.no_bearing:
            lines.append(_wrap(f"- {note.field}: {note.text} ({note.reason})", "  "))
    return "\n".join(lines)
