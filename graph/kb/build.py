"""Build the knowledge base from the networkx graph made by :mod:`graph.kb.bridge` (networkx only).

Every node attribute and edge is read into frozen data classes, one reader per node kind, and the
indexes the ranker needs are computed once: associations by finding and by ancestor,
per-association weights, name indexes.  Attributes and edges are named by their schema term
(:data:`graph.kb.terms.NKG`, closed and free of rdflib), so a misspelt term fails when read.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> len(kb.causes) > 60
True
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import networkx as nx

from ..model.errors import OntologyError
from ..model.ids import curie, expand, local_name
from ..model.text import PhraseIndex, normalise
from ..model.types import (
    Agent,
    AgentAssociation,
    AlertRule,
    CausalityQuestion,
    CausalityScales,
    Cause,
    ContextAssociation,
    DiagnosticTest,
    ExpectedSituation,
    FindingAssociation,
    FindingInfo,
    LabRule,
    NaranjoCategory,
    NeutropeniaThreshold,
    NodeInfo,
    OnsetBand,
    Polarity,
    PriorModifier,
    ResultRule,
    SeverityGrade,
    TestCost,
    TimingWindow,
    WhoUmcCategory,
    association_log_lrs,
)
from ..model.units import CaseRules, Conversion, MeasureRule, fold_unit
from .hpo import HpoIndex
from .kbase import KnowledgeBase
from .terms import DCTERMS, NKG, OWL, RDFS, SKOS, Term

__all__ = ["build_knowledge_base", "AGENT_KINDS", "CONTEXT_KINDS", "KNOWN_TERM_KINDS"]

AGENT_KINDS = (NKG.Drug, NKG.Organism, NKG.Gene)
CONTEXT_KINDS = (NKG.Condition, NKG.Exposure)
#: kinds of names a case may use that bear on no cause: recognised and reported as such
KNOWN_TERM_KINDS = (NKG.KnownTest, NKG.DrugClass)


# ---------------------------------------------------------------- reading node attributes


@cache
def _name(term: Term) -> str:
    """The attribute or edge key :mod:`graph.kb.bridge` gives a term: its local name."""
    return local_name(str(term))


def _attr(G: nx.MultiDiGraph, node: str, name: str) -> list[Any]:
    """The values of the attribute ``name`` (a key the data names, as an agent flag)."""
    return list(G._node[node].get(name, ()))  # the node table itself, without a view per read


def _values(G: nx.MultiDiGraph, node: str, term: Term) -> list[Any]:
    """The literal values of ``term`` on ``node``."""
    return _attr(G, node, _name(term))


def _text(G: nx.MultiDiGraph, node: str, term: Term, default: str = "") -> str:
    """The first value of ``term`` as text, else ``default``."""
    values = _values(G, node, term)
    return str(values[0]) if values else default


def _number(G: nx.MultiDiGraph, node: str, term: Term, required: bool = False) -> float | None:
    """The first value of ``term`` as a number (``None`` if absent and not required)."""
    values = _values(G, node, term)
    if not values:
        if required:
            raise OntologyError(f"{curie(node)} has no nkg:{_name(term)}; add it (a number)")
        return None
    try:
        return float(values[0])
    except (TypeError, ValueError):
        raise OntologyError(f"{curie(node)} has nkg:{_name(term)} {values[0]!r}, which is not a number") from None


def _is_true(values: list[Any]) -> bool:
    """Whether the first of ``values`` says true."""
    return bool(values) and str(values[0]).lower() in ("true", "1")


def _flag(G: nx.MultiDiGraph, node: str, term: Term) -> bool:
    """Whether ``term`` is set true on ``node``."""
    return _is_true(_values(G, node, term))


def _targets(G: nx.MultiDiGraph, node: str, term: Term) -> list[str]:
    """The nodes ``term`` links ``node`` to, sorted."""
    key = _name(term)
    # the graph's own adjacency (node -> target -> key -> data), read without building a view per edge;
    # a key is unique per (node, target)
    return sorted(v for v, keys in G._succ[node].items() if key in keys)


def _target(G: nx.MultiDiGraph, node: str, term: Term, required: bool = True) -> str | None:
    """The first node ``term`` links ``node`` to (an error if required and absent)."""
    found = _targets(G, node, term)
    if not found and required:
        raise OntologyError(f"{curie(node)} has no nkg:{_name(term)}; add it")
    return found[0] if found else None


def _sources(G: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    """The sources (``dcterms:source``) of ``node``."""
    return tuple(str(s) for s in _values(G, node, DCTERMS.source))


def _label(G: nx.MultiDiGraph, node: str) -> str:
    """The label of ``node``, else its CURIE."""
    return _text(G, node, RDFS.label, curie(node))


def _code(G: nx.MultiDiGraph, node: str) -> str:
    """The code of ``node``, else its CURIE."""
    return _text(G, node, NKG.code, curie(node))


def _rank(G: nx.MultiDiGraph, node: str) -> int:
    """The required ``nkg:rank`` of ``node``."""
    return int(_number(G, node, NKG.rank, required=True) or 0)


def _info(G: nx.MultiDiGraph, node: str) -> NodeInfo:
    """The common description of a node: kind, label, synonyms, xrefs, definition, sources."""
    return NodeInfo(
        id=node,
        kind=G._node[node].get("kind", "Unknown"),
        label=_label(G, node),
        synonyms=tuple(str(s) for s in _values(G, node, SKOS.altLabel)),
        xrefs=tuple(str(x) for x in _values(G, node, NKG.xref)),
        definition=_text(G, node, SKOS.definition),
        sources=_sources(G, node),
    )


#: graph -> kind -> its nodes in the node table's order; filled once per build (:func:`build_knowledge_base`
#: drops a graph's entry first), where a scan of every node per kind asked for cost a seventh of the build
_KIND_TABLES: weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[Any, list[str]]] = weakref.WeakKeyDictionary()


def _kind_table(G: nx.MultiDiGraph) -> dict[Any, list[str]]:
    table = _KIND_TABLES.get(G)
    if table is None:
        grouped: dict[Any, list[str]] = defaultdict(list)
        for n, data in G._node.items():  # the node table, without views
            grouped[data.get("kind")].append(n)
        table = _KIND_TABLES[G] = dict(grouped)
    return table


def _nodes_of(G: nx.MultiDiGraph, *kinds: Term) -> list[str]:
    """The nodes of any of ``kinds``, sorted (a node has one kind)."""
    table = _kind_table(G)
    return sorted(n for name in {_name(kind) for kind in kinds} for n in table.get(name, ()))


def _labels_of(G: nx.MultiDiGraph, kind: Term) -> dict[str, str]:
    """node -> label for every node of ``kind``."""
    return {n: _text(G, n, RDFS.label) for n in _nodes_of(G, kind)}


def _age_band(G: nx.MultiDiGraph, node: str) -> tuple[float, float]:
    """The (min, max) age in years of ``node``, open ends as 0 and 200."""
    low = _number(G, node, NKG.minAgeYears)
    high = _number(G, node, NKG.maxAgeYears)
    return (0.0 if low is None else low, 200.0 if high is None else high)


_ANCHORS = {str(NKG.SinceStart): "start", str(NKG.SinceLastDose): "last_dose"}
_POLARITY: dict[str, Polarity] = {str(NKG.Supports): "supports", str(NKG.Opposes): "opposes"}
_VARIANT_ORIGIN = {str(NKG.Germline): "germline", str(NKG.Somatic): "somatic"}
_ZYGOSITY = {str(NKG.Monoallelic): "monoallelic", str(NKG.Biallelic): "biallelic", str(NKG.Hemizygous): "hemizygous"}


def _window(G: nx.MultiDiGraph, node: str) -> TimingWindow:
    """The timing window ``node``."""
    anchor = _target(G, node, NKG.anchor)
    if anchor not in _ANCHORS:
        raise OntologyError(f"{curie(node)}: nkg:anchor must be nkg:SinceStart or nkg:SinceLastDose")
    return TimingWindow(
        id=node,
        label=_label(G, node),
        anchor=_ANCHORS[anchor],  # type: ignore[arg-type]
        typical_min=_number(G, node, NKG.typicalMinDays, required=True) or 0.0,
        typical_max=_number(G, node, NKG.typicalMaxDays, required=True) or 0.0,
        plausible_max=_number(G, node, NKG.plausibleMaxDays, required=True) or 0.0,
        stopped_grace=_number(G, node, NKG.stoppedGraceDays),
        sources=_sources(G, node),
        late_tail=_number(G, node, NKG.lateTailExponent),
    )


# ---------------------------------------------------------------- one reader per node kind


def _test_costs(G: nx.MultiDiGraph) -> dict[str, TestCost]:
    """test -> its cost band and invasiveness (``nkg:TestCost`` nodes; the first by id if a test has two)."""
    costs: dict[str, TestCost] = {}
    for node in _nodes_of(G, NKG.TestCost):
        test = _target(G, node, NKG.forTest)
        band = _target(G, node, NKG.costBand)
        invasiveness = _target(G, node, NKG.invasiveness)
        if test is None or band is None or invasiveness is None or test in costs:
            continue
        costs[test] = TestCost(
            band=_label(G, band),
            band_rank=_rank(G, band),
            invasiveness=_label(G, invasiveness),
            invasiveness_rank=_rank(G, invasiveness),
            estimate=_flag(G, node, NKG.estimate),
            rationale=_text(G, node, RDFS.comment),
            sources=_sources(G, node),
        )
    return costs


def _situations(G: nx.MultiDiGraph, flagged: Callable[[str], frozenset[str]]) -> tuple[ExpectedSituation, ...]:
    """The expected situations, each with the drugs and exposures that carry its flag (``flagged(flag)``)."""
    situations = []
    for node in _nodes_of(G, NKG.ExpectedSituation):
        flag = _text(G, node, NKG.afterFlaggedAgent)
        situations.append(
            ExpectedSituation(
                id=node,
                code=_code(G, node),
                label=_label(G, node),
                flag=flag,
                window=_window(G, _target(G, node, NKG.expectedWithin) or ""),
                agents=flagged(flag),
                message=_text(G, node, NKG.situationMessage),
                management=_text(G, node, NKG.managementPointer),
                sources=_sources(G, node),
            )
        )
    return tuple(situations)


def _causality_question(G: nx.MultiDiGraph, node: str) -> CausalityQuestion:
    """The causality question ``node``, with its points per answer."""
    return CausalityQuestion(
        id=node,
        code=_code(G, node),
        rank=_rank(G, node),
        label=_label(G, node),
        question=_text(G, node, NKG.question),
        points_yes=_number(G, node, NKG.pointsYes, required=True) or 0.0,
        points_no=_number(G, node, NKG.pointsNo, required=True) or 0.0,
        points_unknown=_number(G, node, NKG.pointsUnknown, required=True) or 0.0,
        reader=_text(G, node, NKG.readBy) or None,
        sources=_sources(G, node),
    )


def _who_umc_category(G: nx.MultiDiGraph, node: str, codes: Mapping[str, str]) -> WhoUmcCategory:
    """The WHO-UMC category ``node``, its criteria as (question code, answer); ``codes``: question -> code."""
    requires = []
    for criterion in _targets(G, node, NKG.requiresAnswer):
        question = _target(G, criterion, NKG.onQuestion) or ""
        if question not in codes:
            raise OntologyError(f"{curie(criterion)}: nkg:onQuestion must name a nkg:CausalityQuestion")
        requires.append((codes[question], _text(G, criterion, NKG.answer, "yes")))
    return WhoUmcCategory(
        id=node,
        code=_code(G, node),
        label=_label(G, node),
        rank=_rank(G, node),
        definition=_text(G, node, SKOS.definition),
        requires=tuple(sorted(requires)),
        sources=_sources(G, node),
    )


def _naranjo_category(G: nx.MultiDiGraph, node: str) -> NaranjoCategory:
    """The Naranjo band ``node`` with its score range."""
    return NaranjoCategory(
        id=node,
        code=_code(G, node),
        label=_label(G, node),
        min_score=_number(G, node, NKG.minScore),
        max_score=_number(G, node, NKG.maxScore),
        definition=_text(G, node, SKOS.definition),
        sources=_sources(G, node),
    )


def _causality(G: nx.MultiDiGraph) -> CausalityScales:
    """The causality questions, WHO-UMC categories and Naranjo bands, each in its stated order."""
    questions = [_causality_question(G, node) for node in _nodes_of(G, NKG.CausalityQuestion)]
    codes = {q.id: q.code for q in questions}
    who = [_who_umc_category(G, node, codes) for node in _nodes_of(G, NKG.WhoUmcCategory)]
    naranjo = [_naranjo_category(G, node) for node in _nodes_of(G, NKG.NaranjoCategory)]
    return CausalityScales(
        tuple(sorted(questions, key=lambda q: (q.rank, q.code))),
        tuple(sorted(who, key=lambda c: (c.rank, c.code))),
        tuple(sorted(naranjo, key=lambda c: (-(c.min_score if c.min_score is not None else -math.inf), c.code))),
    )


def _case_rules(G: nx.MultiDiGraph) -> CaseRules:
    """The measures (working unit, possible range) and unit conversions of model.ttl."""
    measures = {}
    for node in _nodes_of(G, NKG.Measure):
        code = _code(G, node)
        measures[code] = MeasureRule(
            code,
            _text(G, node, RDFS.label, code),
            _text(G, node, NKG.unit),
            _number(G, node, NKG.minValue, required=True) or 0.0,
            _number(G, node, NKG.maxValue, required=True) or 0.0,
            _number(G, node, NKG.leastNonZero),
            _flag(G, node, NKG.handCountable),
        )
    return CaseRules(measures, tuple(_conversion(G, node) for node in _nodes_of(G, NKG.UnitConversion)))


def _conversion(G: nx.MultiDiGraph, node: str) -> Conversion:
    """The unit conversion ``node``: its spellings, target unit, factor and offset."""
    spellings = [str(s) for s in _values(G, node, NKG.fromUnit)]
    label = _text(G, node, RDFS.label, spellings[0] if spellings else curie(node))
    return Conversion(
        tuple(fold_unit(s) for s in spellings),
        _text(G, node, NKG.unit),
        _number(G, node, NKG.factor, required=True) or 1.0,
        _number(G, node, NKG.offset) or 0.0,
        _text(G, node, NKG.measure) or None,
        label,
        label.split(" (")[0],
    )


def _finding(G: nx.MultiDiGraph, node: str, hpo: HpoIndex) -> FindingInfo:
    """The finding ``node`` (its label from HPO when the ontology gives none)."""
    return FindingInfo(
        node,
        _text(G, node, RDFS.label, hpo.label(node)),
        _number(G, node, NKG.backgroundFrequency),
        _flag(G, node, NKG.derived),
        tuple(str(s) for s in _values(G, node, SKOS.altLabel)),
        _flag(G, node, NKG.trait),
        _flag(G, node, NKG.familyHistory),
        tuple(_targets(G, node, NKG.consequenceOf)),
        tuple(_targets(G, node, NKG.mediatedBy)),
        tuple(str(s) for s in _values(G, node, NKG.negatedLabel)),
        _flag(G, node, NKG.statesNeutropenia),
        _number(G, node, NKG.backgroundGivenOrigin),
        _number(G, node, NKG.observableFromAge),
    )


def _findings(G: nx.MultiDiGraph, hpo: HpoIndex) -> dict[str, FindingInfo]:
    """The findings of the ontology; each local or re-parented term, and each synonym, is added to ``hpo``."""
    findings: dict[str, FindingInfo] = {}
    preferred: dict[str, tuple[str, ...]] = {}
    for node in _nodes_of(G, NKG.Finding):
        info = findings[node] = _finding(G, node, hpo)
        broader = _targets(G, node, NKG.broader)
        if node not in hpo or broader:
            hpo.add_term(node, info.label, info.synonyms, broader)
        if info.synonyms:
            preferred[node] = info.synonyms
    hpo.prefer_names(preferred)  # the ontology's phrases ("febrile", "sore throat") win over HPO synonyms
    return findings


def _cause(G: nx.MultiDiGraph, node: str, mechanisms: Mapping[str, str], categories: Mapping[str, str]) -> Cause:
    """The cause ``node``, its mechanism and category by label (``mechanisms``, ``categories``)."""
    mechanism = _target(G, node, NKG.mechanism) or ""
    category = _target(G, node, NKG.category) or ""
    return Cause(
        info=_info(G, node),
        mechanism=mechanisms.get(mechanism, curie(mechanism)),
        category=categories.get(category, curie(category)),
        prevalence=_number(G, node, NKG.prevalence, required=True) or 0.0,
        requires_agent=_flag(G, node, NKG.requiresAgent),
        tests=tuple(_targets(G, node, NKG.confirmedBy)),
        treatments=tuple(_targets(G, node, NKG.treatedWith)),
        management=_text(G, node, NKG.managementNote),
        onset=tuple(_targets(G, node, NKG.onset)),
        inheritance=tuple(_targets(G, node, NKG.inheritance)),
        defining_features=tuple(sorted(_targets(G, node, NKG.definingFeature))),
    )


def _agent(G: nx.MultiDiGraph, node: str) -> Agent:
    """The drug, organism or gene ``node``."""
    return Agent(
        _info(G, node),
        _text(G, node, NKG.drugClass),
        _flag(G, node, NKG.agranulocytosisRisk),
        _flag(G, node, NKG.myelosuppressive),
        tuple(sorted(_targets(G, node, NKG.usualIndication))),
        tuple(sorted(_targets(G, node, NKG.deliversTreatment))),
    )


def _result_rule(G: nx.MultiDiGraph, rule: str) -> ResultRule:
    """The result-reading rule ``rule`` of a diagnostic test (present unless it says otherwise)."""
    present = _values(G, rule, NKG.findingPresent)
    return ResultRule(
        id=rule,
        pattern=_text(G, rule, NKG.pattern) or None,
        below=_number(G, rule, NKG.below),
        above=_number(G, rule, NKG.above),
        finding=_target(G, rule, NKG.finding, required=False),
        present=not present or _is_true(present),
        organism=_target(G, rule, NKG.indicatesAgent, required=False),
    )


def _tests(G: nx.MultiDiGraph) -> dict[str, DiagnosticTest]:
    """The diagnostic tests with their result rules and cost."""
    costs = _test_costs(G)
    return {
        node: DiagnosticTest(
            _info(G, node),
            tuple(_result_rule(G, rule) for rule in _targets(G, node, NKG.hasResultRule)),
            costs.get(node),
        )
        for node in _nodes_of(G, NKG.DiagnosticTest)
    }


def _infos(G: nx.MultiDiGraph, *kinds: Term) -> dict[str, NodeInfo]:
    """node -> its common description, for every node of ``kinds``."""
    return {node: _info(G, node) for node in _nodes_of(G, *kinds)}


@dataclass(frozen=True)
class _Nodes:
    """The entities of the ontology, one table per node kind."""

    findings: dict[str, FindingInfo]
    causes: dict[str, Cause]
    agents: dict[str, Agent]
    tests: dict[str, DiagnosticTest]
    contexts: dict[str, NodeInfo]
    treatments: dict[str, NodeInfo]
    ancestry_groups: dict[str, NodeInfo]
    known_terms: dict[str, NodeInfo]
    categories: dict[str, str]


def _read_nodes(G: nx.MultiDiGraph, hpo: HpoIndex) -> _Nodes:
    """Every entity of the ontology (findings first: they extend ``hpo``)."""
    findings = _findings(G, hpo)
    mechanisms, categories = _labels_of(G, NKG.Mechanism), _labels_of(G, NKG.Category)
    return _Nodes(
        findings=findings,
        causes={node: _cause(G, node, mechanisms, categories) for node in _nodes_of(G, NKG.Cause)},
        agents={node: _agent(G, node) for node in _nodes_of(G, *AGENT_KINDS)},
        tests=_tests(G),
        contexts=_infos(G, *CONTEXT_KINDS),
        treatments=_infos(G, NKG.Treatment),
        ancestry_groups=_infos(G, NKG.AncestryGroup),
        known_terms=_infos(G, *KNOWN_TERM_KINDS),
        categories=categories,
    )


# ---------------------------------------------------------------- associations


def _finding_association(G: nx.MultiDiGraph, node: str) -> FindingAssociation:
    """The finding association ``node`` (an unstated polarity reads "supports" until resolved)."""
    polarity = _target(G, node, NKG.polarity, required=False)
    return FindingAssociation(
        node,
        _target(G, node, NKG.cause) or "",
        _target(G, node, NKG.finding) or "",
        _number(G, node, NKG.frequency, required=True) or 0.0,
        _POLARITY.get(polarity or "", "supports"),
        _sources(G, node),
        _number(G, node, NKG.earlyFrequency),
        _number(G, node, NKG.earlyPhaseDays),
    )


def _agent_association(G: nx.MultiDiGraph, node: str) -> AgentAssociation:
    """The agent association ``node``, with its timing window if it has one."""
    window = _target(G, node, NKG.timingWindow, required=False)
    return AgentAssociation(
        node,
        _target(G, node, NKG.cause) or "",
        _target(G, node, NKG.agent) or "",
        _number(G, node, NKG.likelihoodRatio, required=True) or 1.0,
        _window(G, window) if window else None,
        _sources(G, node),
        _VARIANT_ORIGIN.get(_target(G, node, NKG.variantOrigin, required=False) or ""),
    )


def _context_association(G: nx.MultiDiGraph, node: str) -> ContextAssociation:
    """The context association ``node``, with its timing window if it has one."""
    window = _target(G, node, NKG.timingWindow, required=False)
    return ContextAssociation(
        node,
        _target(G, node, NKG.context) or "",
        _target(G, node, NKG.cause) or "",
        _number(G, node, NKG.likelihoodRatio, required=True) or 1.0,
        _sources(G, node),
        _flag(G, node, NKG.standsForExposure),
        _window(G, window) if window else None,
    )


def _prior_modifier(G: nx.MultiDiGraph, node: str) -> PriorModifier:
    """The prior modifier ``node``; its age band only if it states one."""
    low, high = _age_band(G, node)
    has_age = bool(_values(G, node, NKG.minAgeYears) or _values(G, node, NKG.maxAgeYears))
    return PriorModifier(
        node,
        _target(G, node, NKG.cause) or "",
        _number(G, node, NKG.multiplier, required=True) or 1.0,
        low if has_age else None,
        high if has_age else None,
        _text(G, node, NKG.sex) or None,
        _target(G, node, NKG.ancestryGroup, required=False),
        _sources(G, node),
    )


def _grouped(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, tuple[Any, ...]]:
    """``items`` grouped by ``key``, groups and items in the order given."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return {k: tuple(v) for k, v in groups.items()}


