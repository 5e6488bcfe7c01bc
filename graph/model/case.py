"""The patient case: parse and check the JSON of ``shared/case-format.md``, version 2 (stdlib only).

Every problem becomes a :class:`~graph.model.errors.CaseError` naming the field, so the CLI can print a
one-line message.  Names the tool may not know (findings, drugs, tests) are *not* errors here:
normalisation reports them as unrecognised.

Given the ontology's :class:`~graph.model.units.CaseRules` (``kb.case_rules``), every number may carry a
unit (``{"value": 0.8, "unit": "10^9/L"}``) and is converted, and a value impossible in its unit is
refused with the likely unit named; temperatures are read from ``temperature_c``, from findings
such as "T 101.2 F" and from tests such as "Tmax" = "39.2 C".  Without rules only the checks of case
format version 1 apply.  The count may be left out when a finding states the neutropenia;
normalisation checks that finding.

Examples
--------
>>> case = parse_case({"id": "c1", "anc": 800, "patient": {"age_years": 40, "sex": "female"},
...                    "medications": [{"name": "clozapine", "started_days_ago": 60}]})
>>> case.anc, case.age_years, case.medications[0].started_days_ago
(800.0, 40.0, 60.0)
>>> parse_case({"id": "c2", "anc": -5})
Traceback (most recent call last):
...
graph.model.errors.CaseError: 'anc' must not be negative, got -5
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CaseError
from .units import CaseRules, finite_number

__all__ = [
    "Case",
    "Medication",
    "Exposure",
    "TestResult",
    "CountPoint",
    "Temperature",
    "LAB_KEYS",
    "MAX_RESULT_CHARS",
    "parse_case",
    "read_case_file",
    "read_json_file",
    "decode_json",
    "json_error",
    "MAX_CASE_BYTES",
    "check_case_data",
    "iter_case_files",
]

#: A case file is a few kilobytes; a larger file (or an endless device) is refused after this many bytes.
#: The app's upload limit (server.maxUploadSize in .streamlit/config.toml, 1 MB) matches it.
MAX_CASE_BYTES = 1_000_000
#: An integer literal with more digits than this is read as a float (so 1e400 becomes infinity and is
#: refused as not finite, instead of failing deep inside the reader).
_MAX_INT_DIGITS = 300

#: A test result is a short text ('positive', '48 mg/L'); longer ones are refused before any rule reads them,
#: so the time a result rule takes stays bounded whatever its pattern.
MAX_RESULT_CHARS = 2000

#: The lab keys of case format version 1 (units are in the key).
LAB_KEYS = (
    "wbc_per_ul",
    "hemoglobin_g_dl",
    "mcv_fl",
    "platelets_per_ul",
    "lymphocytes_per_ul",
    "monocytes_per_ul",
    "b12_pg_ml",
    "folate_ng_ml",
    "copper_ug_dl",
)


@dataclass(frozen=True)
class CountPoint:
    """An earlier ANC: ``day`` relative to today (negative = past)."""

    day: float
    anc: float


@dataclass(frozen=True)
class Temperature:
    """A body temperature in degrees Celsius, where in the case it was read, and whether it was called fever."""

    celsius: float
    origin: str
    states_fever: bool = False


@dataclass(frozen=True)
class Medication:
    """A current or recent drug as written in the case, with its timing in days."""

    name: str
    started_days_ago: float | None = None
    stopped_days_ago: float | None = None
    last_dose_days_ago: float | None = None


@dataclass(frozen=True)
class Exposure:
    """A non-drug exposure as written in the case."""

    name: str
    days_ago: float | None = None
    site: str = ""


@dataclass(frozen=True)
class TestResult:
    """A test result by name, with its result text."""

    name: str
    result: str


@dataclass(frozen=True)
class Case:
    """One patient case, checked but not yet interpreted."""

    case_id: str
    anc: float | None
    age_years: float | None = None
    sex: str | None = None
    ancestry: str | None = None
    anc_history: tuple[CountPoint, ...] = ()
    duration_days: float | None = None
    findings: tuple[str, ...] = ()
    absent_findings: tuple[str, ...] = ()
    labs: Mapping[str, float] = field(default_factory=dict)
    unknown_labs: tuple[str, ...] = ()
    medications: tuple[Medication, ...] | None = None
    exposures: tuple[Exposure, ...] = ()
    conditions: tuple[str, ...] = ()
    tests: tuple[TestResult, ...] = ()
    family_history: tuple[str, ...] = ()
    narrative: str = ""
    #: temperatures from ``temperature_c`` and from findings such as "T 101.2 F" (not kept in ``findings``)
    temperatures: tuple[Temperature, ...] = ()


def _number(value: Any, name: str, *, allow_negative: bool = False) -> float:
    number = finite_number(value, name)
    if number < 0 and not allow_negative:
        raise CaseError(f"'{name}' must not be negative, got {value}")
    return number


def _measure(rules: CaseRules | None, raw: Any, code: str, name: str, **limits: Any) -> float:
    """A number of the case in its working unit: converted and checked by the rules when given."""
    if rules is None:
        if isinstance(raw, dict):
            raise CaseError(f"'{name}' gives a unit; reading units needs the ontology's rules (kb.case_rules)")
        return _number(raw, name)
    return rules.read(raw, code, name, **limits)


def _days(rules: CaseRules | None, raw: Any, name: str, *, signed: bool = False) -> float:
    """A number of days (a day relative to today when ``signed``), within a lifetime."""
    number = _number(raw, name, allow_negative=signed)
    magnitude = _measure(rules, abs(number), "days", name)
    return -magnitude if number < 0 else magnitude


def _optional_days(rules: CaseRules | None, data: Mapping[str, Any], key: str, name: str) -> float | None:
    return None if data.get(key) is None else _days(rules, data[key], name)


#: a finding that is a temperature reading: "T 101.2 F", "temperature 38.6 C", "fever of 39 C", "febrile to 39.4"
_TEMPERATURE = re.compile(
    r"^\s*(?:(?P<fever>(?:high\s+|low[- ]grade\s+)?(?:fever|febrile|pyrexia|pyrexial))|(?:body\s+)?temperature|temp\.?|"
    r"t\s*max|tmax|t)\s*(?:of|to|was|is|at|=|:)?\s*(?P<value>\d{1,3}(?:\.\d+)?)\s*"
    r"(?P<unit>°\s*[cf]|deg(?:rees?)?\s*[cf]|celsius|fahrenheit|[cf])?\.?\s*$",
    re.IGNORECASE,
)


def _temperature_in(text: str, name: str, rules: CaseRules) -> Temperature | None:
    """The temperature a finding states, in degrees Celsius, or None when it states none."""
    match = _TEMPERATURE.match(text)
    if match is None:
        return None
    unit = (match["unit"] or "C").replace(" ", "").lower()
    letter = "F" if unit.endswith(("f", "fahrenheit")) else "C"
    celsius = rules.read({"value": float(match["value"]), "unit": letter}, "temperature_c", name)
    return Temperature(celsius, f"{name}: '{text}'", bool(match["fever"]))


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CaseError(f"'{key}' must be a list of strings")
    return tuple(item.strip() for item in value if item.strip())


def _objects(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CaseError(f"'{key}' must be a list of objects")
    return value


def _name(item: Mapping[str, Any], key: str, index: int) -> str:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseError(f"'{key}[{index}].name' must be a non-empty string")
    return name.strip()


def _case_id(data: Mapping[str, Any]) -> str:
    """The case's id, checked present."""
    case_id = data.get("id")
    if not isinstance(case_id, (str, int)) or isinstance(case_id, bool) or str(case_id).strip() == "":
        raise CaseError("'id' is missing; every case needs an id")
    return str(case_id).strip()


