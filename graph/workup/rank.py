"""Ranking: a transparent naive-Bayes score for every cause, computed for all causes at once.

log score(cause) = log prior + sum of log likelihood ratios.  Each kind of term is one *column*: a
numpy array with the term's value for every cause (over :mod:`graph.kb.scoretables`, compiled once per
knowledge base), and a function that explains one cause's value from that same array, so the number a
user reads is the number that ranked.  One function computes and explains each kind:

* :func:`prior_column`, :func:`modifier_column`, :func:`onset_column`, :func:`sex_column` - prevalence
  among neutropenias, the prior modifiers that fit the patient (age band, sex, ancestry), the cause's
  onset ages against the patient's age at onset, and its mode of inheritance against the patient's sex;
* :func:`phenotype_columns` - every present and absent finding on the HPO hierarchy, in the manner of
  LIRICAL (Robinson et al., AJHG 2020, DOI:10.1016/j.ajhg.2020.06.021): a query term equal to or more
  specific than an annotation scores by the annotation's frequency, a query term more general than
  the annotations by the probability that the cause shows some term beneath it, an unrelated term by
  the false-positive rate against its background, and an excluded term by the same probabilities;
* :func:`agent_column` - the best agent the patient was exposed to, with a timing likelihood that falls
  off smoothly outside the typical window (:func:`timing_factor`);
* :func:`defining_column` - a cause none of whose defining features the case states;
* :func:`context_column` - known conditions, exposures and named diagnoses.

Scores are normalised over all causes (assuming one cause explains the case), so a candidate's
``score`` is its posterior probability under the model, tempered by ``posterior_temperature``
(p proportional to exp(log score / T)): naive Bayes counts correlated findings as independent and so
is overconfident, and the temperature is fitted on the development part of the real-patient corpus.
The ranking is the ranking of the log scores, which the temperature does not change.
:mod:`graph.workup.concurrent` looks for a second cause when the first leaves findings unexplained.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.model.case import parse_case
>>> from graph.workup.normalise import normalise_case
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
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from ..kb.knowledge import KnowledgeBase
from ..kb.scoretables import FindingTable, ScoreTables, noisy_or_of, score_tables, unrelated_log_lr
from ..model.results import AgentHit, Candidate, ContextHit, DrugExposure, Evidence, NormalisedCase, Observation
from ..model.types import (
    AgentAssociation,
    Cause,
    ContextAssociation,
    FindingAssociation,
    PriorModifier,
    TimingWindow,
    association_log_lrs,
)
from .timeline import onset_age_years

__all__ = [
    "rank_causes",
    "score_columns",
    "Column",
    "timing_factor",
    "anchor_days_ago",
    "MATCH_KINDS",
    "age_band_text",
]

#: how a patient's finding met a cause's annotations (shown on every phenotype term)
MATCH_KINDS = ("exact", "query more specific", "query more general", "unrelated", "excluded")


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


def _kept(kb: KnowledgeBase, lr: float, weight: float) -> float:
    """An agent's likelihood ratio with ``weight`` (0 to 1) of its evidence kept: LR ** weight above 1; a
    ratio below 1 (a drug that counts for less than a listed culprit but more than none, such as a drug no
    cause links) moves the same share of the way up from ``no_exposure_lr``.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> _kept(kb, 100.0, 0.5), round(_kept(kb, 0.1, 0.5) / kb.param("no_exposure_lr"), 6)
    (10.0, 3.162278)
    """
    if lr >= 1:
        return lr**weight
    floor = kb.param("no_exposure_lr")
    return floor * (lr / floor) ** weight if lr > floor else lr


def _ruled_out(kb: KnowledgeBase, lr: float, code: str) -> float:
    """The ratio of an exposure whose timing rules it out (``code``: started after the onset, stopped long
    before it); never more than no exposure at all for an agent whose ratio is below 1."""
    return min(kb.param(code), _kept(kb, lr, 0.0))


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
        return _ruled_out(kb, lr, "started_after_onset_lr"), (
            f"started {started:g} days ago, after the neutropenia began ({onset_days_ago:g} days ago)"
        )
    anchor = anchor_days_ago(window, drug)
    anchor_text = "since first dose" if window.anchor == "start" else "since last dose"
    if drug.stopped_days_ago is not None:
        gap = drug.stopped_days_ago - onset_days_ago
        grace = window.stopped_grace if window.stopped_grace is not None else window.typical_max
        if gap > grace:
            return _ruled_out(kb, lr, "outside_window_lr"), f"stopped {gap:g} days before the neutropenia began"
    if anchor is None:
        return _kept(kb, lr, kb.param("unknown_timing_exponent")), "timing not given"
    days = anchor - onset_days_ago
    weight, where = _window_weight(kb, window, days)
    return _kept(kb, lr, weight), f"{days:g} days {anchor_text} at onset: {where}"


# ---------------------------------------------------------------- columns


#: a column that says nothing about any cause explains nothing
def _silent(_: int) -> tuple[Evidence, ...]:
    return ()


@dataclass(frozen=True)
class Column:
    """One kind of score term for every cause at once: ``values[i]`` is its log likelihood ratio for the
    cause at position ``i`` of :attr:`graph.kb.scoretables.ScoreTables.causes`, and ``explain(i)`` the
    evidence that shows it, built from that same number (called only for the candidates shown)."""

    kind: str
    values: np.ndarray
    explain: Callable[[int], tuple[Evidence, ...]] = _silent


def _zeros(t: ScoreTables) -> np.ndarray:
    return np.zeros(len(t.causes), dtype=float)


# ---------------------------------------------------------------- priors


def prior_column(t: ScoreTables) -> Column:
    """Each cause's prevalence among neutropenias."""
    values = t.log_prior

    def explain(i: int) -> tuple[Evidence, ...]:
        cause = t.causes[i]
        label = f"prevalence among neutropenias {cause.prevalence:g}"
        return (_evidence("prior", label, float(values[i]), (cause.id,), cause.info.sources),)

    return Column("prior", values, explain)


