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
from ..model.results import Alert, Candidate, NormalisedCase, Severity
from ..model.types import AlertRule

__all__ = ["raise_alerts"]

_LEVEL_ORDER = {"emergency": 0, "warning": 1, "information": 2}


def _observed_terms(kb: KnowledgeBase, n: NormalisedCase) -> tuple[set[str], set[str]]:
    """The present findings with all their ancestors, and the findings reported absent."""
    present_terms: set[str] = set()
    absent_terms: set[str] = set()
    for observation in n.observations:
        if observation.present:
            present_terms |= kb.hpo.ancestors(observation.finding)
        else:
            absent_terms.add(observation.finding)
    return present_terms, absent_terms


def _count_holds(rule: AlertRule, severity: Severity) -> bool:
    """The rule's count condition: a missing count where it asks for one, a count below its limit."""
    if rule.when_count_missing and (severity.count_given or severity.anc_below is not None):
        return False
    return rule.anc_below is None or _below(severity.anc, severity.anc_below, rule.anc_below)


def _findings_hold(rule: AlertRule, n: NormalisedCase, present_terms: set[str], absent_terms: set[str]) -> bool:
    """The rule's finding conditions: every required finding, one of the alternatives, nothing it forbids."""
    if any(term not in present_terms for term in rule.requires):
        return False
    if (rule.requires_any or rule.requires_any_ancestry) and not (
        any(term in present_terms for term in rule.requires_any) or n.ancestry_group in rule.requires_any_ancestry
    ):
        return False  # e.g. the benign Duffy-null conclusion needs the phenotype or an ancestry where it is common
    # e.g. a Duffy-positive result rules the benign Duffy-null conclusion out
    return not (
        any(term in present_terms for term in rule.forbids) or any(t in absent_terms for t in rule.forbids_absent)
    )


def _ranking_holds(rule: AlertRule, candidates: list[Candidate]) -> bool:
    """The rule's ranking condition: its cause leads the differential, with at least its score."""
    if rule.top_cause is None:
        return True
    if not candidates or candidates[0].cause != rule.top_cause:
        return False
    return rule.min_score is None or candidates[0].score >= rule.min_score


def _message(kb: KnowledgeBase, rule: AlertRule, n: NormalisedCase) -> str | None:
    """The rule's message, with the flagged agents of the case named; None when it needs one and none is."""
    if not rule.agent_flag:
        return rule.message
    flag = _FLAGS.get(rule.agent_flag, "")
    flagged = sorted({kb.label(d.agent) for d in n.drugs if getattr(kb.agents[d.agent], flag, False)})
    return rule.message.replace("{agents}", ", ".join(flagged)) if flagged else None


def raise_alerts(kb: KnowledgeBase, n: NormalisedCase, candidates: list[Candidate]) -> list[Alert]:
    """Every alert whose rule holds, most urgent first; one alert per level and kind of emergency."""
    present_terms, absent_terms = _observed_terms(kb, n)
    alerts: list[Alert] = []
    for rule in kb.alert_rules:
        if not (_count_holds(rule, n.severity) and _findings_hold(rule, n, present_terms, absent_terms)):
            continue
        message = _message(kb, rule, n)
        if message is not None and _ranking_holds(rule, candidates):
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
