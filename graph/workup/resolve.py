"""Names in a case to nodes of the graph: findings, drugs, tests and free text (networkx-free).

Drug names are matched exactly (label, brand name, synonym) first, then inside a longer phrase
("methimazole 30 mg daily"), then in the drug lexicon (a drug the ontology does not model is
recognised with its DrugBank id, see :mod:`graph.kb.lexicon`), then with a small edit distance.
A misspelling that is as close to two different drugs is refused, not guessed: methimazole and
metamizole are different drugs.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> [kb.label(a) for a in resolve_drug(kb, "Clozaril").agents]
['clozapine']
>>> resolve_drug(kb, "clozapinne").match
'fuzzy (1 edit)'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..kb.knowledge import KnowledgeBase
from ..kb.lexicon import LexiconDrug, describe_not_a_cause, lookup_drug
from ..kb.scoretables import score_tables
from ..model.reference import reference_reading
from ..model.text import PhraseIndex, edit_distance, is_negated, normalise, singular_form

__all__ = [
    "DrugMatch",
    "resolve_drug",
    "resolve_test",
    "resolve_known",
    "resolve_any_test",
    "read_result",
    "first_number",
]

_DOSE_WORDS = re.compile(
    r"\b(\d+([.,]\d+)?|mg|mcg|ug|g|ml|units?|iu|daily|bid|tid|qid|od|prn|iv|po|sc|im|oral|tablets?|tabs?|"
    r"capsules?|ds|ss|er|xr|sr|la|q\d+h|once|twice|weekly|monthly|every|per|day|days|m2)\b"
)


@dataclass(frozen=True)
class DrugMatch:
    """The drug nodes a written name resolved to, how, or why it did not resolve."""

    agents: tuple[str, ...]
    match: str
    reason: str = ""
    known: LexiconDrug | None = None  # a drug the ontology does not model, named by the lexicon


@dataclass(frozen=True)
class _Letters:
    """Every drug name of a knowledge base (by length, as ``drug_names_by_length`` lists them) with how
    often each character occurs in it.  An edit (insert, delete, substitute, swap) changes by at most one
    what either name has of a character beyond the other, so the edit distance is at least the larger of
    those two counts: a name too far off by them is never aligned (:func:`graph.model.text.edit_distance`).
    """

    names: tuple[str, ...]
    lengths: np.ndarray
    counts: np.ndarray
    column: dict[str, int]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> _Letters:
        names = tuple(n for length in sorted(kb.drug_names_by_length) for n in kb.drug_names_by_length[length])
        column = {c: k for k, c in enumerate(sorted({c for n in names for c in n}))}
        counts = np.zeros((len(names), len(column)), dtype=np.int64)
        for i, name in enumerate(names):
            for c in name:
                counts[i, column[c]] += 1
        return cls(names, np.array([len(n) for n in names], dtype=np.int64), counts, column)

    def near(self, name: str, lengths: range, bound: int) -> list[str]:
        """The names of a length in ``lengths`` that may be within ``bound`` edits of ``name``, in order."""
        query = np.zeros(len(self.column), dtype=np.int64)
        unknown = 0  # characters no drug name has
        for c in name:
            k = self.column.get(c)
            if k is None:
                unknown += 1
            else:
                query[k] += 1
        surplus = np.maximum(query - self.counts, 0).sum(axis=1) + unknown
        deficit = np.maximum(self.counts - query, 0).sum(axis=1)
        fits = (self.lengths >= lengths.start) & (self.lengths < lengths.stop)
        keep = fits & (np.maximum(surplus, deficit) <= bound)
        return [self.names[i] for i in np.flatnonzero(keep).tolist()]


def _fuzzy(kb: KnowledgeBase, name: str) -> DrugMatch | None:
    if len(name) < kb.param("fuzzy_min_length"):
        return None
    limit = int(kb.param("fuzzy_max_edits_long") if len(name) >= 10 else kb.param("fuzzy_max_edits"))
    scored: list[tuple[int, str]] = []
    shortest = int(kb.param("fuzzy_min_length"))
    letters: _Letters = score_tables(kb).derived("drug-name-letters", lambda _: _Letters.of(kb))
    for known in letters.near(name, range(max(len(name) - limit - 1, shortest), len(name) + limit + 2), limit + 1):
        distance = edit_distance(name, known, limit=limit + 1)
        if distance <= limit + 1:
            scored.append((distance, known))
    if not scored:
        return None
    scored.sort()
    best_distance, best_name = scored[0]
    if best_distance > limit:
        return None
    best_agents = kb.drug_names[best_name]
    rivals = sorted(
        {kb.label(a) for d, n in scored if d <= best_distance + 1 for a in kb.drug_names[n]}
        - {kb.label(a) for a in best_agents}
    )
    if rivals:
        options = ", ".join([kb.label(best_agents[0]), *rivals])
        return DrugMatch((), "ambiguous", f"too close to several drugs ({options}); write the exact name")
    edits = "edit" if best_distance == 1 else "edits"
    return DrugMatch(best_agents, f"fuzzy ({best_distance} {edits})")


def _by_lexicon_name(kb: KnowledgeBase, known: LexiconDrug, written: str) -> DrugMatch:
    """A drug the lexicon names: the ontology drugs its preferred name contains (a brand of a
    combination, "Trizivir": "Abacavir, Lamivudine, and Zidovudine"), else a drug not modelled here.

    A class of drugs the ontology names ("statins") is left to the drug classes (``match`` "none"),
    though the lexicon lists the class under its MeSH heading: the patient's drug is still to be named.
    """
    inside = tuple(dict.fromkeys(a for s in kb.drug_index.spot(known.label) if not s.negated for a in s.ids))
    if inside:
        return DrugMatch(inside, f"exact (lexicon: {known.label})")
    is_drugbank = (known.xref or "").startswith("DrugBank:")
    if not is_drugbank and resolve_known(kb, written, "DrugClass") is not None:
        return DrugMatch((), "none", "a class of drugs, not one drug")
    return DrugMatch((), "lexicon", describe_not_a_cause(known.xref), known)


def _drugs_by_xref(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Cross-reference (a DrugBank id) -> the ontology's drugs that carry it, in id order (kept per knowledge base)."""

    def build(_: object) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {}
        for node, agent in sorted(kb.agents.items()):
            if agent.info.kind == "Drug":
                for xref in dict.fromkeys(agent.info.xrefs):
                    found.setdefault(xref, []).append(node)
        return {xref: tuple(nodes) for xref, nodes in found.items()}

    return score_tables(kb).derived("drugs-by-xref", build)


