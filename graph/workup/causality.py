"""Drug causality: the WHO-UMC category and the Naranjo score of each listed drug, from the case's timeline.

The questions, their points, the Naranjo bands and the WHO-UMC criteria are data
(``ontology/modules/causality.ttl``, :class:`graph.model.types.CausalityScales`).  A question whose
``reader`` is set is answered from the case by one of the readers below; the others stay open
until the user answers them (:func:`assess_drugs` takes the answers).  A drug is assessed for the
best-ranked cause that links it, with that link's timing window.  Nothing here knows a drug or a
disease.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 300, "duration_days": 3,
...                      "medications": [{"name": "methimazole", "started_days_ago": 40}]})
>>> a = w.causality[0]
>>> kb.label(a.drug), answer_of(a, "temporal"), a.who_umc
('methimazole', 'yes', 'possible')
>>> b = assess_drug(kb, w, a.drug, {"dechallenge": "yes", "rechallenge": "no"})
>>> answer_of(b, "dechallenge"), b.naranjo_score == a.naranjo_score + 1 - 1
('yes', True)
"""

from __future__ import annotations

from collections.abc import Mapping

from ..kb.knowledge import KnowledgeBase
from ..model.results import CausalityItem, DrugCausality, DrugExposure, NormalisedCase, Workup
from ..model.types import ANSWERS, AgentAssociation, CausalityQuestion
from .phrases import score_text
from .rank import anchor_days_ago
from .timeline import count_series

__all__ = [
    "assess_drugs",
    "assess_drug",
    "answer_of",
    "who_umc_category",
    "naranjo_category",
    "episode_onset",
    "read_timing",
    "read_dechallenge",
    "read_alternatives",
]

#: (answer, reason code, facts) as a reader returns it
Reading = tuple[str, str, tuple[tuple[str, str], ...]]


def _days(value: float) -> str:
    return f"{value:g}"


def episode_onset(n: NormalisedCase) -> float:
    """Days since the neutropenia began: that of the case, or, when today's count is normal again, the
    first count of the last run of low counts on record.

    >>> from graph.model.case import Case, CountPoint
    >>> from graph.model.results import Severity
    >>> case = Case("x", 1900, anc_history=(CountPoint(-14, 200), CountPoint(-10, 300)))
    >>> severity = Severity("none", 1900, 1500, None, None, 0)
    >>> episode_onset(NormalisedCase(case, (), (), (), (), (), None, severity, (), True))
    14.0
    """
    severity = n.severity
    if severity.anc is None or severity.anc < severity.threshold:
        return severity.onset_days_ago
    onset = None
    for day, anc in reversed(count_series(n.case)):
        if anc < severity.threshold:
            onset = -day
        elif onset is not None:
            break
    return float(onset) if onset is not None else severity.onset_days_ago


def _lowest(n: NormalisedCase) -> float | None:
    """The lowest count on record (today's included)."""
    counts = [anc for _, anc in count_series(n.case)]
    return min(counts) if counts else None


def read_timing(kb: KnowledgeBase, n: NormalisedCase, drug: DrugExposure, assoc: AgentAssociation) -> Reading:
    """Did the neutropenia begin after the drug, within the time its window makes plausible?

    No when the drug was started after the neutropenia began, stopped longer before it than the
    window's grace, or when the days from the window's anchor dose to the onset fall outside the
    plausible span (from ``early_plausible_fraction`` of the typical start to the plausible edge);
    yes inside it; open without dates.
    """
    onset = episode_onset(n)
    started = drug.started_days_ago
    if started is not None and started < onset:
        return "no", "started-after-onset", (("started", _days(started)), ("onset", _days(onset)))
    window = assoc.window
    if window is None:
        if started is None:
            return "unanswered", "no-dates", ()
        return "yes", "started-before-onset", (("started", _days(started)), ("onset", _days(onset)))
    if drug.stopped_days_ago is not None:
        gap = drug.stopped_days_ago - onset
        grace = window.stopped_grace if window.stopped_grace is not None else window.typical_max
        if gap > grace:
            return "no", "stopped-before-onset", (("gap", _days(gap)), ("grace", _days(grace)))
    anchor = anchor_days_ago(window, drug)
    if anchor is None:
        return "unanswered", "no-dates", ()
    days = anchor - onset
    facts = (
        ("days", _days(days)),
        ("anchor", window.anchor),
        ("earliest", _days(window.typical_min * kb.param("early_plausible_fraction"))),
        ("typical_min", _days(window.typical_min)),
        ("typical_max", _days(window.typical_max)),
        ("latest", _days(window.plausible_max)),
    )
    if days > window.plausible_max:
        return "no", "later-than-plausible", facts
    if days < window.typical_min * kb.param("early_plausible_fraction"):
        return "no", "earlier-than-plausible", facts
    return "yes", "within-window", facts


