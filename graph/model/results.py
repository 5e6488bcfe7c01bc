"""Plain, frozen data classes for a normalised case and its ranked differential (stdlib only).

Examples
--------
>>> Observation("http://purl.obolibrary.org/obo/HP_0001945", True, "findings: 'Fever'").present
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .case import Case

__all__ = [
    "COUNT_NOT_GIVEN",
    "Observation",
    "ConcurrentCause",
    "DrugExposure",
    "AgentHit",
    "ContextHit",
    "Unrecognized",
    "NoBearing",
    "Severity",
    "NormalisedCase",
    "Evidence",
    "Candidate",
    "Alert",
    "MechanismScore",
    "UsefulTest",
    "Situation",
    "CausalityItem",
    "DrugCausality",
    "Workup",
]


#: the severity grade of a case that states its neutropenia by a finding of no particular grade
COUNT_NOT_GIVEN = "count not given"


@dataclass(frozen=True)
class Observation:
    """A finding read from the case: present or absent, and where in the case it came from."""

    finding: str
    present: bool
    origin: str
    derived: bool = False


@dataclass(frozen=True)
class DrugExposure:
    """A medication resolved to a drug node, with how it was matched and its timing."""

    agent: str
    written: str
    match: str  # "exact" or "fuzzy (1 edit)"
    started_days_ago: float | None = None
    stopped_days_ago: float | None = None
    last_dose_days_ago: float | None = None


@dataclass(frozen=True)
class AgentHit:
    """An organism or gene the case points to (a culture, a PCR, a reported variant)."""

    agent: str
    origin: str
    #: for a gene: "germline" or "somatic" when the case says so ("somatic UBA1 variant"), else None
    variant_origin: str | None = None
    #: the finding the same result states ("Pathogenic SBDS variant"), which already weighs the variant for
    #: every cause that lists it, so that the gene's own ratio is not counted a second time
    finding: str | None = None
    #: for a gene: "monoallelic", "biallelic" or "hemizygous" when the result says so, else None
    zygosity: str | None = None


@dataclass(frozen=True)
class ContextHit:
    """A condition, exposure or named cause found in the case's free text."""

    node: str
    origin: str
    days_ago: float | None = None


@dataclass(frozen=True)
class Unrecognized:
    """An input the tool could not map, with the field it came from and why."""

    field: str
    text: str
    reason: str


@dataclass(frozen=True)
class NoBearing:
    """An input the tool recognised that bears on no cause here (a known test whose result it does not
    read, or that reads nothing this knowledge base ranks on): reported, never silently dropped."""

    field: str
    text: str
    reason: str


@dataclass(frozen=True)
class Severity:
    """The ANC graded for the patient's age, or the grade a finding states when no count is given."""

    grade: str  # "mild" ... "profound", "none", or COUNT_NOT_GIVEN
    anc: float | None
    threshold: float
    finding: str | None
    chronic: bool | None
    onset_days_ago: float
    cyclic: bool = False
    #: without a count: the finding that states the neutropenia, and the upper ANC bound of the grade it states
    stated_by: str | None = None
    anc_below: float | None = None

    @property
    def count_given(self) -> bool:
        return self.anc is not None

    def count_text(self, per: str = "/uL") -> str:
        """The count as a reader sees it: ``ANC 700/uL``, or ``ANC not given``."""
        return f"ANC {self.anc:g}{per}" if self.anc is not None else "ANC not given"

    def grade_text(self) -> str:
        """``severe neutropenia``, ``no neutropenia for age``, ``neutropenia (count not given)``, or a graded
        neutropenia a finding states (``severe neutropenia (stated, no count)``)."""
        if self.grade == "none":
            return "no neutropenia for age"
        if self.grade == COUNT_NOT_GIVEN:
            return f"neutropenia ({COUNT_NOT_GIVEN})"
        return f"{self.grade} neutropenia" + ("" if self.count_given else " (stated, no count)")


@dataclass(frozen=True)
class OtherDrug:
    """A listed drug that is recognised but that no cause links: its text, name and standard id."""

    written: str
    label: str
    xref: str | None
    started_days_ago: float | None = None
    stopped_days_ago: float | None = None
    last_dose_days_ago: float | None = None

    @property
    def timing(self) -> tuple[float | None, float | None, float | None]:
        """(started, stopped, last dose) days ago, in the order :class:`DrugExposure` takes them."""
        return self.started_days_ago, self.stopped_days_ago, self.last_dose_days_ago


