"""The schema vocabulary as a closed rdflib namespace: a misspelt term fails at once.

Mirrors ``ontology/schema.ttl``; a test checks that the two list the same terms.  The standard
vocabularies the ontology also writes in (``rdfs:``, ``skos:``, ``dcterms:``, ``owl:``) are passed on
from rdflib, closed as well, so that code on the networkx side names every term through this module.

Examples
--------
>>> str(NKG.Cause)
'https://w3id.org/neutropenia-kg/schema#Cause'
"""

from __future__ import annotations

from rdflib import namespace as _namespace
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS
from rdflib.term import URIRef

__all__ = ["NKG", "RDFS", "SKOS", "DCTERMS", "OWL", "Term"]

#: a term of any of these vocabularies (an IRI)
Term = URIRef


class NKG(_namespace.DefinedNamespace):
    """Terms of https://w3id.org/neutropenia-kg/schema#."""

    _fail = True
    _warn = False
    _NS = _namespace.Namespace("https://w3id.org/neutropenia-kg/schema#")

    AbnormalDistribution: URIRef
    Agent: URIRef
    AgentAssociation: URIRef
    AlertLevel: URIRef
    AlertRule: URIRef
    AncestryGroup: URIRef
    Association: URIRef
    Category: URIRef
    Cause: URIRef
    ChemotherapyOrRadiation: URIRef
    Condition: URIRef
    Congenital: URIRef
    ConstitutionalBenign: URIRef
    ContextAssociation: URIRef
    DecreasedProduction: URIRef
    DiagnosticTest: URIRef
    Distributional: URIRef
    Drug: URIRef
    DrugClass: URIRef
    Emergency: URIRef
    Exposure: URIRef
    Finding: URIRef
    FindingAssociation: URIRef
    Gene: URIRef
    Germline: URIRef
    Idiopathic: URIRef
    IdiosyncraticDrug: URIRef
    Immune: URIRef
    IncreasedDestruction: URIRef
    Infection: URIRef
    Information: URIRef
    KnownTest: URIRef
    LabRule: URIRef
    MarrowFailureOrInfiltration: URIRef
    Measure: URIRef
    Mechanism: URIRef
    ImportRule: URIRef
    ModelParameter: URIRef
    NeutropeniaThreshold: URIRef
    Nutritional: URIRef
    OnsetAgeRange: URIRef
    OnsetBand: URIRef
    Opposes: URIRef
    Organism: URIRef
    Polarity: URIRef
    PriorModifier: URIRef
    ResultRule: URIRef
    SeverityGrade: URIRef
    SinceLastDose: URIRef
    SinceStart: URIRef
    Somatic: URIRef
    Supports: URIRef
    TimingAnchor: URIRef
    TimingWindow: URIRef
    Treatment: URIRef
    UnitConversion: URIRef
    VariantOrigin: URIRef
    Warning: URIRef
    above: URIRef
    agent: URIRef
    agranulocytosisRisk: URIRef
    ancAtLeast: URIRef
    ancBelow: URIRef
    ancestryGroup: URIRef
    anchor: URIRef
    backgroundFrequency: URIRef
    backgroundGivenOrigin: URIRef
    below: URIRef
    broader: URIRef
    category: URIRef
    cause: URIRef
    code: URIRef
    confirmedBy: URIRef
    consequenceOf: URIRef
    context: URIRef
    definingFeature: URIRef
    derived: URIRef
    drugClass: URIRef
    factor: URIRef
    earlyFrequency: URIRef
    earlyPhaseDays: URIRef
    estimate: URIRef
    curatorCheck: URIRef
    givesCategory: URIRef
    givesMechanism: URIRef
    givesVariantOrigin: URIRef
    whenInheritance: URIRef
    whenPhenotype: URIRef
    familyHistory: URIRef
    finding: URIRef
    findingPresent: URIRef
    forbidsAbsentFinding: URIRef
    forbidsFinding: URIRef
    frequency: URIRef
    fromUnit: URIRef
    handCountable: URIRef
    hasResultRule: URIRef
    indicatesAgent: URIRef
    inheritance: URIRef
    labKey: URIRef
    lateTailExponent: URIRef
    leastNonZero: URIRef
    level: URIRef
    likelihoodRatio: URIRef
    managementNote: URIRef
    maxAgeYears: URIRef
    maxValue: URIRef
    measure: URIRef
    mechanism: URIRef
    mediatedBy: URIRef
    message: URIRef
    minAgeYears: URIRef
    minScore: URIRef
    minValue: URIRef
    multiplier: URIRef
    myelosuppressive: URIRef
    onset: URIRef
    negatedLabel: URIRef
    offset: URIRef
    pattern: URIRef
    plausibleMaxDays: URIRef
    polarity: URIRef
    prevalence: URIRef
    rank: URIRef
    requiresAgent: URIRef
    requiresAgentFlag: URIRef
    requiresAnyAncestry: URIRef
    requiresAnyFinding: URIRef
    requiresFinding: URIRef
    sex: URIRef
    standsForExposure: URIRef
    statedBy: URIRef
    statesNeutropenia: URIRef
    stoppedGraceDays: URIRef
    timingWindow: URIRef
    trait: URIRef
    treatedWith: URIRef
    typicalMaxDays: URIRef
    typicalMinDays: URIRef
    unit: URIRef
    value: URIRef
    whenCountMissing: URIRef
    variantOrigin: URIRef
    whenTopCause: URIRef
    BloodSample: URIRef
    CostBand: URIRef
    CostHigh: URIRef
    CostLow: URIRef
    CostModerate: URIRef
    CostVeryHigh: URIRef
    ExpectedSituation: URIRef
    InvasiveProcedure: URIRef
    Invasiveness: URIRef
    NonInvasive: URIRef
    TestCost: URIRef
    afterFlaggedAgent: URIRef
    costBand: URIRef
    expectedWithin: URIRef
    forTest: URIRef
    invasiveness: URIRef
    managementPointer: URIRef
    situationMessage: URIRef
    CausalityQuestion: URIRef
    WhoUmcCategory: URIRef
    CausalityCriterion: URIRef
    NaranjoCategory: URIRef
    question: URIRef
    readBy: URIRef
    pointsYes: URIRef
    pointsNo: URIRef
    pointsUnknown: URIRef
    requiresAnswer: URIRef
    onQuestion: URIRef
    answer: URIRef
    maxScore: URIRef
    xref: URIRef