def _with_unannotated(
    findings: dict[str, FindingInfo], assocs: Iterable[FindingAssociation], hpo: HpoIndex
) -> dict[str, FindingInfo]:
    """``findings`` and, after them, every finding an association names that the ontology does not describe."""
    known = dict(findings)
    for assoc in assocs:
        if assoc.finding not in known:
            known[assoc.finding] = FindingInfo(assoc.finding, hpo.label(assoc.finding))
    return known


def _resolve_polarity(
    G: nx.MultiDiGraph, assoc: FindingAssociation, findings: Mapping[str, FindingInfo], default_bg: float
) -> FindingAssociation:
    """``assoc`` with an unstated polarity derived: supports if the finding is commoner with the cause."""
    if any(target in _POLARITY for target in _targets(G, assoc.id, NKG.polarity)):
        return assoc
    bg = findings[assoc.finding].background or default_bg
    return replace(assoc, polarity="supports" if assoc.frequency >= bg else "opposes")


def _by_term(
    assocs: Mapping[str, tuple[FindingAssociation, ...]], hpo: HpoIndex
) -> tuple[dict[str, tuple[FindingAssociation, ...]], dict[str, tuple[FindingAssociation, ...]]]:
    """The associations on each term, and those on each term or below it, causes in sorted order."""
    at: dict[str, list[FindingAssociation]] = defaultdict(list)
    below: dict[str, list[FindingAssociation]] = defaultdict(list)
    for cause in sorted(assocs):
        for assoc in assocs[cause]:
            at[assoc.finding].append(assoc)
            for term in hpo.ancestors(assoc.finding):
                below[term].append(assoc)
    # terms in sorted order: an ancestor set's order depends on the hash seed, the compiled copy must not
    return {k: tuple(at[k]) for k in sorted(at)}, {k: tuple(below[k]) for k in sorted(below)}


