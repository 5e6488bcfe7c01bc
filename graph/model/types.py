"""Plain, frozen data classes for what the knowledge graph holds (stdlib only).

Node ids are full IRIs (``str``); :func:`graph.model.ids.curie` compacts them for display.  These
classes are built once from the networkx graph by :mod:`graph.kb.knowledge` and never mutated.

Examples
--------
>>> window = TimingWindow("w", "nadir", "last_dose", 7, 14, 21, None, ("seed:000",))
>>> window.typical_max
14
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "association_log_lrs",
    "sensitivity_specificity",
    "Anchor",
    "Polarity",
    "NodeInfo",
    "TestCost",
    "ExpectedSituation",
    "Cause",
    "Agent",
    "FindingInfo",
    "FindingAssociation",
    "AgentAssociation",
    "ContextAssociation",
    "TimingWindow",
    "PriorModifier",
    "LabRule",
    "SeverityGrade",
    "NeutropeniaThreshold",
    "OnsetBand",
    "ResultRule",
    "DiagnosticTest",
    "AlertRule",
    "Answer",
    "ANSWERS",
    "CausalityQuestion",
    "WhoUmcCategory",
    "NaranjoCategory",
    "CausalityScales",
]

Anchor = Literal["start", "last_dose"]
Polarity = Literal["supports", "opposes"]
#: an answer to a causality question: "unknown" cannot be known, "unanswered" is not known yet
Answer = Literal["yes", "no", "unknown", "unanswered"]
ANSWERS: tuple[Answer, ...] = ("yes", "no", "unknown", "unanswered")


def association_log_lrs(p: float, background: float, polarity: Polarity) -> tuple[float, float]:
    """Log likelihood ratios of a finding present and absent for a cause that shows it in a share ``p``
    of its patients, against its ``background``; a curator's "opposes" keeps them at most neutral.

    >>> [round(x, 3) for x in association_log_lrs(0.6, 0.2, "supports")]
    [1.099, -0.693]
    >>> association_log_lrs(0.6, 0.2, "opposes")[0]
    0.0
    """
    present = math.log(p / background)
    absent = math.log((1 - p) / (1 - background)) if background < 1 else 0.0
    if polarity == "opposes":  # a curator's polarity wins over a derived background
        present, absent = min(present, 0.0), max(absent, 0.0)
    return present, absent


def sensitivity_specificity(lr_positive: float, lr_negative: float) -> tuple[float, float]:
    """The sensitivity and specificity a test's likelihood ratios imply (the inverse of
    LR+ = sensitivity / (1 - specificity) and LR- = (1 - sensitivity) / specificity).

    Requires LR+ > 1 > LR- >= 0 (a test that speaks for the cause when positive, against it when negative).

    >>> [round(x, 3) for x in sensitivity_specificity(9.0, 0.1)]
    [0.91, 0.899]
    >>> sensitivity_specificity(0.8, 0.5)
    Traceback (most recent call last):
    ...
    ValueError: likelihood ratios 0.8 and 0.5 need LR+ > 1 > LR- >= 0
    """
    if not lr_positive > 1 > lr_negative >= 0:
        raise ValueError(f"likelihood ratios {lr_positive:g} and {lr_negative:g} need LR+ > 1 > LR- >= 0")
    specificity = (lr_positive - 1) / (lr_positive - lr_negative)
    return 1 - lr_negative * specificity, specificity


@dataclass(frozen=True)
class NodeInfo:
    """What every named node has: id, kind, label, synonyms, standard ids, definition, sources."""

    id: str
    kind: str
    label: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    definition: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cause:
    """A cause of neutropenia as the ranker sees it."""

    info: NodeInfo
    mechanism: str
    category: str
    prevalence: float
    requires_agent: bool = False
    tests: tuple[str, ...] = ()
    treatments: tuple[str, ...] = ()
    management: str = ""
    #: HPO onset terms at which the cause typically begins, and its HPO modes of inheritance
    onset: tuple[str, ...] = ()
    inheritance: tuple[str, ...] = ()
    #: findings, conditions or exposures of which the cause shows at least one by definition and a
    #: clinician would state one (sepsis, bacteraemia or shock for sepsis-associated neutropenia)
    defining_features: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def label(self) -> str:
        return self.info.label


@dataclass(frozen=True)
class Agent:
    """A drug, organism or gene."""

    info: NodeInfo
    drug_class: str = ""
    agranulocytosis_risk: bool = False
    myelosuppressive: bool = False
    #: conditions and causes the drug is usually given for (``nkg:usualIndication``)
    indications: tuple[str, ...] = ()
    #: treatments the drug is given as (``nkg:deliversTreatment``): filgrastim delivers G-CSF
    treatments: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class FindingInfo:
    """A finding: an HPO term or a local term, with its background frequency."""

    id: str
    label: str
    background: float | None = None
    derived: bool = False
    synonyms: tuple[str, ...] = ()
    trait: bool = False
    family_history: bool = False
    consequence_of: tuple[str, ...] = ()
    mediated_by: tuple[str, ...] = ()
    #: words that state the finding absent ("afebrile")
    negated_labels: tuple[str, ...] = ()
    #: the finding (or a descendant), given present, says the patient is neutropenic
    states_neutropenia: bool = False
    #: P(finding) among neutropenic patients who show its origin (``consequence_of``, not the premise)
    background_given_origin: float | None = None
    #: the youngest age (years) at which a patient can show the finding; absent when younger says nothing
    observable_from_age: float | None = None


@dataclass(frozen=True)
class FindingAssociation:
    """P(finding | cause) with its polarity and sources.

    ``early_frequency`` is P(finding | cause) in the first ``early_days`` days of the illness, for a test
    whose sensitivity depends on its stage (antibodies not yet made in the first week).
    """

    id: str
    cause: str
    finding: str
    frequency: float
    polarity: Polarity
    sources: tuple[str, ...] = ()
    early_frequency: float | None = None
    early_days: float | None = None


@dataclass(frozen=True)
class TimingWindow:
    """When neutropenia is expected after an agent, in days from the anchor dose."""

    id: str
    label: str
    anchor: Anchor
    typical_min: float
    typical_max: float
    plausible_max: float
    stopped_grace: float | None = None
    sources: tuple[str, ...] = ()
    #: least share of the log LR kept far after the window (None: the model's late_tail_exponent)
    late_tail: float | None = None


@dataclass(frozen=True)
class AgentAssociation:
    """Exposure to (or detection of) an agent multiplies the cause's odds by ``likelihood_ratio``."""

    id: str
    cause: str
    agent: str
    likelihood_ratio: float
    window: TimingWindow | None = None
    sources: tuple[str, ...] = ()
    #: for a gene: "germline" or "somatic", the origin of the variant behind the cause (``nkg:variantOrigin``)
    variant_origin: str | None = None


