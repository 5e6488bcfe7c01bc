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
from .results import Candidate, DrugExposure, Evidence, NormalisedCase, Observation
from .types import AgentAssociation, Cause, FindingAssociation

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
    age = n.case.age_years
    for modifier in kb.priors.get(cause.id, ()):
        if modifier.min_age is not None and (age is None or not modifier.min_age <= age < (modifier.max_age or 200)):
            continue
        if modifier.sex is not None and modifier.sex != n.case.sex:
            continue
        if modifier.ancestry is not None and modifier.ancestry != n.ancestry_group:
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
    if window.typical_min / 2 <= days < window.typical_min or window.typical_max < days <= window.plausible_max:
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
        present = _specific_present(kb, [
            o for o in n.observations
            if o.present and o.finding not in premise and not _mediated(kb, o.finding, present_terms)
        ])
        absent = [o for o in n.observations if not o.present and o.finding not in premise]
        #: cause -> [(observation, matching associations)], in case order
        self.present_by_cause: dict[str, list[tuple[Observation, list[FindingAssociation]]]] = {}
        self.absent_by_cause: dict[str, list[tuple[Observation, list[FindingAssociation]]]] = {}
        #: present observations a cause must explain (not derived from numbers, not constitutional traits)
        self.stated = [o for o in present if not o.derived and not _is_trait(kb, o.finding)]
        #: stated finding -> causes that explain it as the consequence of a finding the patient has
        self.explained_by: dict[str, set[str]] = {}
        for observation in self.stated:
            # a cause that links a more specific finding of this branch explains a vaguer report of it
            below = {a.cause for a in kb.assocs_below.get(observation.finding, ()) if a.polarity == "supports"}
            self.explained_by[observation.finding] = below
            info = kb.findings.get(observation.finding)
            for origin in info.consequence_of if info else ():
                if origin in present_terms:
                    causes = {a.cause for a in kb.assocs_below.get(origin, ())}
                    self.explained_by.setdefault(observation.finding, set()).update(causes)
        for observation in present:
            hits: dict[str, list[FindingAssociation]] = {}
            for term in kb.hpo.ancestors(observation.finding):
                for assoc in kb.assocs_at.get(term, ()):
                    hits.setdefault(assoc.cause, []).append(assoc)
            for cause, matches in hits.items():
                self.present_by_cause.setdefault(cause, []).append((observation, matches))
        for observation in absent:
            hits = {}
            for assoc in kb.assocs_below.get(observation.finding, ()):
                hits.setdefault(assoc.cause, []).append(assoc)
            for cause, matches in hits.items():
                self.absent_by_cause.setdefault(cause, []).append((observation, matches))


#: a score term: its log likelihood ratio, and how to build its Evidence items when it is explained
Term = tuple[float, Callable[..., tuple[Evidence, ...]], tuple]


def _finding_terms(kb: KnowledgeBase, cause: Cause, index: _CaseIndex) -> list[Term]:
    floor = kb.param("frequency_floor")
    used: set[str] = set()
    explained: set[str] = set()
    terms: list[Term] = []
    for observation, matches in index.present_by_cause.get(cause.id, ()):
        explained.add(observation.finding)
        assoc = max(matches, key=lambda a: kb.hpo.depth(a.finding)) if len(matches) > 1 else matches[0]
        if assoc.id in used:
            continue
        used.add(assoc.id)
        p = min(max(assoc.frequency, floor), 1 - floor)
        log_lr = math.log(p / kb.background(assoc.finding))
        terms.append((log_lr, _present, (kb, cause, observation, assoc, p, log_lr)))
    unexplained = [
        o for o in index.stated
        if o.finding not in explained and cause.id not in index.explained_by.get(o.finding, ())
    ]
    if unexplained:
        unlinked = math.log(kb.param("unlinked_present_lr"))
        terms.append((unlinked * len(unexplained), _unexplained, (kb, cause, unexplained, unlinked)))
    for observation, all_matches in index.absent_by_cause.get(cause.id, ()):
        matches = [a for a in all_matches if a.id not in used]
        if not matches:
            continue
        assoc = max(matches, key=lambda a: a.frequency)
        used.add(assoc.id)
        p = min(max(assoc.frequency, floor), 1 - floor)
        bg = kb.background(assoc.finding)
        log_lr = math.log((1 - p) / (1 - bg)) if bg < 1 else 0.0
        terms.append((log_lr, _absent, (kb, cause, observation, assoc, p, log_lr)))
    return terms


def _unexplained(
    kb: KnowledgeBase, cause: Cause, observations: list[Observation], log_lr: float
) -> tuple[Evidence, ...]:
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
        for o in observations
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


def _has_context(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> bool:
    return any(assoc.cause == cause.id for hit in n.contexts for assoc in kb.context_assocs.get(hit.node, ()))


def _agent_terms(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> tuple[list[Evidence], list[str]]:
    """The best agent exposure for the cause (only it counts) and every agent that fits."""
    options: list[tuple[float, str, AgentAssociation, str]] = []
    for drug in n.drugs:
        for assoc in kb.agent_assocs.get(drug.agent, ()):
            if assoc.cause == cause.id:
                lr, why = timing_factor(kb, assoc, drug, n.severity.onset_days_ago)
                options.append((lr, drug.agent, assoc, f"{drug.written} ({drug.match}): {why}"))
    for hit in n.agents:
        for assoc in kb.agent_assocs.get(hit.agent, ()):
            if assoc.cause == cause.id:
                options.append((assoc.likelihood_ratio, hit.agent, assoc, hit.origin))
    if not options:
        if not cause.requires_agent or _has_context(kb, cause, n):
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


def _context_terms(kb: KnowledgeBase, cause: Cause, n: NormalisedCase) -> list[Evidence]:
    terms = []
    seen: set[str] = set()
    for hit in n.contexts:
        if hit.node in seen:
            continue
        seen.add(hit.node)
        for assoc in kb.context_assocs.get(hit.node, ()):
            if assoc.cause == cause.id:
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
    for hit in n.known_causes:
        if hit.node == cause.id and "known" not in seen:
            seen.add("known")
            log_lr = math.log(kb.param("known_diagnosis_lr"))
            terms.append(
                Evidence(
                    "known-diagnosis",
                    f"named as a known diagnosis: LR {math.exp(log_lr):g}",
                    log_lr,
                    "for",
                    (cause.id,),
                    (),
                    hit.origin,
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
        eager = prior_terms(kb, cause, n)
        agent_evidence, implicated = _agent_terms(kb, cause, n)
        eager += agent_evidence + _context_terms(kb, cause, n)
        lazy = _finding_terms(kb, cause, index)
        log_score = sum(e.log_lr for e in eager) + sum(t[0] for t in lazy)
        scored.append((log_score, cause, eager, lazy, tuple(implicated)))
    top = max(s[0] for s in scored)
    total = sum(math.exp(s[0] - top) for s in scored)
    scored.sort(key=lambda s: (-s[0], s[1].label))
    candidates = []
    for rank, (log_score, cause, eager, lazy, implicated) in enumerate(scored, start=1):
        explained = explain is None or rank <= explain
        evidence = tuple(eager) + tuple(e for _, make, args in lazy for e in make(*args)) if explained else ()
        candidates.append(Candidate(rank, cause.id, math.exp(log_score - top) / total, log_score, evidence, implicated))
    return candidates