def read_dechallenge(kb: KnowledgeBase, n: NormalisedCase, drug: DrugExposure) -> Reading:
    """Did the count improve after the drug was stopped?

    Yes when a count taken after the stop reaches the age-appropriate lower limit; no when every
    count since is below it and the last was taken ``dechallenge_wait_days`` or more after the stop;
    open when the drug was not stopped, no count follows the stop, or it is too early to tell.
    """
    stopped = drug.stopped_days_ago
    if stopped is None:
        return "unanswered", "not-stopped", ()
    after = [(day, anc) for day, anc in count_series(n.case) if day > -stopped]
    if not after:
        return "unanswered", "no-count-after-stop", (("stopped", _days(stopped)),)
    limit = n.severity.threshold
    for day, anc in after:
        if anc >= limit:
            return "yes", "recovered", (("anc", _days(anc)), ("after", _days(stopped + day)), ("limit", _days(limit)))
    day, anc = after[-1]
    facts = (("anc", _days(anc)), ("after", _days(stopped + day)), ("limit", _days(limit)))
    if stopped + day >= kb.param("dechallenge_wait_days"):
        return "no", "not-recovered", facts
    return "unanswered", "too-early", facts


def read_alternatives(kb: KnowledgeBase, workup: Workup, drug: str) -> Reading:
    """Could causes other than the drug explain the neutropenia on their own (from the differential)?

    The causes that do not link the drug are the alternatives.  Yes when one of them holds at least
    ``causality_alternative_posterior`` of the posterior; no when all of them together hold less;
    open in between (many small alternatives).
    """
    own = {assoc.cause for assoc in kb.agent_assocs.get(drug, ())}
    others = [c for c in workup.candidates if c.cause not in own]
    least = kb.param("causality_alternative_posterior")
    strong = [c for c in others if c.score >= least]
    if strong:
        names = "; ".join(f"{kb.label(c.cause)} ({score_text(c.score)})" for c in strong[:3])
        return "yes", "alternatives", (("causes", names),)
    mass = sum(c.score for c in others)
    if mass < least:
        return "no", "no-alternative", (("mass", score_text(mass)),)
    return "unanswered", "spread-alternatives", (("mass", score_text(mass)), ("least", score_text(least)))


#: the identifiers of published literature, the only sources that count as earlier reports
_PUBLISHED = ("PMID:", "DOI:", "PMCID:")


def _read_reports(assoc: AgentAssociation) -> Reading:
    """Earlier reports: the link's sources that are publications (a PMID, DOI or PMCID); without one,
    the question is left to the user."""
    published = [s for s in assoc.sources if s.upper().startswith(_PUBLISHED)]
    if published:
        return "yes", "reports", (("sources", ", ".join(published)),)
    return "unanswered", "no-reports", ()


def _read_count(n: NormalisedCase) -> Reading:
    """A measured count below the age-appropriate limit (the lowest on record) is objective evidence."""
    lowest, limit = _lowest(n), n.severity.threshold
    if lowest is not None and lowest < limit:
        return "yes", "measured", (("anc", _days(lowest)), ("limit", _days(limit)))
    return "unanswered", "no-count", ()