@dataclass(frozen=True)
class ContextAssociation:
    """A known condition or exposure multiplies the cause's odds by ``likelihood_ratio``."""

    id: str
    context: str
    cause: str
    likelihood_ratio: float
    sources: tuple[str, ...] = ()
    stands_for_exposure: bool = False  # naming the context states the agent exposure ("on chemotherapy")
    #: when the context is an exposure given with its days ago ("chemotherapy 9 days ago"): the window in
    #: which it explains a neutropenia, weighed as a drug's timing is (graph/workup/rank.py timing_factor)
    window: TimingWindow | None = None


@dataclass(frozen=True)
class PriorModifier:
    """Multiplies a cause's prior for an age band, a sex or an ancestry group."""

    id: str
    cause: str
    multiplier: float
    min_age: float | None = None
    max_age: float | None = None
    sex: str | None = None
    ancestry: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabRule:
    """A numeric lab becomes a finding: present below ``below`` / above ``above``, absent otherwise."""

    id: str
    label: str
    lab_key: str
    finding: str
    below: float | None = None
    above: float | None = None
    sex: str | None = None
    min_age: float = 0.0
    max_age: float = 200.0
    unit: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeverityGrade:
    """A band of ANC (``anc_at_least`` <= ANC < ``anc_below``) for an age band."""

    id: str
    label: str
    rank: int
    anc_at_least: float
    anc_below: float
    finding: str
    min_age: float = 0.0
    max_age: float = 200.0
    sources: tuple[str, ...] = ()
    #: findings that state this grade when no count is given (besides ``finding``)
    stated_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeutropeniaThreshold:
    """The age-appropriate lower limit of the normal ANC."""

    id: str
    label: str
    anc_below: float
    min_age: float
    max_age: float
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class OnsetBand:
    """An age band of onset and the HPO onset term it yields (or, for an ``OnsetAgeRange``, the ages
    an HPO onset term covers, used to compare a cause's onset with the patient's)."""

    id: str
    label: str
    min_age: float
    max_age: float
    finding: str


