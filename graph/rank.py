"""Ranking: a transparent naive-Bayes score for every cause, explainable term by term.

log score(cause) = log prior + sum of log likelihood ratios, where

* prior = prevalence among neutropenias x the prior modifiers that fit the patient (age, sex, ancestry);
* a present finding gives P(f | cause) / P(f), an absent one (1 - P(f | cause)) / (1 - P(f)), using
  the most specific association on the finding's HPO ancestry; a present finding the cause does not
  link gives the ``unlinked_present_lr`` parameter;
* the best agent the patient was exposed to gives its likelihood ratio adjusted for timing, and a
  drug-induced cause with no exposure gives ``no_exposure_lr``;
* known conditions and exposures give their context likelihood ratios.

Scores are normalised over all causes (assuming one cause explains the case), so a candidate's
``score`` is its posterior probability under the model.

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

from .knowledge import KnowledgeBase
from .results import Candidate, ContextHit, DrugExposure, Evidence, NormalisedCase, Observation
from .types import AgentAssociation, Cause, ContextAssociation, FindingAssociation, PriorModifier

__all__ = ["rank_causes", "timing_factor", "prior_terms"]


def _direction(log_lr: float) -> str:
    return "for" if log_lr > 1e-9 else "against" if log_lr < -1e-9 else "neutral"


def prior_terms(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> list[Evidence]:
    """The prior of a cause for this patient, as evidence terms (base rate, then each modifier)."""
    terms = [
        Evidence(
            "prior",
            f"prevalence among neutropenias {cause.prevalence:g}",
            math.log(max(cause.prevalence, 1e-9)),
            "neutral",
            (cause.id,),
            cause.info.sources,
        )
    ]
    for modifier in kb.priors.get(cause.id, ()):
        if not _applies(modifier, n):
            continue
        parts = []
        if modifier.min_age is not None:
            parts.append(f"age {modifier.min_age:g}-{modifier.max_age:g} y")
        if modifier.sex:
            parts.append(modifier.sex)
        if modifier.ancestry:
            parts.append(kb.label(modifier.ancestry) + " ancestry")
        log_lr = math.log(modifier.multiplier)
        terms.append(
            Evidence(
                "prior",
                f"prior x{modifier.multiplier:g} ({', '.join(parts)})",
                log_lr,
                _direction(log_lr),
                (modifier.id, cause.id),
                modifier.sources,
            )
        )
    return terms


def _applies(modifier: PriorModifier, n: NormalisedCase) -> bool:
    age = n.case.age_years
    if modifier.min_age is not None and (age is None or not modifier.min_age <= age < (modifier.max_age or 200)):
        return False
    if modifier.sex is not None and modifier.sex != n.case.sex:
        return False
    return modifier.ancestry is None or modifier.ancestry == n.ancestry_group


def _log_prior(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> float:
    """The number :func:`prior_terms` explains, without building its evidence."""
    value = math.log(max(cause.prevalence, 1e-9))
    for modifier in kb.priors.get(cause.id, ()):
        if _applies(modifier, n):
            value += math.log(modifier.multiplier)
    return value


def _prior_evidence(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> tuple[Evidence, ...]:
    return tuple(prior_terms(kb, cause, n))


def timing_factor(
    kb: KnowledgeBase, assoc: AgentAssociation, drug: DrugExposure, onset_days_ago: float
) -> tuple[float, str]:
    """The likelihood ratio of a drug exposure given its timing, and a phrase explaining it."""
    lr = assoc.likelihood_ratio
    window = assoc.window
    if window is None:
        return lr, "no timing window"
    started = drug.started_days_ago
    if started is not None and started < onset_days_ago:
        return kb.param("started_after_onset_lr"), (
            f"started {started:g} days ago, after the neutropenia began ({onset_days_ago:g} days ago)"
        )
    if window.anchor == "start":
        anchor, anchor_text = started, "since first dose"
    else:
        anchor = drug.last_dose_days_ago if drug.last_dose_days_ago is not None else drug.stopped_days_ago
        anchor_text = "since last dose"
    if drug.stopped_days_ago is not None:
        gap = drug.stopped_days_ago - onset_days_ago
        grace = window.stopped_grace if window.stopped_grace is not None else window.typical_max
        if gap > grace:
            return kb.param("outside_window_lr"), f"stopped {gap:g} days before the neutropenia began"
    if anchor is None:
        return lr ** kb.param("unknown_timing_exponent"), "timing not given"
    days = anchor - onset_days_ago
    where = f"{days:g} days {anchor_text} at onset"
    span = f"typical {window.typical_min:g}-{window.typical_max:g}, plausible to {window.plausible_max:g}"
    if window.typical_min <= days <= window.typical_max:
        return lr, f"{where}: within the typical window ({span})"
    early = window.typical_min * kb.param("early_plausible_fraction")
    if early <= days < window.typical_min or window.typical_max < days <= window.plausible_max:
        return lr ** kb.param("plausible_window_exponent"), f"{where}: plausible but not typical ({span})"
    return kb.param("outside_window_lr"), f"{where}: outside the window ({span})"


def _specific_present(kb: KnowledgeBase, present: list[Observation]) -> list[Observation]:
    """Drop a present finding when a more specific one of the same branch is also present."""
    terms = {o.finding for o in present}
    kept = []
    for observation in present:
        others = terms - {observation.finding}
        if any(observation.finding in kb.hpo.ancestors(other) for other in others):
            continue
        kept.append(observation)
    return kept


def _is_trait(kb: KnowledgeBase, finding: str) -> bool:
    info = kb.findings.get(finding)
    return info is not None and info.trait


def _mediated(kb: KnowledgeBase, finding: str, present_terms: set[str]) -> bool:
    info = kb.findings.get(finding)
    return info is not None and any(term in present_terms for term in info.mediated_by)


class _CaseIndex:
    """The case's findings matched once against every association (inverted indexes of the KB)."""

    def __init__(self, kb: KnowledgeBase, n: NormalisedCase) -> None:
        premise = kb.hpo.ancestors(kb.premise_finding)  # "Neutropenia" and its ancestors say nothing
        present_terms = set().union(*(kb.hpo.ancestors(o.finding) for o in n.observations if o.present))
        present = _specific_present(
            kb,
            [
                o
                for o in n.observations
                if o.present and o.finding not in premise and not _mediated(kb, o.finding, present_terms)
            ],
        )
        absent = [o for o in n.observations if not o.present and o.finding not in premise]
        #: cause -> [(observation, matching associations)], in case order
        self.present_by_cause: dict[str, list[tuple[Observation, tuple[FindingAssociation, ...]]]] = {}
        self.absent_by_cause: dict[str, list[tuple[Observation, list[FindingAssociation]]]] = {}
        #: present observations a cause must explain (not derived from numbers, not constitutional traits)
        self.stated = [o for o in present if not o.derived and not _is_trait(kb, o.finding)]
        #: stated finding -> causes that explain it without linking it: a cause linking a more specific
        #: finding of the branch, or linking a finding the patient has of which it is a consequence
        self.explained_by: dict[str, frozenset[str]] = {}
        for observation in self.stated:
            explainers = kb.supporting_causes_below.get(observation.finding, frozenset())
            info = kb.findings.get(observation.finding)
            for origin in info.consequence_of if info else ():
                if origin in present_terms:
                    explainers = explainers | kb.causes_below.get(origin, frozenset())
            self.explained_by[observation.finding] = explainers
        hit_causes: dict[str, set[str]] = {}
        for observation in present:
            hits = kb.hits_at_or_above(observation.finding)
            for cause, matches in hits.items():
                self.present_by_cause.setdefault(cause, []).append((observation, matches))
            hit_causes[observation.finding] = set(hits)
        #: cause -> how many stated findings it explains (linked, more specific, or as a consequence)
        self.explained_count: dict[str, int] = {}
        for observation in self.stated:
            for cause in hit_causes.get(observation.finding, set()) | self.explained_by[observation.finding]:
                self.explained_count[cause] = self.explained_count.get(cause, 0) + 1
        self.hit_causes = hit_causes
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
                self.agent_options.setdefault(assoc.cause, []).append(
                    (assoc.likelihood_ratio, hit.agent, assoc, hit.origin)
                )
        #: cause -> (context hit, association), each context counted once
        self.contexts: dict[str, list[tuple[ContextHit, ContextAssociation]]] = {}
        seen: set[str] = set()
        for context in n.contexts:
            if context.node not in seen:
                seen.add(context.node)
                for assoc in kb.context_assocs.get(context.node, ()):
                    self.contexts.setdefault(assoc.cause, []).append((context, assoc))
        self.known: dict[str, ContextHit] = {}
        for context in n.known_causes:
            self.known.setdefault(context.node, context)
        for observation in absent:
            hits: dict[str, list[FindingAssociation]] = {}
            for assoc in kb.assocs_below.get(observation.finding, ()):
                hits.setdefault(assoc.cause, []).append(assoc)
            for cause, matches in hits.items():
                self.absent_by_cause.setdefault(cause, []).append((observation, matches))


