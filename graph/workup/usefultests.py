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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..kb.knowledge import KnowledgeBase
from ..kb.scoretables import score_tables
from ..model.results import Candidate, NormalisedCase, UsefulTest
from ..model.types import DiagnosticTest  # the ranker's own probabilities, read, never restated
from .resolve import resolve_test

__all__ = ["Posterior", "expected_information_gain", "finding_rates", "useful_tests"]

_LN2 = math.log(2.0)
#: gains closer than this are equal, so rounding noise never decides an order
_GAIN_DIGITS = 9
#: the tie-break rank of a test that has no cost in the ontology (after every ranked band)
_UNRANKED = 99


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


@dataclass(frozen=True)
class _Results:
    """Results (a finding that comes out present or absent), one row each, as flat arrays: entry ``k``
    says the result of row ``rows[k]`` comes out present with probability ``rates[k]`` for the cause in
    slot ``slots[k]``; ``default[r]`` is that probability for every cause row ``r`` does not list.

    For the posterior's update by ``P(result | cause) ** power`` each entry keeps, for the result found
    and for it missed, ``q`` (that probability), ``w = q ** power`` and ``w log w`` (0 where ``q`` is 0), and
    each row the same of its default: so a case needs only sums of them weighted by its posterior.
    """

    count: int
    slots: np.ndarray
    rates: np.ndarray
    default: np.ndarray
    #: row ``r``'s entries are ``bounds[r]:bounds[r + 1]``
    bounds: np.ndarray
    #: where each row that lists a cause starts in the flat arrays, and which rows those are
    starts: np.ndarray
    filled: np.ndarray
    #: per entry: 1, then (q, w, w log w) found, then missed
    weights: np.ndarray
    #: per entry: 1, w found, w missed (they weigh p log p)
    log_weights: np.ndarray
    #: per row: (q, w, w log w) of the default, found, then missed
    rest: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[tuple[np.ndarray, np.ndarray, float]], power: float) -> _Results:
        """From (slots, rates, default) per row, the posterior updated by the rate ``** power``."""
        sizes = np.array([len(slots) for slots, _, _ in rows], dtype=np.int64)
        bounds = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        filled = np.flatnonzero(sizes > 0)
        slots = np.concatenate([np.asarray(s, dtype=np.int64) for s, _, _ in rows] or [np.zeros(0, np.int64)])
        rates = np.concatenate([np.asarray(r, dtype=float) for _, r, _ in rows] or [np.zeros(0)])
        default = np.array([d for _, _, d in rows], dtype=float)
        found, missed = _powers(rates, power), _powers(1.0 - rates, power)
        weights = np.column_stack([np.ones(len(rates)), *found, *missed])
        log_weights = np.column_stack([np.ones(len(rates)), found[1], missed[1]])
        rest = np.column_stack([*_powers(default, power), *_powers(1.0 - default, power)])
        return cls(len(rows), slots, rates, default, bounds, bounds[:-1][filled], filled, weights, log_weights, rest)

    def row_sums(self, values: np.ndarray) -> np.ndarray:
        """Each row's sum of ``values`` (one line per entry; 0 for a row that lists no cause)."""
        out = np.zeros((self.count, values.shape[1]))
        if len(self.filled):
            out[self.filled] = np.add.reduceat(values, self.starts, axis=0)
        return out


