"""Text normalisation, edit distance, negation and phrase spotting (stdlib only).

One normal form is used for every name the tool compares: lower case, British spellings folded
to American (the ontology may use either), Greek letters spelt out, punctuation to spaces.

Examples
--------
>>> normalise("Anaemia, β-lactam–induced (Haemolytic)")
'anemia beta lactam induced hemolytic'
>>> normalise("Leucopaenia, diarrhoea, anaemic")
'leukopenia diarrhea anemic'
>>> edit_distance("methimazole", "metamizole")
3
>>> index = PhraseIndex({"tick bite": ["expo:tick"], "bite": ["x"]})
>>> [(m.phrase, m.negated) for m in index.spot("No tick bite reported")]
[('tick bite', True)]
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "normalise",
    "edit_distance",
    "PhraseIndex",
    "Spotted",
    "is_negated",
    "is_negative_result",
    "states_nothing_found",
    "singular_form",
    "NegationScope",
]

_SPELLING = [
    (re.compile(r"aemia"), "emia"),
    (re.compile(r"haem"), "hem"),
    (re.compile(r"aemat"), "emat"),
    (re.compile(r"leukaem"), "leukem"),
    (re.compile(r"oedema"), "edema"),
    (re.compile(r"oesophag"), "esophag"),
    (re.compile(r"paediat"), "pediat"),
    (re.compile(r"tumour"), "tumor"),
    (re.compile(r"\bfaec"), "fec"),
    (re.compile(r"coeliac"), "celiac"),
    (re.compile(r"ischaem"), "ischem"),
    (re.compile(r"oestr"), "estr"),
    (re.compile(r"isation\b"), "ization"),
    (re.compile(r"ise\b"), "ize"),
    (re.compile(r"ised\b"), "ized"),
    (re.compile(r"yse\b"), "yze"),
    (re.compile(r"\bgrey\b"), "gray"),
    (re.compile(r"sulph"), "sulf"),
    (re.compile(r"aluminium"), "aluminum"),
    (re.compile(r"rrhoea"), "rrhea"),
    (re.compile(r"pnoea"), "pnea"),
    (re.compile(r"leuco"), "leuko"),
    (re.compile(r"paenia"), "penia"),
    (re.compile(r"\bfoet"), "fet"),
    (re.compile(r"aemic"), "emic"),
    (re.compile(r"aesth"), "esth"),
    (re.compile(r"gynaec"), "gynec"),
    (re.compile(r"orthopaed"), "orthoped"),
    (re.compile(r"\b(behavi|col|fav|hum|lab)our"), r"\1or"),
]
_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "κ": "kappa",
    "µ": "u",
    "μ": "u",
    "–": " ",
    "—": " ",
    "‐": " ",
    "‑": " ",
    "’": "'",
}
_NON_WORD = re.compile(r"[^a-z0-9+]+")
_NEGATION = re.compile(
    r"\b(no|not|non|without|negative for|neg for|absent|absence of|denies|denied|free of|never|ruled out|"
    r"rules out|excluded|unremarkable for)\b",
    re.IGNORECASE,
)
#: a test result that says nothing was found: what the test's name mentions is not the patient's
_NEGATIVE_RESULT = re.compile(
    r"^\W*(negative|neg|not detected|non[- ]?reactive|undetectable|not found|none seen|none|absent|nil|no growth)\b"
)
#: "with" ends a negation's scope ("no fever with a rash"), except where it joins a judgement to its object
#: ("no morphology in keeping with folate deficiency", "not consistent with"); a comma ends it too, except
#: in a list closed by "or"/"nor" ("negative for dysplasia, MDS or lymphoma"; the look-ahead is bounded,
#: so reading stays linear)
_CLAUSE_BREAK = re.compile(
    r",(?![^.;:()\[\]]{0,200}?\b(?:or|nor)\b)|[.;:()\[\]]|\bbut\b|\bhowever\b"
    r"|(?<!keeping )(?<!consistent )(?<!compatible )(?<!suggestive )\bwith\b",
    re.IGNORECASE,
)


_GREEK_TABLE = str.maketrans(_GREEK)


def _needle(pattern: re.Pattern[str]) -> str:
    """Literal text that every match of a spelling rule contains: the rule without its ``\\b`` anchors, or
    what follows its leading group of alternatives."""
    return pattern.pattern.replace(r"\b", "").rpartition(")")[2]


#: each spelling rule with a literal its matches contain: a rule whose literal is absent is skipped
#: (``sub`` would change nothing), which makes normalising a name several times faster
_SPELLING_RULES = [(_needle(pattern), pattern, replacement) for pattern, replacement in _SPELLING]


@lru_cache(maxsize=1 << 16)  # compiling names many labels and synonyms more than once; bounded, for any input
def normalise(text: str) -> str:
    """Return the comparison form of a name or phrase (see module docstring)."""
    if not text.isascii():  # every letter _GREEK spells out is non-ASCII, and NFKD leaves ASCII as it is
        text = text.translate(_GREEK_TABLE)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    for needle, pattern, replacement in _SPELLING_RULES:
        if needle in text:
            text = pattern.sub(replacement, text)
    return _NON_WORD.sub(" ", text).strip()


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, transpose adjacent).

    With ``limit``, only a band of width ``limit`` around the diagonal is computed and
    ``limit + 1`` is returned as soon as the distance must exceed it.
    """
    if limit is None:
        limit = max(len(a), len(b))
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    width = len(b)
    previous2: list[int] = []
    previous = [j if j <= limit else over for j in range(width + 1)]
    for i in range(1, len(a) + 1):
        char_a = a[i - 1]
        current = [over] * (width + 1)
        current[0] = i if i <= limit else over
        low = max(1, i - limit)
        high = min(width, i + limit)
        best = current[0]
        for j in range(low, high + 1):
            char_b = b[j - 1]
            value = previous[j - 1] + (char_a != char_b)
            insert = current[j - 1] + 1
            if insert < value:
                value = insert
            delete = previous[j] + 1
            if delete < value:
                value = delete
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                swap = previous2[j - 2] + 1
                if swap < value:
                    value = swap
            if value > over:
                value = over
            current[j] = value
            if value < best:
                best = value
        if best > limit:
            return over
        previous2, previous = previous, current
    return min(previous[width], over)