def _weights(
    assocs: Mapping[str, tuple[FindingAssociation, ...]],
    backgrounds: Mapping[str, float],
    hpo: HpoIndex,
    params: Mapping[str, float],
) -> tuple[dict[str, tuple[float, float, float, int]], dict[str, tuple[float, float, float, float]]]:
    """Per association: (clamped frequency, log LRs present and absent, finding depth), and the early-phase weights."""
    floor = params.get("frequency_floor", 0.01)
    default_bg = params.get("default_background_frequency", 0.05)
    weights: dict[str, tuple[float, float, float, int]] = {}
    early: dict[str, tuple[float, float, float, float]] = {}
    for cause_assocs in assocs.values():
        for assoc in cause_assocs:
            p = min(max(assoc.frequency, floor), 1 - floor)
            bg = backgrounds.get(assoc.finding, default_bg)
            lr_present, lr_absent = association_log_lrs(p, bg, assoc.polarity)
            weights[assoc.id] = (p, lr_present, lr_absent, len(hpo.ancestors(assoc.finding)))
            if assoc.early_frequency is not None and assoc.early_days is not None:
                p = min(max(assoc.early_frequency, floor), 1 - floor)
                lr_present, lr_absent = association_log_lrs(p, bg, assoc.polarity)
                early[assoc.id] = (assoc.early_days, p, lr_present, lr_absent)
    return weights, early