@dataclass(frozen=True)
class NormalisedCase:
    """A case turned into findings, drugs, agents and contexts the knowledge graph knows."""

    case: Case
    observations: tuple[Observation, ...]
    drugs: tuple[DrugExposure, ...]
    agents: tuple[AgentHit, ...]
    contexts: tuple[ContextHit, ...]
    known_causes: tuple[ContextHit, ...]
    ancestry_group: str | None
    severity: Severity
    unrecognized: tuple[Unrecognized, ...]
    medications_given: bool
    other_drugs: tuple[OtherDrug, ...] = ()  # recognised drugs that are not known causes
    no_bearing: tuple[NoBearing, ...] = ()  # recognised inputs that bear on no cause

    @property
    def present(self) -> dict[str, Observation]:
        return {o.finding: o for o in self.observations if o.present}

    @property
    def absent(self) -> dict[str, Observation]:
        return {o.finding: o for o in self.observations if not o.present}


@dataclass(frozen=True)
class Evidence:
    """One term of a candidate's score, with its path in the graph and its sources."""

    #: prior, finding, absent-finding, unexplained-finding, agent, context, known-diagnosis, no-agent, genotype
    kind: str
    label: str
    log_lr: float
    direction: str  # "for" / "against" / "neutral"
    path: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    detail: str = ""
    #: for a phenotype term, how the finding met the cause (one of graph.workup.rank.MATCH_KINDS), else ""
    match: str = ""


@dataclass(frozen=True)
class Candidate:
    """A ranked cause with its score and explanation."""

    rank: int
    cause: str
    score: float
    log_score: float
    evidence: tuple[Evidence, ...]
    agents: tuple[str, ...]
    next_tests: tuple[tuple[str, str], ...] = ()  # (test id, why)


@dataclass(frozen=True)
class ConcurrentCause:
    """A second cause that explains what the first candidate leaves over (see :mod:`graph.workup.concurrent`)."""

    cause: str
    alongside: str
    likelihood_ratio: float
    findings: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Alert:
    """A message for the clinician with its urgency."""

    code: str
    level: str
    message: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class MechanismScore:
    """Posterior mass of one mechanism, summed over its causes."""

    mechanism: str
    score: float


@dataclass(frozen=True)
class UsefulTest:
    """A next test for the whole case: how much its result is expected to change the differential.

    ``gain_bits`` is the expected fall in the entropy of the posterior over causes (bits) when the
    test reads ``finding`` present or absent; if it is found, the posterior of ``rises`` would rise the
    most, to ``rises_to``.
    """

    test: str
    gain_bits: float
    finding: str
    rises: str
    rises_to: float


@dataclass(frozen=True)
class Situation:
    """An expected situation the case's timeline shows (day 10 after chemotherapy: the expected nadir)."""

    code: str
    message: str
    management: str
    day: float
    agents: tuple[str, ...]
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class CausalityItem:
    """The answer to one causality question for one drug, and where it came from.

    ``origin`` is "case" (read from the case), "user" (answered in the app) or "open" (not answered);
    ``reason`` names the phrase that says why (:func:`graph.workup.phrases.causality_reason_text`) and
    ``facts`` fill it in.
    """

    question: str
    answer: str
    points: float
    origin: str
    reason: str
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DrugCausality:
    """The causality assessment of one listed drug for the best-ranked cause that links it."""

    drug: str
    written: str
    cause: str
    items: tuple[CausalityItem, ...]
    naranjo_score: float
    naranjo: str
    who_umc: str


@dataclass(frozen=True)
class Workup:
    """Everything the tool says about one case."""

    normalised: NormalisedCase
    candidates: tuple[Candidate, ...]
    mechanisms: tuple[MechanismScore, ...]
    alerts: tuple[Alert, ...] = field(default_factory=tuple)
    #: a second cause the single-cause posterior leaves out, when one explains what the first does not
    concurrent: ConcurrentCause | None = None
    #: the tests whose results would most change the differential, most useful first
    useful_tests: tuple[UsefulTest, ...] = ()
    #: situations the case's timeline predicts, said plainly
    situations: tuple[Situation, ...] = ()
    #: WHO-UMC and Naranjo causality of each listed drug a cause links, from the case alone
    causality: tuple[DrugCausality, ...] = ()