def _modifier_applies(t: ScoreTables, n: NormalisedCase) -> np.ndarray:
    """Which prior modifiers fit the patient: age band, sex and ancestry group."""
    age = n.case.age_years
    banded = ~np.isnan(t.modifier_min_age)
    if age is None:
        fits_age = ~banded
    else:
        fits_age = ~banded | ((t.modifier_min_age <= age) & (age < t.modifier_max_age))
    fits_sex = _fits(t, "sex", t.modifier_sex, n.case.sex)
    fits_ancestry = _fits(t, "ancestry", t.modifier_ancestry, n.ancestry_group)
    return fits_age & fits_sex & fits_ancestry


def _fits(t: ScoreTables, kind: str, wanted: tuple[str | None, ...], value: str | None) -> np.ndarray:
    """Which modifiers ask for no ``kind`` or for ``value``, kept per value the modifiers name (and None)."""
    known: dict[str | None, np.ndarray] = t.derived(("modifier-fits", kind), lambda _: {})
    fits = known.get(value)
    if fits is None:
        fits = np.array([w is None or w == value for w in wanted], dtype=bool)
        if value is None or value in wanted:
            fits = known.setdefault(value, fits)
    return fits


def modifier_column(t: ScoreTables, n: NormalisedCase) -> Column:
    """The prior modifiers that fit the patient (age band, sex, ancestry), each its own evidence item."""
    applies = np.flatnonzero(_modifier_applies(t, n)) if len(t.modifiers) else np.zeros(0, dtype=np.int64)
    values = _zeros(t)
    np.add.at(values, t.modifier_cause[applies], t.modifier_log[applies])
    kb = t.kb
    by_cause: dict[int, list[PriorModifier]] = {}
    for j in applies.tolist():
        by_cause.setdefault(int(t.modifier_cause[j]), []).append(t.modifiers[j])

    def explain(i: int) -> tuple[Evidence, ...]:
        return tuple(_modifier_evidence(kb, t.causes[i], m) for m in by_cause.get(i, ()))

    return Column("prior", values, explain)


def _modifier_evidence(kb: KnowledgeBase, cause: Cause, modifier: PriorModifier) -> Evidence:
    parts = []
    if modifier.min_age is not None:
        parts.append(age_band_text(modifier.min_age, modifier.max_age))
    if modifier.sex:
        parts.append(modifier.sex)
    if modifier.ancestry:
        parts.append(kb.label(modifier.ancestry) + " ancestry")
    label = f"prior x{modifier.multiplier:g} ({', '.join(parts)})"
    return _evidence("prior", label, math.log(modifier.multiplier), (modifier.id, cause.id), modifier.sources)


def _onset_age(n: NormalisedCase) -> tuple[float, bool] | None:
    """The patient's age at onset of the neutropenia, and whether the case establishes it (a duration or
    earlier counts) rather than assuming it from the age at presentation."""
    if n.case.age_years is None:
        return None
    known = n.case.duration_days is not None or bool(n.case.anc_history)
    return onset_age_years(n.case, n.severity), known


def onset_column(t: ScoreTables, n: NormalisedCase) -> Column:
    """Onset ages of each cause against the patient's age at onset.

    Inside a cause's range of HPO onset terms the term is neutral; beyond it the likelihood ratio falls
    towards ``onset_mismatch_lr`` over ``onset_full_penalty_years`` of distance.  A congenital cause with
    no onset data and no curated age band gets the ``default_congenital_onset`` range, weakened by
    ``onset_default_exponent``; an age at onset assumed from the age at presentation is weakened by
    ``onset_assumed_exponent``.
    """
    patient = _onset_age(n)
    if patient is None:
        return Column("prior", _zeros(t))
    kb = t.kb
    age, known = patient
    low, high = t.onset_low, t.onset_high
    exponent = t.onset_exponent if known else t.onset_exponent * kb.param("onset_assumed_exponent")
    distance = np.where(age >= high, age - high, np.where(age < low, low - age, 0.0))
    fraction = np.minimum(1.0, distance / kb.param("onset_full_penalty_years"))
    values = np.where(distance > 0, math.log(kb.param("onset_mismatch_lr")) * fraction * exponent, 0.0)

    def explain(i: int) -> tuple[Evidence, ...]:
        if not distance[i] > 0:
            return ()
        when = "began" if known else "presents"
        band = age_band_text(float(low[i]), float(high[i]))
        label = f"onset: neutropenia {when} at {age:.1f} y, the cause begins at {band} ({t.onset_origin[i]})"
        sources = _param_sources(kb, "onset_mismatch_lr")
        return (_evidence("prior", label, float(values[i]), (t.causes[i].id,), sources),)

    return Column("prior", values, explain)


def sex_column(t: ScoreTables, n: NormalisedCase) -> Column:
    """A cause inherited only X-linked recessively is mostly one of males."""
    sex = n.case.sex
    if sex not in ("female", "male") or not t.male_predominant.any():
        return Column("prior", _zeros(t))
    kb = t.kb
    female = kb.param("x_linked_recessive_female_fraction")
    everyone = kb.param("patient_female_fraction")  # P(sex) among all patients, the ratio's denominator
    log_lr = math.log(female / everyone if sex == "female" else (1 - female) / (1 - everyone))
    values = np.where(t.male_predominant, log_lr, 0.0)

    def explain(i: int) -> tuple[Evidence, ...]:
        if not t.male_predominant[i]:
            return ()
        cause = t.causes[i]
        modes = ", ".join(kb.label(m) for m in cause.inheritance)
        label = f"{modes}: {female:.0%} of patients female; this patient is {sex}"
        sources = _param_sources(kb, "x_linked_recessive_female_fraction")
        return (_evidence("prior", label, log_lr, (cause.id,), sources),)

    return Column("prior", values, explain)


def _param_sources(kb: KnowledgeBase, code: str) -> tuple[str, ...]:
    return kb.param_sources.get(code, ())