#: a score term: its log likelihood ratio, and how to build its Evidence items when it is explained
Term = tuple[float, Callable[..., tuple[Evidence, ...]], tuple]


def _finding_terms(kb: KnowledgeBase, cause: Cause, index: _CaseIndex) -> list[Term]:
    weights = kb.assoc_weights
    used: set[str] = set()
    terms: list[Term] = []
    for observation, matches in index.present_by_cause.get(cause.id, ()):
        assoc = max(matches, key=lambda a: weights[a.id][3]) if len(matches) > 1 else matches[0]
        if assoc.id in used:
            continue
        used.add(assoc.id)
        p, log_lr, _, _ = weights[assoc.id]
        terms.append((log_lr, _present, (kb, cause, observation, assoc, p, log_lr)))
    unexplained = len(index.stated) - index.explained_count.get(cause.id, 0)
    if unexplained:
        unlinked = math.log(kb.param("unlinked_present_lr"))
        terms.append((unlinked * unexplained, _unexplained, (kb, cause, index, unlinked)))
    for observation, matches in index.absent_by_cause.get(cause.id, ()):
        if used:
            matches = [a for a in matches if a.id not in used]
            if not matches:
                continue
        assoc = max(matches, key=lambda a: a.frequency) if len(matches) > 1 else matches[0]
        used.add(assoc.id)
        p, _, log_lr, _ = weights[assoc.id]
        terms.append((log_lr, _absent, (kb, cause, observation, assoc, p, log_lr)))
    return terms


