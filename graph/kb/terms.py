"""The schema's terms as plain IRIs (no rdflib needed), closed: a misspelt term fails when it is read.

The one list of the schema's terms (``ontology/schema.ttl``; a test checks the two agree).  The compiler
(:mod:`graph.kb.build`) reads the networkx graph through these, so a cold start never imports rdflib;
:mod:`graph.kb.vocab` makes the same list a closed rdflib namespace for code that works on rdflib graphs.

Examples
--------
>>> NKG.Cause
'https://w3id.org/neutropenia-kg/schema#Cause'
>>> NKG.Caus
Traceback (most recent call last):
...
AttributeError: 'Caus' is not a term of https://w3id.org/neutropenia-kg/schema#
"""

from __future__ import annotations

__all__ = ["NKG", "RDFS", "SKOS", "DCTERMS", "OWL", "Term", "NKG_NAMESPACE", "NKG_TERMS"]

#: a term of any of these vocabularies: its IRI
Term = str

NKG_NAMESPACE = "https://w3id.org/neutropenia-kg/schema#"
#: every term the schema declares
NKG_TERMS: tuple[str, ...] = (
    "AbnormalDistribution",
    "Agent",
    "AgentAssociation",
    "AlertLevel",
    "AlertRule",
    "AncestryGroup",
    "Association",
    "Category",
    "CategoryAssociation",
    "Cause",
    "ChemotherapyOrRadiation",
    "Condition",
    "Congenital",
    "ConstitutionalBenign",
    "ContextAssociation",
    "DecreasedProduction",
    "DiagnosticTest",
    "Distributional",
    "Drug",
    "DrugClass",
    "Emergency",
    "Exposure",
    "Finding",
    "FindingAssociation",
    "Gene",
    "Germline",
    "Idiopathic",
    "IdiosyncraticDrug",
    "Immune",
    "IncreasedDestruction",
    "Infection",
    "Information",
    "KnownTest",
    "LabRule",
    "MarrowFailureOrInfiltration",
    "Measure",
    "Mechanism",
    "ImportRule",
    "ItemStatement",
    "ModelParameter",
    "NeutropeniaThreshold",
    "NothingFound",
    "Nutritional",
    "OnsetAgeRange",
    "OnsetBand",
    "PastEpisode",
    "CurrentInfection",
    "PastInfection",
    "Opposes",
    "Organism",
    "Polarity",
    "PriorModifier",
    "ResultRule",
    "ResultWord",
    "ReferenceRange",
    "SeverityGrade",
    "SinceLastDose",
    "SinceStart",
    "TimeQualifier",
    "Somatic",
    "Supports",
    "TimingAnchor",
    "TimingWindow",
    "Treatment",
    "UnitConversion",
    "VariantOrigin",
    "Zygosity",
    "Monoallelic",
    "Biallelic",
    "Hemizygous",
    "Warning",
    "above",
    "agent",
    "agranulocytosisRisk",
    "usualIndication",
    "deliversTreatment",
    "acuteEpisode",
    "ancAtLeast",
    "ancBelow",
    "ancestryGroup",
    "anchor",
    "backgroundFrequency",
    "backgroundGivenOrigin",
    "below",
    "broader",
    "category",
    "cause",
    "code",
    "confirmedBy",
    "consequenceOf",
    "context",
    "definingFeature",
    "derived",
    "derivedFrom",
    "drugClass",
    "factor",
    "earlyFrequency",
    "earlyPhaseDays",
    "estimate",
    "curatorCheck",
    "givesCategory",
    "givesMechanism",
    "givesVariantOrigin",
    "observableFromAge",
    "whenInheritance",
    "whenPhenotype",
    "familyHistory",
    "finding",
    "findingPresent",
    "forbidsAbsentFinding",
    "forbidsFinding",
    "frequency",
    "fromUnit",
    "handCountable",
    "hasResultRule",
    "indicatesAgent",
    "inheritance",
    "labKey",
    "lateTailExponent",
    "leastNonZero",
    "level",
    "likelihoodRatio",
    "managementNote",
    "maxAgeYears",
    "maxValue",
    "measure",
    "mechanism",
    "mediatedBy",
    "message",
    "minAgeYears",
    "minScore",
    "minValue",
    "multiplier",
    "myelosuppressive",
    "onset",
    "negatedLabel",
    "offset",
    "pattern",
    "phrasePattern",
    "plausibleMaxDays",
    "polarity",
    "prevalence",
    "rank",
    "requiresAgent",
    "requiresAgentFlag",
    "requiresAnyAncestry",
    "requiresAnyFinding",
    "requiresFinding",
    "sex",
    "standsForExposure",
    "standsForUnlistedDrugs",
    "statedBy",
    "statesNeutropenia",
    "stoppedGraceDays",
    "timingWindow",
    "trait",
    "treatedWith",
    "typicalMaxDays",
    "typicalMinDays",
    "unit",
    "value",
    "whenCountMissing",
    "variantOrigin",
    "whenTopCause",
    "BloodSample",
    "CostBand",
    "CostHigh",
    "CostLow",
    "CostModerate",
    "CostVeryHigh",
    "ExpectedSituation",
    "InvasiveProcedure",
    "Invasiveness",
    "NonInvasive",
    "TestCost",
    "afterFlaggedAgent",
    "costBand",
    "expectedWithin",
    "forTest",
    "invasiveness",
    "managementPointer",
    "situationMessage",
    "CausalityQuestion",
    "WhoUmcCategory",
    "CausalityCriterion",
    "NaranjoCategory",
    "question",
    "readBy",
    "pointsYes",
    "pointsNo",
    "pointsUnknown",
    "requiresAnswer",
    "onQuestion",
    "answer",
    "maxScore",
    "xref",
)


class ClosedTerms:
    """A namespace whose attributes are the IRIs of a fixed set of terms; any other name is an error."""

    def __init__(self, namespace: str, names: tuple[str, ...]) -> None:
        self._namespace = namespace
        self._names = frozenset(names)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"{name!r} is not a term of {self._namespace}")
        iri = self._namespace + name
        self.__dict__[name] = iri  # kept: the next read is a plain attribute, the same string
        return iri


NKG = ClosedTerms(NKG_NAMESPACE, NKG_TERMS)
#: the standard terms the ontology also writes in
RDFS = ClosedTerms("http://www.w3.org/2000/01/rdf-schema#", ("label", "comment", "subClassOf", "seeAlso"))
SKOS = ClosedTerms("http://www.w3.org/2004/02/skos/core#", ("altLabel", "prefLabel", "definition", "exactMatch"))
DCTERMS = ClosedTerms("http://purl.org/dc/terms/", ("source", "title", "description", "license", "modified"))
OWL = ClosedTerms("http://www.w3.org/2002/07/owl#", ("versionInfo", "imports", "Ontology"))