# ---------------------------------------------------------------- the case, matched once


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
    or flagged ``nkg:statesNeutropenia``, itself or through an ancestor (kept per finding the knowledge
    base knows)."""
    known: dict[str, bool] = score_tables(kb).derived("restates-premise", lambda _: {})
    answer = known.get(finding)
    if answer is None:
        answer = kb.premise_finding in kb.hpo.ancestors(finding) or kb.states_neutropenia(finding)
        if finding in kb.hpo or finding in kb.findings:
            known[finding] = answer
    return answer


def _mediated(kb: KnowledgeBase, finding: str, present_terms: set[str]) -> bool:
    info = kb.findings.get(finding)
    return info is not None and any(term in present_terms for term in info.mediated_by)


def _background_given_origin(kb: KnowledgeBase, finding: str, shown: set[str]) -> float | None:
    """``nkg:backgroundGivenOrigin`` of a finding when the case shows one of its origins, else None."""
    info = kb.findings.get(finding)
    if info is None or info.background_given_origin is None:
        return None
    return info.background_given_origin if any(o in shown for o in info.consequence_of) else None


@dataclass(frozen=True)
class _CaseIndex:
    """The case's findings, agents and contexts, matched once against the knowledge base."""

    #: "Neutropenia" and its ancestors: they say nothing about which cause
    premise: frozenset[str]
    #: present findings to score (the most specific of each branch) and absent ones
    present: tuple[Observation, ...]
    absent: tuple[Observation, ...]
    #: every present finding with its ancestors, every condition or exposure the case names and the
    #: patient's ancestry group: what can show a cause's defining features (a more specific finding, too)
    shown_features: frozenset[str]
    #: finding -> its background given an origin the case shows (a sign that comes with the fever)
    given_origin: dict[str, float]
    #: days since the illness began, when the case establishes it (a duration or earlier counts): a test
    #: less sensitive early in the illness is then scored by its early sensitivity
    illness_days: float | None
    #: present findings a cause must explain: not derived from numbers, not constitutional traits, and not
    #: a restatement of the premise ("Agranulocytosis" says how low the count is, which every cause
    #: explains; it still counts for the causes that link it, see :func:`_restates_premise`)
    stated: frozenset[str]
    #: finding -> positions of the causes it is a consequence of (a cause with a present cytopenia explains fatigue)
    consequence_of: dict[str, np.ndarray]
    #: stated finding -> its log LR for a cause that does not show it (the same for every such cause)
    unrelated: dict[str, float]
    #: cause -> (LR after timing, agent, association, why) for every agent the case points to
    agent_options: dict[str, list[tuple[float, str, AgentAssociation, str]]]
    #: cause -> (context hit, association), each context counted once
    contexts: dict[str, list[tuple[ContextHit, ContextAssociation]]]
    #: cause -> the context that names it as a known diagnosis
    known: dict[str, ContextHit]
    #: drug cause -> (drug, the named condition it is usually given for, where the case names it)
    indicated: dict[str, tuple[str, str, str]]
    #: absent finding -> the age from which it can be observed, when the patient is younger (it says nothing)
    not_yet_observable: dict[str, float]
    #: (context, association) -> (LR after timing, why) for a timed exposure ("chemotherapy 9 days ago")
    #: whose association has a window; the others count their plain LR
    context_timing: dict[tuple[str, str], tuple[float, str]] = field(default_factory=dict)


def _present_terms(kb: KnowledgeBase, n: NormalisedCase) -> set[str]:
    terms: set[str] = set()
    for o in n.observations:
        if o.present:
            terms |= kb.hpo.ancestors(o.finding)
    return terms


def _stated(kb: KnowledgeBase, present: list[Observation], given_origin: dict[str, float]) -> frozenset[str]:
    return frozenset(
        o.finding
        for o in present
        if not o.derived
        and not _is_trait(kb, o.finding)
        and not _restates_premise(kb, o.finding)
        and o.finding not in given_origin
    )


def _consequence_of(t: ScoreTables, present: list[Observation], present_terms: set[str]) -> dict[str, np.ndarray]:
    """Finding -> positions of the causes that explain it as a consequence of an origin the case shows. Every
    patient ranked here is neutropenic (stated or not in HPO terms) and every cause explains the
    neutropenia, so a consequence of it (fever, an abscess) is explained by all."""
    out: dict[str, np.ndarray] = {}
    every = np.arange(len(t.causes), dtype=np.int64)
    for observation in present:
        info = t.kb.findings.get(observation.finding)
        origins = [o for o in (info.consequence_of if info else ()) if o in present_terms or o == t.kb.premise_finding]
        positions = [every if o == t.kb.premise_finding else t.positions_below(o) for o in origins]
        out[observation.finding] = (
            _sorted_unique(np.concatenate(positions)) if positions else np.zeros(0, dtype=np.int64)
        )
    return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for a 1-D array, without the import of ``numpy.ma`` that its first call costs a start."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


def _unlisted_exposures(kb: KnowledgeBase, n: NormalisedCase) -> list[DrugExposure]:
    """The recognised drugs that no cause links, each as an exposure to the drug node standing for them all
    (``nkg:standsForUnlistedDrugs``), with its own dates; none when the ontology has no such node."""
    if kb.unlisted_drug is None:
        return []
    exposures = []
    for other in n.other_drugs:
        named = "" if other.label.casefold() == other.written.casefold() else f"{other.label}, "
        exposures.append(DrugExposure(kb.unlisted_drug, other.written, f"{named}linked to no cause", *other.timing))
    return exposures


def _agent_options(kb: KnowledgeBase, n: NormalisedCase) -> dict[str, list[tuple[float, str, AgentAssociation, str]]]:
    options: dict[str, list[tuple[float, str, AgentAssociation, str]]] = {}
    for drug in (*n.drugs, *_unlisted_exposures(kb, n)):
        for assoc in kb.agent_assocs.get(drug.agent, ()):
            lr, why = timing_factor(kb, assoc, drug, n.severity.onset_days_ago)
            options.setdefault(assoc.cause, []).append((lr, drug.agent, assoc, f"{drug.written} ({drug.match}): {why}"))
    for hit in n.agents:
        for assoc in kb.agent_assocs.get(hit.agent, ()):
            lr, why = assoc.likelihood_ratio, hit.origin
            if hit.finding and any(f.finding == hit.finding for f in kb.finding_assocs.get(assoc.cause, ())):
                lr, why = 1.0, f"{why}; weighed once, as the finding {kb.label(hit.finding)}"
            if hit.variant_origin and assoc.variant_origin and hit.variant_origin != assoc.variant_origin:
                lr = kb.param("variant_origin_mismatch_lr")
                why += f"; a {hit.variant_origin} variant, but this cause arises from a {assoc.variant_origin} one"
            elif _carrier_only(kb, hit, assoc.cause):
                lr = kb.param("carrier_variant_lr")
                why += "; one heterozygous variant, but this cause needs two (a carrier)"
            options.setdefault(assoc.cause, []).append((lr, hit.agent, assoc, why))
    return options