@dataclass(frozen=True)
class _Links:
    """The associations of causes with findings, agents and contexts, their priors, indexes and weights."""

    findings: dict[str, FindingInfo]
    finding_assocs: dict[str, tuple[FindingAssociation, ...]]
    agent_assocs: dict[str, tuple[AgentAssociation, ...]]
    context_assocs: dict[str, tuple[ContextAssociation, ...]]
    priors: dict[str, tuple[PriorModifier, ...]]
    assocs_at: dict[str, tuple[FindingAssociation, ...]]
    assocs_below: dict[str, tuple[FindingAssociation, ...]]
    term_background: dict[str, float]
    assoc_weights: dict[str, tuple[float, float, float, int]]
    early_weights: dict[str, tuple[float, float, float, float]]


def _expand_category_associations(G: nx.MultiDiGraph) -> None:
    """Give every cause of a category the finding associations its category states (``nkg:CategoryAssociation``),
    unless the cause has its own association with that finding, which overrides it.

    Each becomes an ordinary finding association node, ``<category association>--<cause>``, with the
    category association's frequency, sources and notes, and an ``nkg:derivedFrom`` edge back to it, so
    that ranking, explanations and cause pages treat it like any other.  The files hold only the one
    category association a curator edits.
    """
    category_associations = _nodes_of(G, NKG.CategoryAssociation)
    if not category_associations:
        return
    cause_key, category_key = _name(NKG.cause), _name(NKG.category)
    own = {
        (_target(G, node, NKG.cause, required=False), _target(G, node, NKG.finding, required=False))
        for node in _nodes_of(G, NKG.FindingAssociation)
    }
    causes = _nodes_of(G, NKG.Cause)
    kind = _name(NKG.FindingAssociation)
    for node in category_associations:
        category, finding = _target(G, node, NKG.category), _target(G, node, NKG.finding)
        attributes = {name: list(values) for name, values in G._node[node].items() if name != "kind"}
        links = sorted((target, key) for target, keys in G._succ[node].items() for key in keys if key != category_key)
        for cause in causes:
            if (cause, finding) in own or _target(G, cause, NKG.category, required=False) != category:
                continue
            derived = f"{node}--{local_name(cause)}"
            G.add_node(derived, kind=kind, **attributes)
            for target, key in links:
                G.add_edge(derived, target, key=key)
            G.add_edge(derived, cause, key=cause_key)
            G.add_edge(derived, node, key=_name(NKG.derivedFrom))
    _KIND_TABLES.pop(G, None)  # the finding associations added are read by kind from here on


