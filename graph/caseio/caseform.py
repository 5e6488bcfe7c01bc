"""A case as a person enters it in a form (values, dates, tables) to the case format, and back.

The app's form holds dates and tables; the case format (``shared/case-format.md``) holds days
before today.  :func:`case_from_form` converts and checks with :func:`graph.model.case.parse_case`, so a
bad value comes back as a :class:`~graph.model.errors.CaseError` naming the field; :func:`form_from_case`
fills the form from a case so an example can be edited.  Stdlib and the knowledge base only.

Examples
--------
>>> from datetime import date
>>> form = CaseForm(case_id="c1", anc=400, findings=("Fever",),
...                 medications=({"name": "clozapine", "started": date(2024, 1, 1)},))
>>> case = case_from_form(form, reference=date(2024, 3, 1))
>>> case["medications"], case["findings"]
([{'name': 'clozapine', 'started_days_ago': 60}], ['Fever'])
>>> form_from_case(case, reference=date(2024, 3, 1)).medications[0]["started"]
datetime.date(2024, 1, 1)

In SI units the form's numbers carry their unit into the case, and the ontology's rules convert them:

>>> from graph.kb.knowledge import load_knowledge_base
>>> rules = load_knowledge_base().case_rules
>>> si = case_from_form(CaseForm(case_id="c2", anc=0.4, temperature=38.6, units="SI"), date(2024, 3, 1), rules)
>>> si["anc"], si["temperature_c"]
({'value': 0.4, 'unit': '10^9/L'}, 38.6)
>>> form_from_case(si, date(2024, 3, 1), units="US", rules=rules).anc
400.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, overload

from ..kb.knowledge import KnowledgeBase
from ..model.case import LAB_KEYS, parse_case
from ..model.errors import CaseError
from ..model.ids import curie
from ..model.text import normalise
from ..model.units import CaseRules, fold_unit

__all__ = [
    "UnitSystem",
    "UNIT_SYSTEMS",
    "entry_unit",
    "LabField",
    "LAB_FIELDS",
    "CaseForm",
    "BLANK_FORM",
    "shown_unit",
    "case_from_form",
    "form_from_case",
    "finding_choices",
    "choice_label",
    "finding_search_label",
    "ancestry_search_label",
    "days_before",
    "date_for",
]

_UNITS = {"per_ul": "/µL", "g_dl": "g/dL", "fl": "fL", "pg_ml": "pg/mL", "ng_ml": "ng/mL", "ug_dl": "µg/dL"}
_SHORT = {"wbc": "WBC", "mcv": "MCV", "b12": "Vitamin B12"}


UnitSystem = Literal["US", "SI"]
#: The unit systems the form offers: US conventional units (the case format's own) and SI units.
UNIT_SYSTEMS: tuple[UnitSystem, ...] = ("US", "SI")
#: The unit in which each number of the form is entered, per system, spelt as the ontology's unit
#: conversions read it (ontology/model.ttl); a measure not named keeps the case format's working unit.
_ENTRY_UNITS: dict[UnitSystem, dict[str, str]] = {
    "US": {"temperature_c": "F"},
    "SI": {
        **dict.fromkeys(("anc", "wbc_per_ul", "platelets_per_ul", "lymphocytes_per_ul", "monocytes_per_ul"), "10^9/L"),
        "hemoglobin_g_dl": "g/L",
        "b12_pg_ml": "pmol/L",
        "folate_ng_ml": "nmol/L",
        "copper_ug_dl": "umol/L",
        "temperature_c": "C",
    },
}
#: How a unit reads on screen (the conversions spell units in ASCII).
_SHOWN_UNITS = {"/uL": "/µL", "10^9/L": "×10⁹/L", "ug/dL": "µg/dL", "umol/L": "µmol/L", "C": "°C", "F": "°F"}


def entry_unit(code: str, units: UnitSystem, rules: CaseRules | None = None) -> str | None:
    """The unit (ASCII, as the conversions spell it) in which measure ``code`` is entered in ``units``;
    None when it is the case format's working unit, so the number goes into the case bare.

    Examples
    --------
    >>> entry_unit("anc", "SI"), entry_unit("anc", "US"), entry_unit("mcv_fl", "SI"), entry_unit("temperature_c", "US")
    ('10^9/L', None, None, 'F')
    """
    if units not in UNIT_SYSTEMS:
        raise CaseError(f"the form's units must be one of {', '.join(UNIT_SYSTEMS)}, got {units!r}")
    unit = _ENTRY_UNITS[units].get(code)
    if unit is not None and rules is not None and code in rules.measures:
        if fold_unit(unit) == fold_unit(rules.measures[code].unit):
            return None
    return unit


def shown_unit(code: str, units: UnitSystem, rules: CaseRules | None = None, working: str = "") -> str:
    """How the unit of measure ``code`` reads beside its field, e.g. ``×10⁹/L`` or ``°F``.

    Examples
    --------
    >>> shown_unit("anc", "SI"), shown_unit("temperature_c", "US"), shown_unit("mcv_fl", "SI", working="fL")
    ('×10⁹/L', '°F', 'fL')
    """
    unit = entry_unit(code, units, rules) or working
    return _SHOWN_UNITS.get(unit, unit)


def _entered(value: float | None, code: str, units: UnitSystem, rules: CaseRules | None) -> Any:
    """A number of the form as the case holds it: bare in the working unit, else with its unit."""
    unit = None if value is None else entry_unit(code, units, rules)
    return value if unit is None else {"value": value, "unit": unit}


def _to_entry_unit(value: float | None, code: str, units: UnitSystem, rules: CaseRules | None) -> float | None:
    """A value in the working unit of ``code`` shown in the form's unit (the inverse of the rules' conversion)."""
    unit = entry_unit(code, units, rules)
    if value is None or unit is None or rules is None:
        return value
    folded = fold_unit(unit)
    conversion = next((c for c in rules.conversions_for(code) if folded in c.units), None)
    if conversion is None:
        raise CaseError(f"the ontology has no conversion of {code!r} from {unit!r}; the form cannot show it")
    return float(f"{value / conversion.factor - conversion.offset:.6g}")


@dataclass(frozen=True)
class LabField:
    """A lab key of the case format with a readable name and unit, both derived from the key."""

    key: str
    label: str
    unit: str


def _lab_field(key: str) -> LabField:
    for suffix, unit in sorted(_UNITS.items(), key=lambda item: -len(item[0])):
        if key.endswith("_" + suffix):
            stem = key[: -len(suffix) - 1]
            words = [_SHORT.get(part, part) for part in stem.split("_")]
            label = " ".join(words)
            return LabField(key, label[:1].upper() + label[1:], unit)
    return LabField(key, key, "")


#: The case format's lab keys, e.g. ``LabField('platelets_per_ul', 'Platelets', '/µL')``.
LAB_FIELDS: tuple[LabField, ...] = tuple(_lab_field(key) for key in LAB_KEYS)


@dataclass(frozen=True)
class CaseForm:
    """The values of the case form.

    Table rows are mappings: ``medications`` rows have ``name``, ``started``, ``stopped``,
    ``last_dose`` (dates); ``exposures`` rows ``name``, ``site``, ``date``; ``tests`` rows ``name``,
    ``result``; ``anc_history`` rows ``date``, ``anc``.  Blank cells (None, NaN, NaT, "") are
    ignored.  ``medications_recorded`` false means "no medication list was taken", which the
    ranker treats differently from an empty list (a named drug in ``medications`` is a list all the
    same).  ``units`` is the system of every number (counts, labs, temperature; see :func:`entry_unit`).
    """

    case_id: str
    anc: float | None
    age_years: float | None = None
    sex: str | None = None
    ancestry: str | None = None
    duration_days: float | None = None
    findings: tuple[str, ...] = ()
    absent_findings: tuple[str, ...] = ()
    labs: Mapping[str, float | None] = field(default_factory=dict)
    medications: tuple[Mapping[str, Any], ...] = ()
    medications_recorded: bool = True
    exposures: tuple[Mapping[str, Any], ...] = ()
    conditions: tuple[str, ...] = ()
    tests: tuple[Mapping[str, Any], ...] = ()
    anc_history: tuple[Mapping[str, Any], ...] = ()
    family_history: tuple[str, ...] = ()
    narrative: str = ""
    #: the highest recent body temperature, in °F for US units and °C for SI
    temperature: float | None = None
    units: UnitSystem = "US"


#: The form of a new case: every field empty, no medication list taken.
BLANK_FORM = CaseForm(case_id="", anc=None, medications_recorded=False)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN and pandas' NaT are not equal to themselves
    except (TypeError, ValueError):
        return False


def _as_date(value: Any, where: str) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise CaseError(f"'{where}' must be a date (YYYY-MM-DD), got {value!r}") from None
    raise CaseError(f"'{where}' must be a date, got {value!r}")


def _as_number(value: Any, where: str) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise CaseError(f"'{where}' must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CaseError(f"'{where}' must be a number, got {value!r}") from None
    except OverflowError:  # an integer beyond what a float holds
        raise CaseError(f"'{where}' must be a finite number, got an integer of {len(str(value))} digits") from None
    if math.isinf(number):
        raise CaseError(f"'{where}' must be a finite number, got {value!r}")
    return int(number) if number.is_integer() else number


@overload
def days_before(reference: date, when: date, where: str = ...) -> int: ...
@overload
def days_before(reference: date, when: date | None, where: str = ...) -> int | None: ...
def days_before(reference: date, when: date | None, where: str = "date") -> int | None:
    """Whole days from ``when`` to ``reference`` (the case format's ``*_days_ago``).

    Examples
    --------
    >>> days_before(date(2024, 3, 1), date(2024, 2, 20))
    10
    >>> days_before(date(2024, 3, 1), date(2024, 3, 2), "medications[0].started")
    Traceback (most recent call last):
    ...
    graph.model.errors.CaseError: 'medications[0].started' is after today (2024-03-02); dates must not be in the future
    """
    if when is None:
        return None
    days = (reference - when).days
    if days < 0:
        raise CaseError(f"'{where}' is after today ({when.isoformat()}); dates must not be in the future")
    return days


def date_for(reference: date, days_ago: float | None) -> date | None:
    """The date ``days_ago`` days before ``reference`` (rounded to whole days).

    Examples
    --------
    >>> date_for(date(2024, 3, 1), 10)
    datetime.date(2024, 2, 20)
    """
    if days_ago is None:
        return None
    return reference - timedelta(days=round(float(days_ago)))


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def _texts(values: Iterable[Any]) -> list[str]:
    return [t for t in (_text(v) for v in values) if t]


def _patient_from_form(form: CaseForm) -> dict[str, Any] | None:
    """The case's ``patient`` object: the age, sex and ancestry given, or None when none is."""
    patient = {
        key: value
        for key, value in (
            ("age_years", _as_number(form.age_years, "patient.age_years")),
            ("sex", _text(form.sex) or None),
            ("ancestry", _text(form.ancestry) or None),
        )
        if value is not None
    }
    return patient or None


def _history_from_form(
    form: CaseForm, reference: date, units: UnitSystem, rules: CaseRules | None
) -> list[dict[str, Any]] | None:
    """The earlier counts as days before ``reference``, by day (blank rows skipped), or None when there are none."""
    history = []
    for index, row in enumerate(form.anc_history):
        when = _as_date(row.get("date"), f"anc_history[{index}].date")
        count = _as_number(row.get("anc"), f"anc_history[{index}].anc")
        if when is None and count is None:
            continue
        if when is None or count is None:
            raise CaseError(f"'anc_history[{index}]' needs both a date and an ANC")
        day = -days_before(reference, when, f"anc_history[{index}].date")
        history.append({"day": day, "anc": _entered(count, "anc", units, rules)})
    return sorted(history, key=lambda point: point["day"]) if history else None


def _labs_from_form(form: CaseForm, units: UnitSystem, rules: CaseRules | None) -> dict[str, Any] | None:
    """The labs given, each in its entry unit, or None when none is."""
    labs = {key: _as_number(value, f"labs.{key}") for key, value in form.labs.items()}
    if all(value is None for value in labs.values()):
        return None
    return {key: _entered(value, key, units, rules) for key, value in labs.items() if value is not None}


def _medications_from_form(form: CaseForm, reference: date) -> list[dict[str, Any]] | None:
    """The medications with their days ago, or None when the form records none (an empty list if it says none)."""
    if not form.medications_recorded and not any(_text(row.get("name")) for row in form.medications):
        return None
    medications = []
    for index, row in enumerate(form.medications):
        name = _text(row.get("name"))
        timing = {
            f"{field}_days_ago": days_before(
                reference,
                _as_date(row.get(column), f"medications[{index}].{column}"),
                f"medications[{index}].{column}",
            )
            for column, field in (("started", "started"), ("stopped", "stopped"), ("last_dose", "last_dose"))
        }
        if not name:
            if any(v is not None for v in timing.values()):
                raise CaseError(f"'medications[{index}]' has dates but no drug name")
            continue
        medications.append({"name": name, **{k: v for k, v in timing.items() if v is not None}})
    return medications


def _exposures_from_form(form: CaseForm, reference: date) -> list[dict[str, Any]] | None:
    """The named exposures with their days ago and site, or None when there are none."""
    exposures = []
    for index, row in enumerate(form.exposures):
        name = _text(row.get("name"))
        if not name:
            continue
        item: dict[str, Any] = {"name": name}
        days_ago = days_before(
            reference, _as_date(row.get("date"), f"exposures[{index}].date"), f"exposures[{index}].date"
        )
        if days_ago is not None:
            item["days_ago"] = days_ago
        if _text(row.get("site")):
            item["site"] = _text(row.get("site"))
        exposures.append(item)
    return exposures or None


def _tests_from_form(form: CaseForm) -> list[dict[str, str]] | None:
    """The test results (blank rows skipped), or None when there are none."""
    tests = []
    for index, row in enumerate(form.tests):
        name, result = _text(row.get("name")), _text(row.get("result"))
        if not name and not result:
            continue
        if not name or not result:
            raise CaseError(f"'tests[{index}]' needs both a test name and a result")
        tests.append({"name": name, "result": result})
    return tests or None


def case_from_form(form: CaseForm, reference: date, rules: CaseRules | None = None) -> dict[str, Any]:
    """The case-format dict for the form's values, checked by :func:`graph.model.case.parse_case`.

    Raises
    ------
    CaseError
        Naming the field, for a missing id or ANC, a value that is not a number, or a future date.
    """
    units = form.units
    entry_unit("anc", units)  # an unknown system is refused here, before any number is read
    # read in this order, so that of two bad fields the first in the form is reported
    fields = (
        ("anc", _entered(_as_number(form.anc, "anc"), "anc", units, rules)),  # without it, a finding must say
        ("temperature_c", _entered(_as_number(form.temperature, "temperature_c"), "temperature_c", units, rules)),
        ("patient", _patient_from_form(form)),
        ("narrative", _text(form.narrative) or None),
        ("anc_history", _history_from_form(form, reference, units, rules)),
        ("duration_days", _as_number(form.duration_days, "duration_days")),
        ("findings", _texts(form.findings) or None),
        ("absent_findings", _texts(form.absent_findings) or None),
        ("labs", _labs_from_form(form, units, rules)),
        ("medications", _medications_from_form(form, reference)),
        ("exposures", _exposures_from_form(form, reference)),
        ("conditions", _texts(form.conditions) or None),
        ("tests", _tests_from_form(form)),
        ("family_history", _texts(form.family_history) or None),
    )
    case: dict[str, Any] = {"id": _text(form.case_id), **{key: value for key, value in fields if value is not None}}
    parse_case(case, rules)
    return case


def _finding_value(kb: KnowledgeBase | None, text: str) -> str:
    if kb is None:
        return text
    term = kb.hpo.resolve(text)
    return curie(term) if term else text


def _medication_rows(medications: Iterable[Mapping[str, Any]], reference: date) -> tuple[dict[str, Any], ...]:
    """The form's medication rows for the case's medications, with dates instead of days ago."""
    return tuple(
        {
            "name": m.get("name"),
            "started": date_for(reference, m.get("started_days_ago")),
            "stopped": date_for(reference, m.get("stopped_days_ago")),
            "last_dose": date_for(reference, m.get("last_dose_days_ago")),
        }
        for m in medications
    )


def _exposure_rows(exposures: Iterable[Mapping[str, Any]], reference: date) -> tuple[dict[str, Any], ...]:
    """The form's exposure rows for the case's exposures, with a date instead of days ago."""
    return tuple(
        {"name": e.get("name"), "site": e.get("site") or "", "date": date_for(reference, e.get("days_ago"))}
        for e in exposures
    )


def form_from_case(
    case: Mapping[str, Any],
    reference: date,
    kb: KnowledgeBase | None = None,
    units: UnitSystem = "US",
    rules: CaseRules | None = None,
) -> CaseForm:
    """The form values that show ``case`` (a case-format dict) in ``units``; with ``kb``, findings
    become CURIEs.  Numbers are converted by the rules (``kb.case_rules`` when ``rules`` is not given).

    Examples
    --------
    >>> form = form_from_case({"id": "c", "anc": 900, "anc_history": [{"day": -7, "anc": 1500}]}, date(2024, 1, 8))
    >>> form.anc_history, form.medications_recorded
    (({'date': datetime.date(2024, 1, 1), 'anc': 1500.0},), False)
    """
    rules = rules if rules is not None else kb.case_rules if kb is not None else None
    parsed = parse_case(dict(case), rules)  # numbers in the working units

    def shown(value: float | None, code: str) -> float | None:
        return _to_entry_unit(value, code, units, rules)

    patient = case.get("patient") or {}
    medications = case.get("medications")
    given = [t.celsius for t in parsed.temperatures if t.origin.startswith("temperature_c")]
    return CaseForm(
        case_id=str(case.get("id", "")),
        anc=shown(parsed.anc, "anc"),
        age_years=parsed.age_years,
        sex=patient.get("sex"),
        ancestry=patient.get("ancestry"),
        duration_days=case.get("duration_days"),
        findings=tuple(_finding_value(kb, f) for f in case.get("findings") or ()),
        absent_findings=tuple(_finding_value(kb, f) for f in case.get("absent_findings") or ()),
        labs={lab.key: shown(parsed.labs.get(lab.key), lab.key) for lab in LAB_FIELDS},
        medications=_medication_rows(medications or (), reference),
        medications_recorded=medications is not None,
        exposures=_exposure_rows(case.get("exposures") or (), reference),
        conditions=tuple(case.get("conditions") or ()),
        tests=tuple({"name": t.get("name"), "result": str(t.get("result"))} for t in case.get("tests") or ()),
        anc_history=tuple(
            {"date": date_for(reference, -point.day), "anc": shown(point.anc, "anc")} for point in parsed.anc_history
        ),
        family_history=tuple(case.get("family_history") or ()),
        narrative=str(case.get("narrative") or ""),
        temperature=shown(given[0], "temperature_c") if given else None,
        units=units,
    )


def finding_choices(kb: KnowledgeBase, extra: Sequence[str] = ()) -> list[str]:
    """The findings a form offers: every finding the knowledge base links to a cause, as CURIEs,
    sorted by label, followed by ``extra`` values not among them (e.g. free text from a case).

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> "HP:0001945" in finding_choices(kb)
    True
    """
    linked = {assoc.finding for assocs in kb.finding_assocs.values() for assoc in assocs}
    linked |= {node for node, info in kb.findings.items() if not info.derived}
    # an HPO term by its CURIE; a finding of the ontology's own (no public id) by its label, which the case reads
    named = {curie(node) if curie(node).startswith("HP:") else kb.label(node): node for node in linked}
    choices = sorted(named, key=lambda value: (kb.label(named[value]).lower(), value))
    return choices + [value for value in dict.fromkeys(extra) if value not in set(choices)]


def _finding_named(kb: KnowledgeBase, value: str) -> str | None:
    """The finding a form value names: an HPO CURIE, label or synonym, else a label or lexicon phrase."""
    term = kb.hpo.resolve(value)
    if term is not None:
        return term
    return next((node for node in kb.concept_index.lookup(value) if kb.kinds.get(node) == "Finding"), None)


def finding_search_label(kb: KnowledgeBase, value: str) -> str:
    """How a finding choice reads in the form's search box: its label, its HPO id (never an id of the
    ontology's own), and the clinical and lay words the lexicon knows it by, so that typing "enlarged
    spleen" finds Splenomegaly.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> finding_search_label(kb, "HP:0002829").startswith("Arthralgia · HP:0002829 — also: ")
    True
    >>> "joint pain" in finding_search_label(kb, "HP:0002829")
    True
    """
    node = _finding_named(kb, value)
    if node is None:
        return f"{value} (not recognised)"
    label = kb.label(node)
    info = kb.findings.get(node)
    words = [w for w in dict.fromkeys(info.synonyms if info else ()) if normalise(w) != normalise(label)]
    shown = f"{label} · {curie(node)}" if curie(node).startswith("HP:") else label
    return shown + (" — also: " + ", ".join(words) if words else "")


def ancestry_search_label(kb: KnowledgeBase, value: str) -> str:
    """How an ancestry choice reads in the form's search box: the ontology's group and the words the
    lexicon knows it by, so that typing "Somali" or "Afr" finds African; any other value as it is.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> label = ancestry_search_label(kb, "African")
    >>> label.startswith("African — also: ") and "Somali" in label
    True
    >>> ancestry_search_label(kb, "")
    'not recorded'
    """
    group = next((g for g in kb.ancestry_groups.values() if g.label == value), None)
    if group is None:
        return value or "not recorded"
    words = [w for w in dict.fromkeys(group.synonyms) if normalise(w) != normalise(group.label)]
    return group.label + (" — also: " + ", ".join(words) if words else "")


def choice_label(kb: KnowledgeBase, value: str) -> str:
    """How a finding choice reads in the form: ``Fever · HP:0001945``, or the text as typed.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> choice_label(load_knowledge_base(), "HP:0001945")
    'Fever · HP:0001945'
    """
    term = kb.hpo.resolve(value)
    if term is None:
        return f"{value} (not recognised)"
    return f"{kb.label(term)} · {curie(term)}"
