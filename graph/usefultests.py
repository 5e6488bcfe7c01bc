"""Useful tests for the whole case: the expected information gain of each test over the current posterior.

In the manner of SimulConsult's "useful tests", one list for the case rather than one per candidate.
Every finding a test's result rules can read is a result that comes out present or absent.  Its
probability for each cause is the one the ranker already uses (:mod:`graph.rank`): the frequency of
the cause's annotation on the finding or above it, the probability that the cause shows some term
beneath it, or, for a cause that does not show it, the false-positive rate against the finding's
background.  The test's value is the expected fall in the entropy of the posterior over causes (in
bits) when that result is read, for the most informative result it can give::

    gain = H(p) - sum over results r of P(r) H(p | r),   P(r) = sum over causes c of p(c) P(r | c)

where ``p | r`` is the posterior the ranker would then show, ``p(c) P(r | c) ** (1 / T)`` normalised
with its ``posterior_temperature`` T.  Ties go to the cheaper test, then the less invasive, then by
label and id, so the order never depends on hashing.

Examples
--------
>>> from graph.knowledge import load_knowledge_base
>>> from graph.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 900, "findings": ["Splenomegaly"]})
>>> first = w.useful_tests[0]
>>> first.gain_bits >= w.useful_tests[-1].gain_bits and kb.tests[first.test].cost is not None
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .knowledge import KnowledgeBase
from .rank import _noisy_or, _unrelated_log_lr  # the ranker's own probabilities, read, never restated
from .resolve import resolve_test
from .results import Candidate, NormalisedCase, UsefulTest
from .types import FindingAssociation

__all__ = ["Posterior", "expected_information_gain", "finding_rates", "useful_tests"]

_LN2 = math.log(2.0)
#: gains closer than this are equal, so rounding noise never decides an order
_GAIN_DIGITS = 9
#: the tie-break rank of a test that has no cost in the ontology (after every ranked band)
_UNRANKED = 99


def _plogp(p: float) -> float:
    return p * math.log(p) if p > 0.0 else 0.0


@dataclass(frozen=True)
class Posterior:
    """A probability over causes, with the sums the gain needs computed once.

    >>> Posterior.of({"a": 0.5, "b": 0.5}).entropy_bits
    1.0
    """

    probabilities: Mapping[str, float]
    #: sum of p log p (natural log) over every cause
    plogp: float
    entropy_bits: float

    @classmethod
    def of(cls, probabilities: Mapping[str, float]) -> Posterior:
        plogp = math.fsum(_plogp(p) for p in probabilities.values())
        return cls(probabilities, plogp, max(0.0, -plogp / _LN2))


def _result_entropy(prior: Posterior, rates: Mapping[str, float], default: float, power: float) -> tuple[float, float]:
    """(P(result), entropy in bits of the posterior after it) for a result of probability ``rates[cause]``
    (``default`` for a cause not listed), the posterior updated by ``rate ** power``."""
    listed_mass = math.fsum(prior.probabilities.get(c, 0.0) for c in rates)
    rest = max(0.0, 1.0 - listed_mass)
    rest_plogp = prior.plogp - math.fsum(_plogp(prior.probabilities.get(c, 0.0)) for c in rates)
    weights = {c: (q**power if q > 0.0 else 0.0) for c, q in rates.items()}
    w0 = default**power if default > 0.0 else 0.0
    chance = rest * default + math.fsum(prior.probabilities.get(c, 0.0) * q for c, q in rates.items())
    z = rest * w0 + math.fsum(prior.probabilities.get(c, 0.0) * w for c, w in weights.items())
    if chance <= 0.0 or z <= 0.0:
        return 0.0, 0.0
    log_z = math.log(z)
    total = 0.0
    if w0 > 0.0:
        total += (w0 / z) * (rest_plogp + rest * (math.log(w0) - log_z))
    for cause, w in weights.items():
        p = prior.probabilities.get(cause, 0.0)
        if p > 0.0 and w > 0.0:
            total += (p * w / z) * (math.log(p) + math.log(w) - log_z)
    return chance, max(0.0, -total / _LN2)


def expected_information_gain(
    prior: Posterior, positive: Mapping[str, float], default: float, temperature: float = 1.0
) -> float:
    """The expected fall in entropy (bits) of ``prior`` when a result comes out present or absent.

    P(present | cause) is ``positive[cause]``, or ``default`` for a cause not listed; the posterior after
    a result is ``p(c) P(result | c) ** (1 / temperature)`` normalised (see the module docstring).

    Examples
    --------
    A result that tells two equally likely causes apart is worth one bit; one that does not, nothing:

    >>> even = Posterior.of({"a": 0.5, "b": 0.5})
    >>> expected_information_gain(even, {"a": 1.0, "b": 0.0}, 0.0)
    1.0
    >>> expected_information_gain(even, {"a": 0.4, "b": 0.4}, 0.4)
    0.0
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    power = 1.0 / temperature
    negative = {c: 1.0 - q for c, q in positive.items()}
    expected = 0.0
    for rates, rest in ((positive, default), (negative, 1.0 - default)):
        chance, entropy = _result_entropy(prior, rates, rest, power)
        expected += chance * entropy
    return round(prior.entropy_bits - expected, 12) + 0.0