def is_negative_result(result: str) -> bool:
    """True when a test result says nothing was found ("negative", "not detected", "no growth").

    >>> is_negative_result("Negative (IgM and IgG)"), is_negative_result("positive")
    (True, False)
    """
    return bool(_NEGATIVE_RESULT.match(result[:200].lower()))


#: a plural ending: "-ies", or an "-s" not after s, u, i or e ("abscess", "status", "analysis", "herpes" stay)
_PLURAL = re.compile(r"\b([a-z0-9+]{3,}?)(ies|(?<![suie])s)\b")


def singular_form(text: str) -> str:
    """``text`` normalised, with each plural English word made singular ("antibodies" -> "antibody",
    "oral ulcers" -> "oral ulcer"); names are looked up in this form when the written form is unknown.

    >>> singular_form("Lyme antibodies"), singular_form("AFB smears"), singular_form("Herpes virus")
    ('lyme antibody', 'afb smear', 'herpes virus')
    """
    return _PLURAL.sub(lambda m: m.group(1) + ("y" if m.group(2) == "ies" else ""), normalise(text))


@lru_cache(maxsize=8)
def _nothing_found(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """``phrases`` as one pattern that matches at the start of an item (``None`` for no phrases)."""
    return re.compile(r"^\W*(?:" + "|".join(phrases) + r")\b") if phrases else None


def states_nothing_found(text: str, phrases: tuple[str, ...] = ()) -> bool:
    """True when a whole item says nothing was found: a negative result, or one of ``phrases`` (regular
    expressions in lower case, matched at the start of the item as whole words; the knowledge base holds
    them, ``nkg:NothingFound``).

    >>> phrases = ("unremarkable", "no (?:known )?family history", "(?:unknown|adopted)\\W*$")
    >>> states_nothing_found("Unremarkable", phrases), states_nothing_found("no family history of it", phrases)
    (True, True)
    >>> states_nothing_found("unknown", phrases), states_nothing_found("unknown fever source", phrases)
    (True, False)
    >>> states_nothing_found("negative"), states_nothing_found("leukaemia in the father", phrases)
    (True, False)
    """
    pattern = _nothing_found(phrases)
    return is_negative_result(text) or (pattern is not None and bool(pattern.match(text[:200].lower())))


class NegationScope:
    """Where negation cues and clause breaks are in one text, found in one linear pass.

    :meth:`negated` then answers for any position in logarithmic time, so reading every phrase of
    a long text stays linear (a scan of the text before each phrase would be quadratic).

    >>> scope = NegationScope("No fever, but a rash; denies cough")
    >>> [scope.negated(i) for i in (3, 16, 28)]
    [True, False, True]
    >>> NegationScope("no morphology in keeping with folate deficiency").negated(40)
    True
    >>> NegationScope("negative for dysplasia, MDS or lymphoma").negated(31)
    True
    """

    def __init__(self, raw_text: str) -> None:
        self._breaks = [m.end() for m in _CLAUSE_BREAK.finditer(raw_text)]
        cues = [(m.start(), m.end()) for m in _NEGATION.finditer(raw_text)]
        self._cue_starts = [start for start, _ in cues]
        self._cue_ends = [end for _, end in cues]

    def negated(self, start: int) -> bool:
        """True when a negation cue ends before ``start`` in the clause that holds ``start``."""
        breaks_before = bisect.bisect_right(self._breaks, start)
        clause_start = self._breaks[breaks_before - 1] if breaks_before else 0
        cues_before = bisect.bisect_right(self._cue_ends, start)
        return bool(cues_before) and self._cue_starts[cues_before - 1] >= clause_start


def is_negated(raw_text: str, start: int) -> bool:
    """True when a negation cue precedes position ``start`` of ``raw_text`` in the same clause."""
    return NegationScope(raw_text[:start]).negated(start)


@dataclass(frozen=True)
class Spotted:
    """A phrase found in a text, the node ids it names, and whether it was negated."""

    phrase: str
    ids: tuple[str, ...]
    negated: bool


class PhraseIndex:
    """Finds known phrases (whole words, longest first) in free text.

    ``phrases`` maps a phrase (any form; it is normalised) to the node ids it names.
    """

    def __init__(self, phrases: Mapping[str, Iterable[str]]) -> None:
        self._ids: dict[tuple[str, ...], tuple[str, ...]] = {}
        for phrase, ids in phrases.items():
            tokens = tuple(normalise(phrase).split())
            if tokens:
                merged = dict.fromkeys(self._ids.get(tokens, ()) + tuple(ids))
                self._ids[tokens] = tuple(merged)
        self._max_len = max((len(t) for t in self._ids), default=0)
        self._first = {t[0] for t in self._ids}

    def __len__(self) -> int:
        return len(self._ids)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhraseIndex):
            return NotImplemented
        return self._ids == other._ids

    __hash__ = None  # type: ignore[assignment]

    def to_data(self) -> list[list[list[str]]]:
        """``[[tokens, ids], ...]``: the index as JSON-ready data; see :meth:`from_data`."""
        return [[list(tokens), list(ids)] for tokens, ids in self._ids.items()]

    @classmethod
    def from_data(cls, data: list[list[list[str]]]) -> PhraseIndex:
        """The index :meth:`to_data` wrote; a TypeError or ValueError when ``data`` is not one.

        >>> index = PhraseIndex({"tick bite": ["expo:tick"]})
        >>> PhraseIndex.from_data(index.to_data()) == index
        True
        """
        index = cls({})
        for tokens, ids in data:
            key, value = tuple(tokens), tuple(ids)
            if not all(type(t) is str for t in key + value) or not key:
                raise TypeError("a phrase index row must be [tokens, ids] of strings")
            index._ids[key] = value
        index._max_len = max((len(t) for t in index._ids), default=0)
        index._first = {t[0] for t in index._ids}
        return index

    def lookup(self, text: str) -> tuple[str, ...]:
        """Ids named by exactly this phrase (after normalisation), or ``()``."""
        return self._ids.get(tuple(normalise(text).split()), ())

    def spot(self, raw_text: str) -> list[Spotted]:
        """Every known phrase in ``raw_text``, longest match first, without overlaps."""
        words = [(m.group(0), m.start()) for m in re.finditer(r"[^\s,;:()\[\]/]+", raw_text)]
        tokens: list[str] = []
        starts: list[int] = []
        for word, offset in words:
            for token in normalise(word).split():
                tokens.append(token)
                starts.append(offset)
        found: list[Spotted] = []
        scope: NegationScope | None = None  # read when the first phrase is found (most texts name none)
        i = 0
        while i < len(tokens):
            match = None
            if tokens[i] in self._first:
                for size in range(min(self._max_len, len(tokens) - i), 0, -1):
                    key = tuple(tokens[i : i + size])
                    if key in self._ids:
                        match = (key, size)
                        break
            if match is None:
                i += 1
                continue
            key, size = match
            scope = NegationScope(raw_text) if scope is None else scope
            found.append(Spotted(" ".join(key), self._ids[key], scope.negated(starts[i])))
            i += size
        return found
