"""The knowledge base: typed views and indexes over the networkx graph, shared read-only.

Built by :func:`graph.kb.build.build_knowledge_base`, loaded (and cached) by
:func:`graph.kb.knowledge.load_knowledge_base`.  It is a frozen dataclass, shared by every session of the
app: no field is reassigned after it is built, and nothing in the package writes into its tables.
What is derived from it for speed lives outside it: the ranker's score tables
(:mod:`graph.kb.scoretables`) and the HPO index's ancestry memo, both filled only by adding entries (one
atomic ``setdefault`` each), which never change an answer.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> kb.label("http://purl.obolibrary.org/obo/HP_0001945")
'Fever'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model.errors import OntologyError
from ..model.ids import curie
from ..model.text import PhraseIndex
from .hpo import HpoIndex

if TYPE_CHECKING:  # networkx is imported only where the graph is built or used, not to load the cache
    import networkx as nx

from ..model.types import (
    Agent,
    AgentAssociation,
    AlertRule,
    CausalityScales,
    Cause,
    ContextAssociation,
    DiagnosticTest,
    ExpectedSituation,
    FindingAssociation,
    FindingInfo,
    LabRule,
    NeutropeniaThreshold,
    NodeInfo,
    OnsetBand,
    PriorModifier,
    SeverityGrade,
)
from ..model.units import CaseRules

__all__ = ["KnowledgeBase"]


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """Everything the ranker reads, built once and shared read-only (see module docstring)."""

    graph: nx.MultiDiGraph
    hpo: HpoIndex
    version: str
    metadata: dict[str, tuple[str, ...]]
    files: tuple[str, ...]
    causes: dict[str, Cause]
    agents: dict[str, Agent]
    findings: dict[str, FindingInfo]
    tests: dict[str, DiagnosticTest]
    treatments: dict[str, NodeInfo]
    contexts: dict[str, NodeInfo]
    #: exposures (chemotherapy named without agents) after which the count is expected to fall
    myelosuppressive_contexts: frozenset[str]
    ancestry_groups: dict[str, NodeInfo]
    labels: dict[str, str]
    finding_assocs: dict[str, tuple[FindingAssociation, ...]]
    agent_assocs: dict[str, tuple[AgentAssociation, ...]]
    context_assocs: dict[str, tuple[ContextAssociation, ...]]
    priors: dict[str, tuple[PriorModifier, ...]]
    lab_rules: tuple[LabRule, ...]
    grades: tuple[SeverityGrade, ...]
    thresholds: tuple[NeutropeniaThreshold, ...]
    onset_bands: tuple[OnsetBand, ...]
    #: HPO onset term -> (min, max) age in years that it covers
    onset_ranges: dict[str, tuple[float, float]]
    #: term -> P(term) among neutropenic patients: curated, else the LIRICAL-style mean over causes
    term_background: dict[str, float]
    #: model parameter code -> its sources (shown with the prior terms it sets)
    param_sources: dict[str, tuple[str, ...]]
    #: the onset assumed for a congenital cause with no onset data, if the model names one
    default_onset: str | None
    #: modes of inheritance under which a cause is mostly one of males
    male_predominant_inheritance: frozenset[str]
    #: the label of the congenital category (whose causes get the default onset)
    congenital_category: str
    alert_rules: tuple[AlertRule, ...]
    params: dict[str, float]
    premise_finding: str
    drug_names: dict[str, tuple[str, ...]]
    drug_index: PhraseIndex
    concept_index: PhraseIndex
    test_index: PhraseIndex
    ancestry_index: PhraseIndex
    #: finding -> the associations (of any cause) about exactly that finding
    assocs_at: dict[str, tuple[FindingAssociation, ...]] = field(default_factory=dict)
    #: term -> the associations (of any cause) whose finding is that term or one of its descendants
    assocs_below: dict[str, tuple[FindingAssociation, ...]] = field(default_factory=dict)
    #: association id -> (clamped frequency, log LR when present, log LR when absent, finding depth)
    assoc_weights: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    #: association id -> (early phase in days, clamped early frequency, log LR present, log LR absent), for
    #: associations whose test is less sensitive early in the illness (``nkg:earlyFrequency``)
    early_weights: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    #: (word, "germline" or "somatic"): the words that say where a reported gene variant arose
    variant_origin_words: tuple[tuple[str, str], ...] = ()
    #: (word, "monoallelic", "biallelic" or "hemizygous"): the words that say how many copies of a gene a
    #: reported variant is in
    zygosity_words: tuple[tuple[str, str], ...] = ()
    #: the modes of inheritance that need a variant in both copies of the gene (autosomal recessive)
    biallelic_inheritance: frozenset[str] = frozenset()
    #: words that put an acute episode in the past (``nkg:PastEpisode``), and the findings and conditions
    #: that are acute episodes (``nkg:acuteEpisode``): "previous pneumonia" says nothing of the present illness
    past_episode_words: tuple[str, ...] = ()
    acute_episodes: frozenset[str] = frozenset()
    #: words by which a test for an infection says it looks for the agent or a recent antibody (PCR, antigen,
    #: IgM: ``nkg:CurrentInfection``) and words by which it can say a past infection (IgG: ``nkg:PastInfection``)
    current_infection_words: tuple[str, ...] = ()
    past_infection_words: tuple[str, ...] = ()
    #: (pattern, canonical word) by which a result says what the rules read as "low", "positive" ...
    #: (``nkg:ResultWord``), and the words that introduce a stated reference range (``nkg:ReferenceRange``)
    result_words: tuple[tuple[str, str], ...] = ()
    reference_range_words: tuple[str, ...] = ()
    #: regular expressions by which a whole item says that nothing of note was found (``nkg:NothingFound``:
    #: "unremarkable", "no family history"), for :func:`graph.model.text.states_nothing_found`
    nothing_found_phrases: tuple[str, ...] = ()
    #: names known to bear on no cause (``nkg:KnownTest``, ``nkg:DrugClass``), and the index of their names
    known_terms: dict[str, NodeInfo] = field(default_factory=dict)
    known_term_index: PhraseIndex = field(default_factory=lambda: PhraseIndex({}))
    #: drug names bucketed by length, for fuzzy matching
    drug_names_by_length: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: how a case's numbers are read: working units, possible ranges, unit conversions (model.ttl)
    case_rules: CaseRules = field(default_factory=lambda: CaseRules({}, ()))
    #: node -> its kind ("Cause", "Finding", ...): what ranking asks of the graph, without building it
    kinds: dict[str, str] = field(default_factory=dict)
    #: situations a case's timeline predicts (the chemotherapy nadir), said plainly beside the alerts
    situations: tuple[ExpectedSituation, ...] = ()
    #: the drug node that stands for every recognised drug no cause links (``nkg:standsForUnlistedDrugs``)
    unlisted_drug: str | None = None
    #: the drug causality questions, WHO-UMC categories and Naranjo bands (graph/workup/causality.py)
    causality: CausalityScales = field(default_factory=CausalityScales)

    def hits_at_or_above(self, finding: str) -> dict[str, FindingAssociation]:
        """cause -> the association a present ``finding`` counts for: on the finding or an ancestor, the
        most specific, then the one with the larger likelihood ratio, then by id.  The ranker keeps the
        answer per finding in its score tables (:func:`graph.kb.scoretables.score_tables`).
        """
        weights = self.assoc_weights
        best: dict[str, FindingAssociation] = {}
        for term in sorted(self.hpo.ancestors(finding)):
            for assoc in self.assocs_at.get(term, ()):
                other = best.get(assoc.cause)
                key = (-weights[assoc.id][3], -weights[assoc.id][1], assoc.id)
                if other is None or key < (-weights[other.id][3], -weights[other.id][1], other.id):
                    best[assoc.cause] = assoc
        return {cause: best[cause] for cause in sorted(best)}

    def label(self, node: str) -> str:
        """Human label of any node id (HPO terms included); the CURIE when it has none."""
        return self.labels.get(node) or self.hpo.labels.get(node) or curie(node)

    def param(self, code: str) -> float:
        """A model parameter's value; an OntologyError names a missing one."""
        try:
            return self.params[code]
        except KeyError:
            raise OntologyError(f"model parameter '{code}' is missing from the ontology (model.ttl)") from None

    def background(self, finding: str) -> float:
        """P(finding) among neutropenic patients: curated, else derived from the causes (see
        :func:`graph.kb.build.build_knowledge_base`), else the default for a term no cause shows."""
        value = self.term_background.get(finding)
        return value if value is not None else self.param("default_background_frequency")

    def states_neutropenia(self, finding: str) -> bool:
        """Whether a finding says the patient is neutropenic: it or an ancestor carries ``nkg:statesNeutropenia``."""
        flagged = (self.findings.get(term) for term in self.hpo.ancestors(finding))
        return any(info is not None and info.states_neutropenia for info in flagged)

    def node_info(self, node: str) -> NodeInfo | None:
        """The NodeInfo of a cause, agent, test, treatment, condition or exposure."""
        for table in (self.causes, self.agents, self.tests):
            item = table.get(node)
            if item is not None:
                return item.info
        return self.treatments.get(node) or self.contexts.get(node) or self.ancestry_groups.get(node)
