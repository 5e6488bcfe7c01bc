"""A test result read against the reference range written beside it (stdlib only).

Case reports give many results as a value with its laboratory's range: "64 pmol/L (reference 10-24)",
"6.5 IU/L (normal <0.4)", "ferritin 150 ng/mL [30-300]".  :func:`reference_reading` says whether the
value lies below, within or above that range, as the word a result rule reads ("low", "normal",
"high").  The words that introduce a range are data (``nkg:ReferenceRange`` in the ontology).

Examples
--------
>>> words = ("reference", "normal", "ref")
>>> reference_reading("64 pmol/L (reference 10-24)", words)
'high'
>>> reference_reading("6.5 (normal <0.4)", words), reference_reading("2.1 ng/mL (ref. 3.0 to 17.0)", words)
('high', 'low')
>>> reference_reading("150 ng/mL [30-300]", words), reference_reading("positive", words)
('normal', None)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["reference_reading"]

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
#: the range itself: "10-24", "10 – 24", "10 to 24", "<0.4", "≤ 5", "> 20", "up to 40", "below 5", "above 20"
_RANGE = (
    rf"(?:(?P<low>{_NUMBER})\s*(?:-|–|—|to)\s*(?P<high>{_NUMBER})"
    rf"|(?P<upto>[<≤]=?|up to|below|under|less than)\s*(?P<upper>{_NUMBER})"
    rf"|(?P<over>[>≥]=?|above|over|more than|greater than)\s*(?P<lower>{_NUMBER}))"
)


@lru_cache(maxsize=64)
def _range_pattern(introducers: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in sorted(introducers, key=len, reverse=True))
    named = rf"(?:\b(?:{words})\b\.?(?:\s+(?:range|interval|values?|limits?))?\s*[:=,]?\s*)"
    return re.compile(rf"(?:[(\[]\s*{named}?|{named}){_RANGE}", re.IGNORECASE)


def _number(text: str) -> float:
    """'2,500' is 2500 (a thousands separator), '2,5' is 2.5 (a decimal comma)."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def reference_reading(result: str, introducers: Iterable[str]) -> str | None:
    """The word "low", "normal" or "high" for the first value of ``result`` against the range stated after it
    (in brackets, or after one of ``introducers``); None when no range follows a value.

    >>> reference_reading("TRAb 6.5 IU/L, upper reference limit below 0.4", ("reference",))
    'high'
    >>> reference_reading("(normal 10-24) 64", ("normal",)) is None  # the value must come first
    True
    """
    match = _range_pattern(tuple(introducers)).search(result)
    if match is None:
        return None
    value_match = re.search(_NUMBER, result[: match.start()])
    if value_match is None:
        return None
    value = _number(value_match.group(0))
    if match.group("low") is not None:
        low, high = _number(match.group("low")), _number(match.group("high"))
        if low > high:
            return None
        return "low" if value < low else "high" if value > high else "normal"
    if match.group("upper") is not None:
        return "high" if value >= _number(match.group("upper")) else "normal"
    return "low" if value <= _number(match.group("lower")) else "normal"
