"""Useful tests for the whole case: the expected information gain of each test over the current posterior.

In the manner of SimulConsult's "useful tests", one list for the case rather than one per candidate.
Every finding a test's result rules can read is a result that comes out present or absent.  Its
probability for each cause is the one the ranker already uses (:mod:`graph.workup.rank`): the frequency of
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
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 900, "findings": ["Splenomegaly"]})
>>> first = w.useful_tests[0]
>>> first.gain_bits >= w.useful_tests[-1].gain_bits and kb.tests[first.test].cost is not None
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..kb.knowledge import KnowledgeBase
from ..kb.scoretables import FindingTable, score_tables
from ..model.results import Candidate, NormalisedCase, UsefulTest
from ..model.types import DiagnosticTest  # the ranker's own probabilities, read, never restated
from .resolve import resolve_test

__all__ = ["Posterior", "expected_information_gain", "finding_rates", "useful_tests"]

_LN2 = math.log(2.0)
#: gains closer than this are equal, so rounding noise never decides an order
_GAIN_DIGITS = 9
#: the tie-break rank of a test that has no cost in the ontology (after every ranked band)
_UNRANKED = 99


def _plogp(p: float) -> float:
    return p * math.log(p) if p > 0.0 else 0.0


#: causes below this posterior are left out of the sums (their share of the entropy is below 1e-10 bits)
_NEGLIGIBLE = 1e-12


@dataclass(frozen=True)
class Posterior:
    """A probability over causes as arrays (one slot per cause), with the sums the gain needs computed once;
    negligible causes hold 0 and are left out of every sum.

    >>> Posterior.of({"a": 0.5, "b": 0.5}).entropy_bits
    1.0
    """

    #: cause id -> its slot in the arrays
    slots: Mapping[str, int]
    probabilities: np.ndarray
    #: log of each kept probability (0 in the slots left out)
    log_p: np.ndarray
    #: sum of p log p (natural log) over every cause
    plogp: float
    entropy_bits: float

    @classmethod
    def of(cls, probabilities: Mapping[str, float]) -> Posterior:
        """From a mapping cause id -> probability."""
        slots = {c: i for i, c in enumerate(probabilities)}
        return cls.over(np.fromiter(probabilities.values(), dtype=float, count=len(slots)), slots)

    @classmethod
    def over(cls, probabilities: np.ndarray, slots: Mapping[str, int]) -> Posterior:
        """From an array of probabilities whose slots ``slots`` names."""
        kept = np.where(probabilities > _NEGLIGIBLE, probabilities, 0.0)
        log_p = np.log(kept, out=np.zeros_like(kept), where=kept > 0.0)
        plogp = math.fsum((kept * log_p).tolist())
        return cls(slots, kept, log_p, plogp, max(0.0, -plogp / _LN2))


def _result_entropy(
    prior: Posterior, slots: np.ndarray, rates: np.ndarray, default: float, power: float, found: bool
) -> tuple[float, float]:
    """(P(result), entropy in bits of the posterior after it): the result is the finding found (``found``)
    with probability ``rates[k]`` for the cause in slot ``slots[k]`` (``default`` for a cause not listed),
    or missed with one minus it; the posterior is updated by that probability ``** power``.

    Causes not listed all move by the same factor, so their share of the entropy comes from the prior's
    sums at once: the cost is in the causes both listed and likely, taken as arrays.
    """
    p = prior.probabilities[slots]
    kept = p > 0.0
    p, log_p, rate = p[kept], prior.log_p[slots][kept], rates[kept]
    q = rate if found else 1.0 - rate
    listed_mass = float(p.sum())
    listed_plogp = float((p * log_p).sum())
    chance = float((p * q).sum())
    likely = q > 0.0
    w = q[likely] ** power
    pw = p[likely] * w
    z = float(pw.sum())
    tail = float((pw * (log_p[likely] + np.log(w))).sum())
    rest = max(0.0, 1.0 - listed_mass)
    q0 = default if found else 1.0 - default
    w0 = q0**power if q0 > 0.0 else 0.0
    chance += rest * q0
    z += rest * w0
    if chance <= 0.0 or z <= 0.0:
        return 0.0, 0.0
    if w0 > 0.0:
        tail += w0 * ((prior.plogp - listed_plogp) + rest * math.log(w0))
    total = tail / z - math.log(z)  # sum of p' log p' over every cause
    return chance, max(0.0, -total / _LN2)


def _gain(prior: Posterior, slots: np.ndarray, rates: np.ndarray, default: float, temperature: float) -> float:
    """:func:`expected_information_gain` over arrays: the rates of the causes in ``slots``."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    power = 1.0 / temperature
    expected = 0.0
    for found in (True, False):
        chance, entropy = _result_entropy(prior, slots, rates, default, power, found)
        expected += chance * entropy
    return round(prior.entropy_bits - expected, 12) + 0.0


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
    listed = [(prior.slots[c], rate) for c, rate in positive.items() if c in prior.slots]
    slots = np.fromiter((s for s, _ in listed), dtype=np.int64, count=len(listed))
    rates = np.fromiter((r for _, r in listed), dtype=float, count=len(listed))
    return _gain(prior, slots, rates, default, temperature)