def _context_hits(kb: KnowledgeBase, n: NormalisedCase) -> dict[str, list[tuple[ContextHit, ContextAssociation]]]:
    """Cause -> the conditions and exposures the case names that raise or lower it, each counted once. A
    cause the case names as known is a context too: a known HIV infection raises disseminated tuberculosis."""
    hits: dict[str, list[tuple[ContextHit, ContextAssociation]]] = {}
    seen: set[str] = set()
    for context in [*n.contexts, *n.known_causes]:
        if context.node not in seen:
            seen.add(context.node)
            for assoc in kb.context_assocs.get(context.node, ()):
                hits.setdefault(assoc.cause, []).append((context, assoc))
    return hits


def _indicated(
    kb: KnowledgeBase,
    n: NormalisedCase,
    contexts: dict[str, list[tuple[ContextHit, ContextAssociation]]],
) -> dict[str, tuple[str, str, str]]:
    """Drug causes whose listed drug is usually given for a condition the case names (``nkg:usualIndication``).

    A cause with its own context association for that condition keeps it instead (it is counted once)."""
    named: dict[str, str] = {}
    for hit in [*n.known_causes, *n.contexts]:
        named.setdefault(hit.node, hit.origin)
    found: dict[str, tuple[str, str, str]] = {}
    for drug in n.drugs:
        agent = kb.agents.get(drug.agent)
        for condition in agent.indications if agent else ():
            if condition not in named:
                continue
            for assoc in kb.agent_assocs.get(drug.agent, ()):
                own = {hit.node for hit, _ in contexts.get(assoc.cause, ())}
                if condition not in own and assoc.cause != condition:
                    found.setdefault(assoc.cause, (drug.agent, condition, named[condition]))
    return found


def _not_yet_observable(kb: KnowledgeBase, absent: list[Observation], age: float | None) -> dict[str, float]:
    """Absent findings the patient is too young to show yet (``nkg:observableFromAge``), with that age."""
    if age is None:
        return {}
    ages = {o.finding: info.observable_from_age for o in absent if (info := kb.findings.get(o.finding)) is not None}
    return {finding: from_age for finding, from_age in ages.items() if from_age is not None and age < from_age}


def case_index(t: ScoreTables, n: NormalisedCase) -> _CaseIndex:
    """Match the case once: what every column reads."""
    kb = t.kb
    premise = kb.hpo.ancestors(kb.premise_finding)
    present_terms = _present_terms(kb, n)
    ancestry = {n.ancestry_group} if n.ancestry_group else set()
    named = {context.node for context in n.contexts}
    candidates = [
        o
        for o in n.observations
        if o.present and o.finding not in premise and not _mediated(kb, o.finding, present_terms)
    ]
    present = _specific_present(kb, candidates)
    absent = [o for o in n.observations if not o.present and o.finding not in premise]
    origins = (present_terms - premise) | named
    given_origin = {
        o.finding: value
        for o in [*present, *absent]
        if (value := _background_given_origin(kb, o.finding, origins)) is not None
    }
    stated = _stated(kb, present, given_origin)
    known: dict[str, ContextHit] = {}
    # a diagnosis the case states wins over the same cause named in an exposure ("contact with COVID-19")
    for context in sorted(n.known_causes, key=_named_in_exposure):
        known.setdefault(context.node, context)
    established = n.case.duration_days is not None or bool(n.case.anc_history)
    contexts = _context_hits(kb, n)
    return _CaseIndex(
        premise=frozenset(premise),
        present=tuple(present),
        absent=tuple(absent),
        shown_features=frozenset(present_terms | named | ancestry),
        given_origin=given_origin,
        illness_days=n.severity.onset_days_ago if established else None,
        stated=stated,
        consequence_of=_consequence_of(t, present, present_terms),
        unrelated={f: unrelated_log_lr(kb, f) for f in sorted(stated)},
        agent_options=_agent_options(kb, n),
        contexts=contexts,
        known=known,
        indicated=_indicated(kb, n, contexts),
        not_yet_observable=_not_yet_observable(kb, absent, n.case.age_years),
        context_timing=_context_timing(kb, contexts, n.severity.onset_days_ago),
    )


def _context_timing(
    kb: KnowledgeBase, contexts: dict[str, list[tuple[ContextHit, ContextAssociation]]], onset_days_ago: float
) -> dict[tuple[str, str], tuple[float, str]]:
    """The LR of each exposure named with its days ago whose association has a timing window, weighed as
    a drug's last dose is (:func:`timing_factor`): "chemotherapy 2 years ago" no longer explains today's count."""
    timed: dict[tuple[str, str], tuple[float, str]] = {}
    for hits in contexts.values():
        for hit, assoc in hits:
            if assoc.window is None or hit.days_ago is None:
                continue
            as_agent = AgentAssociation(assoc.id, assoc.cause, hit.node, assoc.likelihood_ratio, assoc.window)
            exposure = DrugExposure(hit.node, hit.origin, "named", last_dose_days_ago=hit.days_ago)
            timed[(hit.node, assoc.id)] = timing_factor(kb, as_agent, exposure, onset_days_ago)
    return timed


# ---------------------------------------------------------------- phenotype


def _early(kb: KnowledgeBase, assoc: FindingAssociation, days: float | None) -> tuple[float, float, float] | None:
    """(P, log LR present, log LR absent) of an association whose test is less sensitive early in the
    illness, when the illness is known to be that early (``days`` within its ``nkg:earlyPhaseDays``)."""
    early = kb.early_weights.get(assoc.id)
    if early is None or days is None or days > early[0]:
        return None
    return early[1], early[2], early[3]


def _noisy_or_on_day(
    kb: KnowledgeBase, assocs: tuple[FindingAssociation, ...] | list[FindingAssociation], days: float | None
) -> float:
    """:func:`graph.kb.scoretables.noisy_or`, each annotation at its early frequency when the illness is
    ``days`` old and its test is less sensitive then."""
    frequencies = []
    for assoc in assocs:
        early = _early(kb, assoc, days)
        frequencies.append(assoc.frequency if early is None else early[0])
    return noisy_or_of(kb, frequencies)