def resolve_drug(kb: KnowledgeBase, written: str) -> DrugMatch:
    """Resolve a medication name (see module docstring)."""
    name = normalise(written)
    if name in kb.drug_names:
        return DrugMatch(kb.drug_names[name], "exact")
    cleaned = normalise(_DOSE_WORDS.sub(" ", name))
    if cleaned in kb.drug_names:
        return DrugMatch(kb.drug_names[cleaned], "exact")
    spotted = [s for s in kb.drug_index.spot(cleaned or name) if not s.negated]
    if spotted:
        agents = tuple(dict.fromkeys(a for s in spotted for a in s.ids))
        return DrugMatch(agents, "exact (within the name)")
    fuzzy = next(
        (
            found
            for candidate in dict.fromkeys((cleaned, *sorted(cleaned.split(), key=len, reverse=True)))
            if candidate and (found := _fuzzy(kb, candidate)) is not None
        ),
        None,
    )
    known = lookup_drug(cleaned or name)
    if known is not None:
        same = _drugs_by_xref(kb).get(known.xref, ()) if known.xref else ()
        if not same:  # a real drug the ontology does not model is not a misspelling of one it does
            return _by_lexicon_name(kb, known, written)
        if fuzzy is None:  # another name of an ontology drug
            return DrugMatch(same, "exact (lexicon synonym)")
    # the edit distance decides (and refuses a name as close to two drugs: methamizole)
    return fuzzy or DrugMatch((), "none", "not a drug in the ontology")