def _patient(data: Mapping[str, Any], rules: CaseRules | None) -> tuple[float | None, str | None, str | None]:
    """The patient's age in years, sex and ancestry (each optional)."""
    patient = data.get("patient") or {}
    if not isinstance(patient, dict):
        raise CaseError("'patient' must be an object")
    age = (
        None
        if patient.get("age_years") is None
        else _measure(rules, patient["age_years"], "age_years", "patient.age_years")
    )
    sex = patient.get("sex")
    if sex is not None and not isinstance(sex, str):
        raise CaseError("'patient.sex' must be a string")
    ancestry = patient.get("ancestry")
    if ancestry is not None and not isinstance(ancestry, str):
        raise CaseError("'patient.ancestry' must be a string")
    return age, sex.strip().lower() if sex else None, ancestry.strip() if ancestry else None


def _labs(data: Mapping[str, Any], rules: CaseRules | None) -> tuple[dict[str, float], tuple[str, ...]]:
    """The known labs in their working units, and the names of labs the tool does not know (checked numbers)."""
    labs_raw = data.get("labs") or {}
    if not isinstance(labs_raw, dict):
        raise CaseError("'labs' must be an object of numbers")
    labs: dict[str, float] = {}
    unknown_labs = []
    for key, value in labs_raw.items():
        if value is None:
            continue
        if key in LAB_KEYS:
            labs[key] = _measure(rules, value, key, f"labs.{key}")
        else:
            _number(value["value"] if isinstance(value, dict) and "value" in value else value, f"labs.{key}")
            unknown_labs.append(key)
    return labs, tuple(unknown_labs)