def _or_by_chance(
    unrelated: float | None, p: np.ndarray, log_lr: np.ndarray, opposes: np.ndarray | bool = False
) -> np.ndarray:
    """A stated finding matched only through a more general or more specific term of the cause (shown in
    a share ``p`` of its patients) may also be present by chance, as an unrelated finding is (log LR
    ``unrelated``): LR = p / background + (1 - p) x LR(unrelated), in the manner of LIRICAL's floor for
    such matches.  So matching a vaguer annotation never counts more against a cause than not matching
    at all.  ``None`` (a finding derived from numbers, which has no unrelated score) keeps the match
    alone; a curator's "opposes" polarity keeps the term at most neutral.

    >>> round(float(np.exp(_or_by_chance(math.log(0.4), np.array([0.17]), np.log([0.17 / 0.45])))[0]), 3)
    0.71
    """
    if unrelated is None:
        return log_lr
    mixed = np.log(np.exp(log_lr) + (1 - p) * math.exp(unrelated))
    return np.where(opposes, np.minimum(mixed, 0.0), mixed)


@dataclass(frozen=True)
class _PresentMatch:
    """One present finding scored against every cause, before an annotation shared by several findings
    is counted once (:func:`_count_shared_once`)."""

    observation: Observation
    table: FindingTable
    values: np.ndarray
    #: the case-time probability of each ``table.above`` entry and of each ``table.general`` entry
    above_p: np.ndarray
    general_p: np.ndarray
    #: causes that score the finding as unrelated (a stated finding they do not show)
    unrelated: np.ndarray
    #: cause position -> the finding through which a shared annotation already counted
    counted_once: dict[int, str]


def _above_weights(kb: KnowledgeBase, table: FindingTable, index: _CaseIndex) -> tuple[np.ndarray, np.ndarray]:
    """(P, log LR present) of each annotation at or above the finding, at the illness's stage and against
    the finding's background given an origin the case shows."""
    p, lr = table.above_p, table.above_lr
    early = np.flatnonzero(table.above_early).tolist() if index.illness_days is not None else []
    origin_bg = index.given_origin.get(table.finding)
    if early or origin_bg is not None:
        p, lr = p.copy(), lr.copy()
    for j in early:
        weights = _early(kb, table.above_assocs[j], index.illness_days)
        if weights is not None:
            p[j], lr[j] = weights[0], weights[1]
    if origin_bg is not None:
        for j in np.flatnonzero(table.above_exact).tolist():
            lr[j] = association_log_lrs(float(p[j]), origin_bg, table.above_assocs[j].polarity)[0]
    return p, lr


def _present_match(t: ScoreTables, index: _CaseIndex, observation: Observation) -> _PresentMatch:
    """Score one present finding for every cause.

    A query term equal to an annotation scores by its frequency; a more specific one by the smaller of
    that and LIRICAL's split among the annotated term's children (:func:`_split`), or by chance; a more
    general one by the probability that the cause shows some term beneath it, or by chance; an unrelated
    stated finding by :func:`graph.kb.scoretables.unrelated_log_lr`.  A match only through the premise's
    own annotation ("Neutropenia in 33%") is neutral: every patient ranked here is neutropenic.
    """
    kb, finding = t.kb, observation.finding
    table = t.finding(finding)
    unrelated_lr = index.unrelated.get(finding)
    background = index.given_origin.get(finding, table.background)
    values, unrelated = _zeros(t), np.zeros(len(t.causes), dtype=bool)
    if finding in index.stated:
        unrelated[:] = True
        unrelated[index.consequence_of[finding]] = False
    p, lr = _above_weights(kb, table, index)
    specific = np.where(table.above_opposes, lr, np.minimum(lr, _split(p, table, background)))
    specific = _or_by_chance(unrelated_lr, p, specific, table.above_opposes)
    above_lr = np.where(table.above_exact, lr, specific)
    above_lr[table.above_premise] = 0.0
    values[table.above] = above_lr
    unrelated[table.above] = False
    general_p = table.below_p[table.general]
    if index.illness_days is not None:
        for k, j in enumerate(table.general.tolist()):
            if table.below_early[j]:
                general_p[k] = _noisy_or_on_day(kb, table.below_assocs[j], index.illness_days)
    general = table.below[table.general]
    values[general] = _or_by_chance(unrelated_lr, general_p, np.log(general_p / background))
    unrelated[general] = False
    if unrelated_lr is not None:
        values[unrelated] = unrelated_lr
    return _PresentMatch(observation, table, values, p, general_p, unrelated, {})


def _split(p: np.ndarray, table: FindingTable, background: float) -> np.ndarray:
    """log LR of a stated finding more specific than each cause's annotation (shown in a share ``p`` of
    its patients), in the manner of LIRICAL (Robinson et al., AJHG 2020, DOI:10.1016/j.ajhg.2020.06.021):
    the annotation's frequency is shared among the annotated term's child terms, ``P(finding | cause) =
    p / children``.  The caller keeps the smaller of this and the annotation's own ratio, so a specific
    finding that merely falls under a general annotation (any term below "Abnormal distal phalanx
    morphology of finger") cannot count for more than the cause predicts of it.  LIRICAL's worked
    example: Syncope in 72% of a disease's patients and three child terms give a child term 24%.
    """
    return np.log(p) - table.above_log_children - math.log(background)


def _count_shared_once(matches: list[_PresentMatch]) -> None:
    """An annotation counts once: when several present findings are each more specific than the same
    annotation of a cause (antinuclear antibodies, rheumatoid factor and anti-CCP all under
    "Autoimmunity"), the strongest of them scores it (ties: the finding id, then the order given) and
    the others are neutral."""
    shared = [np.flatnonzero(~match.table.above_exact & ~match.table.above_premise) for match in matches]
    if not sum(len(entries) for entries in shared):
        return
    flat = np.concatenate([match.table.above_ids[entries] for match, entries in zip(matches, shared, strict=True)])
    owner = np.repeat(np.arange(len(matches)), [len(entries) for entries in shared]).tolist()
    entry = np.concatenate(shared).tolist()
    ordered = np.sort(flat)
    for number in _sorted_unique(ordered[1:][ordered[1:] == ordered[:-1]]).tolist():  # shared by several
        sharers = []
        for k in np.flatnonzero(flat == number).tolist():
            m, j = owner[k], entry[k]
            position = int(matches[m].table.above[j])
            sharers.append((-float(matches[m].values[position]), matches[m].observation.finding, m, position))
        sharers.sort()
        best = sharers[0][1]
        for _, _, m, position in sharers[1:]:
            matches[m].values[position] = 0.0
            matches[m].counted_once[position] = best


