"""Every user-facing phrase of a workup, written once: the app, the terminal report and the exports use these.

Plain text (never markup); a caller that shows it as Markdown or HTML escapes it, or passes an
``escape`` function that is applied to each part a user or the ontology wrote.  Stdlib, the result
types and the knowledge base only.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 150, "findings": ["Fever"], "duration_days": 2})
>>> severity_line(w)
'ANC 150/µL: severe neutropenia, acute'
>>> score_text(0.3749), multiplier_text(2.5), frequency_text(0.35)
('37%', 'x2.5', '35%')
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..kb.knowledge import KnowledgeBase
from ..kb.lexicon import describe_not_a_cause
from ..model.results import (
    CausalityItem,
    ConcurrentCause,
    DrugCausality,
    NoBearing,
    OtherDrug,
    Severity,
    Situation,
    Unrecognized,
    UsefulTest,
    Workup,
)
from ..model.types import TimingWindow

__all__ = [
    "IMPORTED_BADGE",
    "IMPORTED_NOTE",
    "NO_BEARING_HEADING",
    "OTHER_DRUGS_HEADING",
    "PRIOR_SHARE_LABEL",
    "USEFUL_TESTS_NOTE",
    "DIFFERENTIAL_COLUMNS",
    "EVIDENCE_TITLES",
    "source_text",
    "STATE_TEXT",
    "anc_text",
    "candidate_facts_text",
    "causality_why_text",
    "limit_text",
    "course_word",
    "course_words",
    "severity_line",
    "score_text",
    "mechanisms_text",
    "note_text",
    "other_drug_text",
    "reason_lr_text",
    "describe_concurrent",
    "dose_anchor_text",
    "typical_window_text",
    "multiplier_text",
    "frequency_text",
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

#: The badge that sets a cause imported from the HPO annotations apart from the curated ones.
IMPORTED_BADGE = "HPO import"
#: What the badge means, for a tooltip or a report's legend.
IMPORTED_NOTE = (
    "Imported from the HPO disease annotations, not curated: its prior, mechanism and category are the "
    "import's assumptions and its findings are HPO's frequency classes."
)
#: how recognised inputs without bearing are introduced to a reader
NO_BEARING_HEADING = "Recognised, no bearing on the ranking"
#: the heading over recognised drugs that no cause links
OTHER_DRUGS_HEADING = "Drugs that no cause links"
#: the columns of the differential table, in the app and the reports
DIFFERENTIAL_COLUMNS = ("Rank", "Cause", "Source", "Mechanism", "Category", "Implicated agent", "Probability")
#: the titles over a candidate's evidence, by direction
EVIDENCE_TITLES = {"for": "Evidence for", "against": "Evidence against"}
#: how the useful tests for the whole case are ranked, said under their heading
USEFUL_TESTS_NOTE = (
    "Ranked by expected information gain: how much, on average, the result would narrow the differential "
    "(in bits). Cost bands and invasiveness are estimates from the ontology."
)
#: how a what-if state of a finding reads
STATE_TEXT = {"present": "present", "absent": "absent", "not recorded": "unknown"}
#: the name of a cause's base rate, its share of all neutropenias
PRIOR_SHARE_LABEL = "Share of neutropenias (prior)"


def limit_text(severity: Severity, per: str = "/µL") -> str | None:
    """``age-appropriate limit 1500/µL`` when the count is not low for the age, else None."""
    return f"age-appropriate limit {severity.threshold:g}{per}" if severity.grade == "none" else None


def course_word(severity: Severity) -> str | None:
    """``chronic`` or ``acute``, or None when the case does not say."""
    return None if severity.chronic is None else "chronic" if severity.chronic else "acute"


def course_words(severity: Severity) -> list[str]:
    """The course as the reports say it after the grade: ``chronic`` or ``acute``, and ``cyclic pattern``."""
    course = course_word(severity)
    return ([course] if course else []) + (["cyclic pattern"] if severity.cyclic else [])


def severity_line(workup: Workup) -> str:
    """ANC, grade, and chronic / acute / cyclic in one line."""
    s = workup.normalised.severity
    limit = limit_text(s)
    return ", ".join([f"{s.count_text('/µL')}: {s.grade_text()}", *([limit] if limit else []), *course_words(s)])


def source_text(imported: bool) -> str:
    """Where a cause comes from: :data:`IMPORTED_BADGE`, or ``curated``."""
    return IMPORTED_BADGE if imported else "curated"


def anc_text(anc: float | None) -> str:
    """A count as a value beside its name: ``700/µL``, or ``not given``."""
    return f"{anc:g}/µL" if anc is not None else "not given"


def mechanisms_text(workup: Workup, separator: str = "; ", escape: Callable[[str], str] = str) -> str:
    """Each mechanism with its posterior mass, e.g. ``peripheral destruction 62%; ...`` (parts escaped)."""
    return separator.join(f"{escape(m.mechanism)} {escape(score_text(m.score))}" for m in workup.mechanisms)


def note_text(item: Unrecognized | NoBearing, escape: Callable[[str], str] = str) -> str:
    """An input not ranked on, as ``field: text (reason)`` (parts escaped)."""
    return f"{escape(item.field)}: {escape(item.text)} ({escape(item.reason)})"


def other_drug_text(drug: OtherDrug, escape: Callable[[str], str] = str) -> str:
    """A recognised drug that no cause links, as ``written: what it is`` (parts escaped)."""
    return f"{escape(drug.written)}: {escape(describe_not_a_cause(drug.xref))}"


def candidate_facts_text(
    mechanism: str, category: str, cause_curie: str, agents: tuple[str, ...], escape: Callable[[str], str] = str
) -> str:
    """A candidate's mechanism, category, id and implicated agents in one line (parts escaped)."""
    facts = f"{escape(mechanism)} · {escape(category)} · {escape(cause_curie)}"
    return facts + (f" · implicated: {escape(', '.join(agents))}" if agents else "")


