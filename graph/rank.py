"""Ranking: a transparent naive-Bayes score for every cause, explainable term by term.

log score(cause) = log prior + sum of log likelihood ratios.  Each kind of term is computed and
explained by one function below, so the number a user reads is the number that ranked:

* :func:`prior_terms` - prevalence among neutropenias, the prior modifiers that fit the patient
  (age band, sex, ancestry), the cause's onset ages against the patient's age at onset, and its mode
  of inheritance against the patient's sex;
* :func:`phenotype_terms` - every present and absent finding on the HPO hierarchy, in the manner of
  LIRICAL (Robinson et al., AJHG 2020, DOI:10.1016/j.ajhg.2020.06.021): a query term equal to or more
  specific than an annotation scores by the annotation's frequency, a query term more general than
  the annotations by the probability that the cause shows some term beneath it, an unrelated term by
  the false-positive rate against its background, and an excluded term by the same probabilities;
* :func:`agent_terms` - the best agent the patient was exposed to, with a timing likelihood that falls
  off smoothly outside the typical window (:func:`timing_factor`);
* :func:`context_terms` - known conditions, exposures and named diagnoses.

Scores are normalised over all causes (assuming one cause explains the case), so a candidate's
``score`` is its posterior probability under the model, tempered by ``posterior_temperature``
(p proportional to exp(log score / T)): naive Bayes counts correlated findings as independent and so
is overconfident, and the temperature is fitted on the development part of the real-patient corpus.
The ranking is the ranking of the log scores, which the temperature does not change.
:mod:`graph.concurrent` looks for a second cause when the first leaves findings unexplained.

Examples
--------
>>> from graph.knowledge import load_knowledge_base
>>> from graph.case import parse_case
>>> from graph.normalise import normalise_case
>>> kb = load_knowledge_base()
>>> case = parse_case({"id": "x", "anc": 150, "patient": {"age_years": 30, "sex": "male"},
...                    "findings": ["Fever", "Pharyngitis"], "duration_days": 2,
...                    "medications": [{"name": "clozapine", "started_days_ago": 60}]})
>>> top = rank_causes(kb, normalise_case(kb, case))[0]
>>> kb.label(top.agents[0])
'clozapine'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .knowledge import KnowledgeBase
from .results import Candidate, ContextHit, DrugExposure, Evidence, NormalisedCase, Observation
from .timeline import onset_age_years
from .types import (
    AgentAssociation,
    Cause,
    ContextAssociation,
    FindingAssociation,
    PriorModifier,
    TimingWindow,
    association_log_lrs,
)

__all__ = [
    "rank_causes",
    "timing_factor",
    "prior_terms",
    "phenotype_terms",
    "agent_terms",
    "context_terms",
    "Term",
    "MATCH_KINDS",
    "age_band_text",
]

#: how a patient's finding met a cause's annotations (shown on every phenotype term)
MATCH_KINDS = ("exact", "query more specific", "query more general", "unrelated", "excluded")


@dataclass(frozen=True)
class Term:
    """One score term: its log likelihood ratio, and how to build its evidence when it is shown
    (``make(*args)``, called only for the candidates that are explained)."""

    log_lr: float
    make: Callable[..., tuple[Evidence, ...]]
    args: tuple = ()

    def explain(self) -> tuple[Evidence, ...]:
        return self.make(*self.args)


def age_band_text(low: float, high: float | None) -> str:
    """An age band for people: ``age 60 y or older`` for an open band, ``age 0-16 y`` otherwise.

    >>> age_band_text(60, 200), age_band_text(0, 16)
    ('age 60 y or older', 'age 0-16 y')
    """
    return f"age {low:g} y or older" if high is None or high >= 150 else f"age {low:g}-{high:g} y"


def _direction(log_lr: float) -> str:
    return "for" if log_lr > 1e-9 else "against" if log_lr < -1e-9 else "neutral"


def _evidence(
    kind: str, label: str, log_lr: float, path: tuple[str, ...], sources=(), detail: str = "", match: str = ""
) -> Evidence:
    return Evidence(kind, label, log_lr, _direction(log_lr), path, tuple(sources), detail, match)


# ---------------------------------------------------------------- priors


def prior_terms(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> list[Term]:
    """The prior of a cause for this patient: base rate, each modifier, onset age, inheritance and sex."""
    base = math.log(max(cause.prevalence, 1e-9))
    terms = [
        Term(
            base,
            lambda: (
                _evidence(
                    "prior",
                    f"prevalence among neutropenias {cause.prevalence:g}",
                    base,
                    (cause.id,),
                    cause.info.sources,
                ),
            ),
        )
    ]
    modifiers = kb.priors.get(cause.id, ())
    for modifier in modifiers:
        if _applies(modifier, n):
            terms.append(_modifier_term(kb, cause, modifier))
    onset = _onset_term(kb, cause, n, has_age_modifier=any(m.min_age is not None for m in modifiers))
    if onset is not None:
        terms.append(onset)
    sex = _inheritance_sex_term(kb, cause, n)
    if sex is not None:
        terms.append(sex)
    return terms


def _modifier_term(kb: KnowledgeBase, cause: Cause, modifier: PriorModifier) -> Term:
    log_lr = math.log(modifier.multiplier)

    def explain() -> tuple[Evidence, ...]:
        parts = []
        if modifier.min_age is not None:
            parts.append(age_band_text(modifier.min_age, modifier.max_age))
        if modifier.sex:
            parts.append(modifier.sex)
        if modifier.ancestry:
            parts.append(kb.label(modifier.ancestry) + " ancestry")
        label = f"prior x{modifier.multiplier:g} ({', '.join(parts)})"
        return (_evidence("prior", label, log_lr, (modifier.id, cause.id), modifier.sources),)

    return Term(log_lr, explain)


def _applies(modifier: PriorModifier, n: NormalisedCase) -> bool:
    age = n.case.age_years
    if modifier.min_age is not None and (age is None or not modifier.min_age <= age < (modifier.max_age or 200)):
        return False
    if modifier.sex is not None and modifier.sex != n.case.sex:
        return False
    return modifier.ancestry is None or modifier.ancestry == n.ancestry_group


def _onset_age(n: NormalisedCase) -> tuple[float, bool] | None:
    """The patient's age at onset of the neutropenia, and whether the case establishes it (a duration or
    earlier counts) rather than assuming it from the age at presentation."""
    if n.case.age_years is None:
        return None
    known = n.case.duration_days is not None or bool(n.case.anc_history)
    return onset_age_years(n.case, n.severity), known


def _onset_term(kb: KnowledgeBase, cause: Cause, n: NormalisedCase, has_age_modifier: bool) -> Term | None:
    """Onset ages of the cause against the patient's age at onset.

    Inside a range of the cause's HPO onset terms the term is neutral; beyond it the likelihood ratio
    falls towards ``onset_mismatch_lr`` over ``onset_full_penalty_years`` of distance.  A congenital cause
    with no onset data and no curated age band gets the ``default_congenital_onset`` range, weakened by
    ``onset_default_exponent``; an age at onset assumed from the age at presentation is weakened by
    ``onset_assumed_exponent``.
    """
    ranges = [kb.onset_ranges[t] for t in cause.onset if t in kb.onset_ranges]
    exponent = 1.0
    origin = ", ".join(kb.label(t) for t in cause.onset if t in kb.onset_ranges)
    if not ranges:
        if has_age_modifier or cause.category != kb.congenital_category or kb.default_onset is None:
            return None
        ranges = [kb.onset_ranges[kb.default_onset]]
        exponent = kb.param("onset_default_exponent")
        origin = f"no onset annotated; assumed {kb.label(kb.default_onset)}"
    patient = _onset_age(n)
    if patient is None:
        return None
    age, known = patient
    if not known:
        exponent *= kb.param("onset_assumed_exponent")
    low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
    distance = age - high if age >= high else low - age if age < low else 0.0
    if distance <= 0:
        return None
    fraction = min(1.0, distance / kb.param("onset_full_penalty_years"))
    log_lr = math.log(kb.param("onset_mismatch_lr")) * fraction * exponent

    def explain() -> tuple[Evidence, ...]:
        when = "began" if known else "presents"
        label = f"onset: neutropenia {when} at {age:.1f} y, the cause begins at {age_band_text(low, high)} ({origin})"
        return (_evidence("prior", label, log_lr, (cause.id,), _param_sources(kb, "onset_mismatch_lr")),)

    return Term(log_lr, explain)


def _inheritance_sex_term(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> Term | None:
    """An X-linked recessive cause (and no other mode of inheritance) is mostly one of males."""
    sex = n.case.sex
    if sex not in ("female", "male") or not cause.inheritance:
        return None
    if any(mode not in kb.male_predominant_inheritance for mode in cause.inheritance):
        return None
    female = kb.param("x_linked_recessive_female_fraction")
    everyone = kb.param("patient_female_fraction")  # P(sex) among all patients, the ratio's denominator
    log_lr = math.log(female / everyone if sex == "female" else (1 - female) / (1 - everyone))

    def explain() -> tuple[Evidence, ...]:
        modes = ", ".join(kb.label(m) for m in cause.inheritance)
        label = f"{modes}: {female:.0%} of patients female; this patient is {sex}"
        sources = _param_sources(kb, "x_linked_recessive_female_fraction")
        return (_evidence("prior", label, log_lr, (cause.id,), sources),)

    return Term(log_lr, explain)


def _param_sources(kb: KnowledgeBase, code: str) -> tuple[str, ...]:
    return kb.param_sources.get(code, ())


# ---------------------------------------------------------------- drug timing


def _window_weight(kb: KnowledgeBase, window: TimingWindow, days: float) -> tuple[float, str]:
    """How much of an agent's log likelihood ratio its timing keeps: 1 inside the typical window, then
    falling linearly in log-time to ``plausible_window_exponent`` at the plausible edge and on, to a floor
    (``late_tail_exponent`` after the window, ``early_tail_exponent`` before it)."""
    span = f"typical {window.typical_min:g}-{window.typical_max:g}, plausible to {window.plausible_max:g}"
    keep = kb.param("plausible_window_exponent")
    if window.typical_min <= days <= window.typical_max:
        return 1.0, f"within the typical window ({span})"
    if days > window.typical_max:
        edge = max(window.typical_max, 1.0)
        ratio = window.plausible_max / edge if window.plausible_max > edge else 2.0
        weight = 1 - (1 - keep) * math.log(max(days, 1.0) / edge) / math.log(ratio)
        floor = kb.param("late_tail_exponent") if window.late_tail is None else window.late_tail
        side = "later than typical"
    else:
        early = max(window.typical_min * kb.param("early_plausible_fraction"), 0.5)
        ratio = max(window.typical_min / early, 2.0)
        weight = 1 - (1 - keep) * math.log(window.typical_min / max(days, 0.5)) / math.log(ratio)
        floor, side = kb.param("early_tail_exponent"), "earlier than typical"
    return max(weight, floor), f"{side} ({span})"


def anchor_days_ago(window: TimingWindow, drug: DrugExposure) -> float | None:
    """Days since the dose a timing window counts from: the first dose, or the last (else the stop)."""
    if window.anchor == "start":
        return drug.started_days_ago
    return drug.last_dose_days_ago if drug.last_dose_days_ago is not None else drug.stopped_days_ago


def timing_factor(
    kb: KnowledgeBase, assoc: AgentAssociation, drug: DrugExposure, onset_days_ago: float
) -> tuple[float, str]:
    """The likelihood ratio of a drug exposure given its timing, and a phrase explaining it.

    Timing is evidence, not a gate: the ratio is LR^w, where the weight w falls off smoothly outside the
    typical window (:func:`_window_weight`) and the named drug without dates keeps
    LR^``unknown_timing_exponent``.  A drug started after the neutropenia began, or stopped long before
    it, cannot explain it.
    """
    lr = assoc.likelihood_ratio
    window = assoc.window
    if window is None:
        return lr, "no timing window"
    started = drug.started_days_ago
    if started is not None and started < onset_days_ago:
        return kb.param("started_after_onset_lr"), (
            f"started {started:g} days ago, after the neutropenia began ({onset_days_ago:g} days ago)"
        )
    anchor = anchor_days_ago(window, drug)
    anchor_text = "since first dose" if window.anchor == "start" else "since last dose"
    if drug.stopped_days_ago is not None:
        gap = drug.stopped_days_ago - onset_days_ago
        grace = window.stopped_grace if window.stopped_grace is not None else window.typical_max
        if gap > grace:
            return kb.param("outside_window_lr"), f"stopped {gap:g} days before the neutropenia began"
    if anchor is None:
        return lr ** kb.param("unknown_timing_exponent"), "timing not given"
    days = anchor - onset_days_ago
    weight, where = _window_weight(kb, window, days)
    value = lr**weight if lr >= 1 else lr
    return value, f"{days:g} days {anchor_text} at onset: {where}"


# ---------------------------------------------------------------- phenotype


def _specific_present(kb: KnowledgeBase, present: list[Observation]) -> list[Observation]:
    """Drop a present finding when a more specific one of the same branch is also present."""
    terms = {o.finding for o in present}
    kept = []
    for observation in present:
        others = terms - {observation.finding}
        if any(observation.finding in kb.hpo.ancestors(other) for other in sorted(others)):
            continue
        kept.append(observation)
    return kept


def _is_trait(kb: KnowledgeBase, finding: str) -> bool:
    info = kb.findings.get(finding)
    return info is not None and info.trait


def _restates_premise(kb: KnowledgeBase, finding: str) -> bool:
    """Whether the finding says the patient is neutropenic ("Agranulocytosis"): below the premise finding
    or flagged ``nkg:statesNeutropenia``, itself or through an ancestor."""
    return kb.premise_finding in kb.hpo.ancestors(finding) or kb.states_neutropenia(finding)


def _mediated(kb: KnowledgeBase, finding: str, present_terms: set[str]) -> bool:
    info = kb.findings.get(finding)
    return info is not None and any(term in present_terms for term in info.mediated_by)


def _by_cause(assocs: tuple[FindingAssociation, ...]) -> dict[str, list[FindingAssociation]]:
    grouped: dict[str, list[FindingAssociation]] = {}
    for assoc in assocs:
        grouped.setdefault(assoc.cause, []).append(assoc)
    return grouped


class _CaseIndex:
    """The case's findings, agents and contexts matched once against the knowledge base's indexes."""

    def __init__(self, kb: KnowledgeBase, n: NormalisedCase) -> None:
        premise = kb.hpo.ancestors(kb.premise_finding)  # "Neutropenia" and its ancestors say nothing
        self.premise = premise
        present_terms: set[str] = set()
        for o in n.observations:
            if o.present:
                present_terms |= kb.hpo.ancestors(o.finding)
        #: every present finding with its ancestors, every condition or exposure the case names and the
        #: patient's ancestry group: what can show a cause's defining features (a more specific finding, too)
        ancestry = {n.ancestry_group} if n.ancestry_group else set()
        self.shown_features = frozenset(present_terms | {context.node for context in n.contexts} | ancestry)
        present = _specific_present(
            kb,
            [
                o
                for o in n.observations
                if o.present and o.finding not in premise and not _mediated(kb, o.finding, present_terms)
            ],
        )
        self.present = present
        self.absent = [o for o in n.observations if not o.present and o.finding not in premise]
        #: finding -> its background given an origin the case shows (a sign that comes with the fever)
        origins = (present_terms - premise) | {context.node for context in n.contexts}
        self.given_origin = {
            o.finding: value
            for o in [*present, *self.absent]
            if (value := _background_given_origin(kb, o.finding, origins)) is not None
        }
        #: days since the illness began, when the case establishes it (a duration or earlier counts): a
        #: test less sensitive early in the illness is then scored by its early sensitivity
        known = n.case.duration_days is not None or bool(n.case.anc_history)
        self.illness_days: float | None = n.severity.onset_days_ago if known else None
        #: present observations a cause must explain: not derived from numbers, not constitutional traits,
        #: and not a restatement of the premise ("Agranulocytosis" says how low the count is, which every
        #: cause explains; it still counts for the causes that link it, see :func:`_restates_premise`)
        self.stated = frozenset(
            o.finding
            for o in present
            if not o.derived
            and not _is_trait(kb, o.finding)
            and not _restates_premise(kb, o.finding)
            and o.finding not in self.given_origin
        )
        #: finding -> causes it is a consequence of (a cause linking a present cytopenia explains fatigue)
        self.consequence_of: dict[str, frozenset[str]] = {}
        for observation in present:
            info = kb.findings.get(observation.finding)
            explainers: frozenset[str] = frozenset()
            for origin in info.consequence_of if info else ():
                if origin in present_terms:
                    explainers = explainers | kb.causes_below.get(origin, frozenset())
            self.consequence_of[observation.finding] = explainers
        #: stated finding -> its log LR for a cause that does not show it (the same for every such cause)
        self.unrelated = {f: _unrelated_log_lr(kb, f) for f in sorted(self.stated)}
        #: finding -> cause -> annotations at or above it (the query is as or more specific)
        self.above = {o.finding: kb.hits_at_or_above(o.finding) for o in present}
        #: finding -> cause -> annotations strictly below it (the query is more general)
        self.below: dict[str, dict[str, list[FindingAssociation]]] = {}
        for observation in [*present, *self.absent]:
            if observation.finding not in self.below:
                self.below[observation.finding] = _by_cause(kb.assocs_below.get(observation.finding, ()))
        #: cause -> (LR after timing, agent, association, why) for every agent the case points to
        self.agent_options: dict[str, list[tuple[float, str, AgentAssociation, str]]] = {}
        for drug in n.drugs:
            for assoc in kb.agent_assocs.get(drug.agent, ()):
                lr, why = timing_factor(kb, assoc, drug, n.severity.onset_days_ago)
                self.agent_options.setdefault(assoc.cause, []).append(
                    (lr, drug.agent, assoc, f"{drug.written} ({drug.match}): {why}")
                )
        for hit in n.agents:
            for assoc in kb.agent_assocs.get(hit.agent, ()):
                lr, why = assoc.likelihood_ratio, hit.origin
                if hit.variant_origin and assoc.variant_origin and hit.variant_origin != assoc.variant_origin:
                    lr = kb.param("variant_origin_mismatch_lr")
                    why += f"; a {hit.variant_origin} variant, but this cause arises from a {assoc.variant_origin} one"
                self.agent_options.setdefault(assoc.cause, []).append((lr, hit.agent, assoc, why))
        #: cause -> (context hit, association), each context counted once
        self.contexts: dict[str, list[tuple[ContextHit, ContextAssociation]]] = {}
        seen: set[str] = set()
        for context in n.contexts:
            if context.node not in seen:
                seen.add(context.node)
                for context_assoc in kb.context_assocs.get(context.node, ()):
                    self.contexts.setdefault(context_assoc.cause, []).append((context, context_assoc))
        self.known: dict[str, ContextHit] = {}
        for context in n.known_causes:
            self.known.setdefault(context.node, context)


def _early(kb: KnowledgeBase, assoc: FindingAssociation, days: float | None) -> tuple[float, float, float] | None:
    """(P, log LR present, log LR absent) of an association whose test is less sensitive early in the
    illness, when the illness is known to be that early (``days`` within its ``nkg:earlyPhaseDays``)."""
    early = kb.early_weights.get(assoc.id)
    if early is None or days is None or days > early[0]:
        return None
    return early[1], early[2], early[3]


def _noisy_or(kb: KnowledgeBase, assocs: list[FindingAssociation], days: float | None = None) -> float:
    """P(the cause shows at least one of these annotated terms), annotations taken as independent (each at
    its early frequency when the illness is ``days`` old and its test is less sensitive then)."""
    floor = kb.param("frequency_floor")
    miss = 1.0
    for assoc in assocs:
        early = _early(kb, assoc, days)
        frequency = assoc.frequency if early is None else early[0]
        miss *= 1 - min(max(frequency, floor), 1 - floor)
    return min(max(1 - miss, floor), 1 - floor)


def _background_given_origin(kb: KnowledgeBase, finding: str, shown: set[str]) -> float | None:
    """``nkg:backgroundGivenOrigin`` of a finding when the case shows one of its origins, else None."""
    info = kb.findings.get(finding)
    if info is None or info.background_given_origin is None:
        return None
    return info.background_given_origin if any(o in shown for o in info.consequence_of) else None


def _unrelated_log_lr(kb: KnowledgeBase, finding: str) -> float:
    """A stated finding the cause does not show: the false-positive rate against the finding's background,
    between ``unlinked_present_lr`` (a common finding) and 1 (a rare one, which says little)."""
    ratio = kb.param("phenotype_false_positive_rate") / kb.background(finding)
    return math.log(min(1.0, max(kb.param("unlinked_present_lr"), ratio)))


def _explain_match(
    kb: KnowledgeBase, cause_id: str, observation: Observation, assoc: FindingAssociation, p: float, log_lr: float
) -> tuple[Evidence, ...]:
    finding = observation.finding
    kind = "exact" if assoc.finding == finding else "query more specific"
    via = "" if kind == "exact" else f", counts as {kb.label(assoc.finding)}"
    label = f"{kb.label(finding)} present ({kind}{via}): in {p:.0%} of cases"
    path = (finding, assoc.id, cause_id)
    return (_evidence("finding", label, log_lr, path, assoc.sources, observation.origin, kind),)


def _explain_counted_once(
    kb: KnowledgeBase, cause_id: str, finding: str, assoc: FindingAssociation, scored_by: str
) -> tuple[Evidence, ...]:
    label = (
        f"{kb.label(finding)} present (query more specific, counts as {kb.label(assoc.finding)}, "
        f"already counted through {kb.label(scored_by)})"
    )
    return (_evidence("finding", label, 0.0, (finding, assoc.id, cause_id), assoc.sources, "", "query more specific"),)


def _explain_general(
    kb: KnowledgeBase, cause_id: str, observation: Observation, below: list[FindingAssociation], p: float, log_lr: float
) -> tuple[Evidence, ...]:
    finding = observation.finding
    shown = sorted(below, key=lambda a: (-a.frequency, a.id))
    examples = ", ".join(kb.label(a.finding) for a in shown[:3])
    label = f"{kb.label(finding)} present (query more general; the cause shows {examples}): P {p:.0%}"
    sources = tuple(dict.fromkeys(s for a in shown[:3] for s in a.sources))
    path = (finding, shown[0].id, cause_id)
    return (_evidence("finding", label, log_lr, path, sources, observation.origin, "query more general"),)


def _explain_unrelated(
    kb: KnowledgeBase, cause_id: str, observation: Observation, log_lr: float
) -> tuple[Evidence, ...]:
    finding = observation.finding
    label = f"{kb.label(finding)} (unrelated: not a feature of this cause)"
    return (_evidence("unexplained-finding", label, log_lr, (finding, cause_id), (), observation.origin, "unrelated"),)


def _or_by_chance(unrelated: float | None, p: float, log_lr: float, opposes: bool = False) -> float:
    """A stated finding matched only through a more general or more specific term of the cause (shown in
    a share ``p`` of its patients) may also be present by chance, as an unrelated finding is (log LR
    ``unrelated``): LR = p / background + (1 - p) x LR(unrelated), in the manner of LIRICAL's floor for
    such matches.  So matching a vaguer annotation never counts more against a cause than not matching
    at all.  ``None`` (a finding derived from numbers, which has no unrelated score) keeps the match
    alone; a curator's "opposes" polarity keeps the term at most neutral.

    >>> round(math.exp(_or_by_chance(math.log(0.4), 0.17, math.log(0.17 / 0.45))), 3)
    0.71
    """
    if unrelated is None:
        return log_lr
    mixed = math.log(math.exp(log_lr) + (1 - p) * math.exp(unrelated))
    return min(mixed, 0.0) if opposes else mixed


def _split_log_lr(kb: KnowledgeBase, annotated: str, p: float, background: float) -> float:
    """log LR of a stated finding (whose background is ``background``) more specific than the cause's
    annotation on ``annotated`` (shown in a share ``p`` of its patients), in the manner of LIRICAL
    (Robinson et al., AJHG 2020, DOI:10.1016/j.ajhg.2020.06.021): the annotation's frequency is shared
    among the annotated term's child terms, ``P(finding | cause) = p / children``.  The caller keeps the
    smaller of this and the annotation's own ratio, so a specific finding that merely falls under a
    general annotation (any term below "Abnormal distal phalanx morphology of finger") cannot count for
    more than the cause predicts of it.  LIRICAL's worked example: Syncope in 72% of a disease's patients
    and three child terms give a child term 24%.
    """
    share = p / max(kb.hpo.children_count(annotated), 1)
    return math.log(share / background)


def _present_term(
    kb: KnowledgeBase, cause_id: str, observation: Observation, index: _CaseIndex
) -> tuple[Term | None, FindingAssociation | None]:
    """The term of one present finding for one cause, and the annotation at or above it that it used."""
    finding = observation.finding
    assoc = index.above[finding].get(cause_id)
    if assoc is not None and assoc.finding != finding and assoc.finding in index.premise:
        # only an annotation of the premise itself ("Neutropenia in 33%") matches this more specific
        # finding ("Chronic neutropenia"): every patient ranked here is neutropenic, so the annotation
        # says nothing about which kind of neutropenia the cause gives, and the term is neutral
        return None, None
    if assoc is not None:
        early = _early(kb, assoc, index.illness_days)
        p, log_lr = kb.assoc_weights[assoc.id][:2] if early is None else early[:2]
        if finding in index.given_origin and assoc.finding == finding:
            log_lr = association_log_lrs(p, index.given_origin[finding], assoc.polarity)[0]
        elif assoc.finding != finding:
            if assoc.polarity != "opposes":
                background = index.given_origin.get(finding, kb.background(finding))
                log_lr = min(log_lr, _split_log_lr(kb, assoc.finding, p, background))
            log_lr = _or_by_chance(index.unrelated.get(finding), p, log_lr, assoc.polarity == "opposes")
        return Term(log_lr, _explain_match, (kb, cause_id, observation, assoc, p, log_lr)), assoc
    below = index.below[finding].get(cause_id)
    if below:
        p = _noisy_or(kb, below, index.illness_days)
        log_lr = math.log(p / index.given_origin.get(finding, kb.background(finding)))
        log_lr = _or_by_chance(index.unrelated.get(finding), p, log_lr)
        return Term(log_lr, _explain_general, (kb, cause_id, observation, below, p, log_lr)), None
    if finding not in index.stated or cause_id in index.consequence_of.get(finding, frozenset()):
        return None, None
    log_lr = index.unrelated[finding]
    return Term(log_lr, _explain_unrelated, (kb, cause_id, observation, log_lr)), None


def _explain_absent(
    kb: KnowledgeBase,
    cause_id: str,
    observation: Observation,
    matches: list[FindingAssociation],
    p: float,
    log_lr: float,
    early_days: float | None = None,
) -> tuple[Evidence, ...]:
    finding = observation.finding
    first = min(matches, key=lambda a: (-a.frequency, a.id))
    via = "" if first.finding == finding else f" (as {kb.label(first.finding)})"
    stage = "" if early_days is None else f" on day {early_days:g} of the illness, when the test is less sensitive"
    label = f"{kb.label(finding)} absent (excluded{via}): expected in {p:.0%}{stage}"
    path = (finding, first.id, cause_id)
    return (_evidence("absent-finding", label, log_lr, path, first.sources, observation.origin, "excluded"),)


def _absent_term(
    kb: KnowledgeBase, cause_id: str, observation: Observation, index: _CaseIndex, used: set[str]
) -> Term | None:
    finding = observation.finding
    matches = [a for a in index.below[finding].get(cause_id, ()) if a.id not in used]
    if not matches:
        return None
    p = _noisy_or(kb, matches, index.illness_days)
    bg = index.given_origin.get(finding, kb.background(finding))
    log_lr = math.log((1 - p) / (1 - bg)) if bg < 1 else 0.0
    early = index.illness_days if any(_early(kb, a, index.illness_days) for a in matches) else None
    return Term(log_lr, _explain_absent, (kb, cause_id, observation, matches, p, log_lr, early))


def phenotype_terms(kb: KnowledgeBase, cause: Cause, index: _CaseIndex) -> list[Term]:
    """One term per present finding (exact, more specific, more general or unrelated) and per absent one.

    An annotation counts once: when several present findings are each more specific than the same
    annotation of the cause (antinuclear antibodies, rheumatoid factor and anti-CCP all under
    "Autoimmunity"), the strongest of them scores it and the others are neutral.
    """
    terms: list[Term] = []
    used: set[str] = set()
    cause_id = cause.id
    through: dict[str, list[tuple[float, str, int, FindingAssociation]]] = {}  # annotation -> its sharers
    for observation in index.present:
        finding = observation.finding
        if cause_id not in index.above[finding] and cause_id not in index.below[finding]:
            if finding not in index.stated or cause_id in index.consequence_of[finding]:
                continue  # the common case, checked without a call: nothing to say
        term, above = _present_term(kb, cause_id, observation, index)
        if term is not None:
            if above is not None and above.finding != finding:
                through.setdefault(above.id, []).append((term.log_lr, finding, len(terms), above))
            terms.append(term)
        if above is not None:
            used.add(above.id)
    for sharing in through.values():
        ranked = sorted(sharing, key=lambda s: (-s[0], s[1]))
        for _, finding, position, assoc in ranked[1:]:
            terms[position] = Term(0.0, _explain_counted_once, (kb, cause_id, finding, assoc, ranked[0][1]))
    for observation in index.absent:
        if cause_id in index.below[observation.finding]:
            term = _absent_term(kb, cause_id, observation, index, used)
            if term is not None:
                terms.append(term)
    return terms


# ---------------------------------------------------------------- agents and contexts


def agent_terms(kb: KnowledgeBase, cause: Cause, n: NormalisedCase, index: _CaseIndex) -> tuple[list[Term], list[str]]:
    """The best agent exposure for the cause (only it counts) and every agent that fits."""
    options = list(index.agent_options.get(cause.id, ()))
    if not options:
        if not cause.requires_agent or any(a.stands_for_exposure for _, a in index.contexts.get(cause.id, ())):
            return [], []  # e.g. "chemotherapy" named without its agents: the context states the exposure
        code = "no_exposure_lr" if n.medications_given else "unknown_medications_lr"
        text = "no listed drug is a known cause" if n.medications_given else "no medication list given"
        log_lr = math.log(kb.param(code))
        return [Term(log_lr, lambda: (_evidence("no-agent", text, log_lr, (cause.id,), (), code),))], []
    options.sort(key=lambda o: (-o[0], kb.label(o[1]), o[2].id))
    lr, agent, assoc, why = options[0]
    if not cause.requires_agent and lr < 1:
        lr, why = 1.0, why + "; a risk factor only, so poor timing is neutral"
    log_lr = math.log(lr)
    sources = assoc.sources + (assoc.window.sources if assoc.window else ())
    label = f"{kb.label(agent)}: LR {lr:.3g}"
    term = Term(log_lr, lambda: (_evidence("agent", label, log_lr, (agent, assoc.id, cause.id), sources, why),))
    keep = kb.param("plausible_window_exponent")
    implicated = [agent] if lr >= 1 else []
    implicated += [a for value, a, other, _ in options[1:] if value >= 1 and value >= other.likelihood_ratio**keep]
    return [term], list(dict.fromkeys(implicated))


def defining_terms(kb: KnowledgeBase, cause: Cause, index: _CaseIndex) -> list[Term]:
    """A cause none of whose defining features the case states is less likely. A cause named as a known
    diagnosis, or a drug cause whose agent the case lists, needs no defining feature stated."""
    if not cause.defining_features or cause.id in index.known or index.agent_options.get(cause.id):
        return []
    if any(f in index.shown_features for f in cause.defining_features):
        return []
    code = "unstated_defining_feature_lr"
    log_lr = math.log(kb.param(code))

    def explain() -> tuple[Evidence, ...]:  # built only for the candidates shown
        names = ", ".join(kb.label(f) for f in cause.defining_features)
        label = f"none of its defining features is stated ({names})"
        path = (cause.id,)  # the features are not in the case: the graph shows only the cause
        return (_evidence("no-defining-feature", label, log_lr, path, _param_sources(kb, code), code),)

    return [Term(log_lr, explain)]


def context_terms(kb: KnowledgeBase, cause: Cause, index: _CaseIndex) -> list[Term]:
    """Known conditions and exposures that change the cause's odds, and a diagnosis named as known."""
    terms = []
    for hit, assoc in index.contexts.get(cause.id, ()):
        log_lr = math.log(assoc.likelihood_ratio)
        label = f"{kb.label(hit.node)}: LR {assoc.likelihood_ratio:g}"
        path = (hit.node, assoc.id, cause.id)
        terms.append(
            Term(
                log_lr,
                lambda label=label, log_lr=log_lr, path=path, assoc=assoc, hit=hit: (
                    _evidence("context", label, log_lr, path, assoc.sources, hit.origin),
                ),
            )
        )
    known = index.known.get(cause.id)
    if known is not None:
        log_lr = math.log(kb.param("known_diagnosis_lr"))
        label = f"named as a known diagnosis: LR {math.exp(log_lr):g}"
        terms.append(
            Term(log_lr, lambda: (_evidence("known-diagnosis", label, log_lr, (cause.id,), (), known.origin),))
        )
    return terms