def _present_column(t: ScoreTables, match: _PresentMatch) -> Column:
    kb, table, observation = t.kb, match.table, match.observation

    def explain(i: int) -> tuple[Evidence, ...]:
        above, general = table.entries("above"), table.entries("general")
        cause_id, log_lr = t.causes[i].id, float(match.values[i])
        if i in above:
            j = above[i]
            if table.above_premise[j]:
                return ()
            assoc = table.above_assocs[j]
            if i in match.counted_once:
                return _explain_counted_once(kb, cause_id, observation.finding, assoc, match.counted_once[i])
            return _explain_match(kb, cause_id, observation, assoc, float(match.above_p[j]), log_lr)
        if i in general:
            j = table.general[general[i]]
            below = table.below_assocs[j]
            return _explain_general(kb, cause_id, observation, below, float(match.general_p[general[i]]), log_lr)
        if match.unrelated[i]:
            return _explain_unrelated(kb, cause_id, observation, log_lr)
        return ()

    return Column("finding", match.values, explain)


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
    kb: KnowledgeBase,
    cause_id: str,
    observation: Observation,
    below: tuple[FindingAssociation, ...],
    p: float,
    log_lr: float,
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


def _absent_column(t: ScoreTables, index: _CaseIndex, observation: Observation, used: np.ndarray) -> Column:
    """An absent finding for every cause that shows it or a term below it: LR = (1 - P) / (1 - background),
    P the noisy-or of the annotations not already used by a present finding, at the illness's stage."""
    kb, table = t.kb, t.finding(observation.finding)
    background = index.given_origin.get(observation.finding, table.background)
    p = table.below_p.copy()
    matches: dict[int, tuple[FindingAssociation, ...]] = {}
    recheck = set(table.below_owner[used[table.below_ids]].tolist())
    if index.illness_days is not None:
        recheck |= set(np.flatnonzero(table.below_early).tolist())
    for j in sorted(recheck):
        kept = tuple(a for a in table.below_assocs[j] if not used[t.assoc_number[a.id]])
        matches[j] = kept
        p[j] = _noisy_or_on_day(kb, kept, index.illness_days) if kept else math.nan
    scored = ~np.isnan(p)
    from_age = index.not_yet_observable.get(observation.finding)
    if from_age is not None or not background < 1:
        log_lr = np.zeros(len(p))  # too young to show it yet, or a background of 1: the absence says nothing
    else:
        log_lr = np.log((1 - p) / (1 - background))
    values = _zeros(t)
    values[table.below[scored]] = log_lr[scored]

    def explain(i: int) -> tuple[Evidence, ...]:
        j = table.entries("below").get(i)
        if j is None or not scored[j]:
            return ()
        kept = matches.get(j, table.below_assocs[j])
        if from_age is not None:
            return _explain_not_yet_observable(kb, t.causes[i].id, observation, kept, from_age)
        days = index.illness_days
        early = days if any(_early(kb, a, days) for a in kept) else None
        return _explain_absent(kb, t.causes[i].id, observation, kept, float(p[j]), float(values[i]), early)

    return Column("absent-finding", values, explain)


def _explain_not_yet_observable(
    kb: KnowledgeBase, cause_id: str, observation: Observation, matches: tuple[FindingAssociation, ...], from_age: float
) -> tuple[Evidence, ...]:
    finding = observation.finding
    first = min(matches, key=lambda a: (-a.frequency, a.id))
    label = f"{kb.label(finding)} absent: not yet observable at this age (from {from_age:g} y), so it says nothing"
    path = (finding, first.id, cause_id)
    return (_evidence("absent-finding", label, 0.0, path, first.sources, observation.origin, "excluded"),)