def reason_lr_text(label: str, likelihood_ratio: float) -> str | None:
    """``LR 3.2`` for an evidence item whose label does not already state its likelihood ratio, else None."""
    return None if "LR" in label else f"LR {likelihood_ratio:.3g}"


def describe_concurrent(kb: KnowledgeBase, concurrent: ConcurrentCause) -> str:
    """The one phrase for a concurrent cause, used by every report."""
    what = "; ".join(kb.label(f) for f in concurrent.findings) or "; ".join(e.label for e in concurrent.evidence[:2])
    return (
        f"Consider a concurrent cause: {kb.label(concurrent.cause)} explains what "
        f"{kb.label(concurrent.alongside)} leaves over ({what}), together LR {concurrent.likelihood_ratio:.3g}. "
        "The probabilities above assume a single cause."
    )


def dose_anchor_text(anchor: str) -> str:
    """The dose a timing window counts from: ``first dose`` or ``last dose``."""
    return _ANCHOR_TEXT.get(anchor, anchor)


def typical_window_text(window: TimingWindow) -> str:
    """A timing window's typical span, e.g. ``14-126 d after first dose``."""
    return f"{window.typical_min:g}-{window.typical_max:g} d after {dose_anchor_text(window.anchor)}"


def multiplier_text(multiplier: float) -> str:
    """A prior multiplier, e.g. ``x2.5``."""
    return f"x{multiplier:g}"


def frequency_text(frequency: float) -> str:
    """How often a cause shows a finding, as a whole percentage (``35%``)."""
    return f"{frequency:.0%}"


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
        facts["anchor"] = dose_anchor_text(facts["anchor"])
    template = _REASON_TEXT.get(item.reason)
    return template.format(**facts) if template else item.reason


def causality_why_text(item: CausalityItem, escape: Callable[[str], str] = str) -> str:
    """Where a causality answer came from and why, e.g. ``read from the case: started 5 days ago, ...``."""
    return f"{escape(ORIGIN_TEXT.get(item.origin, item.origin))}: {escape(causality_reason_text(item))}"


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
