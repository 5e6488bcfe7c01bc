"""Two or three causes side by side: the findings, labs, timing and tests that tell them apart.

A finding *separates* the causes when its frequency differs by at least
:data:`SEPARATING_SPREAD` between them (a cause that does not list the finding is counted at the
finding's background frequency, as the ranker does); a test separates them when not every cause
is confirmed by it.  Rows that separate come first.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.ids import expand
>>> kb = load_knowledge_base()
>>> table = compare_causes(kb, [expand("cause:clozapine-agranulocytosis"),
...                             expand("cause:chemotherapy-induced-neutropenia")])
>>> table.labels
('Clozapine-induced agranulocytosis', 'Chemotherapy-induced neutropenia')
>>> table.findings[0].separates
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NodeNotFound, UsageError
from ..model.ids import curie
from ..model.types import AgentAssociation, Cause
from ..workup.phrases import PRIOR_SHARE_LABEL, frequency_text, multiplier_text, typical_window_text
from ..workup.rank import age_band_text

__all__ = ["SEPARATING_SPREAD", "CompareRow", "Comparison", "compare_causes"]

SEPARATING_SPREAD = 0.3


@dataclass(frozen=True)
class CompareRow:
    """One line of a comparison: the item, a note (e.g. the lab rule behind a finding), one value per cause."""

    item: str
    note: str
    values: tuple[str, ...]
    separates: bool
    spread: float = 0.0


@dataclass(frozen=True)
class Comparison:
    """The comparison tables, each row with one value per cause (in the order asked)."""

    causes: tuple[str, ...]
    labels: tuple[str, ...]
    overview: tuple[CompareRow, ...]
    findings: tuple[CompareRow, ...]
    agents: tuple[CompareRow, ...]
    tests: tuple[CompareRow, ...]
    priors: tuple[CompareRow, ...]


def _timing(assoc: AgentAssociation) -> str:
    text = f"LR {assoc.likelihood_ratio:g}"
    if assoc.window is not None:
        text += f", {typical_window_text(assoc.window)}"
    return text


def _check(kb: KnowledgeBase, causes: Sequence[str]) -> None:
    """Raise unless ``causes`` are two or three different causes of the knowledge base."""
    if not 2 <= len(causes) <= 3 or len(set(causes)) != len(causes):
        raise UsageError(f"compare two or three different causes, got {len(causes)}")
    for cause in causes:
        if cause not in kb.causes:
            raise NodeNotFound(f"{curie(cause)} is not a cause of the knowledge graph; pick one from the list")


def _overview(info: Sequence[Cause]) -> tuple[CompareRow, ...]:
    """Mechanism, category, prior share, whether an exposure is needed, and management."""
    return (
        CompareRow("Mechanism", "", tuple(c.mechanism for c in info), len({c.mechanism for c in info}) > 1),
        CompareRow("Category", "", tuple(c.category for c in info), len({c.category for c in info}) > 1),
        CompareRow(PRIOR_SHARE_LABEL, "", tuple(f"{c.prevalence:g}" for c in info), False),
        CompareRow(
            "Needs an exposure",
            "",
            tuple("yes" if c.requires_agent else "no" for c in info),
            len({c.requires_agent for c in info}) > 1,
        ),
        CompareRow("Management", "", tuple(c.management for c in info), False),
    )


def _lab_notes(kb: KnowledgeBase) -> dict[str, str]:
    """The first lab rule that derives each finding, e.g. ``lab: platelets_per_ul < 150000 /uL``."""
    notes: dict[str, str] = {}
    for rule in kb.lab_rules:
        limit = f"< {rule.below:g}" if rule.below is not None else f"> {rule.above:g}" if rule.above is not None else ""
        notes.setdefault(rule.finding, f"lab: {rule.lab_key} {limit} {rule.unit}".strip())
    return notes


def _findings(kb: KnowledgeBase, causes: Sequence[str]) -> list[CompareRow]:
    """Each finding any of the causes lists, with its frequency per cause; the widest spread first."""
    frequency: dict[str, dict[str, float]] = {}
    for cause in causes:
        for assoc in kb.finding_assocs.get(cause, ()):
            frequency.setdefault(assoc.finding, {})[cause] = assoc.frequency
    lab_notes = _lab_notes(kb)
    findings = []
    for finding, by_cause in frequency.items():
        counted = [by_cause.get(c, kb.background(finding)) for c in causes]
        spread = round(max(counted) - min(counted), 6)
        findings.append(
            CompareRow(
                kb.label(finding),
                lab_notes.get(finding, ""),
                tuple(frequency_text(by_cause[c]) if c in by_cause else "—" for c in causes),
                spread >= SEPARATING_SPREAD,
                spread,
            )
        )
    return sorted(findings, key=lambda r: (-r.spread, r.item.lower()))


def _separating_first(rows: Iterable[CompareRow]) -> list[CompareRow]:
    return sorted(rows, key=lambda r: (not r.separates, r.item.lower()))


def _agents(kb: KnowledgeBase, causes: Sequence[str]) -> list[CompareRow]:
    """Each agent linked to any of the causes, with its likelihood ratio and timing per cause."""
    by_agent: dict[str, dict[str, AgentAssociation]] = {}
    for agent, agent_assocs in kb.agent_assocs.items():
        for agent_assoc in agent_assocs:
            if agent_assoc.cause in causes:
                by_agent.setdefault(agent, {})[agent_assoc.cause] = agent_assoc
    return _separating_first(
        CompareRow(
            kb.label(agent),
            str(kb.graph.nodes[agent].get("kind", "")) if agent in kb.graph else "",
            tuple(_timing(table[c]) if c in table else "—" for c in causes),
            len(table) < len(causes),
        )
        for agent, table in by_agent.items()
    )


def _tests(kb: KnowledgeBase, info: Sequence[Cause]) -> list[CompareRow]:
    """Each test that confirms any of the causes, ticked for the causes it confirms."""
    all_tests = list(dict.fromkeys(t for c in info for t in c.tests))
    return _separating_first(
        CompareRow(
            kb.label(t), "", tuple("✓" if t in c.tests else "—" for c in info), not all(t in c.tests for c in info)
        )
        for t in all_tests
    )


def _priors(kb: KnowledgeBase, causes: Sequence[str]) -> list[CompareRow]:
    """Each prior modifier of each cause: who it applies to, and its multiplier under its cause."""
    priors = []
    for cause_index, cause in enumerate(causes):
        for m in kb.priors.get(cause, ()):
            who = [
                age_band_text(m.min_age, m.max_age) if m.min_age is not None else "",
                m.sex or "",
                f"{kb.label(m.ancestry)} ancestry" if m.ancestry else "",
            ]
            values = ["—"] * len(causes)
            values[cause_index] = multiplier_text(m.multiplier)
            priors.append(CompareRow(", ".join(w for w in who if w) or "everyone", "", tuple(values), True))
    return priors


def compare_causes(kb: KnowledgeBase, causes: Sequence[str]) -> Comparison:
    """Compare two or three causes (ids); see the module docstring.

    Raises
    ------
    UsageError
        For fewer than two or more than three causes, or a repeated cause.
    NodeNotFound
        For an id that is not a cause.
    """
    _check(kb, causes)
    info = [kb.causes[c] for c in causes]
    return Comparison(
        tuple(causes),
        tuple(c.label for c in info),
        _overview(info),
        tuple(_findings(kb, causes)),
        tuple(_agents(kb, causes)),
        tuple(_tests(kb, info)),
        tuple(_priors(kb, causes)),
    )
