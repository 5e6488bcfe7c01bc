"""Expected situations: what the case's own timeline predicts, said plainly (the chemotherapy nadir).

Each :class:`graph.model.types.ExpectedSituation` of the ontology names a drug flag (``myelosuppressive``)
and a timing window.  It applies when a drug or named exposure carrying the flag was given a number
of days ago that lies within the window's typical days, counted from the window's anchor (the last
dose, for a chemotherapy nadir).  Nothing here knows which situations exist.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.case import parse_case
>>> from graph.workup.normalise import normalise_case
>>> kb = load_knowledge_base()
>>> case = {"id": "x", "anc": 400, "medications": [{"name": "cyclophosphamide", "last_dose_days_ago": 10}]}
>>> [s.code for s in expected_situations(kb, normalise_case(kb, parse_case(case)))]
['chemotherapy-nadir']
>>> case["medications"][0]["last_dose_days_ago"] = 40
>>> expected_situations(kb, normalise_case(kb, parse_case(case)))
()
"""

from __future__ import annotations

from ..kb.knowledge import KnowledgeBase
from ..model.results import NormalisedCase, Situation
from ..model.types import ExpectedSituation
from .rank import anchor_days_ago

__all__ = ["expected_situations"]


def _days_after(situation: ExpectedSituation, n: NormalisedCase) -> list[tuple[float, str]]:
    """(days since the anchor dose, agent) for every flagged drug or exposure of the case."""
    found = []
    for drug in n.drugs:
        if drug.agent not in situation.agents:
            continue
        days = anchor_days_ago(situation.window, drug)
        if days is not None:
            found.append((days, drug.agent))
    for hit in n.contexts:  # "chemotherapy 10 days ago", named without its agents
        if hit.node in situation.agents and hit.days_ago is not None:
            found.append((hit.days_ago, hit.node))
    return found


def expected_situations(kb: KnowledgeBase, n: NormalisedCase) -> tuple[Situation, ...]:
    """Every situation whose window holds the days since one of the case's flagged agents, by code.

    The day shown is that of the most recent flagged dose inside the window; the agents are every
    flagged agent whose dose lies inside it.  A case without neutropenia for age raises none.
    """
    if n.severity.grade == "none":
        return ()
    raised = []
    for situation in kb.situations:
        window = situation.window
        inside = [
            (days, agent)
            for days, agent in _days_after(situation, n)
            if window.typical_min <= days <= window.typical_max
        ]
        if not inside:
            continue
        day = min(days for days, _ in inside)
        agents = tuple(sorted({kb.label(agent) for _, agent in inside}))
        message = situation.message.replace("{day}", f"{day:g}").replace("{agents}", ", ".join(agents))
        raised.append(Situation(situation.code, message, situation.management, day, agents, situation.sources))
    return tuple(sorted(raised, key=lambda s: s.code))