def finding_rates(kb: KnowledgeBase, finding: str) -> tuple[dict[str, float], float]:
    """P(``finding`` present | cause) for the causes with an annotation on it, above or below it, and the
    probability for every other cause, from the likelihood ratios the ranker would score (the ranker's
    own tables, :attr:`graph.kb.scoretables.FindingTable.rates`).

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> rates, other = finding_rates(kb, "https://w3id.org/neutropenia-kg/resource/finding/duffy-null-phenotype")
    >>> max(rates, key=rates.get) == "https://w3id.org/neutropenia-kg/resource/cause/duffy-null-associated-neutrophil-count"
    True
    """
    rates, other = _rates(kb, finding)
    return dict(rates), other


def _rates(kb: KnowledgeBase, finding: str) -> tuple[Mapping[str, float], float]:
    table = score_tables(kb).finding(finding)
    return table.rates, table.other_rate


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


@dataclass(frozen=True)
class _Ranked:
    """The candidates (best first) as arrays in their order: each one's slot among the causes and score."""

    candidates: Sequence[Candidate]
    slots: np.ndarray
    scores: np.ndarray
    #: cause slot -> the candidate's index (-1: no candidate)
    index_of_slot: np.ndarray

    @classmethod
    def of(cls, candidates: Sequence[Candidate], position: Mapping[str, int], causes: int) -> _Ranked:
        slots = np.array([position[c.cause] for c in candidates], dtype=np.int64)
        index_of_slot = np.full(causes, -1, dtype=np.int64)
        index_of_slot[slots] = np.arange(len(candidates))
        return cls(candidates, slots, np.array([c.score for c in candidates], dtype=float), index_of_slot)

    def posterior(self, causes: int, position: Mapping[str, int]) -> Posterior:
        probabilities = np.zeros(causes)
        probabilities[self.slots] = self.scores
        return Posterior.over(probabilities, position)


def _rises_most_if_found(ranked: _Ranked, table: FindingTable, power: float) -> tuple[str, float]:
    """The cause whose posterior would rise the most if the result came out present, and to what.

    Every cause without its own rate moves by the same factor, so of those only the likeliest can rise most.
    """
    index = ranked.index_of_slot[table.rate_positions]
    shown = index >= 0
    q = np.full(len(ranked.slots), table.other_rate)
    q[index[shown]] = table.rate_values[shown]
    mass = ranked.scores * np.where(q > 0.0, q, 0.0) ** power
    z = float(mass.sum())
    listed = np.zeros(len(ranked.slots), dtype=bool)
    listed[index[shown]] = True
    others = np.flatnonzero(~listed)
    considered = listed.copy()
    if len(others):
        considered[others[0]] = True  # the first candidate without a rate of its own
    top = ranked.candidates[0]
    if z <= 0.0 or not considered.any():
        return top.cause, top.score
    which = np.flatnonzero(considered)
    rise = mass[which] / z - ranked.scores[which]
    k = int(which[np.argmax(rise)])  # ties: the first, which ranks higher
    return ranked.candidates[k].cause, float(mass[k]) / z


def _best_result(test: DiagnosticTest, gain_of: Callable[[str], float | None]) -> tuple[float, str] | None:
    """(gain, finding) of the most informative result a test's rules can read, or None."""
    best: tuple[float, str] | None = None
    for finding in sorted({r.finding for r in test.rules if r.finding}):
        gain = gain_of(finding)
        if gain is not None and (best is None or gain > best[0]):
            best = (gain, finding)
    return best


def useful_tests(kb: KnowledgeBase, n: NormalisedCase, candidates: Sequence[Candidate]) -> tuple[UsefulTest, ...]:
    """The tests whose results would most change the differential, most useful first.

    Tests the case already reports are left out, as are results it already settles.  A test scores
    the gain of its most informative result; those below ``useful_test_min_bits`` are left out, and
    the first ``useful_tests_shown`` are returned, ties broken by cost band, invasiveness, label, id.
    """
    if not candidates:
        return ()
    tables = score_tables(kb)
    ranked = _Ranked.of(candidates, tables.position, len(tables.causes))
    prior = ranked.posterior(len(tables.causes), tables.position)
    temperature = kb.param("posterior_temperature")
    done = {test for t in n.case.tests for test in resolve_test(kb, t.name)}
    known = _known_findings(kb, n)
    gains: dict[str, float | None] = {}  # finding -> its gain (None: the case settles it, or it says nothing)

    def gain_of(finding: str) -> float | None:
        if finding not in gains:
            if finding in known or _says_nothing(kb, finding):
                gains[finding] = None
            else:
                table = tables.finding(finding)
                gain = _gain(prior, table.rate_positions, table.rate_values, table.other_rate, temperature)
                gains[finding] = round(gain, _GAIN_DIGITS)
        return gains[finding]

    scored = []
    for test_id in sorted(set(kb.tests) - done):
        test = kb.tests[test_id]
        best = _best_result(test, gain_of)
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
        rises, to = _rises_most_if_found(ranked, tables.finding(finding), 1.0 / temperature)
        result.append(UsefulTest(test_id, gain, finding, rises, to))
    return tuple(result)