def _history(data: Mapping[str, Any], rules: CaseRules | None) -> tuple[CountPoint, ...]:
    """The earlier counts, by day."""
    history = [
        CountPoint(
            _days(rules, point.get("day"), f"anc_history[{index}].day", signed=True),
            _measure(rules, point.get("anc"), "anc", f"anc_history[{index}].anc"),
        )
        for index, point in enumerate(_objects(data, "anc_history"))
    ]
    return tuple(sorted(history, key=lambda p: p.day))


def _findings_and_temperatures(
    data: Mapping[str, Any], rules: CaseRules | None
) -> tuple[tuple[str, ...], tuple[Temperature, ...]]:
    """The findings, and the temperatures: ``temperature_c`` and each finding that is a temperature reading."""
    temperatures = []
    if data.get("temperature_c") is not None:
        celsius = _measure(rules, data["temperature_c"], "temperature_c", "temperature_c")
        temperatures.append(Temperature(celsius, f"temperature_c = {celsius:g} C"))
    findings = []
    for index, text in enumerate(_strings(data, "findings")):
        reading = _temperature_in(text, f"findings[{index}]", rules) if rules is not None else None
        if reading is None:
            findings.append(text)
        else:
            temperatures.append(reading)
    return tuple(findings), tuple(temperatures)


def _medications(data: Mapping[str, Any], rules: CaseRules | None) -> tuple[Medication, ...] | None:
    """The medications, or None when the case does not say."""
    if "medications" not in data or data["medications"] is None:
        return None
    return tuple(
        Medication(
            _name(item, "medications", i),
            _optional_days(rules, item, "started_days_ago", f"medications[{i}].started_days_ago"),
            _optional_days(rules, item, "stopped_days_ago", f"medications[{i}].stopped_days_ago"),
            _optional_days(rules, item, "last_dose_days_ago", f"medications[{i}].last_dose_days_ago"),
        )
        for i, item in enumerate(_objects(data, "medications"))
    )


def _exposures(data: Mapping[str, Any], rules: CaseRules | None) -> tuple[Exposure, ...]:
    """The exposures, each with its day and site."""
    return tuple(
        Exposure(
            _name(item, "exposures", i),
            _optional_days(rules, item, "days_ago", f"exposures[{i}].days_ago"),
            str(item.get("site") or ""),
        )
        for i, item in enumerate(_objects(data, "exposures"))
    )


def _tests(data: Mapping[str, Any]) -> tuple[TestResult, ...]:
    """The test results, each a short text."""
    tests = []
    for i, item in enumerate(_objects(data, "tests")):
        result = item.get("result")
        if result is None or isinstance(result, (dict, list)):
            raise CaseError(f"'tests[{i}].result' must be a string such as 'positive' or '48 mg/L'")
        text = str(result)
        if len(text) > MAX_RESULT_CHARS:
            raise CaseError(
                f"'tests[{i}].result' is {len(text)} characters long; a result is at most {MAX_RESULT_CHARS} "
                "(put longer text in 'narrative')"
            )
        tests.append(TestResult(_name(item, "tests", i), text))
    return tuple(tests)


def _tests_and_temperatures(
    tests: tuple[TestResult, ...], rules: CaseRules | None
) -> tuple[tuple[TestResult, ...], tuple[Temperature, ...]]:
    """The tests, and the temperatures among them: a test that is a temperature reading ("Tmax" = "39.2 C",
    "body temperature" = "38.5") is read as one, as the same words among the findings are."""
    if rules is None:
        return tests, ()
    kept, temperatures = [], []
    for index, test in enumerate(tests):
        reading = _temperature_in(f"{test.name} {test.result}", f"tests[{index}]", rules)
        if reading is None:
            kept.append(test)
        else:
            temperatures.append(reading)
    return tuple(kept), tuple(temperatures)