def _rate(background: float, log_lr_present: float, log_lr_absent: float) -> float:
    """P(present | cause) from the ranker's two likelihood ratios against the finding's background."""
    present = background * math.exp(log_lr_present)
    absent = (1.0 - background) * math.exp(log_lr_absent)
    return present / (present + absent)


def finding_rates(kb: KnowledgeBase, finding: str) -> tuple[dict[str, float], float]:
    """P(``finding`` present | cause) for the causes with an annotation on it, above or below it, and the
    probability for every other cause, from the likelihood ratios the ranker would score.

    >>> from graph.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> rates, other = finding_rates(kb, "https://w3id.org/neutropenia-kg/resource/finding/duffy-null-phenotype")
    >>> max(rates, key=rates.get) == "https://w3id.org/neutropenia-kg/resource/cause/duffy-null-associated-neutrophil-count"
    True
    """
    background = kb.background(finding)
    if not 0.0 < background < 1.0:
        return {}, background
    below: dict[str, list[FindingAssociation]] = {}
    for assoc in kb.assocs_below.get(finding, ()):
        below.setdefault(assoc.cause, []).append(assoc)
    above = kb.hits_at_or_above(finding)
    rates: dict[str, float] = {}
    for cause in sorted(set(above) | set(below)):
        log_absent = 0.0
        if cause in below:
            p = _noisy_or(kb, below[cause])
            log_absent = math.log((1 - p) / (1 - background))
        if cause in above:
            log_present = kb.assoc_weights[above[cause].id][1]
        else:
            log_present = math.log(_noisy_or(kb, below[cause]) / background)
        rates[cause] = _rate(background, log_present, log_absent)
    info = kb.findings.get(finding)
    neutral = info is not None and info.trait  # a constitutional trait is not a stated finding to explain
    other = _rate(background, 0.0 if neutral else _unrelated_log_lr(kb, finding), 0.0)
    return rates, other


def _known_findings(kb: KnowledgeBase, n: NormalisedCase) -> set[str]:
    """Findings the case already settles: every observed one, and the ancestors of the present ones."""
    known = {o.finding for o in n.observations}
    for observation in n.observations:
        if observation.present:
            known |= kb.hpo.ancestors(observation.finding)
    return known


def _says_nothing(kb: KnowledgeBase, finding: str) -> bool:
    """A finding that restates the neutropenia every candidate shares."""
    return kb.premise_finding in kb.hpo.ancestors(finding) or kb.states_neutropenia(finding)


def _leader_if_found(
    candidates: Sequence[Candidate], rates: Mapping[str, float], default: float, power: float
) -> tuple[str, float]:
    """The cause that would lead, and its posterior, if the result came out present."""
    z = 0.0
    best: tuple[float, int, str] = (-1.0, 0, "")
    first_other = next((c for c in candidates if c.cause not in rates), None)
    for candidate in candidates:
        q = rates.get(candidate.cause, default)
        mass = candidate.score * (q**power if q > 0.0 else 0.0)
        z += mass
        if candidate.cause in rates or candidate is first_other:
            best = max(best, (mass, -candidate.rank, candidate.cause))
    return best[2], (best[0] / z if z > 0.0 else 0.0)


def useful_tests(kb: KnowledgeBase, n: NormalisedCase, candidates: Sequence[Candidate]) -> tuple[UsefulTest, ...]:
    """The tests whose results would most change the differential, most useful first.

    Tests the case already reports are left out, as are results it already settles.  A test scores
    the gain of its most informative result; those below ``useful_test_min_bits`` are left out, and
    the first ``useful_tests_shown`` are returned, ties broken by cost band, invasiveness, label, id.
    """
    if not candidates:
        return ()
    prior = Posterior.of({c.cause: c.score for c in candidates})
    power = 1.0 / kb.param("posterior_temperature")
    done = {test for t in n.case.tests for test in resolve_test(kb, t.name)}
    known = _known_findings(kb, n)
    rates_of: dict[str, tuple[dict[str, float], float]] = {}
    scored = []
    for test_id in sorted(kb.tests):
        if test_id in done:
            continue
        test = kb.tests[test_id]
        best: tuple[float, str] | None = None
        for finding in sorted({r.finding for r in test.rules if r.finding}):
            if finding in known or _says_nothing(kb, finding):
                continue
            if finding not in rates_of:
                rates_of[finding] = finding_rates(kb, finding)
            rates, other = rates_of[finding]
            gain = round(expected_information_gain(prior, rates, other, 1.0 / power), _GAIN_DIGITS)
            if best is None or gain > best[0]:
                best = (gain, finding)
        if best is None or best[0] < kb.param("useful_test_min_bits"):
            continue
        cost = test.cost
        key = (
            -best[0],
            cost.band_rank if cost else _UNRANKED,
            cost.invasiveness_rank if cost else _UNRANKED,
            test.info.label,
            test_id,
        )
        scored.append((key, test_id, best))
    scored.sort(key=lambda item: item[0])
    result = []
    for _, test_id, (gain, finding) in scored[: int(kb.param("useful_tests_shown"))]:
        rates, other = rates_of[finding]
        leader, score = _leader_if_found(candidates, rates, other, power)
        result.append(UsefulTest(test_id, gain, finding, leader, score))
    return tuple(result)
