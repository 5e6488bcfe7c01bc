"""Score tables: the knowledge base's causes and annotations as numpy arrays, for scoring every cause at once.

:func:`score_tables` compiles them once per knowledge base (the knowledge base itself is never changed).
Cause-level arrays (prevalence, onset ranges, inheritance, whether a cause needs an agent) are built at
once; a finding's match table (which causes annotate it, above or below, with what frequency) is built
the first time a case names the finding and kept, since it depends on the knowledge base alone.  The
ranker (:mod:`graph.workup.rank`) and the useful-tests planner (:mod:`graph.workup.usefultests`) read the same tables,
so the probabilities they use cannot drift apart.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> tables = score_tables(kb)
>>> len(tables.causes) == len(kb.causes) and score_tables(kb) is tables
True
>>> fever = tables.finding("http://purl.obolibrary.org/obo/HP_0001945")
>>> len(fever.above) > 0
True
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model.types import Cause, FindingAssociation, PriorModifier
from .kbase import KnowledgeBase

__all__ = ["ScoreTables", "FindingTable", "score_tables", "noisy_or", "unrelated_log_lr"]


def noisy_or(kb: KnowledgeBase, assocs: tuple[FindingAssociation, ...] | list[FindingAssociation]) -> float:
    """P(the cause shows at least one of these annotated terms), the annotations taken as independent and
    each frequency kept within ``frequency_floor`` of 0 and 1.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> noisy_or(kb, []) == kb.param("frequency_floor")  # nothing annotated: the floor
    True
    """
    return noisy_or_of(kb, [a.frequency for a in assocs])


def noisy_or_of(kb: KnowledgeBase, frequencies: list[float]) -> float:
    """:func:`noisy_or` of bare frequencies (an early-phase frequency in place of the usual one)."""
    floor = kb.param("frequency_floor")
    miss = 1.0
    for frequency in frequencies:
        miss *= 1 - min(max(frequency, floor), 1 - floor)
    return min(max(1 - miss, floor), 1 - floor)


def unrelated_log_lr(kb: KnowledgeBase, finding: str) -> float:
    """A stated finding the cause does not show: the false-positive rate against the finding's background,
    between ``unlinked_present_lr`` (a common finding) and 1 (a rare one, which says little)."""
    ratio = kb.param("phenotype_false_positive_rate") / kb.background(finding)
    return math.log(min(1.0, max(kb.param("unlinked_present_lr"), ratio)))


def _int_array(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


@dataclass(frozen=True)
class FindingTable:
    """How one finding meets every cause's annotations, independent of any case.

    ``above`` lists the causes with an annotation on the finding or an ancestor (the nearest, see
    :meth:`graph.kb.kbase.KnowledgeBase.hits_at_or_above`), with its frequency ``above_p``, its log
    likelihood ratio when present ``above_lr``, whether it is on the finding itself (``above_exact``), a
    curator's "opposes" (``above_opposes``), the log of the number of child terms of the annotated term
    (LIRICAL's split, ``above_log_children``) and whether the match is only through the premise
    ("Neutropenia", ``above_premise``).  ``below`` lists the causes with annotations on the finding or its
    descendants, with their noisy-or probability ``below_p``.  ``early`` marks entries one of whose
    annotations has an early-phase frequency.
    """

    finding: str
    background: float
    above: np.ndarray
    above_assocs: tuple[FindingAssociation, ...]
    above_ids: np.ndarray
    above_p: np.ndarray
    above_lr: np.ndarray
    above_exact: np.ndarray
    above_opposes: np.ndarray
    above_log_children: np.ndarray
    above_premise: np.ndarray
    above_early: np.ndarray
    below: np.ndarray
    below_assocs: tuple[tuple[FindingAssociation, ...], ...]
    below_p: np.ndarray
    below_early: np.ndarray
    #: the association numbers of every entry of ``below``, flat, and the entry each belongs to
    below_ids: np.ndarray
    below_owner: np.ndarray
    #: ``below`` entries whose cause has no entry in ``above``: the present finding is more general
    general: np.ndarray
    #: P(finding present | cause) for each cause with an annotation on it, above or below it (by cause
    #: id), and for every other cause: what the useful-tests planner reads (:func:`finding_rates`)
    rates: dict[str, float]
    other_rate: float
    #: the same rates as arrays, in the order of ``rates``: cause positions and P(finding present | cause)
    rate_positions: np.ndarray
    rate_values: np.ndarray
    _entries: dict[str, dict[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def entries(self, part: str) -> dict[int, int]:
        """Cause position -> its entry in ``above``, ``below`` or ``general`` (``part``), built on first use and
        kept with the table (the explanation of each candidate shown looks its entries up).

        >>> from graph.kb.knowledge import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> fever = score_tables(kb).finding("http://purl.obolibrary.org/obo/HP_0001945")
        >>> j = fever.entries("above")[int(fever.above[0])]
        >>> j == 0 and fever.entries("above") is fever.entries("above")
        True
        """
        found = self._entries.get(part)
        if found is None:
            if part == "general":
                positions = self.below[self.general].tolist()
            else:
                positions = (self.above if part == "above" else self.below).tolist()
            found = self._entries.setdefault(part, dict(zip(positions, range(len(positions)), strict=True)))
        return found


@dataclass(frozen=True)
class ScoreTables:
    """Per-cause arrays, in the order of ``causes`` (the knowledge base's), and finding tables on demand."""

    kb_ref: weakref.ref[KnowledgeBase] = field(repr=False, compare=False)
    causes: tuple[Cause, ...]
    cause_ids: tuple[str, ...]
    position: dict[str, int]
    #: each cause's place in (label, id) order: the tie-break of equal scores
    tie_order: np.ndarray
    log_prior: np.ndarray
    #: onset range in years (NaN: none applies), the share of the onset penalty, and where it comes from
    onset_low: np.ndarray
    onset_high: np.ndarray
    onset_exponent: np.ndarray
    onset_origin: tuple[str, ...]
    #: causes inherited only in male-predominant modes and with no curated prior modifier for sex
    male_predominant: np.ndarray
    requires_agent: np.ndarray
    #: each cause's mechanism, as its place in ``mechanisms`` (the mechanisms in sorted order)
    mechanism_of: np.ndarray
    mechanisms: tuple[str, ...]
    #: the positions of causes with defining features
    with_defining_features: tuple[int, ...]
    #: prior modifiers, one entry each: cause position, age band (NaN: any), sex, ancestry, log multiplier
    modifier_cause: np.ndarray
    modifier_min_age: np.ndarray
    modifier_max_age: np.ndarray
    modifier_sex: tuple[str | None, ...]
    modifier_ancestry: tuple[str | None, ...]
    modifier_log: np.ndarray
    modifiers: tuple[PriorModifier, ...]
    #: association id -> a small integer, for set operations on arrays
    assoc_number: dict[str, int]
    _findings: dict[str, FindingTable] = field(default_factory=dict, repr=False, compare=False)
    _positions: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _derived: dict[object, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base the tables were compiled from (held weakly, so the tables never keep it alive)."""
        kb = self.kb_ref()
        if kb is None:
            raise RuntimeError("the knowledge base of these score tables is gone; call score_tables(kb) again")
        return kb

    def finding(self, finding: str) -> FindingTable:
        """The match table of one finding (built on first use, then kept: it depends on the knowledge base
        only; an id the knowledge base does not know is not kept)."""
        table = self._findings.get(finding)
        if table is None:
            table = _finding_table(self, finding)
            kb = self.kb
            if finding in kb.hpo or finding in kb.findings:
                table = self._findings.setdefault(finding, table)  # one atomic write: the first one wins
        return table

    def derived(self, key: object, build: Callable[[ScoreTables], Any]) -> Any:
        """What a later stage derives from these tables alone (arrays over every test's results, say),
        built by ``build(tables)`` on first use under ``key`` and kept while the tables live."""
        found = self._derived.get(key)
        if found is None:
            found = self._derived.setdefault(key, build(self))  # one atomic write: the first one wins
        return found

    def positions(self, cause_ids: frozenset[str] | set[str]) -> np.ndarray:
        """The positions of the given causes, in ascending order (unknown ids left out)."""
        return _int_array(sorted(self.position[c] for c in cause_ids if c in self.position))

    def positions_below(self, term: str) -> np.ndarray:
        """The positions of the causes with an annotation on ``term`` or below it (kept per term)."""
        found = self._positions.get(term)
        if found is None:
            causes = {assoc.cause for assoc in self.kb.assocs_below.get(term, ())}
            found = self._positions.setdefault(term, self.positions(causes))
        return found


def _floats(values: Iterable[float]) -> np.ndarray:
    return np.fromiter(values, dtype=float)


def _flags(values: Iterable[bool]) -> np.ndarray:
    return np.fromiter(values, dtype=bool)


def _above_part(tables: ScoreTables, finding: str) -> dict[str, Any]:
    """The ``above_*`` fields of a finding table: each cause's nearest annotation at or above the finding."""
    kb = tables.kb
    premise = kb.hpo.ancestors(kb.premise_finding)
    rows = sorted((tables.position[c], a) for c, a in kb.hits_at_or_above(finding).items() if c in tables.position)
    assocs = tuple(a for _, a in rows)
    weights = kb.assoc_weights
    return {
        "above": _int_array([p for p, _ in rows]),
        "above_assocs": assocs,
        "above_ids": _int_array([tables.assoc_number[a.id] for a in assocs]),
        "above_p": _floats(weights[a.id][0] for a in assocs),
        "above_lr": _floats(weights[a.id][1] for a in assocs),
        "above_exact": _flags(a.finding == finding for a in assocs),
        "above_opposes": _flags(a.polarity == "opposes" for a in assocs),
        "above_log_children": _floats(math.log(max(kb.hpo.children_count(a.finding), 1)) for a in assocs),
        "above_premise": _flags(a.finding != finding and a.finding in premise for a in assocs),
        "above_early": _flags(a.id in kb.early_weights for a in assocs),
    }


def _below_part(tables: ScoreTables, finding: str, in_above: set[int]) -> dict[str, Any]:
    """The ``below_*`` fields of a finding table: each cause's annotations on the finding or beneath it."""
    kb = tables.kb
    grouped: dict[int, list[FindingAssociation]] = {}
    for assoc in kb.assocs_below.get(finding, ()):
        if assoc.cause in tables.position:
            grouped.setdefault(tables.position[assoc.cause], []).append(assoc)
    positions = sorted(grouped)
    assocs = tuple(tuple(grouped[p]) for p in positions)
    return {
        "below": _int_array(positions),
        "below_assocs": assocs,
        "below_p": _floats(noisy_or(kb, group) for group in assocs),
        "below_early": _flags(any(a.id in kb.early_weights for a in group) for group in assocs),
        "below_ids": _int_array([tables.assoc_number[a.id] for group in assocs for a in group]),
        "below_owner": _int_array([j for j, group in enumerate(assocs) for _ in group]),
        "general": _int_array([j for j, p in enumerate(positions) if p not in in_above]),
    }


def _finding_table(tables: ScoreTables, finding: str) -> FindingTable:
    above = _above_part(tables, finding)
    below = _below_part(tables, finding, set(above["above"].tolist()))
    rates, other = _rates(
        tables, finding, above["above"].tolist(), above["above_lr"], below["below"].tolist(), below["below_p"]
    )
    background = tables.kb.background(finding)
    return FindingTable(
        finding=finding,
        background=background,
        **above,
        **below,
        rates=rates,
        other_rate=other,
        rate_positions=_int_array([tables.position[c] for c in rates]),
        rate_values=_floats(rates.values()),
    )


def _rate(background: float, log_lr_present: float, log_lr_absent: float) -> float:
    """P(present | cause) from the ranker's two likelihood ratios against the finding's background."""
    present = background * math.exp(log_lr_present)
    absent = (1.0 - background) * math.exp(log_lr_absent)
    return present / (present + absent)


def _rates(
    tables: ScoreTables,
    finding: str,
    above: list[int],
    above_lr: np.ndarray,
    below: list[int],
    below_p: np.ndarray,
) -> tuple[dict[str, float], float]:
    """P(finding present | cause) from the likelihood ratios the ranker would score when the finding is
    present (its annotation at or above, else the chance of a term beneath it) and absent."""
    kb = tables.kb
    background = kb.background(finding)
    if not 0.0 < background < 1.0:
        return {}, background
    present = dict(zip(above, above_lr.tolist(), strict=True))
    absent: dict[int, float] = {}
    for position, p in zip(below, below_p.tolist(), strict=True):
        absent[position] = math.log((1 - p) / (1 - background))
        present.setdefault(position, math.log(p / background))
    rates = {
        tables.cause_ids[i]: _rate(background, present[i], absent.get(i, 0.0))
        for i in sorted(present, key=lambda i: tables.cause_ids[i])
    }
    info = kb.findings.get(finding)
    neutral = info is not None and info.trait  # a constitutional trait is not a stated finding to explain
    return rates, _rate(background, 0.0 if neutral else unrelated_log_lr(kb, finding), 0.0)


def _onset(kb: KnowledgeBase, cause: Cause) -> tuple[float, float, float, str]:
    """(low, high, exponent, origin) of a cause's onset range; NaN bounds when none applies."""
    ranges = [kb.onset_ranges[t] for t in cause.onset if t in kb.onset_ranges]
    if ranges:
        origin = ", ".join(kb.label(t) for t in cause.onset if t in kb.onset_ranges)
        return min(r[0] for r in ranges), max(r[1] for r in ranges), 1.0, origin
    has_age_band = any(m.min_age is not None for m in kb.priors.get(cause.id, ()))
    if has_age_band or cause.category != kb.congenital_category or kb.default_onset is None:
        return math.nan, math.nan, 1.0, ""
    low, high = kb.onset_ranges[kb.default_onset]
    origin = f"no onset annotated; assumed {kb.label(kb.default_onset)}"
    return low, high, kb.param("onset_default_exponent"), origin


def _cause_part(kb: KnowledgeBase, causes: tuple[Cause, ...]) -> dict[str, Any]:
    """The per-cause arrays: tie order, prior, onset range, inheritance, agent and defining features."""
    ordered = sorted(range(len(causes)), key=lambda i: (causes[i].label, causes[i].id))
    tie_order = np.empty(len(causes), dtype=np.int64)
    tie_order[ordered] = np.arange(len(causes))
    onsets = [_onset(kb, c) for c in causes]
    male_modes = kb.male_predominant_inheritance
    mechanisms = tuple(sorted({c.mechanism for c in causes}))
    mechanism_number = {m: i for i, m in enumerate(mechanisms)}
    return {
        "mechanism_of": _int_array([mechanism_number[c.mechanism] for c in causes]),
        "mechanisms": mechanisms,
        "tie_order": tie_order,
        "log_prior": _floats(math.log(max(c.prevalence, 1e-9)) for c in causes),
        "onset_low": _floats(o[0] for o in onsets),
        "onset_high": _floats(o[1] for o in onsets),
        "onset_exponent": _floats(o[2] for o in onsets),
        "onset_origin": tuple(o[3] for o in onsets),
        # a cause with a curated prior modifier for sex weighs the patient's sex by that modifier, once
        "male_predominant": _flags(
            bool(c.inheritance) and set(c.inheritance) <= male_modes and not any(m.sex for m in kb.priors.get(c.id, ()))
            for c in causes
        ),
        "requires_agent": _flags(c.requires_agent for c in causes),
        "with_defining_features": tuple(i for i, c in enumerate(causes) if c.defining_features),
    }


def _modifier_part(kb: KnowledgeBase, causes: tuple[Cause, ...]) -> dict[str, Any]:
    """The prior modifiers as arrays, one entry each, in the order of the causes."""
    rows = [(i, m) for i, c in enumerate(causes) for m in kb.priors.get(c.id, ())]
    return {
        "modifier_cause": _int_array([i for i, _ in rows]),
        "modifier_min_age": _floats(math.nan if m.min_age is None else m.min_age for _, m in rows),
        "modifier_max_age": _floats(m.max_age or 200.0 for _, m in rows),
        "modifier_sex": tuple(m.sex for _, m in rows),
        "modifier_ancestry": tuple(m.ancestry for _, m in rows),
        "modifier_log": _floats(math.log(m.multiplier) for _, m in rows),
        "modifiers": tuple(m for _, m in rows),
    }


def _build(kb: KnowledgeBase) -> ScoreTables:
    causes = tuple(kb.causes.values())
    numbers: dict[str, int] = {}
    for assocs in kb.finding_assocs.values():
        for assoc in assocs:
            numbers.setdefault(assoc.id, len(numbers))
    return ScoreTables(
        kb_ref=weakref.ref(kb),
        causes=causes,
        cause_ids=tuple(c.id for c in causes),
        position={c.id: i for i, c in enumerate(causes)},
        **_cause_part(kb, causes),
        **_modifier_part(kb, causes),
        assoc_number=numbers,
    )


_TABLES: dict[int, ScoreTables] = {}
_LOCK = threading.Lock()


def score_tables(kb: KnowledgeBase) -> ScoreTables:
    """The score tables of a knowledge base, compiled on first use and kept while the knowledge base lives."""
    tables = _TABLES.get(id(kb))
    if tables is not None and tables.kb_ref() is kb:
        return tables
    with _LOCK:
        tables = _TABLES.get(id(kb))
        if tables is None or tables.kb_ref() is not kb:
            tables = _build(kb)
            _TABLES[id(kb)] = tables
            weakref.finalize(kb, _TABLES.pop, id(kb), None)
    return tables
