"""Build the knowledge base from the networkx graph made by :mod:`graph.kb.bridge` (networkx only).

Every node attribute and edge is read into frozen data classes, and the indexes the ranker needs
are computed once: associations by finding and by ancestor, per-association weights, name indexes.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> len(kb.causes) > 60
True
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import networkx as nx

from ..model.errors import OntologyError
from ..model.ids import SCHEMA, curie, expand
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

__all__ = ["build_knowledge_base", "AGENT_KINDS", "CONTEXT_KINDS", "KNOWN_TERM_KINDS"]

AGENT_KINDS = ("Drug", "Organism", "Gene")
CONTEXT_KINDS = ("Condition", "Exposure")
#: kinds of names a case may use that bear on no cause: recognised and reported as such
KNOWN_TERM_KINDS = ("KnownTest", "DrugClass")


# ---------------------------------------------------------------- reading node attributes


def _values(G: nx.MultiDiGraph, node: str, attr: str) -> list[Any]:
    return list(G.nodes[node].get(attr, ()))


def _text(G: nx.MultiDiGraph, node: str, attr: str, default: str = "") -> str:
    values = _values(G, node, attr)
    return str(values[0]) if values else default


def _number(G: nx.MultiDiGraph, node: str, attr: str, required: bool = False) -> float | None:
    values = _values(G, node, attr)
    if not values:
        if required:
            raise OntologyError(f"{curie(node)} has no nkg:{attr}; add it (a number)")
        return None
    try:
        return float(values[0])
    except (TypeError, ValueError):
        raise OntologyError(f"{curie(node)} has nkg:{attr} {values[0]!r}, which is not a number") from None


def _flag(G: nx.MultiDiGraph, node: str, attr: str) -> bool:
    values = _values(G, node, attr)
    return bool(values) and str(values[0]).lower() in ("true", "1")


def _targets(G: nx.MultiDiGraph, node: str, key: str) -> list[str]:
    return sorted(v for _, v, k in G.out_edges(node, keys=True) if k == key)


def _target(G: nx.MultiDiGraph, node: str, key: str, required: bool = True) -> str | None:
    found = _targets(G, node, key)
    if not found and required:
        raise OntologyError(f"{curie(node)} has no nkg:{key}; add it")
    return found[0] if found else None


def _info(G: nx.MultiDiGraph, node: str) -> NodeInfo:
    data = G.nodes[node]
    return NodeInfo(
        id=node,
        kind=data.get("kind", "Unknown"),
        label=_text(G, node, "label", curie(node)),
        synonyms=tuple(str(s) for s in data.get("altLabel", ())),
        xrefs=tuple(str(x) for x in data.get("xref", ())),
        definition=_text(G, node, "definition"),
        sources=tuple(str(s) for s in data.get("source", ())),
    )


def _nodes_of(G: nx.MultiDiGraph, *kinds: str) -> list[str]:
    return sorted(n for n, kind in G.nodes(data="kind") if kind in kinds)


_ANCHORS = {SCHEMA + "SinceStart": "start", SCHEMA + "SinceLastDose": "last_dose"}
_POLARITY: dict[str, Polarity] = {SCHEMA + "Supports": "supports", SCHEMA + "Opposes": "opposes"}
_VARIANT_ORIGIN = {SCHEMA + "Germline": "germline", SCHEMA + "Somatic": "somatic"}


def _window(G: nx.MultiDiGraph, node: str) -> TimingWindow:
    anchor = _target(G, node, "anchor")
    if anchor not in _ANCHORS:
        raise OntologyError(f"{curie(node)}: nkg:anchor must be nkg:SinceStart or nkg:SinceLastDose")
    return TimingWindow(
        id=node,
        label=_text(G, node, "label", curie(node)),
        anchor=_ANCHORS[anchor],  # type: ignore[arg-type]
        typical_min=_number(G, node, "typicalMinDays", required=True) or 0.0,
        typical_max=_number(G, node, "typicalMaxDays", required=True) or 0.0,
        plausible_max=_number(G, node, "plausibleMaxDays", required=True) or 0.0,
        stopped_grace=_number(G, node, "stoppedGraceDays"),
        sources=tuple(str(s) for s in _values(G, node, "source")),
        late_tail=_number(G, node, "lateTailExponent"),
    )


def _test_costs(G: nx.MultiDiGraph) -> dict[str, TestCost]:
    """test -> its cost band and invasiveness (``nkg:TestCost`` nodes; the first by id if a test has two)."""
    costs: dict[str, TestCost] = {}
    for node in _nodes_of(G, "TestCost"):
        test = _target(G, node, "forTest")
        band = _target(G, node, "costBand")
        invasiveness = _target(G, node, "invasiveness")
        if test is None or band is None or invasiveness is None or test in costs:
            continue
        costs[test] = TestCost(
            band=_text(G, band, "label", curie(band)),
            band_rank=int(_number(G, band, "rank", required=True) or 0),
            invasiveness=_text(G, invasiveness, "label", curie(invasiveness)),
            invasiveness_rank=int(_number(G, invasiveness, "rank", required=True) or 0),
            estimate=_flag(G, node, "estimate"),
            rationale=_text(G, node, "comment"),
            sources=_sources(G, node),
        )
    return costs


def _situations(G: nx.MultiDiGraph, flagged: Callable[[str], frozenset[str]]) -> tuple[ExpectedSituation, ...]:
    """The expected situations, each with the drugs and exposures that carry its flag (``flagged(flag)``)."""
    situations = []
    for node in _nodes_of(G, "ExpectedSituation"):
        flag = _text(G, node, "afterFlaggedAgent")
        situations.append(
            ExpectedSituation(
                id=node,
                code=_text(G, node, "code", curie(node)),
                label=_text(G, node, "label", curie(node)),
                flag=flag,
                window=_window(G, _target(G, node, "expectedWithin") or ""),
                agents=flagged(flag),
                message=_text(G, node, "situationMessage"),
                management=_text(G, node, "managementPointer"),
                sources=_sources(G, node),
            )
        )
    return tuple(situations)


def _causality(G: nx.MultiDiGraph) -> CausalityScales:
    """The causality questions, WHO-UMC categories and Naranjo bands, each in its stated order."""
    questions = []
    for node in _nodes_of(G, "CausalityQuestion"):
        reader = _text(G, node, "readBy")
        questions.append(
            CausalityQuestion(
                id=node,
                code=_text(G, node, "code", curie(node)),
                rank=int(_number(G, node, "rank", required=True) or 0),
                label=_text(G, node, "label", curie(node)),
                question=_text(G, node, "question"),
                points_yes=_number(G, node, "pointsYes", required=True) or 0.0,
                points_no=_number(G, node, "pointsNo", required=True) or 0.0,
                points_unknown=_number(G, node, "pointsUnknown", required=True) or 0.0,
                reader=reader or None,
                sources=_sources(G, node),
            )
        )
    codes = {q.id: q.code for q in questions}
    who = []
    for node in _nodes_of(G, "WhoUmcCategory"):
        requires = []
        for criterion in _targets(G, node, "requiresAnswer"):
            question = _target(G, criterion, "onQuestion") or ""
            if question not in codes:
                raise OntologyError(f"{curie(criterion)}: nkg:onQuestion must name a nkg:CausalityQuestion")
            requires.append((codes[question], _text(G, criterion, "answer", "yes")))
        who.append(
            WhoUmcCategory(
                id=node,
                code=_text(G, node, "code", curie(node)),
                label=_text(G, node, "label", curie(node)),
                rank=int(_number(G, node, "rank", required=True) or 0),
                definition=_text(G, node, "definition"),
                requires=tuple(sorted(requires)),
                sources=_sources(G, node),
            )
        )
    naranjo = [
        NaranjoCategory(
            id=node,
            code=_text(G, node, "code", curie(node)),
            label=_text(G, node, "label", curie(node)),
            min_score=_number(G, node, "minScore"),
            max_score=_number(G, node, "maxScore"),
            definition=_text(G, node, "definition"),
            sources=_sources(G, node),
        )
        for node in _nodes_of(G, "NaranjoCategory")
    ]
    return CausalityScales(
        tuple(sorted(questions, key=lambda q: (q.rank, q.code))),
        tuple(sorted(who, key=lambda c: (c.rank, c.code))),
        tuple(sorted(naranjo, key=lambda c: (-(c.min_score if c.min_score is not None else -math.inf), c.code))),
    )


def _age_band(G: nx.MultiDiGraph, node: str) -> tuple[float, float]:
    low = _number(G, node, "minAgeYears")
    high = _number(G, node, "maxAgeYears")
    return (0.0 if low is None else low, 200.0 if high is None else high)


def _sources(G: nx.MultiDiGraph, node: str) -> tuple[str, ...]:
    return tuple(str(s) for s in _values(G, node, "source"))


def _case_rules(G: nx.MultiDiGraph) -> CaseRules:
    """The measures (working unit, possible range) and unit conversions of model.ttl."""
    measures = {}
    for node in _nodes_of(G, "Measure"):
        code = _text(G, node, "code", curie(node))
        measures[code] = MeasureRule(
            code,
            _text(G, node, "label", code),
            _text(G, node, "unit"),
            _number(G, node, "minValue", required=True) or 0.0,
            _number(G, node, "maxValue", required=True) or 0.0,
            _number(G, node, "leastNonZero"),
            _flag(G, node, "handCountable"),
        )
    conversions = []
    for node in _nodes_of(G, "UnitConversion"):
        spellings = [str(s) for s in _values(G, node, "fromUnit")]
        label = _text(G, node, "label", spellings[0] if spellings else curie(node))
        conversions.append(
            Conversion(
                tuple(fold_unit(s) for s in spellings),
                _text(G, node, "unit"),
                _number(G, node, "factor", required=True) or 1.0,
                _number(G, node, "offset") or 0.0,
                _text(G, node, "measure") or None,
                label,
                label.split(" (")[0],
            )
        )
    return CaseRules(measures, tuple(conversions))


# ---------------------------------------------------------------- building


def build_knowledge_base(G: nx.MultiDiGraph, hpo: HpoIndex, files: Iterable[str] = ()) -> KnowledgeBase:
    """Build the typed, indexed knowledge base from the networkx graph and the HPO index."""
    labels = {n: _text(G, n, "label") for n in G if G.nodes[n].get("label")}

    findings: dict[str, FindingInfo] = {}
    preferred: dict[str, tuple[str, ...]] = {}
    for node in _nodes_of(G, "Finding"):
        synonyms = tuple(str(s) for s in _values(G, node, "altLabel"))
        label = _text(G, node, "label", hpo.label(node))
        findings[node] = FindingInfo(
            node,
            label,
            _number(G, node, "backgroundFrequency"),
            _flag(G, node, "derived"),
            synonyms,
            _flag(G, node, "trait"),
            _flag(G, node, "familyHistory"),
            tuple(_targets(G, node, "consequenceOf")),
            tuple(_targets(G, node, "mediatedBy")),
            tuple(str(s) for s in _values(G, node, "negatedLabel")),
            _flag(G, node, "statesNeutropenia"),
            _number(G, node, "backgroundGivenOrigin"),
            _number(G, node, "observableFromAge"),
        )
        broader = _targets(G, node, "broader")
        if node not in hpo or broader:
            hpo.add_term(node, label, synonyms, broader)
        if synonyms:
            preferred[node] = synonyms

    hpo.prefer_names(preferred)  # the ontology's phrases ("febrile", "sore throat") win over HPO synonyms

    mechanism_label = {n: _text(G, n, "label") for n in _nodes_of(G, "Mechanism")}
    category_label = {n: _text(G, n, "label") for n in _nodes_of(G, "Category")}
    causes: dict[str, Cause] = {}
    for node in _nodes_of(G, "Cause"):
        mechanism = _target(G, node, "mechanism")
        category = _target(G, node, "category")
        causes[node] = Cause(
            info=_info(G, node),
            mechanism=mechanism_label.get(mechanism or "", curie(mechanism or "")),
            category=category_label.get(category or "", curie(category or "")),
            prevalence=_number(G, node, "prevalence", required=True) or 0.0,
            requires_agent=_flag(G, node, "requiresAgent"),
            tests=tuple(_targets(G, node, "confirmedBy")),
            treatments=tuple(_targets(G, node, "treatedWith")),
            management=_text(G, node, "managementNote"),
            onset=tuple(_targets(G, node, "onset")),
            inheritance=tuple(_targets(G, node, "inheritance")),
            defining_features=tuple(sorted(_targets(G, node, "definingFeature"))),
        )

    agents = {
        node: Agent(
            _info(G, node),
            _text(G, node, "drugClass"),
            _flag(G, node, "agranulocytosisRisk"),
            _flag(G, node, "myelosuppressive"),
        )
        for node in _nodes_of(G, *AGENT_KINDS)
    }

    costs = _test_costs(G)
    tests: dict[str, DiagnosticTest] = {}
    for node in _nodes_of(G, "DiagnosticTest"):
        rules = []
        for rule in _targets(G, node, "hasResultRule"):
            present = _values(G, rule, "findingPresent")
            rules.append(
                ResultRule(
                    id=rule,
                    pattern=_text(G, rule, "pattern") or None,
                    below=_number(G, rule, "below"),
                    above=_number(G, rule, "above"),
                    finding=_target(G, rule, "finding", required=False),
                    present=not present or str(present[0]).lower() in ("true", "1"),
                    organism=_target(G, rule, "indicatesAgent", required=False),
                )
            )
        tests[node] = DiagnosticTest(_info(G, node), tuple(rules), costs.get(node))

    finding_assocs: dict[str, list[FindingAssociation]] = defaultdict(list)
    for node in _nodes_of(G, "FindingAssociation"):
        cause = _target(G, node, "cause")
        polarity = _target(G, node, "polarity", required=False)
        frequency = _number(G, node, "frequency", required=True) or 0.0
        finding = _target(G, node, "finding") or ""
        if finding not in findings:
            findings[finding] = FindingInfo(finding, hpo.label(finding))
        finding_assocs[cause or ""].append(
            FindingAssociation(
                node,
                cause or "",
                finding,
                frequency,
                _POLARITY.get(polarity or "", "supports"),  # unset: derived below
                _sources(G, node),
                _number(G, node, "earlyFrequency"),
                _number(G, node, "earlyPhaseDays"),
            )
        )

    agent_assocs: dict[str, list[AgentAssociation]] = defaultdict(list)
    for node in _nodes_of(G, "AgentAssociation"):
        window = _target(G, node, "timingWindow", required=False)
        agent = _target(G, node, "agent") or ""
        agent_assocs[agent].append(
            AgentAssociation(
                node,
                _target(G, node, "cause") or "",
                agent,
                _number(G, node, "likelihoodRatio", required=True) or 1.0,
                _window(G, window) if window else None,
                _sources(G, node),
                _VARIANT_ORIGIN.get(_target(G, node, "variantOrigin", required=False) or ""),
            )
        )

    context_assocs: dict[str, list[ContextAssociation]] = defaultdict(list)
    for node in _nodes_of(G, "ContextAssociation"):
        context = _target(G, node, "context") or ""
        context_assocs[context].append(
            ContextAssociation(
                node,
                context,
                _target(G, node, "cause") or "",
                _number(G, node, "likelihoodRatio", required=True) or 1.0,
                _sources(G, node),
                _flag(G, node, "standsForExposure"),
            )
        )

    priors: dict[str, list[PriorModifier]] = defaultdict(list)
    for node in _nodes_of(G, "PriorModifier"):
        low, high = _age_band(G, node)
        has_age = bool(_values(G, node, "minAgeYears") or _values(G, node, "maxAgeYears"))
        cause = _target(G, node, "cause") or ""
        priors[cause].append(
            PriorModifier(
                node,
                cause,
                _number(G, node, "multiplier", required=True) or 1.0,
                low if has_age else None,
                high if has_age else None,
                _text(G, node, "sex") or None,
                _target(G, node, "ancestryGroup", required=False),
                _sources(G, node),
            )
        )

    lab_rules = []
    for node in _nodes_of(G, "LabRule"):
        low, high = _age_band(G, node)
        lab_rules.append(
            LabRule(
                node,
                _text(G, node, "label"),
                _text(G, node, "labKey"),
                _target(G, node, "finding") or "",
                _number(G, node, "below"),
                _number(G, node, "above"),
                _text(G, node, "sex") or None,
                low,
                high,
                _text(G, node, "unit"),
                _sources(G, node),
            )
        )
    grades = []
    for node in _nodes_of(G, "SeverityGrade"):
        low, high = _age_band(G, node)
        grades.append(
            SeverityGrade(
                node,
                _text(G, node, "label"),
                int(_number(G, node, "rank") or 0),
                _number(G, node, "ancAtLeast", required=True) or 0.0,
                _number(G, node, "ancBelow", required=True) or 0.0,
                _target(G, node, "finding") or "",
                low,
                high,
                _sources(G, node),
                tuple(_targets(G, node, "statedBy")),
            )
        )
    thresholds = []
    for node in _nodes_of(G, "NeutropeniaThreshold"):
        low, high = _age_band(G, node)
        thresholds.append(
            NeutropeniaThreshold(
                node,
                _text(G, node, "label"),
                _number(G, node, "ancBelow", required=True) or 0.0,
                low,
                high,
                _sources(G, node),
            )
        )
    onset_bands = []
    onset_ranges: dict[str, tuple[float, float]] = {}
    for kind in ("OnsetBand", "OnsetAgeRange"):
        for node in _nodes_of(G, kind):
            low, high = _age_band(G, node)
            band = OnsetBand(node, _text(G, node, "label"), low, high, _target(G, node, "finding") or "")
            onset_ranges[band.finding] = (low, high)
            if kind == "OnsetBand":
                onset_bands.append(band)
    level_label = {n: _text(G, n, "label") for n in _nodes_of(G, "AlertLevel")}
    alert_rules = []
    for node in _nodes_of(G, "AlertRule"):
        alert_rules.append(
            AlertRule(
                id=node,
                code=_text(G, node, "code", curie(node)),
                level=level_label.get(_target(G, node, "level") or "", "information"),
                message=_text(G, node, "message"),
                requires=tuple(_targets(G, node, "requiresFinding")),
                requires_any=tuple(_targets(G, node, "requiresAnyFinding")),
                forbids=tuple(_targets(G, node, "forbidsFinding")),
                requires_any_ancestry=tuple(_targets(G, node, "requiresAnyAncestry")),
                forbids_absent=tuple(_targets(G, node, "forbidsAbsentFinding")),
                anc_below=_number(G, node, "ancBelow"),
                agent_flag=_text(G, node, "requiresAgentFlag") or None,
                top_cause=_target(G, node, "whenTopCause", required=False),
                min_score=_number(G, node, "minScore"),
                sources=_sources(G, node),
                when_count_missing=_flag(G, node, "whenCountMissing"),
            )
        )

    case_rules = _case_rules(G)
    params: dict[str, float] = {}
    param_findings: dict[str, tuple[str, ...]] = {}
    param_sources: dict[str, tuple[str, ...]] = {}
    for node in _nodes_of(G, "ModelParameter"):
        code = _text(G, node, "code", curie(node))
        param_sources[code] = _sources(G, node)
        terms = _targets(G, node, "finding")
        if terms:
            param_findings[code] = tuple(terms)
        if terms and not _values(G, node, "value"):
            continue  # a parameter that names terms (the premise finding, the default onset)
        value = _number(G, node, "value", required=True)
        params[code] = value if value is not None else 0.0
    premise = param_findings.get("premise_finding", (expand("HP:0001875"),))[0]

    contexts = {node: _info(G, node) for node in _nodes_of(G, *CONTEXT_KINDS)}
    treatments = {node: _info(G, node) for node in _nodes_of(G, "Treatment")}
    ancestry_groups = {node: _info(G, node) for node in _nodes_of(G, "AncestryGroup")}
    #: the words that say a reported variant is germline or somatic (skos:altLabel of nkg:Germline, nkg:Somatic)
    variant_origin_words = tuple(
        sorted(
            (str(word).lower(), _VARIANT_ORIGIN[node])
            for node in _VARIANT_ORIGIN
            if node in G
            for word in (*G.nodes[node].get("label", ()), *G.nodes[node].get("altLabel", ()))
        )
    )

    # Resolve the background of findings now that every finding is known; default polarity too.
    default_bg = params.get("default_background_frequency", 0.05)
    fixed_assocs: dict[str, tuple[FindingAssociation, ...]] = {}
    for cause, assocs in finding_assocs.items():
        fixed = []
        for assoc in assocs:
            if not G.has_edge(assoc.id, SCHEMA + "Supports", "polarity") and not G.has_edge(
                assoc.id, SCHEMA + "Opposes", "polarity"
            ):
                bg = findings[assoc.finding].background or default_bg
                assoc = replace(assoc, polarity="supports" if assoc.frequency >= bg else "opposes")
            fixed.append(assoc)
        fixed_assocs[cause] = tuple(sorted(fixed, key=lambda a: a.id))

    assocs_at: dict[str, list[FindingAssociation]] = defaultdict(list)
    assocs_below: dict[str, list[FindingAssociation]] = defaultdict(list)
    for cause in sorted(fixed_assocs):
        for assoc in fixed_assocs[cause]:
            assocs_at[assoc.finding].append(assoc)
            for term in hpo.ancestors(assoc.finding):
                assocs_below[term].append(assoc)

    drug_names: dict[str, list[str]] = defaultdict(list)
    for node, drug in agents.items():
        if drug.info.kind == "Drug":
            for name in (drug.info.label, *drug.info.synonyms):
                key = normalise(name)
                if key and node not in drug_names[key]:
                    drug_names[key].append(node)

    concept_phrases: dict[str, list[str]] = defaultdict(list)
    for table in (causes, agents):
        for node, item in table.items():
            for name in (item.info.label, *item.info.synonyms):
                concept_phrases[name].append(node)
    for node, info in contexts.items():
        for name in (info.label, *info.synonyms):
            concept_phrases[name].append(node)
    hpo_names: dict[str, list[str]] = defaultdict(list)
    for name, term in hpo.names():
        hpo_names[term].append(name)
    for node, finding_info in findings.items():
        if finding_info.derived:
            continue
        for name in (finding_info.label, *finding_info.synonyms, *hpo_names.get(node, ())):
            if len(normalise(name)) > 3:
                concept_phrases[name].append(node)
    known_terms = {node: _info(G, node) for node in _nodes_of(G, *KNOWN_TERM_KINDS)}
    known_term_phrases: dict[str, list[str]] = defaultdict(list)
    for node, info in known_terms.items():
        for name in (info.label, *info.synonyms):
            known_term_phrases[name].append(node)
    test_phrases: dict[str, list[str]] = defaultdict(list)
    for node, test in tests.items():
        for name in (test.info.label, *test.info.synonyms):
            test_phrases[name].append(node)
    ancestry_phrases = {name: [node] for node, info in ancestry_groups.items() for name in (info.label, *info.synonyms)}

    metadata: dict[str, tuple[str, ...]] = {}
    version = "unknown"
    for node in sorted(G):
        data = G.nodes[node]
        if "versionInfo" in data and node.endswith("/ontology"):
            version = str(data["versionInfo"][0])
            metadata = {
                "sources": tuple(str(s) for s in data.get("source", ())),
                "label": tuple(str(s) for s in data.get("label", ())),
            }

    nx.freeze(G)
    floor = params.get("frequency_floor", 0.01)
    term_background = _term_backgrounds(fixed_assocs, findings, hpo, causes, floor, params)
    assoc_weights: dict[str, tuple[float, float, float, int]] = {}
    early_weights: dict[str, tuple[float, float, float, float]] = {}
    for cause_assocs in fixed_assocs.values():
        for assoc in cause_assocs:
            p = min(max(assoc.frequency, floor), 1 - floor)
            bg = term_background.get(assoc.finding, default_bg)
            lr_present, lr_absent = association_log_lrs(p, bg, assoc.polarity)
            assoc_weights[assoc.id] = (p, lr_present, lr_absent, len(hpo.ancestors(assoc.finding)))
            if assoc.early_frequency is not None and assoc.early_days is not None:
                p = min(max(assoc.early_frequency, floor), 1 - floor)
                lr_present, lr_absent = association_log_lrs(p, bg, assoc.polarity)
                early_weights[assoc.id] = (assoc.early_days, p, lr_present, lr_absent)

    return KnowledgeBase(
        graph=G,
        hpo=hpo,
        version=version,
        metadata=metadata,
        files=tuple(files),
        causes=causes,
        agents=agents,
        findings=findings,
        tests=tests,
        treatments=treatments,
        contexts=contexts,
        myelosuppressive_contexts=frozenset(n for n in contexts if _flag(G, n, "myelosuppressive")),
        ancestry_groups=ancestry_groups,
        variant_origin_words=variant_origin_words,
        labels=labels,
        finding_assocs=fixed_assocs,
        agent_assocs={k: tuple(sorted(v, key=lambda a: a.id)) for k, v in agent_assocs.items()},
        context_assocs={k: tuple(sorted(v, key=lambda a: a.id)) for k, v in context_assocs.items()},
        priors={k: tuple(v) for k, v in priors.items()},
        lab_rules=tuple(lab_rules),
        grades=tuple(sorted(grades, key=lambda g: g.rank)),
        thresholds=tuple(thresholds),
        onset_bands=tuple(sorted(onset_bands, key=lambda b: b.min_age)),
        onset_ranges=onset_ranges,
        term_background=term_background,
        param_sources=param_sources,
        default_onset=param_findings.get("default_congenital_onset", (None,))[0],
        male_predominant_inheritance=frozenset(param_findings.get("x_linked_recessive_female_fraction", ())),
        congenital_category=category_label.get(SCHEMA + "Congenital", "congenital"),
        alert_rules=tuple(alert_rules),
        situations=_situations(
            G, lambda flag: frozenset(n for n in (*agents, *contexts) if flag and _flag(G, n, flag))
        ),
        causality=_causality(G),
        case_rules=case_rules,
        params=params,
        premise_finding=premise,
        drug_names={k: tuple(v) for k, v in drug_names.items()},
        drug_index=PhraseIndex(drug_names),
        concept_index=PhraseIndex(concept_phrases),
        test_index=PhraseIndex(test_phrases),
        ancestry_index=PhraseIndex(ancestry_phrases),
        known_terms=known_terms,
        known_term_index=PhraseIndex(known_term_phrases),
        assocs_at={k: tuple(v) for k, v in assocs_at.items()},
        assocs_below={k: tuple(v) for k, v in assocs_below.items()},
        drug_names_by_length=_by_length(drug_names),
        kinds={node: str(kind) for node, kind in G.nodes(data="kind") if kind is not None},
        assoc_weights=assoc_weights,
        early_weights=early_weights,
        causes_below={t: frozenset(a.cause for a in v) for t, v in assocs_below.items()},
        supporting_causes_below={
            t: frozenset(a.cause for a in v if a.polarity == "supports") for t, v in assocs_below.items()
        },
    )


def _term_backgrounds(
    assocs_by_cause: dict[str, tuple[FindingAssociation, ...]],
    findings: dict[str, FindingInfo],
    hpo: HpoIndex,
    causes: dict[str, Cause],
    floor: float,
    params: dict[str, float],
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


def _by_length(names: dict[str, list[str]]) -> dict[int, tuple[str, ...]]:
    buckets: dict[int, list[str]] = defaultdict(list)
    for name in sorted(names):
        buckets[len(name)].append(name)
    return {length: tuple(items) for length, items in buckets.items()}
