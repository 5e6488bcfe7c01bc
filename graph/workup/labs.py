"""Numeric labs to findings, by the lab rules stored in the ontology (networkx-free).

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.case import parse_case
>>> kb = load_knowledge_base()
>>> case = parse_case({"id": "x", "anc": 900, "labs": {"mcv_fl": 112, "platelets_per_ul": 250000}})
>>> sorted((kb.label(o.finding), o.present) for o in lab_observations(kb, case))[:3]
[('Decreased mean corpuscular volume', False), ('Increased mean corpuscular volume', True), ('Thrombocytopenia', False)]
"""

from __future__ import annotations

from ..kb.knowledge import KnowledgeBase
from ..model.case import Case
from ..model.results import Observation

__all__ = ["lab_observations"]


def lab_observations(kb: KnowledgeBase, case: Case) -> list[Observation]:
    """One observation per applicable lab rule: present when abnormal, absent when normal."""
    age = case.age_years if case.age_years is not None else 30.0
    found: list[Observation] = []
    for rule in kb.lab_rules:
        value = case.labs.get(rule.lab_key)
        if value is None or not rule.min_age <= age < rule.max_age:
            continue
        if rule.sex is not None and rule.sex != case.sex:
            continue
        abnormal = (rule.below is not None and value < rule.below) or (rule.above is not None and value > rule.above)
        limit = f"< {rule.below:g}" if rule.below is not None else f"> {rule.above:g}"
        verdict = "meets" if abnormal else "does not meet"
        found.append(
            Observation(
                rule.finding, abnormal, f"labs.{rule.lab_key} = {value:g} {verdict} {limit} {rule.unit}".rstrip()
            )
        )
    return found
