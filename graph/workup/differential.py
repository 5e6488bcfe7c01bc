"""A workup as a reader takes it in: the severity line, the differential rows, and why one candidate.

Plain frozen data (no formatting for a particular screen), shared by the app and the reports.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 150, "findings": ["Fever"], "duration_days": 2,
...                      "medications": [{"name": "clozapine", "started_days_ago": 60}]})
>>> severity_line(w)
'ANC 150/µL: severe neutropenia, acute'
>>> row = differential_rows(kb, w, top=1)[0]
>>> row.rank, row.agents, row.imported
(1, 'clozapine', False)
>>> detail = candidate_detail(kb, w, row.cause)
>>> detail.against == () or all(reason.direction == "against" for reason in detail.against)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NodeNotFound
from ..model.ids import curie, is_imported_cause
from ..model.links import Link, source_link
from ..model.results import CausalityItem, DrugCausality, Evidence, Situation, UsefulTest, Workup

#: The badge that sets a cause imported from the HPO annotations apart from the curated ones.
IMPORTED_BADGE = "HPO import"
#: What the badge means, for a tooltip or a report's legend.
IMPORTED_NOTE = (
    "Imported from the HPO disease annotations, not curated: its prior, mechanism and category are the "
    "import's assumptions and its findings are HPO's frequency classes."
)

__all__ = [
    "leading_causes",
    "DifferentialRow",
    "Reason",
    "NextTest",
    "CandidateDetail",
    "severity_line",
    "score_text",
    "IMPORTED_BADGE",
    "IMPORTED_NOTE",
    "differential_rows",
    "candidate_detail",
    "cost_text",
    "useful_test_text",
    "situation_text",
    "ANSWER_TEXT",
    "ORIGIN_TEXT",
    "causality_reason_text",
    "causality_line",
    "causality_category_text",
    "points_text",
    "CAUSALITY_TITLE",
    "CAUSALITY_NOTE",
]


@dataclass(frozen=True)
class DifferentialRow:
    """One line of the differential table."""

    rank: int
    cause: str
    curie: str
    label: str
    mechanism: str
    category: str
    agents: str
    score: float
    #: imported from the HPO annotations rather than curated (shown with :data:`IMPORTED_BADGE`)
    imported: bool = False


@dataclass(frozen=True)
class Reason:
    """One term of the score: what it says, the likelihood ratio, where it came from, its sources."""

    label: str
    likelihood_ratio: float
    direction: str
    kind: str
    detail: str
    sources: tuple[Link, ...]


@dataclass(frozen=True)
class NextTest:
    """A test that would help, and why."""

    test: str
    curie: str
    label: str
    why: str


@dataclass(frozen=True)
class CandidateDetail:
    """Everything the app shows for one candidate of a workup."""

    cause: str
    curie: str
    label: str
    rank: int
    score: float
    definition: str
    mechanism: str
    category: str
    agents: tuple[str, ...]
    prior: tuple[Reason, ...]
    supporting: tuple[Reason, ...]
    against: tuple[Reason, ...]
    next_tests: tuple[NextTest, ...]
    management: str
    treatments: tuple[str, ...]
    sources: tuple[Link, ...]
    imported: bool = False


def severity_line(workup: Workup) -> str:
    """ANC, grade, and chronic / acute / cyclic in one line."""
    s = workup.normalised.severity
    parts = [f"{s.count_text('/µL')}: {s.grade_text()}"]
    if s.grade == "none":
        parts.append(f"age-appropriate limit {s.threshold:g}/µL")
    if s.chronic is not None:
        parts.append("chronic" if s.chronic else "acute")
    if s.cyclic:
        parts.append("cyclic pattern")
    return ", ".join(parts)


def score_text(score: float) -> str:
    """A probability as a reader takes it: a whole percentage, ``<1%`` for the long tail, ``>99%`` near one.

    The posterior is a model's estimate (tempered, calibrated on the dev cases), so a decimal place
    would claim a precision it does not have; and "0%" or "100%" would claim certainty.  Every
    probability the app and the reports show is written by this function.

    Examples
    --------
    >>> score_text(0.3749), score_text(0.0042), score_text(3e-7), score_text(0.9996), score_text(0.005)
    ('37%', '<1%', '<1%', '>99%', '1%')
    """
    percent = math.floor(score * 100 + 0.5)  # half up, not to even: 0.5% reads 1%
    if percent < 1:
        return "<1%"
    if percent > 99:
        return ">99%"
    return f"{percent}%"


def differential_rows(kb: KnowledgeBase, workup: Workup, top: int | None = None) -> list[DifferentialRow]:
    """The ranked causes (the first ``top``) with mechanism, category, implicated agents and score."""
    rows = []
    for candidate in workup.candidates[:top]:
        cause = kb.causes[candidate.cause]
        rows.append(
            DifferentialRow(
                candidate.rank,
                cause.id,
                curie(cause.id),
                cause.label,
                cause.mechanism,
                cause.category,
                ", ".join(kb.label(a) for a in candidate.agents),
                candidate.score,
                is_imported_cause(cause.id),
            )
        )
    return rows


def leading_causes(
    kb: KnowledgeBase, workup: Workup, top: int = 3, reasons: int = 2
) -> list[tuple[DifferentialRow, tuple[str, ...]]]:
    """The first ``top`` causes, each with the labels of its ``reasons`` strongest supporting evidence
    items: the summary a clinician reads before the full table.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.workup.pipeline import workup_case
    >>> kb = load_knowledge_base()
    >>> w = workup_case(kb, {"id": "x", "anc": 300, "medications": [{"name": "metamizole", "started_days_ago": 9}]})
    >>> row, why = leading_causes(kb, w, top=1)[0]
    >>> row.rank, len(why) <= 2
    (1, True)
    """
    rows = differential_rows(kb, workup, top)
    out = []
    for row, candidate in zip(rows, workup.candidates[: len(rows)], strict=True):
        strongest = sorted((e for e in candidate.evidence if e.log_lr > 0), key=lambda e: (-e.log_lr, e.label))
        out.append((row, tuple(e.label for e in strongest[:reasons])))
    return out


def _reason(evidence: Evidence) -> Reason:
    sources = tuple(source_link(s) for s in dict.fromkeys(evidence.sources))
    return Reason(
        evidence.label, math.exp(evidence.log_lr), evidence.direction, evidence.kind, evidence.detail, sources
    )


def candidate_detail(kb: KnowledgeBase, workup: Workup, cause: str) -> CandidateDetail:
    """Why ``cause`` stands where it does: evidence for and against (strongest first), next tests,
    management and sources.

    Raises
    ------
    NodeNotFound
        When ``cause`` is not a candidate of the workup.
    """
    found = next((c for c in workup.candidates if c.cause == cause), None)
    if found is None:
        raise NodeNotFound(
            f"{curie(cause)} is not a candidate of case {workup.normalised.case.case_id}; "
            "pick one from the differential"
        )
    info = kb.causes[cause]
    terms = sorted(found.evidence, key=lambda e: -abs(e.log_lr))
    return CandidateDetail(
        cause=cause,
        curie=curie(cause),
        label=info.label,
        rank=found.rank,
        score=found.score,
        definition=info.info.definition,
        mechanism=info.mechanism,
        category=info.category,
        agents=tuple(kb.label(a) for a in found.agents),
        prior=tuple(_reason(e) for e in found.evidence if e.kind == "prior"),
        supporting=tuple(_reason(e) for e in terms if e.kind != "prior" and e.direction == "for"),
        against=tuple(_reason(e) for e in terms if e.kind != "prior" and e.direction == "against"),
        next_tests=tuple(NextTest(t, curie(t), kb.label(t), why) for t, why in found.next_tests),
        management=info.management,
        treatments=tuple(kb.label(t) for t in info.treatments),
        sources=tuple(source_link(s) for s in info.info.sources),
        imported=is_imported_cause(cause),
    )


def cost_text(kb: KnowledgeBase, test: str) -> str:
    """A test's cost band and invasiveness as a reader takes them in, e.g. ``low cost (estimate), blood sample``.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> cost_text(load_knowledge_base(), "https://w3id.org/neutropenia-kg/resource/test/bone-marrow-biopsy")
    'high cost (estimate), invasive procedure'
    """
    cost = kb.tests[test].cost if test in kb.tests else None
    if cost is None:
        return "cost not recorded"
    return f"{cost.band}{' (estimate)' if cost.estimate else ''}, {cost.invasiveness}"


def useful_test_text(kb: KnowledgeBase, useful: UsefulTest) -> str:
    """One useful test in one line: name, expected gain, cost and invasiveness, the result it turns on.

    The same phrase in the app, the terminal report and the exports, e.g. ``Peripheral blood smear:
    expected gain 0.12 bits; low cost (estimate), blood sample; turns on Atypical lymphocytes (if
    found, Epstein-Barr virus infectious mononucleosis rises to 38%)``.
    """
    return (
        f"{kb.label(useful.test)}: expected gain {useful.gain_bits:.2f} bits; {cost_text(kb, useful.test)}; "
        f"turns on {kb.label(useful.finding)} (if found, {kb.label(useful.rises)} rises to "
        f"{score_text(useful.rises_to)})"
    )


def situation_text(situation: Situation) -> str:
    """An expected situation said plainly, with what to do: the message, then ``What to do:`` and the pointer.

    >>> situation_text(Situation("c", "Day 10 after X: the expected nadir.", "Check for fever.", 10.0, ("X",)))
    'Day 10 after X: the expected nadir. What to do: Check for fever.'
    """
    return f"{situation.message} What to do: {situation.management}" if situation.management else situation.message


# ---------------------------------------------------------------- drug causality (graph/workup/causality.py)

#: The heading of the causality assessment, in the app and the reports.
CAUSALITY_TITLE = "Drug causality (WHO-UMC and Naranjo)"
#: What the assessment is and how it is filled in.
CAUSALITY_NOTE = (
    "Each listed drug that a cause links, assessed for the best-ranked such cause by the Naranjo adverse drug "
    "reaction probability scale (Naranjo et al., Clin Pharmacol Ther 1981) and the WHO-UMC causality categories "
    "(Uppsala Monitoring Centre). What the case records is read from it; the other questions are for the "
    "clinician. A question not answered scores as do not know."
)
#: How an answer to a causality question reads.
ANSWER_TEXT = {"yes": "yes", "no": "no", "unknown": "do not know", "unanswered": "not answered"}
#: Where an answer came from.
ORIGIN_TEXT = {"case": "read from the case", "user": "answered by you", "open": "to be answered"}

_ANCHOR_TEXT = {"start": "first dose", "last_dose": "last dose"}
_REASON_TEXT = {
    "started-after-onset": "started {started} days ago, after the neutropenia began ({onset} days ago)",
    "started-before-onset": "started {started} days ago, before the neutropenia began ({onset} days ago)",
    "stopped-before-onset": "stopped {gap} days before the neutropenia began (it may outlast the drug by {grace} days)",
    "no-dates": "the case gives no start or stop date",
    "within-window": "{days} days from the {anchor} to the onset, within the plausible {earliest}-{latest} days "
    "(typical {typical_min}-{typical_max})",
    "later-than-plausible": "{days} days from the {anchor} to the onset, later than the plausible {latest} days",
    "earlier-than-plausible": "{days} days from the {anchor} to the onset, earlier than the plausible {earliest} days",
    "not-stopped": "the case does not say the drug was stopped",
    "no-count-after-stop": "no count after the drug was stopped {stopped} days ago",
    "recovered": "ANC {anc}/µL {after} days after stopping, at or above the limit of {limit}/µL",
    "not-recovered": "ANC still {anc}/µL {after} days after stopping, below the limit of {limit}/µL",
    "too-early": "ANC {anc}/µL {after} days after stopping: too early to call a failed recovery",
    "alternatives": "other causes in the differential: {causes}",
    "no-alternative": "the causes that do not involve the drug hold {mass} of the differential together",
    "spread-alternatives": "the causes that do not involve the drug hold {mass} together, none {least} or more",
    "reports": "the ontology links the drug to this neutropenia, citing {sources}",
    "no-reports": "the ontology cites no publication for this link",
    "measured": "ANC {anc}/µL, below the age-appropriate limit of {limit}/µL",
    "no-count": "the case gives no count below the age-appropriate limit",
    "asked": "the case format does not record it",
}


def causality_reason_text(item: CausalityItem) -> str:
    """Why a causality question has its answer, in words.

    >>> causality_reason_text(CausalityItem("temporal", "no", -1, "case", "started-after-onset",
    ...                                     (("started", "5"), ("onset", "20"))))
    'started 5 days ago, after the neutropenia began (20 days ago)'
    """
    facts = dict(item.facts)
    if "anchor" in facts:
        facts["anchor"] = _ANCHOR_TEXT.get(facts["anchor"], facts["anchor"])
    template = _REASON_TEXT.get(item.reason)
    return template.format(**facts) if template else item.reason


def causality_line(kb: KnowledgeBase, assessment: DrugCausality) -> str:
    """One line: the drug, the cause it is assessed for, the WHO-UMC category and the Naranjo score.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> a = DrugCausality("d", "X 5 mg", "c", (), 4.0, "possible", "conditional")
    >>> causality_line(kb, a)
    'X 5 mg (for c): WHO-UMC conditional / unclassified; Naranjo 4 (possible)'
    """
    who = {c.code: c.label for c in kb.causality.who_umc}.get(assessment.who_umc, assessment.who_umc)
    naranjo = {c.code: c.label for c in kb.causality.naranjo}.get(assessment.naranjo, assessment.naranjo)
    return (
        f"{assessment.written} (for {kb.label(assessment.cause)}): WHO-UMC {who}; "
        f"Naranjo {assessment.naranjo_score:g} ({naranjo})"
    )


def causality_category_text(kb: KnowledgeBase, assessment: DrugCausality) -> str:
    """The WHO-UMC category with its definition (the code alone if the ontology does not define it)."""
    category = next((c for c in kb.causality.who_umc if c.code == assessment.who_umc), None)
    return f"WHO-UMC {category.label}: {category.definition}" if category else f"WHO-UMC {assessment.who_umc}"


def points_text(points: float) -> str:
    """Naranjo points with their sign (``+2``, ``-1``), and ``0``.

    >>> [points_text(p) for p in (2, -1, 0)]
    ['+2', '-1', '0']
    """
    return f"{points:+g}" if points else "0"