def _read_links(G: nx.MultiDiGraph, nodes: _Nodes, hpo: HpoIndex, params: Mapping[str, float]) -> _Links:
    """Every association, with unstated polarities derived, indexed by term and weighted."""
    raw = [_finding_association(G, node) for node in _nodes_of(G, NKG.FindingAssociation)]
    findings = _with_unannotated(nodes.findings, raw, hpo)
    default_bg = params.get("default_background_frequency", 0.05)
    finding_assocs = {
        cause: tuple(sorted((_resolve_polarity(G, a, findings, default_bg) for a in assocs), key=lambda a: a.id))
        for cause, assocs in _grouped(raw, lambda a: a.cause).items()
    }
    agent_assocs = [_agent_association(G, node) for node in _nodes_of(G, NKG.AgentAssociation)]
    context_assocs = [_context_association(G, node) for node in _nodes_of(G, NKG.ContextAssociation)]
    floor = params.get("frequency_floor", 0.01)
    backgrounds = _term_backgrounds(finding_assocs, findings, hpo, nodes.causes, floor, dict(params))
    assocs_at, assocs_below = _by_term(finding_assocs, hpo)
    weights, early = _weights(finding_assocs, backgrounds, hpo, params)
    return _Links(
        findings=findings,
        finding_assocs=finding_assocs,
        agent_assocs=_grouped(agent_assocs, lambda a: a.agent),
        context_assocs=_grouped(context_assocs, lambda a: a.context),
        priors=_grouped((_prior_modifier(G, node) for node in _nodes_of(G, NKG.PriorModifier)), lambda p: p.cause),
        assocs_at=assocs_at,
        assocs_below=assocs_below,
        term_background=backgrounds,
        assoc_weights=weights,
        early_weights=early,
    )


# ---------------------------------------------------------------- model data (model.ttl)