def _unexplained(kb: KnowledgeBase, cause: Cause, index: _CaseIndex, log_lr: float) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            "unexplained-finding",
            f"{kb.label(o.finding)} (not a feature of this cause)",
            log_lr,
            "against",
            (o.finding, cause.id),
            (),
            o.origin,
        )
        for o in index.stated
        if cause.id not in index.hit_causes.get(o.finding, ()) and cause.id not in index.explained_by[o.finding]
    )


def _present(
    kb: KnowledgeBase, cause: Cause, observation: Observation, assoc: FindingAssociation, p: float, log_lr: float
) -> tuple[Evidence, ...]:
    via = "" if assoc.finding == observation.finding else f" (counts as {kb.label(assoc.finding)})"
    return (
        Evidence(
            "finding",
            f"{kb.label(observation.finding)} present{via}: in {p:.0%} of cases",
            log_lr,
            _direction(log_lr),
            (observation.finding, assoc.id, cause.id),
            assoc.sources,
            observation.origin,
        ),
    )


def _absent(
    kb: KnowledgeBase, cause: Cause, observation: Observation, assoc: FindingAssociation, p: float, log_lr: float
) -> tuple[Evidence, ...]:
    return (
        Evidence(
            "absent-finding",
            f"{kb.label(observation.finding)} absent: expected in {p:.0%}",
            log_lr,
            _direction(log_lr),
            (observation.finding, assoc.id, cause.id),
            assoc.sources,
            observation.origin,
        ),
    )