def _named_in(index: PhraseIndex, written: str, keep: Callable[[str], bool]) -> tuple[tuple[str, ...], float]:
    """The ids (kept by ``keep``) an index names by exactly ``written``, else by the longest phrase
    inside it, each tried as written and then in the singular; with the length of the match (an exact
    name counts as longer than any phrase inside)."""
    forms = tuple(dict.fromkeys((written, singular_form(written))))
    for form in forms:
        exact = tuple(node for node in index.lookup(form) if keep(node))
        if exact:
            return exact, math.inf
    for form in forms:
        spotted = [(len(s.phrase), [n for n in s.ids if keep(n)]) for s in index.spot(form) if not s.negated]
        spotted = [(length, ids) for length, ids in spotted if ids]
        if spotted:
            longest = max(length for length, _ in spotted)
            return tuple(dict.fromkeys(n for length, ids in spotted if length == longest for n in ids)), longest
    return (), 0.0


def resolve_test(kb: KnowledgeBase, written: str) -> tuple[str, ...]:
    """The diagnostic tests a written test name refers to: every test answering to the exact name,
    else to the longest known test name inside it (as written, then in the singular); ``()`` when
    none does.

    Several modules may define tests under the same name (an "ALT" in liver biochemistry and in
    the transaminases); a result is then read by the rules of all of them.
    """
    return _named_in(kb.test_index, written, lambda node: True)[0]


def resolve_known(kb: KnowledgeBase, written: str, kind: str) -> str | None:
    """The name of ``kind`` (``"KnownTest"`` or ``"DrugClass"``: a name that bears on no cause) that a
    written name refers to: the one answering to the exact name, else to the longest such name inside
    it (the first by id when several do); ``None`` when none does.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> kb.label(resolve_known(kb, "serum potassium (on admission)", "KnownTest"))
    'Serum potassium'
    >>> kb.label(resolve_known(kb, "statin", "DrugClass"))
    'HMG-CoA reductase inhibitors (statins)'
    """
    found, _ = _named_in(kb.known_term_index, written, lambda node: kb.known_terms[node].kind == kind)
    return sorted(found)[0] if found else None


def resolve_any_test(kb: KnowledgeBase, written: str) -> tuple[tuple[str, ...], str | None]:
    """The diagnostic tests a written name refers to (every test of a panel written as one name, "ANA /
    ENA / ANCA", first), or else the known test (one that bears on no cause): whichever the name names
    the longer way ("haemoglobin HPLC" is the known test Haemoglobin electrophoresis or HPLC, not the
    blood count that "haemoglobin" names); a tie goes to the diagnostic tests.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> tests, known = resolve_any_test(kb, "haemoglobin HPLC")
    >>> tests, kb.label(known)
    ((), 'Haemoglobin electrophoresis or HPLC')
    """
    panel = _tests_of_a_panel(kb, written)  # "ANA / ENA / ANCA": the diagnostic tests it joins, first
    if panel:
        return panel, None
    tests, test_length = _named_in(kb.test_index, written, lambda node: True)
    known, known_length = _named_in(kb.known_term_index, written, lambda node: kb.known_terms[node].kind == "KnownTest")
    if known and known_length > test_length:
        return (), sorted(known)[0]
    return tests, (sorted(known)[0] if known and not tests else None)


#: what joins the tests of a panel written as one name ("vitamin B12 and folate", "HIV, HBV and HCV",
#: "ANA / ENA / ANCA"); a slash only between spaces, since "HIV-1/2" and "IgM/IgG" name one test
_PANEL_JOINER = re.compile(r"\s*(?:,|;|&|\+|\band\b)\s*|\s+/\s+", re.IGNORECASE)


