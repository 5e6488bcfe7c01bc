"""Alerts: the ontology's alert rules applied to a normalised case and its ranking.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.case import parse_case
>>> from graph.workup.normalise import normalise_case
>>> kb = load_knowledge_base()
>>> n = normalise_case(kb, parse_case({"id": "x", "anc": 300, "findings": ["Fever"]}))
>>> [a.level for a in raise_alerts(kb, n, [])]
['emergency']
>>> n = normalise_case(kb, parse_case({"id": "y", "findings": ["Agranulocytosis", "T 101.2 F"]}, kb.case_rules))
>>> [a.code for a in raise_alerts(kb, n, [])], n.severity.grade
(['febrile-neutropenia'], 'severe')
"""

from __future__ import annotations

from ..kb.knowledge import KnowledgeBase
from ..model.results import Alert, Candidate, NormalisedCase

__all__ = ["raise_alerts"]

_LEVEL_ORDER = {"emergency": 0, "warning": 1, "information": 2}


def raise_alerts(kb: KnowledgeBase, n: NormalisedCase, candidates: list[Candidate]) -> list[Alert]:
    """Every alert whose rule holds, most urgent first; one alert per level and kind of emergency."""
    present_terms: set[str] = set()
    absent_terms: set[str] = set()
    for observation in n.observations:
        if observation.present:
            present_terms |= kb.hpo.ancestors(observation.finding)
        else:
            absent_terms.add(observation.finding)
    alerts: list[Alert] = []
    severity = n.severity
    for rule in kb.alert_rules:
        if rule.when_count_missing and (severity.count_given or severity.anc_below is not None):
            continue
        if rule.anc_below is not None and not _below(severity.anc, severity.anc_below, rule.anc_below):
            continue
        if any(term not in present_terms for term in rule.requires):
            continue
        if (rule.requires_any or rule.requires_any_ancestry) and not (
            any(term in present_terms for term in rule.requires_any) or n.ancestry_group in rule.requires_any_ancestry
        ):
            continue  # e.g. the benign Duffy-null conclusion needs the phenotype or an ancestry where it is common
        if any(term in present_terms for term in rule.forbids) or any(t in absent_terms for t in rule.forbids_absent):
            continue  # e.g. a Duffy-positive result rules the benign Duffy-null conclusion out
        message = rule.message
        if rule.agent_flag:
            flagged = sorted(
                {
                    kb.label(d.agent)
                    for d in n.drugs
                    if getattr(kb.agents[d.agent], _FLAGS.get(rule.agent_flag, ""), False)
                }
            )
            if not flagged:
                continue
            message = message.replace("{agents}", ", ".join(flagged))
        if rule.top_cause is not None:
            if not candidates or candidates[0].cause != rule.top_cause:
                continue
            if rule.min_score is not None and candidates[0].score < rule.min_score:
                continue
        alerts.append(Alert(rule.code, rule.level, message, rule.sources))
    emergencies = [a for a in alerts if a.level == "emergency"]
    if len(emergencies) > 1:  # the two febrile-neutropenia rules say the same thing
        alerts = [a for a in alerts if a.level != "emergency"] + emergencies[:1]
    return sorted(alerts, key=lambda a: (_LEVEL_ORDER.get(a.level, 3), a.code))


def _below(anc: float | None, stated_below: float | None, limit: float) -> bool:
    """The count is below ``limit``; without a count, the stated grade lies wholly below it."""
    if anc is not None:
        return anc < limit
    return stated_below is not None and stated_below <= limit


_FLAGS = {"agranulocytosisRisk": "agranulocytosis_risk", "myelosuppressive": "myelosuppressive"}