def _read(
    kb: KnowledgeBase, workup: Workup, question: CausalityQuestion, drug: DrugExposure, assoc: AgentAssociation
) -> Reading:
    n = workup.normalised
    if question.reader == "timing":
        return read_timing(kb, n, drug, assoc)
    if question.reader == "dechallenge":
        return read_dechallenge(kb, n, drug)
    if question.reader == "alternatives":
        return read_alternatives(kb, workup, drug.agent)
    if question.reader == "reports":
        return _read_reports(assoc)
    if question.reader == "count":
        return _read_count(n)
    return "unanswered", "asked", ()


def _link(kb: KnowledgeBase, workup: Workup, drug: str) -> AgentAssociation | None:
    """The drug's link to the best-ranked cause that has one (by id when no candidate does)."""
    by_cause = {assoc.cause: assoc for assoc in sorted(kb.agent_assocs.get(drug, ()), key=lambda a: a.id)}
    for candidate in workup.candidates:
        if candidate.cause in by_cause:
            return by_cause[candidate.cause]
    return next(iter(by_cause.values()), None)


def assess_drug(
    kb: KnowledgeBase, workup: Workup, drug: str, answers: Mapping[str, str] | None = None
) -> DrugCausality | None:
    """The assessment of one listed drug; ``answers`` (question code -> yes, no or unknown) fill the
    questions the case leaves open.  None when the case does not list the drug or no cause links it.
    """
    exposure = next((d for d in workup.normalised.drugs if d.agent == drug), None)
    assoc = _link(kb, workup, drug) if exposure is not None else None
    if exposure is None or assoc is None or not kb.causality.questions:
        return None
    given = answers or {}
    items = []
    for question in kb.causality.questions:
        answer, reason, facts = _read(kb, workup, question, exposure, assoc)
        origin = "case" if answer != "unanswered" else "open"
        user = given.get(question.code)
        if origin == "open" and user in ANSWERS and user != "unanswered":
            answer, origin = user, "user"
        items.append(CausalityItem(question.code, answer, question.points(answer), origin, reason, facts))
    score = sum(item.points for item in items)
    who = who_umc_category(kb, {item.question: item.answer for item in items})
    return DrugCausality(drug, exposure.written, assoc.cause, tuple(items), score, naranjo_category(kb, score), who)


def who_umc_category(kb: KnowledgeBase, answers: Mapping[str, str]) -> str:
    """The code of the first WHO-UMC category (in the ontology's order) whose criteria the answers meet.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> who_umc_category(kb, {"temporal": "yes", "alternative-causes": "no", "dechallenge": "yes"})
    'probable'
    """
    table = dict(answers)
    return next((c.code for c in kb.causality.who_umc if c.applies(table)), "")


def naranjo_category(kb: KnowledgeBase, score: float) -> str:
    """The code of the Naranjo band that holds a total score.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> [naranjo_category(load_knowledge_base(), s) for s in (9, 5, 4, 0)]
    ['definite', 'probable', 'possible', 'doubtful']
    """
    return next((c.code for c in kb.causality.naranjo if c.holds(score)), "")


def assess_drugs(
    kb: KnowledgeBase, workup: Workup, answers: Mapping[str, Mapping[str, str]] | None = None
) -> tuple[DrugCausality, ...]:
    """Every listed drug that a cause links, in the order the case lists them (each drug once);
    ``answers`` maps a drug id to its answers (see :func:`assess_drug`)."""
    found = []
    seen: set[str] = set()
    for exposure in workup.normalised.drugs:
        if exposure.agent in seen:
            continue
        seen.add(exposure.agent)
        assessment = assess_drug(kb, workup, exposure.agent, (answers or {}).get(exposure.agent))
        if assessment is not None:
            found.append(assessment)
    return tuple(found)


def answer_of(assessment: DrugCausality, question: str) -> str:
    """The answer an assessment gives to a question code ("unanswered" for a code it does not hold)."""
    return next((item.answer for item in assessment.items if item.question == question), "unanswered")