# ---------------------------------------------------------------- ranking


def rank_causes(kb: KnowledgeBase, n: NormalisedCase, explain: int | None = None) -> list[Candidate]:
    """Score every cause for a normalised case and return them best first (ranks from 1).

    Every candidate's score is computed; the evidence items (with their labels and paths) are
    built for the first ``explain`` candidates only (``None``: all), which keeps batch ranking fast.
    Ties are broken by the cause's label, then its id, so the order never depends on hashing.
    """
    index = _CaseIndex(kb, n)
    scored = []
    for cause in kb.causes.values():
        agent, implicated = agent_terms(kb, cause, n, index)
        terms = [
            *prior_terms(kb, cause, n),
            *phenotype_terms(kb, cause, index),
            *agent,
            *defining_terms(kb, cause, index),
            *context_terms(kb, cause, index),
        ]
        log_score = math.fsum(t.log_lr for t in terms)
        scored.append((log_score, cause, terms, tuple(implicated)))
    top = max(s[0] for s in scored)
    temperature = kb.param("posterior_temperature")
    total = math.fsum(math.exp((s[0] - top) / temperature) for s in scored)
    scored.sort(key=lambda s: (-s[0], s[1].label, s[1].id))
    candidates = []
    for rank, (log_score, cause, terms, agents) in enumerate(scored, start=1):
        explained = explain is None or rank <= explain
        evidence = tuple(e for t in terms for e in t.explain()) if explained else ()
        probability = math.exp((log_score - top) / temperature) / total
        candidates.append(Candidate(rank, cause.id, probability, log_score, evidence, agents))
    return candidates