def _tests_of_a_panel(kb: KnowledgeBase, written: str) -> tuple[str, ...]:
    """Every diagnostic test of a name that joins several ("vitamin B12 and folate levels": both), when at
    least two of its parts each name one; ``()`` otherwise.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> [kb.label(t) for t in _tests_of_a_panel(kb, "vitamin B12 and folate levels")]
    ['Serum or red-cell folate', 'Serum vitamin B12 (cobalamin)']
    >>> sorted(kb.label(t) for t in _tests_of_a_panel(kb, "ANA / anti-dsDNA"))
    ['Anti-double-stranded DNA antibody', 'Antinuclear antibody (ANA)']
    >>> _tests_of_a_panel(kb, "HIV-1/2 antibody")
    ()
    """
    parts = [part for part in _PANEL_JOINER.split(written) if part.strip()]
    if len(parts) < 2:
        return ()
    named = [_named_in(kb.test_index, part, lambda node: True)[0] for part in parts]
    if sum(1 for tests in named if tests) < 2:
        return ()
    return tuple(sorted({test for tests in named for test in tests}))


def first_number(text: str) -> float | None:
    """The first number in a result text ('9,000/uL' -> 9000.0, '<0.01' -> 0.01); None if none."""
    match = re.search(r"(?<![\w.])[-+]?\d{1,3}(,\d{3})+(\.\d+)?|[-+]?\d+(\.\d+)?", text)
    if match is None:
        return None
    return float(match.group(0).replace(",", ""))


@lru_cache(maxsize=1 << 12)  # one per result rule of the knowledge base; bounded, for any ontology
def _result_pattern(pattern: str) -> re.Pattern[str] | None:
    """A result rule's pattern compiled (case-insensitive), or None when it is not a valid expression."""
    try:
        return re.compile(pattern, flags=re.IGNORECASE)
    except re.error:
        return None


def _fire(kb: KnowledgeBase, test: str, text: str, number: float | None) -> list[tuple[str | None, bool, str | None]]:
    fired: list[tuple[str | None, bool, str | None]] = []
    for rule in kb.tests[test].rules:
        if rule.pattern:
            pattern = _result_pattern(rule.pattern)
            if pattern is None:
                continue  # the validator reports bad patterns
            match = pattern.search(text)
            if match is None or is_negated(text, match.start()):
                continue
        if rule.below is not None and (number is None or not number < rule.below):
            continue
        if rule.above is not None and (number is None or not number > rule.above):
            continue
        if not rule.pattern and rule.below is None and rule.above is None:
            continue
        fired.append((rule.finding, rule.present, rule.organism))
    return fired


def read_result(kb: KnowledgeBase, test: str, result: str, name: str = "") -> list[tuple[str | None, bool, str | None]]:
    """Apply a test's result rules: a list of (finding, present, organism) for every rule that fires.

    Patterns are searched in the result; when none fires and the test's ``name`` is given, in
    "name: result" (a panel's rule may need the analyte's name: "fibrinogen: 92 mg/dL").  Numeric
    thresholds always read the first number of the result.
    """
    number = first_number(result)
    fired = _fire(kb, test, result, number)
    if not fired and name:
        fired = _fire(kb, test, f"{name}: {result}", number)
    said = () if fired else result_words(kb, result)
    if said:  # "subnormal", "64 (reference 10-24)": read again with the words the rules know
        worded = f"{' '.join(said)} {result}"
        fired = _fire(kb, test, worded, number) or (_fire(kb, test, f"{name}: {worded}", number) if name else [])
        fired = fired or _fire(kb, test, " ".join(said), number)  # the words alone: "non-revealing" is "normal"
    return fired


def result_words(kb: KnowledgeBase, result: str) -> tuple[str, ...]:
    """The canonical words a result says in other words (``nkg:ResultWord``, not negated), and "low",
    "normal" or "high" when its value is given with a reference range (``nkg:ReferenceRange``).

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> result_words(kb, "6.5 IU/L (reference <0.4)"), result_words(kb, "severely deficient")
    (('high',), ('low',))
    >>> result_words(kb, "not deficient"), result_words(kb, "positive")
    (('normal',), ())
    """
    said: list[str] = []
    for pattern, word in kb.result_words:
        compiled = _result_pattern(pattern)  # None for a bad pattern, which the validator reports
        match = compiled.search(result) if compiled is not None else None
        if match is not None and not is_negated(result, match.start()) and word not in said:
            said.append(word)
    stated = reference_reading(result, kb.reference_range_words)
    if stated is not None and stated not in said:
        said.append(stated)
    return tuple(said)