def _lab_rule(G: nx.MultiDiGraph, node: str) -> LabRule:
    """The lab rule ``node``: a finding derived from a value below or above a limit."""
    low, high = _age_band(G, node)
    return LabRule(
        node,
        _text(G, node, RDFS.label),
        _text(G, node, NKG.labKey),
        _target(G, node, NKG.finding) or "",
        _number(G, node, NKG.below),
        _number(G, node, NKG.above),
        _text(G, node, NKG.sex) or None,
        low,
        high,
        _text(G, node, NKG.unit),
        _sources(G, node),
    )


def _severity_grade(G: nx.MultiDiGraph, node: str) -> SeverityGrade:
    """The severity grade ``node`` with its ANC range."""
    low, high = _age_band(G, node)
    return SeverityGrade(
        node,
        _text(G, node, RDFS.label),
        int(_number(G, node, NKG.rank) or 0),
        _number(G, node, NKG.ancAtLeast, required=True) or 0.0,
        _number(G, node, NKG.ancBelow, required=True) or 0.0,
        _target(G, node, NKG.finding) or "",
        low,
        high,
        _sources(G, node),
        tuple(_targets(G, node, NKG.statedBy)),
    )


def _threshold(G: nx.MultiDiGraph, node: str) -> NeutropeniaThreshold:
    """The neutropenia threshold ``node`` of an age band."""
    low, high = _age_band(G, node)
    return NeutropeniaThreshold(
        node,
        _text(G, node, RDFS.label),
        _number(G, node, NKG.ancBelow, required=True) or 0.0,
        low,
        high,
        _sources(G, node),
    )


def _onset_band(G: nx.MultiDiGraph, node: str) -> OnsetBand:
    """The onset band or onset age range ``node``."""
    low, high = _age_band(G, node)
    return OnsetBand(node, _text(G, node, RDFS.label), low, high, _target(G, node, NKG.finding) or "")


def _alert_rule(G: nx.MultiDiGraph, node: str, levels: Mapping[str, str]) -> AlertRule:
    """The alert rule ``node``; ``levels``: alert level -> label."""
    return AlertRule(
        id=node,
        code=_code(G, node),
        level=levels.get(_target(G, node, NKG.level) or "", "information"),
        message=_text(G, node, NKG.message),
        requires=tuple(_targets(G, node, NKG.requiresFinding)),
        requires_any=tuple(_targets(G, node, NKG.requiresAnyFinding)),
        forbids=tuple(_targets(G, node, NKG.forbidsFinding)),
        requires_any_ancestry=tuple(_targets(G, node, NKG.requiresAnyAncestry)),
        forbids_absent=tuple(_targets(G, node, NKG.forbidsAbsentFinding)),
        anc_below=_number(G, node, NKG.ancBelow),
        agent_flag=_text(G, node, NKG.requiresAgentFlag) or None,
        top_cause=_target(G, node, NKG.whenTopCause, required=False),
        min_score=_number(G, node, NKG.minScore),
        sources=_sources(G, node),
        when_count_missing=_flag(G, node, NKG.whenCountMissing),
    )


@dataclass(frozen=True)
class _Parameters:
    """The model parameters: code -> value, code -> the terms it names, code -> its sources."""

    values: dict[str, float]
    terms: dict[str, tuple[str, ...]]
    sources: dict[str, tuple[str, ...]]


def _parameters(G: nx.MultiDiGraph) -> _Parameters:
    """The ``nkg:ModelParameter`` nodes; one that names terms may have no value."""
    values: dict[str, float] = {}
    terms: dict[str, tuple[str, ...]] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for node in _nodes_of(G, NKG.ModelParameter):
        code = _code(G, node)
        sources[code] = _sources(G, node)
        named = _targets(G, node, NKG.finding)
        if named:
            terms[code] = tuple(named)
        if named and not _values(G, node, NKG.value):
            continue  # a parameter that names terms (the premise finding, the default onset)
        value = _number(G, node, NKG.value, required=True)
        values[code] = value if value is not None else 0.0
    return _Parameters(values, terms, sources)


@dataclass(frozen=True)
class _Model:
    """The model data: lab rules, severity grades, thresholds, onsets, alerts, case rules, parameters."""

    lab_rules: tuple[LabRule, ...]
    grades: tuple[SeverityGrade, ...]
    thresholds: tuple[NeutropeniaThreshold, ...]
    onset_bands: tuple[OnsetBand, ...]
    onset_ranges: dict[str, tuple[float, float]]
    alert_rules: tuple[AlertRule, ...]
    case_rules: CaseRules
    causality: CausalityScales
    parameters: _Parameters


def _read_model(G: nx.MultiDiGraph) -> _Model:
    """The model data of the ontology, each table in its stated order."""
    bands = [_onset_band(G, node) for node in _nodes_of(G, NKG.OnsetBand)]
    ranges = [_onset_band(G, node) for node in _nodes_of(G, NKG.OnsetAgeRange)]
    levels = _labels_of(G, NKG.AlertLevel)
    return _Model(
        lab_rules=tuple(_lab_rule(G, node) for node in _nodes_of(G, NKG.LabRule)),
        grades=tuple(sorted((_severity_grade(G, n) for n in _nodes_of(G, NKG.SeverityGrade)), key=lambda g: g.rank)),
        thresholds=tuple(_threshold(G, node) for node in _nodes_of(G, NKG.NeutropeniaThreshold)),
        onset_bands=tuple(sorted(bands, key=lambda b: b.min_age)),
        onset_ranges={band.finding: (band.min_age, band.max_age) for band in (*bands, *ranges)},
        alert_rules=tuple(_alert_rule(G, node, levels) for node in _nodes_of(G, NKG.AlertRule)),
        case_rules=_case_rules(G),
        causality=_causality(G),
        parameters=_parameters(G),
    )


# ---------------------------------------------------------------- names and metadata


def _names(info: NodeInfo) -> tuple[str, ...]:
    """The label and synonyms of a node."""
    return (info.label, *info.synonyms)