def parse_case(data: Any, rules: CaseRules | None = None) -> Case:
    """Check a decoded case object and return a :class:`Case` (see module docstring)."""
    if not isinstance(data, dict):
        raise CaseError("a case must be a JSON object")
    case_id = _case_id(data)
    has_count = data.get("anc") is not None
    if not has_count and not data.get("findings"):
        raise CaseError(
            "'anc' is missing and no finding states the neutropenia; give the absolute neutrophil count "
            "(cells/uL) or a finding such as Neutropenia (HP:0001875)"
        )
    age, sex, ancestry = _patient(data, rules)
    labs, unknown_labs = _labs(data, rules)
    white = (labs["wbc_per_ul"], "the white cell count (labs.wbc_per_ul)") if "wbc_per_ul" in labs else None
    anc = _measure(rules, data["anc"], "anc", "anc", at_most=white) if has_count else None
    history = _history(data, rules)
    findings, temperatures = _findings_and_temperatures(data, rules)
    tests, test_temperatures = _tests_and_temperatures(_tests(data), rules)
    return Case(
        case_id=case_id,
        anc=anc,
        age_years=age,
        sex=sex,
        ancestry=ancestry,
        anc_history=history,
        findings=findings,
        medications=_medications(data, rules),
        exposures=_exposures(data, rules),
        tests=tests,
        duration_days=_optional_days(rules, data, "duration_days", "duration_days"),
        absent_findings=_strings(data, "absent_findings"),
        labs=labs,
        unknown_labs=unknown_labs,
        conditions=_strings(data, "conditions"),
        family_history=_strings(data, "family_history"),
        narrative=str(data.get("narrative") or ""),
        temperatures=temperatures + test_temperatures,
    )


def _int_or_float(text: str) -> int | float:
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)


def decode_json(text: str) -> Any:
    """Decoded JSON of a case; ValueError with a one-line reason for anything a case cannot be.

    Invalid JSON raises ``json.JSONDecodeError`` (a ValueError; :func:`json_error` words it).
    Nesting deeper than Python can follow, a lone surrogate (text that is not Unicode), and
    integers too long to read are refused here too, so no later step meets them.
    """
    try:
        data = json.loads(text, parse_int=_int_or_float)
    except RecursionError:
        raise ValueError("JSON nested too deeply; a case is a few levels deep") from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        bad = f"\\u{ord(error.object[error.start]):04x}"
        raise ValueError(f"text with a lone surrogate ({bad}) is not Unicode; fix that escape") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply; a case is a few levels deep") from None
    return data


def json_error(error: ValueError) -> str:
    """The one-line message of a :func:`decode_json` error (line and column for invalid JSON)."""
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    return str(error)


def read_json_file(path: Path) -> Any:
    """The decoded JSON of a file; every reading or decoding problem is a CaseError naming the file.

    Only a regular file is read (a FIFO, a device such as /dev/zero or a directory is refused, so
    nothing blocks or reads forever), and at most :data:`MAX_CASE_BYTES` of it.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CaseError(
                f"not a regular file ({_kind_of(info.st_mode)}); give a case file, or - for standard input",
                source=str(path),
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CASE_BYTES + 1)
        if len(raw) > MAX_CASE_BYTES:
            raise CaseError(
                f"larger than {MAX_CASE_BYTES // 1000} kB; a case file is a few kilobytes", source=str(path)
            )
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise CaseError("file not found", source=str(path)) from None
    except UnicodeDecodeError as error:
        raise CaseError(f"not UTF-8 text (byte {error.start})", source=str(path)) from None
    except OSError as error:
        raise CaseError(f"cannot read file ({error.strerror or error})", source=str(path)) from None
    try:
        return decode_json(text)
    except ValueError as error:
        raise CaseError(json_error(error), source=str(path)) from None


def _kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def check_case_data(data: Any, path: Path, rules: CaseRules | None = None) -> Case:
    """:func:`parse_case` with the file named in its errors."""
    try:
        return parse_case(data, rules)
    except CaseError as error:
        raise CaseError(str(error), source=str(path)) from None


def read_case_file(path: Path, rules: CaseRules | None = None) -> tuple[Case, dict[str, Any]]:
    """Read and check one case file; returns the case and the raw object (for ``expected``)."""
    data = read_json_file(path)
    return check_case_data(data, path, rules), data


def _skipped(entry: Path) -> str | None:
    """Why a directory entry named *.json is not a case file; None when it is one."""
    try:
        info = os.stat(entry)
    except FileNotFoundError:
        return "a broken symbolic link" if entry.is_symlink() else "vanished while reading the folder"
    except OSError as error:
        return "a symbolic link loop" if error.errno == 40 else f"cannot be read ({error.strerror})"
    return None if stat.S_ISREG(info.st_mode) else _kind_of(info.st_mode)


def iter_case_files(paths: list[Path], skipped: list[str] | None = None) -> list[Path]:
    """Expand directories to their ``*.json`` files (sorted); a missing path is an error.

    A ``*.json`` entry that is not a readable regular file (a broken link, a link loop, a FIFO,
    a folder) is left out, and one line saying why is appended to ``skipped`` when it is given.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for entry in sorted(path.glob("*.json")):
                why = _skipped(entry)
                if why is None:
                    files.append(entry)
                elif skipped is not None:
                    skipped.append(f"{entry}: skipped, {why}")
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            raise CaseError("file or directory not found", source=str(path))
    return files