def _powers(q: np.ndarray, power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(q, w, w log w) with ``w = q ** power``, both 0 where ``q`` is 0."""
    likely = q > 0.0
    w = np.where(likely, np.power(q, power, where=likely, out=np.zeros_like(q)), 0.0)
    log_w = np.log(w, where=w > 0.0, out=np.zeros_like(w))
    return q, w, w * log_w


def _gains(prior: Posterior, results: _Results) -> np.ndarray:
    """The expected fall in entropy (bits) of ``prior`` for each row of ``results``: for the result found
    and for it missed, P(result) and the entropy of the posterior after it, summed over the causes the
    row lists and likely ones; the causes it does not list all move by the same factor, so their share
    comes from the prior's sums at once (``rest``, one minus the listed mass)."""
    p = prior.probabilities[results.slots]
    sums = results.row_sums(results.weights * p[:, None])
    log_sums = results.row_sums(results.log_weights * (p * prior.log_p[results.slots])[:, None])
    rest = np.maximum(0.0, 1.0 - sums[:, 0])
    rest_plogp = prior.plogp - log_sums[:, 0]
    expected = np.zeros(results.count)
    for side in (0, 1):
        q0, w0, wlogw0 = results.rest[:, 3 * side], results.rest[:, 3 * side + 1], results.rest[:, 3 * side + 2]
        chance = sums[:, 1 + 3 * side] + rest * q0
        z = sums[:, 2 + 3 * side] + rest * w0
        tail = log_sums[:, 1 + side] + sums[:, 3 + 3 * side] + w0 * rest_plogp + rest * wlogw0
        possible = (chance > 0.0) & (z > 0.0)
        z = np.where(possible, z, 1.0)
        entropy = np.maximum(0.0, -(tail / z - np.log(z)) / _LN2)  # sum of p' log p' over every cause, in bits
        expected += np.where(possible, chance * entropy, 0.0)
    return prior.entropy_bits - expected


def _power(temperature: float) -> float:
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    return 1.0 / temperature


def _rounded(gain: float) -> float:
    return round(gain, 12) + 0.0


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
    results = _Results.of([(slots, rates, default)], _power(temperature))
    return _rounded(float(_gains(prior, results)[0]))


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


def _rises_most_if_found(ranked: _Ranked, results: _Results, rows: np.ndarray, power: float) -> list[tuple[str, float]]:
    """For the result of each of ``rows``, the cause whose posterior would rise the most if it came out
    present, and to what.

    Every cause without its own rate moves by the same factor, so of those only the likeliest can rise most.
    """
    top = ranked.candidates[0]
    count = len(ranked.slots)
    q = np.repeat(results.default[rows][:, None], count, axis=1)
    listed = np.zeros((len(rows), count), dtype=bool)
    entries = [np.arange(results.bounds[r], results.bounds[r + 1]) for r in rows.tolist()]
    owner = np.repeat(np.arange(len(rows)), [len(e) for e in entries])
    flat = np.concatenate(entries) if entries else np.zeros(0, dtype=np.int64)
    index = ranked.index_of_slot[results.slots[flat]]
    shown = index >= 0
    q[owner[shown], index[shown]] = results.rates[flat[shown]]
    listed[owner[shown], index[shown]] = True
    mass = ranked.scores * np.where(q > 0.0, q, 0.0) ** power
    z = mass.sum(axis=1)
    considered = listed.copy()
    unlisted = ~listed
    has_other = unlisted.any(axis=1)
    considered[np.flatnonzero(has_other), np.argmax(unlisted, axis=1)[has_other]] = True  # the first without a rate
    safe_z = np.where(z > 0.0, z, 1.0)
    rise = np.where(considered, mass / safe_z[:, None] - ranked.scores, -np.inf)
    best = np.argmax(rise, axis=1)  # ties: the first, which ranks higher
    out = []
    for r, k in enumerate(best.tolist()):
        if z[r] <= 0.0 or not considered[r].any():
            out.append((top.cause, top.score))
        else:
            out.append((ranked.candidates[k].cause, float(mass[r, k]) / float(z[r])))
    return out


@dataclass(frozen=True)
class _Plan:
    """Every test's results over one knowledge base's score tables, compiled once: the findings its
    rules read (less those that restate the neutropenia every candidate shares) as rows of
    :class:`_Results`, and the tests in their tie order (cost band, invasiveness, label, id) with the
    rows each reads, in finding order (``-1`` pads)."""

    findings: tuple[str, ...]
    row: Mapping[str, int]
    results: _Results
    tests: tuple[str, ...]
    test_rows: np.ndarray
    power: float

    @classmethod
    def of(cls, kb: KnowledgeBase, power: float) -> _Plan:
        tables = score_tables(kb)
        read = {f for test in kb.tests.values() for f in _read_by(test)}
        findings = tuple(sorted(f for f in read if not _says_nothing(kb, f)))
        row = {f: k for k, f in enumerate(findings)}
        finding_tables = [tables.finding(f) for f in findings]
        results = _Results.of([(t.rate_positions, t.rate_values, t.other_rate) for t in finding_tables], power)
        tests = tuple(sorted(kb.tests, key=lambda test_id: _tie_key(kb.tests[test_id])))
        rows = [
            [row[f] for f in sorted({r.finding for r in kb.tests[t].rules if r.finding}) if f in row] for t in tests
        ]
        test_rows = np.full((len(tests), max([len(r) for r in rows] + [1])), -1, dtype=np.int64)
        for k, test_row in enumerate(rows):
            test_rows[k, : len(test_row)] = test_row
        return cls(findings, row, results, tests, test_rows, power)


def _read_by(test: DiagnosticTest) -> list[str]:
    """The findings a test's rules read, in order."""
    return sorted({r.finding for r in test.rules if r.finding})


def _tie_key(test: DiagnosticTest) -> tuple[int, int, str, str]:
    """Equal gains: the cheaper test first, then the less invasive, then by label and id."""
    cost = test.cost
    if cost is None:
        return (_UNRANKED, _UNRANKED, test.info.label, test.id)
    return (cost.band_rank, cost.invasiveness_rank, test.info.label, test.id)


def _plan(kb: KnowledgeBase) -> _Plan:
    power = _power(kb.param("posterior_temperature"))
    return score_tables(kb).derived(("useful-tests", power), lambda _: _Plan.of(kb, power))


def _rounded_gains(gains: np.ndarray, least: float) -> np.ndarray:
    """Gains to ``_GAIN_DIGITS`` decimals, so rounding noise never decides an order; those that cannot
    reach ``least`` even so are left at ``-inf`` (they are never shown, and never a test's best).

    >>> _rounded_gains(np.array([0.1234567891234, 0.001, -np.inf]), 0.01).tolist()
    [0.123456789, -inf, -inf]
    """
    out = np.full(len(gains), -np.inf)
    near = np.flatnonzero(gains >= least - 1e-6)
    out[near] = [round(_rounded(g), _GAIN_DIGITS) for g in gains[near].tolist()]
    return out


def _best_results(plan: _Plan, gains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each test's most informative result (the first in finding order of the best) and its gain
    (``-inf``: none it reads is left to learn)."""
    padded = np.append(gains, -np.inf)[plan.test_rows]  # the pad -1 reads the -inf
    best = np.argmax(padded, axis=1)
    return plan.test_rows[np.arange(len(best)), best], padded[np.arange(len(best)), best]


def useful_tests(
    kb: KnowledgeBase, n: NormalisedCase, candidates: Sequence[Candidate], done: frozenset[str] | None = None
) -> tuple[UsefulTest, ...]:
    """The tests whose results would most change the differential, most useful first.

    Tests the case already reports (``done``, by default each written test name resolved) are left
    out, as are results it already settles.  A test scores
    the gain of its most informative result; those below ``useful_test_min_bits`` are left out, and
    the first ``useful_tests_shown`` are returned, ties broken by cost band, invasiveness, label, id.
    """
    if not candidates:
        return ()
    tables, plan = score_tables(kb), _plan(kb)
    ranked = _Ranked.of(candidates, tables.position, len(tables.causes))
    prior = ranked.posterior(len(tables.causes), tables.position)
    least = kb.param("useful_test_min_bits")
    gains = _gains(prior, plan.results)
    gains[[plan.row[f] for f in _known_findings(kb, n) if f in plan.row]] = -np.inf  # the case settles them
    rows, best = _best_results(plan, _rounded_gains(gains, least))
    if done is None:
        done = frozenset(test for t in n.case.tests for test in resolve_test(kb, t.name))
    keep = (best >= least) & np.array([t not in done for t in plan.tests], dtype=bool)
    chosen = np.flatnonzero(keep)
    chosen = chosen[np.argsort(-best[chosen], kind="stable")][: int(kb.param("useful_tests_shown"))]
    rises = _rises_most_if_found(ranked, plan.results, rows[chosen], plan.power)
    return tuple(
        UsefulTest(plan.tests[k], float(best[k]), plan.findings[rows[k]], cause, to)
        for k, (cause, to) in zip(chosen.tolist(), rises, strict=True)
    )