def _phrases(infos: Iterable[tuple[str, NodeInfo]]) -> dict[str, list[str]]:
    """name -> the nodes it names, from (node, description) pairs."""
    phrases: dict[str, list[str]] = defaultdict(list)
    for node, info in infos:
        for name in _names(info):
            phrases[name].append(node)
    return phrases


def _last_named(infos: Mapping[str, NodeInfo]) -> dict[str, list[str]]:
    """name -> the one node it names (of two nodes with a name, the later)."""
    return {name: [node] for node, info in infos.items() for name in _names(info)}


def _drug_names(agents: Mapping[str, Agent]) -> dict[str, list[str]]:
    """normalised drug name -> the drugs it names."""
    names: dict[str, list[str]] = defaultdict(list)
    for node, drug in agents.items():
        if drug.info.kind == _name(NKG.Drug):
            for name in _names(drug.info):
                key = normalise(name)
                if key and node not in names[key]:
                    names[key].append(node)
    return names


def _concept_phrases(nodes: _Nodes, findings: Mapping[str, FindingInfo], hpo: HpoIndex) -> dict[str, list[str]]:
    """name -> the causes, agents, contexts and (not derived) findings it names, HPO synonyms included."""
    phrases = _phrases(
        [
            *((node, cause.info) for node, cause in nodes.causes.items()),
            *((node, agent.info) for node, agent in nodes.agents.items()),
            *nodes.contexts.items(),
        ]
    )
    hpo_names: dict[str, list[str]] = defaultdict(list)
    for name, term in hpo.names():
        hpo_names[term].append(name)
    for node, info in findings.items():
        if info.derived:
            continue
        for name in (info.label, *info.synonyms, *hpo_names.get(node, ())):
            if len(normalise(name)) > 3:
                phrases[name].append(node)
    return phrases