def _agent_terms(
    kb: KnowledgeBase, cause: Cause, n: NormalisedCase, index: _CaseIndex
) -> tuple[list[Evidence], list[str]]:
    """The best agent exposure for the cause (only it counts) and every agent that fits."""
    options = list(index.agent_options.get(cause.id, ()))
    if not options:
        if not cause.requires_agent or cause.id in index.contexts:
            return [], []  # e.g. "chemotherapy" named without its agents: the context speaks for exposure
        code = "no_exposure_lr" if n.medications_given else "unknown_medications_lr"
        text = "no listed drug is a known cause" if n.medications_given else "no medication list given"
        log_lr = math.log(kb.param(code))
        return [Evidence("no-agent", text, log_lr, "against", (cause.id,), (), code)], []
    options.sort(key=lambda o: (-o[0], kb.label(o[1])))
    lr, agent, assoc, why = options[0]
    if not cause.requires_agent and lr < 1:
        lr, why = 1.0, why + "; a risk factor only, so poor timing is neutral"
    log_lr = math.log(lr)
    evidence = [
        Evidence(
            "agent",
            f"{kb.label(agent)}: LR {lr:.3g}",
            log_lr,
            _direction(log_lr),
            (agent, assoc.id, cause.id),
            assoc.sources + (assoc.window.sources if assoc.window else ()),
            why,
        )
    ]
    implicated = list(dict.fromkeys(a for value, a, _, _ in options if value >= 1))
    return evidence, implicated


def _context_terms(kb: KnowledgeBase, cause: Cause, index: _CaseIndex) -> list[Evidence]:
    terms = []
    for hit, assoc in index.contexts.get(cause.id, ()):
        log_lr = math.log(assoc.likelihood_ratio)
        terms.append(
            Evidence(
                "context",
                f"{kb.label(hit.node)}: LR {assoc.likelihood_ratio:g}",
                log_lr,
                _direction(log_lr),
                (hit.node, assoc.id, cause.id),
                assoc.sources,
                hit.origin,
            )
        )
    known = index.known.get(cause.id)
    if known is not None:
        log_lr = math.log(kb.param("known_diagnosis_lr"))
        terms.append(
            Evidence(
                "known-diagnosis",
                f"named as a known diagnosis: LR {math.exp(log_lr):g}",
                log_lr,
                "for",
                (cause.id,),
                (),
                known.origin,
            )
        )
    return terms


def rank_causes(kb: KnowledgeBase, n: NormalisedCase, explain: int | None = None) -> list[Candidate]:
    """Score every cause for a normalised case and return them best first (ranks from 1).

    Every candidate's score is computed; the evidence items (with their labels and paths) are
    built for the first ``explain`` candidates only (``None``: all), which keeps batch ranking fast.
    """
    index = _CaseIndex(kb, n)
    scored = []
    for cause in kb.causes.values():
        agent_evidence, implicated = _agent_terms(kb, cause, n, index)
        eager = agent_evidence + _context_terms(kb, cause, index)
        lazy = [(_log_prior(kb, cause, n), _prior_evidence, (kb, cause, n)), *_finding_terms(kb, cause, index)]
        log_score = sum(e.log_lr for e in eager) + sum(t[0] for t in lazy)
        scored.append((log_score, cause, eager, lazy, tuple(implicated)))
    top = max(s[0] for s in scored)
    total = sum(math.exp(s[0] - top) for s in scored)
    scored.sort(key=lambda s: (-s[0], s[1].label))
    candidates = []
    for rank, (log_score, cause, eager, lazy, implicated) in enumerate(scored, start=1):
        explained = explain is None or rank <= explain
        evidence = tuple(e for _, make, args in lazy for e in make(*args)) + tuple(eager) if explained else ()
        candidates.append(Candidate(rank, cause.id, math.exp(log_score - top) / total, log_score, evidence, implicated))
    return candidates
