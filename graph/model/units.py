"""Numbers in a case: units converted and impossible values refused, by rules the ontology holds (stdlib only).

The rules (working unit and possible range of each measure, and the unit conversions) are data in
``ontology/model.ttl``; :func:`graph.kb.build.build_knowledge_base` turns them into a :class:`CaseRules`.
A value is a bare number in the measure's working unit or ``{"value": 0.8, "unit": "10^9/L"}``.
A value impossible in its unit is refused with the units in which it would be possible.

Examples
--------
>>> rules = CaseRules(
...     {"anc": MeasureRule("anc", "absolute neutrophil count", "/uL", 0, 1e6, 10)},
...     (Conversion(("/ul",), "/uL", 1.0, label="/uL"),
...      Conversion(("10^9/l", "10^3/ul"), "/uL", 1000.0, label="10^9/L (x10^3/uL)", example="10^9/L")))
>>> rules.read({"value": 0.8, "unit": "x10^9/L"}, "anc", "anc")
800.0
>>> rules.read(0.8, "anc", "anc")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.model.errors.CaseError: 'anc' = 0.8 is impossible in /uL (a non-zero value below 10/uL is not reported); ...
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import CaseError

__all__ = ["MeasureRule", "Conversion", "CaseRules", "fold_unit", "finite_number", "amount"]


#: characters case reports write in units, folded to the ASCII spelling the unit tables use
_UNIT_FOLDS = str.maketrans({"µ": "u", "μ": "u", "×": "x", "⁹": "9", "³": "3", "°": ""})


def fold_unit(text: str) -> str:
    """The comparison form of a unit: case, spaces, micro and multiplication signs and 'cells' folded.

    Examples
    --------
    >>> fold_unit("× 10⁹/L"), fold_unit("cells/µL"), fold_unit("10*3/uL"), fold_unit("°F")
    ('10^9/l', '/ul', '10^3/ul', 'degf')
    """
    folded = text.strip().translate(_UNIT_FOLDS)
    if text.strip().startswith("°"):
        folded = "deg" + folded
    folded = re.sub(r"\s+", "", folded).lower().replace("**", "^").replace("*", "^")
    folded = re.sub(r"^x(?=10)", "", folded)
    folded = re.sub(r"^10(?=[369]/)", "10^", folded)
    return re.sub(r"^cells?(?=/)", "", folded)


@dataclass(frozen=True)
class MeasureRule:
    """A number a case may carry: its working unit and the range of possible values in that unit."""

    code: str
    label: str
    unit: str
    low: float
    high: float
    least_nonzero: float | None = None
    #: a whole number below ``least_nonzero`` is possible (a differential counted by hand: WBC x %)
    hand_countable: bool = False

    def problem(self, value: float) -> str | None:
        """Why ``value`` (in the working unit) is impossible, or None when it is possible."""
        if value < self.low or value > self.high:
            return f"outside the possible range {self.low:g}-{amount(self.high, self.unit)}"
        if self.least_nonzero is not None and 0 < value < self.least_nonzero:
            if self.hand_countable and value.is_integer():
                return None
            if self.hand_countable:
                return f"a fraction of a cell below {amount(self.least_nonzero, self.unit)} cannot be counted"
            return f"a non-zero value below {amount(self.least_nonzero, self.unit)} is not reported"
        return None


@dataclass(frozen=True)
class Conversion:
    """``(value + offset) * factor`` turns a value in one of ``units`` (folded) into ``to_unit``."""

    units: tuple[str, ...]
    to_unit: str
    factor: float
    offset: float = 0.0
    measure: str | None = None
    label: str = ""
    example: str = ""

    def apply(self, value: float) -> float:
        return (value + self.offset) * self.factor


def finite_number(value: Any, name: str) -> float:
    """A JSON number as a finite float; booleans, text, NaN, infinity and huge integers are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CaseError(f"'{name}' must be a number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise CaseError(f"'{name}' is too large to be a number of this kind ({len(str(value))} digits)") from None
    if math.isnan(number) or math.isinf(number):
        raise CaseError(f"'{name}' must be a finite number, got {value}")
    return number


def amount(value: float, unit: str) -> str:
    """A value with its unit for messages: ``800/uL``, ``12 g/dL``."""
    return f"{value:.6g}{'' if unit.startswith('/') else ' '}{unit}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class CaseRules:
    """The ontology's measures and unit conversions (see module docstring)."""

    measures: dict[str, MeasureRule]
    conversions: tuple[Conversion, ...]

    def conversions_for(self, code: str) -> list[Conversion]:
        """The conversions into the measure's working unit: general ones and those limited to it."""
        unit = self.measures[code].unit
        return [c for c in self.conversions if c.to_unit == unit and c.measure in (None, code)]

    def read(self, raw: Any, code: str, name: str, *, at_most: tuple[float, str] | None = None) -> float:
        """The value of ``raw`` (a number, or ``{"value", "unit"}``) in the working unit of measure ``code``.

        ``at_most`` is an upper limit from another field of the case (the white count for the ANC),
        with its name; a value above it is refused too.
        """
        value, unit_given = _value_and_unit(raw, name)
        measure = self.measures.get(code)
        if measure is None:
            if unit_given:
                raise CaseError(f"'{name}': the ontology has no unit rules for this value (nkg:Measure {code!r})")
            return value
        conversions = self.conversions_for(code)
        used = _conversion_for(unit_given, conversions, name, measure) if unit_given else None
        converted = used.apply(value) if used else value
        why = measure.problem(converted)
        if why is None and at_most is not None and converted > at_most[0]:
            why = f"more than {at_most[1]}, {amount(at_most[0], measure.unit)}"
        if why is None:
            return converted
        likely = [
            c
            for c in conversions
            if c is not used
            and measure.problem(c.apply(value)) is None
            and (at_most is None or c.apply(value) <= at_most[0])
            and c.apply(value) != converted
        ]
        message = f"'{name}' = {value:g} is impossible in {unit_given or measure.unit} ({why})"
        if likely:
            best = likely[0]
            message += (
                f"; it looks like {best.label} ({amount(best.apply(value), measure.unit)}): "
                f'write {{"value": {value:g}, "unit": "{best.example or best.label}"}}'
            )
        raise CaseError(message)


def _value_and_unit(raw: Any, name: str) -> tuple[float, str | None]:
    """The number ``raw`` gives (bare, or ``{"value", "unit"}``) and its unit, if given."""
    unit_given: str | None = None
    if isinstance(raw, dict):
        if set(raw) - {"value", "unit"} or "value" not in raw:
            raise CaseError(f'\'{name}\' must be a number or {{"value": number, "unit": text}}, got {_shown(raw)}')
        unit_given = raw.get("unit")
        if unit_given is not None and not isinstance(unit_given, str):
            raise CaseError(f"'{name}.unit' must be text such as \"10^9/L\", got {_shown(unit_given)}")
        raw = raw["value"]
        name_value = f"{name}.value"
    else:
        name_value = name
    value = finite_number(raw, name_value)
    if value < 0:
        raise CaseError(f"'{name_value}' must not be negative, got {raw}")
    return value, unit_given


def _conversion_for(unit: str, conversions: list[Conversion], name: str, measure: MeasureRule) -> Conversion:
    """The conversion from ``unit`` (an error naming the units this tool converts when there is none)."""
    folded = fold_unit(unit)
    used = next((c for c in conversions if folded in c.units), None)
    if used is None:
        known = ", ".join(dict.fromkeys(c.label for c in conversions))
        raise CaseError(
            f"'{name}': unit {unit!r} is not one this tool converts for {measure.label}; use one of: {known}"
        )
    return used
