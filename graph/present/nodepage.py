"""A page of facts per node: definition, synonyms, standard ids, and related nodes by kind.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.ids import expand
>>> kb = load_knowledge_base()
>>> page = node_page(kb, expand("drug:clozapine"))
>>> page.label, [section.title for section in page.sections]
('clozapine', ['Causes it is linked to'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NodeNotFound
from ..model.ids import curie
from ..model.links import Link, node_link, source_link, xref_link
from ..model.types import AgentAssociation, FindingAssociation, PriorModifier
from ..workup.rank import age_band_text

__all__ = ["Relation", "Section", "NodePage", "node_page"]


@dataclass(frozen=True)
class Relation:
    """A link from the page's node to another node, with what it says and its sources."""

    node: str
    label: str
    kind: str
    detail: str
    direction: str = "for"
    sources: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled list of relations."""

    title: str
    relations: tuple[Relation, ...]


@dataclass(frozen=True)
class NodePage:
    """Everything the node page shows."""

    node: str
    curie: str
    label: str
    kind: str
    definition: str
    synonyms: tuple[str, ...]
    xrefs: tuple[Link, ...]
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    management: str
    sources: tuple[Link, ...]
    id_link: Link


def _kind(kb: KnowledgeBase, node: str) -> str:
    if node in kb.graph:
        return str(kb.graph.nodes[node].get("kind", "Unknown"))
    return "Finding" if node in kb.hpo else "Unknown"


def _sources(values: Iterable[str]) -> tuple[Link, ...]:
    return tuple(source_link(s) for s in dict.fromkeys(values))


def _window_text(assoc: AgentAssociation) -> str:
    text = f"LR {assoc.likelihood_ratio:g}"
    w = assoc.window
    if w is not None:
        anchor = "after the first dose" if w.anchor == "start" else "after the last dose"
        text += f"; typically {w.typical_min:g}-{w.typical_max:g} days {anchor} (plausible to {w.plausible_max:g})"
    return text


def _prior_relation(kb: KnowledgeBase, m: PriorModifier) -> Relation:
    """Who a prior modifier is about (age band, sex, ancestry) and by how much it moves the prior."""
    who = []
    if m.min_age is not None:
        who.append(age_band_text(m.min_age, m.max_age))
    if m.sex:
        who.append(m.sex)
    if m.ancestry:
        who.append(f"{kb.label(m.ancestry)} ancestry")
    direction = "for" if m.multiplier >= 1 else "against"
    return Relation(
        m.ancestry or m.id,
        ", ".join(who) or "everyone",
        "PriorModifier",
        f"prior x{m.multiplier:g}",
        direction,
        _sources(m.sources),
    )


def _finding_relation(kb: KnowledgeBase, a: FindingAssociation) -> Relation:
    against = a.polarity == "opposes"
    text = f"in {a.frequency:.0%} of cases" + (" (argues against)" if against else "")
    return Relation(
        a.finding, kb.label(a.finding), "Finding", text, "against" if against else "for", _sources(a.sources)
    )


def _cause_links(kb: KnowledgeBase, node: str) -> tuple[Section, Section]:
    """The agents and the conditions linked to a cause, strongest (then by name) first."""
    agents = sorted(
        (a for assocs in kb.agent_assocs.values() for a in assocs if a.cause == node),
        key=lambda a: (-a.likelihood_ratio, kb.label(a.agent)),
    )
    contexts = sorted(
        (a for assocs in kb.context_assocs.values() for a in assocs if a.cause == node),
        key=lambda a: kb.label(a.context),
    )
    agent_rows = tuple(
        Relation(
            a.agent,
            kb.label(a.agent),
            _kind(kb, a.agent),
            _window_text(a),
            "for",
            _sources(a.sources + (a.window.sources if a.window else ())),
        )
        for a in agents
    )
    context_rows = tuple(
        Relation(
            a.context,
            kb.label(a.context),
            _kind(kb, a.context),
            f"LR {a.likelihood_ratio:g}",
            "for",
            _sources(a.sources),
        )
        for a in contexts
    )
    return Section("Agents (drugs, organisms, genes)", agent_rows), Section("Conditions and exposures", context_rows)


def _cause_sections(kb: KnowledgeBase, node: str) -> list[Section]:
    cause = kb.causes[node]
    findings = sorted(kb.finding_assocs.get(node, ()), key=lambda a: (-a.frequency, kb.label(a.finding)))
    treatments = tuple(
        Relation(t, kb.label(t), "Treatment", kb.treatments[t].definition if t in kb.treatments else "")
        for t in cause.treatments
    )
    return [
        Section("Findings", tuple(_finding_relation(kb, a) for a in findings)),
        *_cause_links(kb, node),
        Section("Who is more likely to have it", tuple(_prior_relation(kb, m) for m in kb.priors.get(node, ()))),
        Section("Tests", tuple(Relation(t, kb.label(t), "DiagnosticTest", "") for t in cause.tests)),
        Section("Treatments", treatments),
    ]


def _agent_sections(kb: KnowledgeBase, node: str) -> list[Section]:
    assocs = sorted(kb.agent_assocs.get(node, ()), key=lambda a: (-a.likelihood_ratio, kb.label(a.cause)))
    tests = sorted({t for t, test in kb.tests.items() for rule in test.rules if rule.organism == node}, key=kb.label)
    sections = [
        Section(
            "Causes it is linked to",
            tuple(
                Relation(
                    a.cause,
                    kb.label(a.cause),
                    "Cause",
                    _window_text(a),
                    "for",
                    _sources(a.sources + (a.window.sources if a.window else ())),
                )
                for a in assocs
            ),
        )
    ]
    if tests:
        sections.append(
            Section("Tests that detect it", tuple(Relation(t, kb.label(t), "DiagnosticTest", "") for t in tests))
        )
    return sections


def _finding_sections(kb: KnowledgeBase, node: str) -> list[Section]:
    assocs = sorted(
        (a for items in kb.finding_assocs.values() for a in items if a.finding == node),
        key=lambda a: (-a.frequency, kb.label(a.cause)),
    )
    rules = [rule for rule in kb.lab_rules if rule.finding == node]
    tests = sorted({t for t, test in kb.tests.items() for rule in test.rules if rule.finding == node}, key=kb.label)
    sections = [
        Section(
            "Causes it points to",
            tuple(
                Relation(
                    a.cause,
                    kb.label(a.cause),
                    "Cause",
                    f"in {a.frequency:.0%} of cases" + (" (argues against)" if a.polarity == "opposes" else ""),
                    "against" if a.polarity == "opposes" else "for",
                    _sources(a.sources),
                )
                for a in assocs
            ),
        )
    ]
    if rules:
        sections.append(
            Section(
                "Lab rules that detect it",
                tuple(
                    Relation(
                        rule.id,
                        rule.label or rule.lab_key,
                        "LabRule",
                        f"{rule.lab_key} {'< ' + format(rule.below, 'g') if rule.below is not None else ''}"
                        f"{'> ' + format(rule.above, 'g') if rule.above is not None else ''} {rule.unit}".strip()
                        + (f" ({rule.sex})" if rule.sex else ""),
                        "for",
                        _sources(rule.sources),
                    )
                    for rule in rules
                ),
            )
        )
    if tests:
        sections.append(
            Section("Tests that show it", tuple(Relation(t, kb.label(t), "DiagnosticTest", "") for t in tests))
        )
    return sections


def _test_sections(kb: KnowledgeBase, node: str) -> list[Section]:
    causes = sorted((c for c in kb.causes.values() if node in c.tests), key=lambda c: c.label)
    rules = []
    for rule in kb.tests[node].rules:
        if rule.pattern:
            when = f"result matches “{rule.pattern}”"
        else:
            when = "result " + " and ".join(
                x
                for x in (
                    f"< {rule.below:g}" if rule.below is not None else "",
                    f"> {rule.above:g}" if rule.above is not None else "",
                )
                if x
            )
        target = rule.finding or rule.organism or ""
        verdict = "shows" if rule.present else "rules out"
        rules.append(
            Relation(
                target, kb.label(target), _kind(kb, target), f"{when}: {verdict}", "for" if rule.present else "against"
            )
        )
    return [
        Section("Confirms or excludes", tuple(Relation(c.id, c.label, "Cause", "") for c in causes)),
        Section("How its results are read", tuple(rules)),
    ]


def _incoming_sections(kb: KnowledgeBase, node: str, title: str) -> list[Section]:
    causes = sorted(
        {
            source
            for source, _, key in kb.graph.in_edges(node, keys=True)
            if kb.graph.nodes[source].get("kind") == "Cause"
        },
        key=kb.label,
    )
    contexts = sorted(kb.context_assocs.get(node, ()), key=lambda a: kb.label(a.cause))
    relations = [Relation(c, kb.label(c), "Cause", "") for c in causes]
    relations += [
        Relation(a.cause, kb.label(a.cause), "Cause", f"LR {a.likelihood_ratio:g}", "for", _sources(a.sources))
        for a in contexts
    ]
    return [Section(title, tuple(relations))]


def _cause_facts(kb: KnowledgeBase, node: str) -> list[tuple[str, str]]:
    cause = kb.causes[node]
    facts = [
        ("Mechanism", cause.mechanism),
        ("Category", cause.category),
        ("Share of neutropenias (prior)", f"{cause.prevalence:g}"),
    ]
    if cause.requires_agent:
        facts.append(("Needs an exposure", "yes: a drug, organism or gene must be implicated"))
    return facts


def _agent_facts(kb: KnowledgeBase, node: str) -> list[tuple[str, str]]:
    agent = kb.agents[node]
    facts = [("Drug class", agent.drug_class)] if agent.drug_class else []
    if agent.agranulocytosis_risk:
        facts.append(("Agranulocytosis risk", "yes"))
    if agent.myelosuppressive:
        facts.append(("Myelosuppressive", "yes"))
    return facts


def _finding_facts(kb: KnowledgeBase, node: str) -> list[tuple[str, str]]:
    finding = kb.findings.get(node)
    facts = []
    if finding is not None and finding.background is not None:
        facts.append(("Frequency among all neutropenias", f"{finding.background:.0%}"))
    if finding is not None and finding.derived:
        facts.append(("Derived", "yes: computed from the counts, labs or drugs of a case"))
    return facts


def _facts_and_sections(kb: KnowledgeBase, node: str, kind: str) -> tuple[list[tuple[str, str]], list[Section]]:
    """The facts particular to the node's kind, and its related nodes by section."""
    if kind == "Cause":
        return _cause_facts(kb, node), _cause_sections(kb, node)
    if kind in ("Drug", "Organism", "Gene"):
        return _agent_facts(kb, node), _agent_sections(kb, node)
    if kind == "Finding":
        return _finding_facts(kb, node), _finding_sections(kb, node)
    if kind == "DiagnosticTest":
        return [], _test_sections(kb, node)
    return [], _incoming_sections(kb, node, "Used for" if kind == "Treatment" else "Causes")


def node_page(kb: KnowledgeBase, node: str) -> NodePage:
    """The page of one node: definition, synonyms, standard ids, facts and related nodes by kind.

    Raises
    ------
    NodeNotFound
        When ``node`` is neither in the knowledge graph nor an HPO term.
    """
    if node not in kb.graph and node not in kb.hpo:
        raise NodeNotFound(f"node {curie(node)} is not in the knowledge graph; search by name instead")
    kind = _kind(kb, node)
    info = kb.node_info(node)
    facts, sections = _facts_and_sections(kb, node, kind)
    facts = [("Kind", kind), ("Identifier", curie(node)), *facts]
    management = kb.causes[node].management if kind == "Cause" else ""
    synonyms: tuple[str, ...] = info.synonyms if info else (kb.findings[node].synonyms if node in kb.findings else ())
    return NodePage(
        node=node,
        curie=curie(node),
        label=kb.label(node),
        kind=kind,
        definition=info.definition if info else "",
        synonyms=synonyms,
        xrefs=tuple(xref_link(x) for x in (info.xrefs if info else ())),
        facts=tuple(facts),
        sections=tuple(s for s in sections if s.relations),
        management=management,
        sources=_sources(info.sources if info else ()),
        id_link=node_link(node),
    )
