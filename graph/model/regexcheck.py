"""Find regular expressions that backtrack catastrophically on a hostile result text (stdlib only).

Python's ``re`` backtracks, so two shapes make a search on a crafted text explode:

* **nested quantifiers**: an unbounded repeat inside a repeat of more than a few rounds,
  ``(a+)+`` or ``(?:\\s*x?)*``: exponential in the text's length;
* **adjacent quantifiers**: two unbounded repeats that can match the same character with only
  optional items between them, ``\\s*[<>]?\\s*``: one extra power of the length each.

:func:`backtracking_risks` names each one; ``neutropenia-kg validate`` reports them for every
result rule, and results are also cut to a bounded length before any rule runs
(:data:`graph.model.case.MAX_RESULT_CHARS`).

Examples
--------
>>> backtracking_risks(r"^\\s*(?:[<>]\\s*)?[0-9]+")
[]
>>> backtracking_risks(r"^\\s*[<>]?\\s*[0-9]")
['adjacent unbounded repeats that can match the same character: \\\\s* ... \\\\s*']
>>> backtracking_risks(r"(a|aa)+b")
[]
>>> backtracking_risks(r"(?:x\\d+)*y")
['nested quantifiers: an unbounded repeat inside a repeat']
"""

from __future__ import annotations

import re
from typing import Any

try:  # Python 3.11+
    from re import _constants as _sre  # type: ignore[attr-defined]  # private module, not in typeshed
    from re import _parser as _parse  # type: ignore[attr-defined]  # private module, not in typeshed
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _parse  # type: ignore[no-redef]

__all__ = ["backtracking_risks"]

#: an outer repeat of at most this many rounds around an unbounded one stays polynomial and small
_FEW_ROUNDS = 10
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None))
_SINGLE = (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN, _sre.CATEGORY)
_PROBE = [chr(c) for c in range(128)] + ["µ", "μ", "é", "\u00a0", "\u2009"]


def _is_repeat(op: Any) -> bool:
    return op in _REPEATS and op is not None


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns of one parsed item."""
    if _is_repeat(op):
        return [av[2]]
    if op is _sre.SUBPATTERN:
        return [av[-1]]
    if op is _sre.BRANCH:
        return list(av[1])
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [av[1]]
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return [av]
    if op is _sre.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def _has_unbounded_repeat(items: Any) -> bool:
    for op, av in items:
        if _is_repeat(op) and av[1] is _sre.MAXREPEAT and op is not getattr(_sre, "POSSESSIVE_REPEAT", None):
            return True
        if any(_has_unbounded_repeat(child) for child in _children(op, av)):
            return True
    return False


def _single_chars(items: Any) -> Any:
    """The one-character item a repeat repeats, or None when it repeats something longer."""
    items = list(items)
    if len(items) == 1 and items[0][0] in _SINGLE:
        return items[0]
    return None


def _matcher(item: Any) -> Any:
    return re.compile(_parse_to_text(item), re.IGNORECASE)


def _parse_to_text(item: Any) -> str:
    op, av = item
    if op is _sre.LITERAL:
        return re.escape(chr(av))
    if op is _sre.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is _sre.ANY:
        return "."
    if op is _sre.CATEGORY:
        return {
            _sre.CATEGORY_DIGIT: r"\d",
            _sre.CATEGORY_NOT_DIGIT: r"\D",
            _sre.CATEGORY_SPACE: r"\s",
            _sre.CATEGORY_NOT_SPACE: r"\S",
            _sre.CATEGORY_WORD: r"\w",
            _sre.CATEGORY_NOT_WORD: r"\W",
        }.get(av, ".")
    return "(?s:.)"  # a set (IN): assume it may overlap; checked precisely below


def _accepts(item: Any) -> set[str]:
    """The probe characters one single-character item matches."""
    op, av = item
    if op is _sre.IN:
        negate = bool(av) and av[0][0] is _sre.NEGATE
        hits = set()
        for char in _PROBE:
            inside = any(_set_member(member, char) for member in av if member[0] is not _sre.NEGATE)
            if inside != negate:
                hits.add(char)
        return hits
    matcher = _matcher(item)
    return {char for char in _PROBE if matcher.fullmatch(char)}


def _set_member(member: Any, char: str) -> bool:
    op, av = member
    if op is _sre.LITERAL:
        return ord(char) == av or char.lower() == chr(av).lower()
    if op is _sre.RANGE:
        return av[0] <= ord(char) <= av[1] or av[0] <= ord(char.lower()) <= av[1]
    if op is _sre.CATEGORY:
        return bool(_matcher((op, av)).fullmatch(char))
    return True


def _describe(item: Any) -> str:
    op, av = item
    if op is _sre.IN and len(av) == 1 and av[0][0] is _sre.CATEGORY:
        item = av[0]
    elif op is _sre.IN:
        return "[...]*"
    return _parse_to_text(item) + "*"


def _adjacent(items: list[Any], risks: list[str]) -> None:
    """Unbounded single-character repeats separated only by optional items, over shared characters."""
    previous: Any = None
    for op, av in items:
        if _is_repeat(op) and av[1] is _sre.MAXREPEAT and _single_chars(av[2]) is not None:
            current = _single_chars(av[2])
            if previous is not None and _accepts(previous) & _accepts(current):
                risks.append(
                    "adjacent unbounded repeats that can match the same character: "
                    f"{_describe(previous)} ... {_describe(current)}"
                )
            previous = current
        elif _is_repeat(op) and av[0] == 0:
            continue  # an optional item between them does not separate them
        elif op in (_sre.AT,):
            continue
        else:
            previous = None
        for child in _children(op, av):
            _adjacent(list(child), risks)


def _nested(items: Any, risks: list[str]) -> None:
    for op, av in items:
        if _is_repeat(op) and (av[1] is _sre.MAXREPEAT or av[1] > _FEW_ROUNDS) and _has_unbounded_repeat(av[2]):
            risks.append("nested quantifiers: an unbounded repeat inside a repeat")
            continue
        for child in _children(op, av):
            _nested(child, risks)


def backtracking_risks(pattern: str) -> list[str]:
    """Every shape of ``pattern`` that backtracks catastrophically (see module docstring); [] when none.

    Raises ``re.error`` when ``pattern`` is not a regular expression.
    """
    parsed = _parse.parse(pattern)
    risks: list[str] = []
    _nested(parsed, risks)
    _adjacent(list(parsed), risks)
    return list(dict.fromkeys(risks))