def _words(G: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    """The label and synonyms of ``node``, lower-cased and sorted (none when it is absent)."""
    if node not in G:
        return ()
    return tuple(sorted({str(w).lower() for w in (*_values(G, node, RDFS.label), *_values(G, node, SKOS.altLabel))}))


def _text_cues(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The words by which a case says where a variant arose and that an acute episode is past, the
    findings and conditions that are acute episodes, and the phrases by which an item says that nothing
    of note was found."""
    return {
        "variant_origin_words": _kind_words(G, _VARIANT_ORIGIN),
        "zygosity_words": _kind_words(G, _ZYGOSITY),
        "past_episode_words": _words(G, str(NKG.PastEpisode)),
        "current_infection_words": _words(G, str(NKG.CurrentInfection)),
        "past_infection_words": _words(G, str(NKG.PastInfection)),
        "acute_episodes": frozenset(n for n in G if _flag(G, n, NKG.acuteEpisode)),
        "result_words": _result_words(G),
        "reference_range_words": tuple(
            sorted({w for node in _nodes_of(G, NKG.ReferenceRange) for w in _words(G, node)})
        ),
        "nothing_found_phrases": _nothing_found_phrases(G),
    }


def _result_words(G: nx.MultiDiGraph) -> tuple[tuple[str, str], ...]:
    """(pattern, canonical word) of every ``nkg:ResultWord``, sorted."""
    return tuple(
        sorted(
            (_text(G, node, NKG.pattern), str(_values(G, node, RDFS.label)[0]).lower())
            for node in _nodes_of(G, NKG.ResultWord)
            if _text(G, node, NKG.pattern) and _values(G, node, RDFS.label)
        )
    )


def _nothing_found_phrases(G: nx.MultiDiGraph) -> tuple[str, ...]:
    """The patterns of ``nkg:NothingFound``, sorted (none when it is absent)."""
    node = str(NKG.NothingFound)
    return tuple(sorted({str(p) for p in _values(G, node, NKG.phrasePattern)})) if node in G else ()


def _kind_words(G: nx.MultiDiGraph, kinds: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(word, kind) for the labels and synonyms of each node of ``kinds`` (node -> kind): the words that say
    where a reported variant arose (nkg:Germline, nkg:Somatic) or in how many copies (nkg:Zygosity)."""
    return tuple(
        sorted(
            (str(word).lower(), kinds[node])
            for node in kinds
            if node in G
            for word in (*_values(G, node, RDFS.label), *_values(G, node, SKOS.altLabel))
        )
    )


def _metadata(G: nx.MultiDiGraph) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The ontology's version and its sources and label (of the last ontology node by id)."""
    metadata: dict[str, tuple[str, ...]] = {}
    version = "unknown"
    for node in sorted(G):
        versions = _values(G, node, OWL.versionInfo)
        if versions and node.endswith("/ontology"):
            version = str(versions[0])
            metadata = {"sources": _sources(G, node), "label": tuple(str(s) for s in _values(G, node, RDFS.label))}
    return version, metadata


def _by_length(names: Iterable[str]) -> dict[int, tuple[str, ...]]:
    """The names bucketed by length, each bucket sorted."""
    buckets: dict[int, list[str]] = defaultdict(list)
    for name in sorted(names):
        buckets[len(name)].append(name)
    return {length: tuple(items) for length, items in buckets.items()}


def _flag_holders(G: nx.MultiDiGraph, candidates: Iterable[str]) -> Callable[[str], frozenset[str]]:
    """flag -> the ``candidates`` that carry it set true (a flag the data names, as ``myelosuppressive``)."""
    pool = tuple(candidates)
    return lambda flag: frozenset(n for n in pool if flag and _is_true(_attr(G, n, flag)))


# ---------------------------------------------------------------- building


def build_knowledge_base(G: nx.MultiDiGraph, hpo: HpoIndex, files: Iterable[str] = ()) -> KnowledgeBase:
    """Build the typed, indexed knowledge base from the networkx graph and the HPO index (freezes ``G``)."""
    _KIND_TABLES.pop(G, None)  # G may have changed since an earlier build read it
    _expand_category_associations(G)
    nodes = _read_nodes(G, hpo)
    model = _read_model(G)
    links = _read_links(G, nodes, hpo, model.parameters.values)
    nx.freeze(G)
    return _assemble(G, hpo, tuple(files), nodes, model, links)


def _assemble(
    G: nx.MultiDiGraph, hpo: HpoIndex, files: tuple[str, ...], nodes: _Nodes, model: _Model, links: _Links
) -> KnowledgeBase:
    """The knowledge base of the parts read, with its name indexes."""
    params = model.parameters
    contexts = nodes.contexts
    drug_names = _drug_names(nodes.agents)
    version, metadata = _metadata(G)
    return KnowledgeBase(
        graph=G,
        hpo=hpo,
        version=version,
        metadata=metadata,
        files=files,
        causes=nodes.causes,
        agents=nodes.agents,
        findings=links.findings,
        tests=nodes.tests,
        treatments=nodes.treatments,
        contexts=contexts,
        myelosuppressive_contexts=frozenset(n for n in contexts if _flag(G, n, NKG.myelosuppressive)),
        ancestry_groups=nodes.ancestry_groups,
        **_text_cues(G),
        labels={n: _text(G, n, RDFS.label) for n in G if _values(G, n, RDFS.label)},
        finding_assocs=links.finding_assocs,
        agent_assocs=links.agent_assocs,
        context_assocs=links.context_assocs,
        priors=links.priors,
        lab_rules=model.lab_rules,
        grades=model.grades,
        thresholds=model.thresholds,
        onset_bands=model.onset_bands,
        onset_ranges=model.onset_ranges,
        term_background=links.term_background,
        param_sources=params.sources,
        default_onset=params.terms.get("default_congenital_onset", (None,))[0],
        male_predominant_inheritance=frozenset(params.terms.get("x_linked_recessive_female_fraction", ())),
        biallelic_inheritance=frozenset(params.terms.get("carrier_variant_lr", ())),
        congenital_category=nodes.categories.get(str(NKG.Congenital), "congenital"),
        alert_rules=model.alert_rules,
        situations=_situations(G, _flag_holders(G, (*nodes.agents, *contexts))),
        causality=model.causality,
        unlisted_drug=next((n for n in sorted(nodes.agents) if _flag(G, n, NKG.standsForUnlistedDrugs)), None),
        case_rules=model.case_rules,
        params=params.values,
        premise_finding=params.terms.get("premise_finding", (expand("HP:0001875"),))[0],
        drug_names={k: tuple(v) for k, v in drug_names.items()},
        drug_index=PhraseIndex(drug_names),
        concept_index=PhraseIndex(_concept_phrases(nodes, links.findings, hpo)),
        test_index=PhraseIndex(_phrases((node, test.info) for node, test in nodes.tests.items())),
        ancestry_index=PhraseIndex(_last_named(nodes.ancestry_groups)),
        known_terms=nodes.known_terms,
        known_term_index=PhraseIndex(_phrases(nodes.known_terms.items())),
        assocs_at=links.assocs_at,
        assocs_below=links.assocs_below,
        drug_names_by_length=_by_length(drug_names),
        kinds={node: str(kind) for node, kind in G.nodes(data="kind") if kind is not None},
        assoc_weights=links.assoc_weights,
        early_weights=links.early_weights,
    )


def _term_backgrounds(
    assocs_by_cause: dict[str, tuple[FindingAssociation, ...]],
    findings: dict[str, FindingInfo],
    hpo: HpoIndex,
    causes: dict[str, Cause],
    floor: float,
    params: Mapping[str, float],
) -> dict[str, float]:
    """P(term) for every term a cause shows, at or above its annotations (the background of a likelihood ratio).

    A finding's curated ``nkg:backgroundFrequency`` wins.  Otherwise, as LIRICAL does (Robinson et al.,
    AJHG 2020, DOI:10.1016/j.ajhg.2020.06.021), the background is the mean over all causes of the
    probability that the cause shows the term or one of its descendants (noisy-OR of its annotations):
    a general term that many causes show has a high background, so a match on it is weak evidence, and
    a cause with many annotations gains little from its size.  The same mean weighted by the causes'
    prevalence (the model's own P(term) among neutropenias) is taken when larger, as is
    ``background_floor`` and the curated background of the nearest curated ancestor times
    ``descendant_background_fraction`` per step (:func:`_inherited_background`).
    """
    log_miss: dict[str, dict[str, float]] = defaultdict(dict)
    for cause in sorted(assocs_by_cause):
        for assoc in assocs_by_cause[cause]:
            if assoc.polarity != "supports":
                continue
            miss = math.log(1 - min(max(assoc.frequency, floor), 1 - floor))
            for term in hpo.ancestors(assoc.finding):
                row = log_miss[term]
                row[cause] = row.get(cause, 0.0) + miss
    lowest = params.get("background_floor", floor)
    total_prevalence = math.fsum(c.prevalence for c in causes.values()) or 1.0
    backgrounds = {}
    for term in sorted(log_miss):
        row = log_miss[term]
        shown = {cause: 1 - math.exp(row[cause]) for cause in sorted(row)}
        mean = math.fsum(shown.values()) / max(len(causes), 1)
        weighted = math.fsum(p * causes[c].prevalence for c, p in shown.items() if c in causes) / total_prevalence
        backgrounds[term] = min(max(mean, weighted, lowest), 1 - floor)
    curated = {node: info.background for node, info in findings.items() if info.background is not None}
    fraction = params.get("descendant_background_fraction")
    if fraction:
        for term in sorted(backgrounds):
            if term not in curated:
                backgrounds[term] = max(backgrounds[term], _inherited_background(term, curated, hpo, fraction))
    backgrounds.update(curated)
    return backgrounds


def _inherited_background(term: str, curated: dict[str, float], hpo: HpoIndex, fraction: float) -> float:
    """The largest curated background of the nearest curated ancestors of ``term``, times ``fraction``
    for every step up to it: a more specific term is rarer than its curated ancestor, but not as rare
    as the floor ("Cervical lymphadenopathy" under a curated "Lymphadenopathy")."""
    best, frontier, seen, steps = 0.0, list(hpo.parents.get(term, ())), {term}, 1
    while frontier:
        upward: list[str] = []
        for node in frontier:
            if node in seen:
                continue
            seen.add(node)
            if node in curated:
                best = max(best, curated[node] * fraction**steps)
            else:
                upward.extend(hpo.parents.get(node, ()))
        frontier, steps = sorted(set(upward)), steps + 1
    return best