def _explain_absent(
    kb: KnowledgeBase,
    cause_id: str,
    observation: Observation,
    matches: tuple[FindingAssociation, ...],
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


def phenotype_columns(t: ScoreTables, index: _CaseIndex) -> list[Column]:
    """One column per present finding (exact, more specific, more general or unrelated) and per absent one."""
    matches = [_present_match(t, index, o) for o in index.present]
    _count_shared_once(matches)
    used = np.zeros(len(t.assoc_number), dtype=bool)  # annotations a present finding already scored
    for match in matches:
        used[match.table.above_ids[~match.table.above_premise]] = True
    columns = [_present_column(t, match) for match in matches]
    columns += [_absent_column(t, index, o, used) for o in index.absent]
    return columns


# ---------------------------------------------------------------- agents and contexts


def _best_agent(
    kb: KnowledgeBase, cause: Cause, options: list[tuple[float, str, AgentAssociation, str]]
) -> tuple[float, str, AgentAssociation, str, tuple[str, ...]]:
    """The best agent exposure for the cause (only it counts), and every agent that fits."""
    options = sorted(options, key=lambda o: (-o[0], kb.label(o[1]), o[2].id))
    lr, agent, assoc, why = options[0]
    if not cause.requires_agent and lr < 1:
        lr, why = 1.0, why + "; a risk factor only, so poor timing is neutral"
    keep = kb.param("plausible_window_exponent")
    implicated = [agent] if lr >= 1 else []
    implicated += [a for value, a, other, _ in options[1:] if value >= 1 and value >= other.likelihood_ratio**keep]
    return lr, agent, assoc, why, tuple(dict.fromkeys(implicated))


def agent_column(t: ScoreTables, n: NormalisedCase, index: _CaseIndex) -> tuple[Column, dict[int, tuple[str, ...]]]:
    """The best agent the patient was exposed to, for each cause with one; for a cause that needs an agent
    and has none, ``no_exposure_lr`` (or ``unknown_medications_lr`` when no medication list was given).
    Also returns, per cause position, the agents implicated."""
    kb = t.kb
    code = "no_exposure_lr" if n.medications_given else "unknown_medications_lr"
    text = "no listed drug is a known cause" if n.medications_given else "no medication list given"
    missing = t.requires_agent.copy()
    for cause_id, hits in index.contexts.items():
        if any(a.stands_for_exposure for _, a in hits):  # "chemotherapy" named without its agents
            missing[t.position[cause_id]] = False
    best: dict[int, tuple[float, str, AgentAssociation, str]] = {}
    implicated: dict[int, tuple[str, ...]] = {}
    for cause_id in sorted(index.agent_options):
        i = t.position[cause_id]
        lr, agent, assoc, why, agents = _best_agent(kb, t.causes[i], index.agent_options[cause_id])
        best[i] = (lr, agent, assoc, why)
        implicated[i] = agents
        missing[i] = False
    values = np.where(missing, math.log(kb.param(code)), 0.0)
    for i, (lr, *_) in best.items():
        values[i] = math.log(lr)

    def explain(i: int) -> tuple[Evidence, ...]:
        cause_id, log_lr = t.causes[i].id, float(values[i])
        if missing[i]:
            return (_evidence("no-agent", text, log_lr, (cause_id,), (), code),)
        if i not in best:
            return ()
        lr, agent, assoc, why = best[i]
        sources = assoc.sources + (assoc.window.sources if assoc.window else ())
        return (
            _evidence("agent", f"{kb.label(agent)}: LR {lr:.3g}", log_lr, (agent, assoc.id, cause_id), sources, why),
        )

    return Column("agent", values, explain), implicated


def _carrier_only(kb: KnowledgeBase, hit: AgentHit, cause: str) -> bool:
    """Whether ``hit`` reports one heterozygous variant in a gene of ``cause`` and every mode of inheritance
    the cause lists needs two (``carrier_variant_lr``): the carrier state, not the disease."""
    modes = kb.causes[cause].inheritance if cause in kb.causes else ()
    return hit.zygosity == "monoallelic" and bool(modes) and all(m in kb.biallelic_inheritance for m in modes)


def _reported_genes(kb: KnowledgeBase, n: NormalisedCase) -> tuple[str, ...]:
    """The genes a genetic test result reports a variant in (not a somatic one), that some cause links and
    that could cause it: a heterozygous variant in a gene whose causes all need two is a carrier's."""
    return tuple(
        sorted(
            {
                hit.agent
                for hit in n.agents
                if kb.kinds.get(hit.agent) == "Gene"
                and hit.origin.startswith("tests:")
                and hit.variant_origin != "somatic"
                and kb.agent_assocs.get(hit.agent)
                and not all(_carrier_only(kb, hit, a.cause) for a in kb.agent_assocs[hit.agent])
            }
        )
    )


def genotype_column(t: ScoreTables, n: NormalisedCase) -> Column:
    """A genetic result that reports a variant in a gene some cause links counts against every cause linked to
    none of the reported genes (``unlinked_gene_lr``), as LIRICAL's genotype likelihood ratio does for a
    disease whose gene carries no variant: the variant, not a cause outside it, is the likelier explanation."""
    kb = t.kb
    genes = _reported_genes(kb, n)
    values = _zeros(t)
    if not genes:
        return Column("genotype", values, _silent)
    code = "unlinked_gene_lr"
    unlinked = np.ones(len(t.causes), dtype=bool)
    unlinked[
        sorted({t.position[a.cause] for gene in genes for a in kb.agent_assocs[gene] if a.cause in t.position})
    ] = False
    values[unlinked] = math.log(kb.param(code))
    names = ", ".join(kb.label(gene) for gene in genes)

    def explain(i: int) -> tuple[Evidence, ...]:
        if not unlinked[i]:
            return ()
        label = f"not linked to the gene the genetic result names ({names})"
        return (_evidence("genotype", label, float(values[i]), (t.causes[i].id,), _param_sources(kb, code), code),)

    return Column("genotype", values, explain)


def defining_column(t: ScoreTables, index: _CaseIndex) -> Column:
    """A cause none of whose defining features the case states is less likely. A cause named as a known
    diagnosis, or a drug cause whose agent the case lists, needs no defining feature stated."""
    kb = t.kb
    code = "unstated_defining_feature_lr"
    log_lr = math.log(kb.param(code)) if t.with_defining_features else 0.0
    values = _zeros(t)
    for i in t.with_defining_features:
        cause = t.causes[i]
        if cause.id in index.known or index.agent_options.get(cause.id):
            continue
        if not any(f in index.shown_features for f in cause.defining_features):
            values[i] = log_lr

    def explain(i: int) -> tuple[Evidence, ...]:  # built only for the candidates shown
        if values[i] == 0.0:
            return ()
        cause = t.causes[i]
        names = ", ".join(kb.label(f) for f in cause.defining_features)
        label = f"none of its defining features is stated ({names})"
        path = (cause.id,)  # the features are not in the case: the graph shows only the cause
        return (_evidence("no-defining-feature", label, log_lr, path, _param_sources(kb, code), code),)

    return Column("no-defining-feature", values, explain)


def _named_in_exposure(hit: ContextHit) -> bool:
    """Whether a cause is named in an exposure of the case ("residence in a malaria-endemic area", "contact
    with a COVID-19 patient"): the patient was exposed to it, which does not say that the patient has it."""
    return hit.origin.startswith("exposures")


def _known_code(hit: ContextHit) -> str:
    """The parameter that weighs a cause the case names: as a diagnosis, or in an exposure."""
    return "named_exposure_lr" if _named_in_exposure(hit) else "known_diagnosis_lr"


def _known_diagnosis(t: ScoreTables, index: _CaseIndex, agent_values: np.ndarray) -> dict[int, float]:
    """Cause position -> the log LR of its being named as a known diagnosis (or in an exposure), beyond
    what its agent's evidence already says: a named "COVID-19" and a detected SARS-CoV-2 are one fact,
    counted once (the larger of the two)."""
    out = {}
    for cause_id, hit in index.known.items():
        if cause_id in t.position:
            i = t.position[cause_id]
            known_lr = math.log(t.kb.param(_known_code(hit)))
            out[i] = max(0.0, known_lr - max(float(agent_values[i]), 0.0))
    return out


def context_column(t: ScoreTables, index: _CaseIndex, agent_values: np.ndarray) -> Column:
    """Known conditions and exposures that change a cause's odds, and a diagnosis named as known."""
    kb = t.kb
    values = _zeros(t)

    def lr(hit: ContextHit, assoc: ContextAssociation) -> float:
        return index.context_timing.get((hit.node, assoc.id), (assoc.likelihood_ratio, ""))[0]

    for cause_id, hits in index.contexts.items():
        values[t.position[cause_id]] += math.fsum(math.log(lr(hit, assoc)) for hit, assoc in hits)
    known = _known_diagnosis(t, index, agent_values)
    for i, log_lr in known.items():
        values[i] += log_lr
    indication_lr = math.log(kb.param("indication_lr"))
    for cause_id in index.indicated:
        values[t.position[cause_id]] += indication_lr

    def explain(i: int) -> tuple[Evidence, ...]:
        cause_id = t.causes[i].id
        evidence = []
        for hit, assoc in index.contexts.get(cause_id, ()):
            timed, why = index.context_timing.get((hit.node, assoc.id), (assoc.likelihood_ratio, ""))
            label = f"{kb.label(hit.node)}: LR {timed:.3g}"
            path = (hit.node, assoc.id, cause_id)
            detail = f"{hit.origin}; {why}" if why else hit.origin
            sources = assoc.sources + (assoc.window.sources if assoc.window and why else ())
            evidence.append(_evidence("context", label, math.log(timed), path, sources, detail))
        if i in known:
            hit = index.known[cause_id]
            code = _known_code(hit)
            exposure = _named_in_exposure(hit)
            named = "named in an exposure, not as a diagnosis" if exposure else "named as a known diagnosis"
            label = f"{named}: LR {kb.param(code):g}"
            if known[i] < math.log(kb.param(code)):
                label += f", beyond its agent's LR {math.exp(float(agent_values[i])):.3g} (one fact, counted once)"
            origin = hit.origin
            evidence.append(_evidence("known-diagnosis", label, known[i], (cause_id,), (), origin))
        if cause_id in index.indicated:
            drug, condition, origin = index.indicated[cause_id]
            label = f"{kb.label(condition)}, a usual indication of {kb.label(drug)}: LR {math.exp(indication_lr):g}"
            sources = tuple(s for s in kb.agents[drug].info.sources if s.startswith("DrugBank:"))
            evidence.append(_evidence("indication", label, indication_lr, (condition, drug, cause_id), sources, origin))
        return tuple(evidence)

    return Column("context", values, explain)


# ---------------------------------------------------------------- ranking


def score_columns(kb: KnowledgeBase, n: NormalisedCase) -> tuple[list[Column], dict[int, tuple[str, ...]]]:
    """Every column of the score for a normalised case, in the order their evidence is shown, and the
    agents implicated per cause position."""
    t = score_tables(kb)
    index = case_index(t, n)
    agents, implicated = agent_column(t, n, index)
    columns = [
        prior_column(t),
        modifier_column(t, n),
        onset_column(t, n),
        sex_column(t, n),
        *phenotype_columns(t, index),
        agents,
        genotype_column(t, n),
        defining_column(t, index),
        context_column(t, index, agents.values),
    ]
    return columns, implicated


#: log scores equal to this many decimals are ties (summing the same terms in another order differs in
#: the last bits), broken by label and id
_TIE_DECIMALS = 9


def rank_causes(kb: KnowledgeBase, n: NormalisedCase, explain: int | None = None) -> list[Candidate]:
    """Score every cause for a normalised case and return them best first (ranks from 1).

    Every candidate's score is computed, for all causes at once; the evidence items (with their labels
    and paths) are built for the first ``explain`` candidates only (``None``: all), from the same
    numbers.  Ties (equal to nine decimals) are broken by the cause's label, then its id, so the order
    never depends on hashing or on the order of summation.
    """
    t = score_tables(kb)
    columns, implicated = score_columns(kb, n)
    scores = np.sum(np.vstack([c.values for c in columns]), axis=0)
    order = np.lexsort((t.tie_order, -np.round(scores, _TIE_DECIMALS)))
    top = float(scores[order[0]])
    weights = np.exp((scores - top) / kb.param("posterior_temperature"))
    total = math.fsum(weights.tolist())
    probabilities = (weights / total).tolist()
    log_scores = scores.tolist()
    shown = len(t.causes) if explain is None else explain
    order_list = order.tolist()
    explained = [
        Candidate(
            rank,
            t.cause_ids[i],
            probabilities[i],
            log_scores[i],
            tuple(e for c in columns for e in c.explain(i)),
            implicated.get(i, ()),
        )
        for rank, i in enumerate(order_list[:shown], start=1)
    ]
    rest = _unexplained(shown + 1, order_list[shown:], t.cause_ids, probabilities, log_scores, implicated)
    return explained + rest


_new_object = object.__new__
_set_field = object.__setattr__


def _unexplained(
    first_rank: int,
    positions: list[int],
    cause_ids: tuple[str, ...],
    probabilities: list[float],
    log_scores: list[float],
    implicated: dict[int, tuple[str, ...]],
) -> list[Candidate]:
    """Candidates without evidence for the causes at ``positions`` (ranks from ``first_rank``), each filled in
    place: a ranking builds one for every cause (12,000 with every HPO disease), and the frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``.  ``probabilities``, ``log_scores`` and
    ``implicated`` are by cause position.  ``tests/test_vector_scoring.py`` checks they equal ``Candidate(...)``."""
    candidates = list(map(_new_object, repeat(Candidate, len(positions))))
    # fmt: off
    fields = [
        {"rank": rank, "cause": cause_ids[i], "score": probabilities[i], "log_score": log_scores[i],
         "evidence": (), "agents": (), "next_tests": ()}
        for rank, i in enumerate(positions, start=first_rank)
    ]
    # fmt: on
    with_agents = np.flatnonzero(
        np.isin(np.array(positions, dtype=np.int64), np.array(sorted(implicated), dtype=np.int64))
    )
    for k in with_agents.tolist():  # the few causes an agent of the case points to
        fields[k]["agents"] = implicated[positions[k]]
    list(map(_set_field, candidates, repeat("__dict__"), fields))
    return candidates