@dataclass(frozen=True)
class ResultRule:
    """Reads one kind of result of a test into a finding (present/absent) and, optionally, an agent: the organism
    detected or the gene a pathogenic variant is reported in (``organism`` names either)."""

    id: str
    pattern: str | None = None
    below: float | None = None
    above: float | None = None
    finding: str | None = None
    present: bool = True
    organism: str | None = None


@dataclass(frozen=True)
class TestCost:
    """What a test costs (a band) and asks of the patient; ``rank`` orders each (1 = cheapest, least invasive).

    >>> TestCost("low cost", 1, "blood sample", 2, True, "a routine automated assay").estimate
    True
    """

    __test__ = False  # a domain class, not a pytest test class

    band: str
    band_rank: int
    invasiveness: str
    invasiveness_rank: int
    estimate: bool
    rationale: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiagnosticTest:
    """A test with the rules that read its results, and its cost and invasiveness."""

    info: NodeInfo
    rules: tuple[ResultRule, ...] = ()
    cost: TestCost | None = None

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class ExpectedSituation:
    """A situation the case's timeline predicts: the days since an agent with ``flag`` fall in the window.

    ``agents`` are the drugs and named exposures that carry the flag; ``message`` holds ``{day}`` and
    ``{agents}``, filled in by :func:`graph.workup.situations.expected_situations`.
    """

    id: str
    code: str
    label: str
    flag: str
    window: TimingWindow
    agents: frozenset[str]
    message: str
    management: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertRule:
    """When to raise an alert and what it says."""

    id: str
    code: str
    level: str
    message: str
    requires: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()
    #: ancestry groups any one of which, like a finding of ``requires_any``, satisfies the rule
    requires_any_ancestry: tuple[str, ...] = ()
    #: findings whose observed absence stops the alert (a Duffy-positive phenotype)
    forbids_absent: tuple[str, ...] = ()
    forbids: tuple[str, ...] = ()
    anc_below: float | None = None
    agent_flag: str | None = None
    top_cause: str | None = None
    min_score: float | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    #: the alert applies only when the case gives neither a count nor a finding that states a grade
    when_count_missing: bool = False


@dataclass(frozen=True)
class CausalityQuestion:
    """One question of a drug causality assessment with its Naranjo points; ``reader`` names how the
    answer is read from the case (None: the user is asked).

    >>> q = CausalityQuestion("q", "temporal", 2, "time relationship", "After the drug?", 2, -1, 0, "timing")
    >>> q.points("yes"), q.points("no"), q.points("unanswered")
    (2.0, -1.0, 0.0)
    """

    id: str
    code: str
    rank: int
    label: str
    question: str
    points_yes: float
    points_no: float
    points_unknown: float
    reader: str | None = None
    sources: tuple[str, ...] = ()

    def points(self, answer: str) -> float:
        """Naranjo points of an answer; a question not answered counts as "do not know"."""
        if answer == "yes":
            return float(self.points_yes)
        if answer == "no":
            return float(self.points_no)
        return float(self.points_unknown)


@dataclass(frozen=True)
class WhoUmcCategory:
    """A WHO-UMC causality category: applies when every (question code, answer) of ``requires`` holds.

    >>> WhoUmcCategory("c", "possible", "possible", 3, "...", (("temporal", "yes"),)).applies({"temporal": "yes"})
    True
    """

    id: str
    code: str
    label: str
    rank: int
    definition: str
    requires: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()

    def applies(self, answers: dict[str, str]) -> bool:
        """Whether the answers (question code -> answer; a missing code is unanswered) meet every criterion."""
        return all(answers.get(code, "unanswered") == answer for code, answer in self.requires)


@dataclass(frozen=True)
class NaranjoCategory:
    """A band of the Naranjo total score; ``None`` leaves that end open.

    >>> NaranjoCategory("n", "possible", "possible", 1, 4, "Total score 1 to 4.").holds(3)
    True
    """

    id: str
    code: str
    label: str
    min_score: float | None
    max_score: float | None
    definition: str
    sources: tuple[str, ...] = ()

    def holds(self, score: float) -> bool:
        return (self.min_score is None or score >= self.min_score) and (
            self.max_score is None or score <= self.max_score
        )


@dataclass(frozen=True)
class CausalityScales:
    """The questions (in order), the WHO-UMC categories (in the order they are tried) and the Naranjo bands."""

    questions: tuple[CausalityQuestion, ...] = ()
    who_umc: tuple[WhoUmcCategory, ...] = ()
    naranjo: tuple[NaranjoCategory, ...] = ()
