"""GA4GH Phenopacket v2 (JSON) to and from the case format of ``shared/case-format.md``.

Read: ``subject`` (age from ``timeAtLastEncounter``, sex), ``phenotypicFeatures`` (``excluded`` ones
become absent findings; an onset on Neutropenia HP:0001875 gives the duration), ``measurements``
(the neutrophil count and its history, the body temperature and every lab of the case format, by
LOINC code, each with its UCUM unit for :func:`graph.model.case.parse_case` to convert), ``medicalActions``
(drugs by label, with their dose intervals as timing).  Times are counted in days back from
``metaData.created``, the moment the phenopacket describes.  A phenopacket without a neutrophil
count (as genetics clinics write them) keeps Neutropenia, Agranulocytosis or Leukopenia as findings,
which then stand for the count.  The causative variants of ``interpretations`` (their status
causative or contributory, or their ACMG class pathogenic) are read as genetic test results, as a
genetics report would be entered ("pathogenic homozygous c.1A>G in AK2"); the diagnosis they name
and ``diseases`` are never read.

Field names follow the GA4GH Phenopacket Schema v2 (``Measurement.timeObserved``); a test parses
every export with the ``phenopackets`` package.

Write: the same fields, so ``case -> phenopacket -> case`` gives the case back for everything a
phenopacket can hold (the narrative, ancestry, exposures, conditions, free-text tests and family
history have no place in it and are reported as left out).

The LOINC codes below belong to the case format (its lab keys name their units); they are the
mapping between two formats, not clinical knowledge.  Unit conversion is the ontology's (model.ttl).

Examples
--------
>>> packet = {"id": "p1", "subject": {"id": "p1", "sex": "FEMALE",
...           "timeAtLastEncounter": {"age": {"iso8601duration": "P38Y6M"}}},
...           "phenotypicFeatures": [{"type": {"id": "HP:0001945", "label": "Fever"}},
...                                  {"type": {"id": "HP:0001744", "label": "Splenomegaly"}, "excluded": True}],
...           "measurements": [{"assay": {"id": "LOINC:751-8", "label": "Neutrophils"},
...                             "value": {"quantity": {"unit": {"id": "UCUM:10*3/uL"}, "value": 0.7}}}],
...           "metaData": {"created": "2025-01-31T00:00:00Z", "phenopacketSchemaVersion": "2.0"}}
>>> is_phenopacket(packet)
True
>>> case = phenopacket_to_case(packet)
>>> case["anc"], case["patient"], case["findings"], case["absent_findings"]
({'value': 0.7, 'unit': '10*3/uL'}, {'age_years': 38.5, 'sex': 'female'}, ['HP:0001945'], ['HP:0001744'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ..model.case import Case, Medication
from ..model.errors import CaseError

__all__ = [
    "is_phenopacket",
    "phenopacket_to_case",
    "case_to_phenopacket",
    "left_out",
    "LAB_LOINC",
    "ANC_LOINC",
    "TEMPERATURE_LOINC",
    "GENERIC_DRUG",
]

#: the neutrophil count: LOINC codes read (the first is written), in 10*3/uL
ANC_LOINC = ("LOINC:751-8", "LOINC:26499-4", "LOINC:753-4")
#: case-format lab key -> (LOINC code, label, UCUM unit written, factor from that unit to the key's unit)
LAB_LOINC: dict[str, tuple[str, str, str, float]] = {
    "wbc_per_ul": ("LOINC:6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 1000.0),
    "hemoglobin_g_dl": ("LOINC:718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 1.0),
    "mcv_fl": ("LOINC:787-2", "MCV [Entitic volume] by Automated count", "fL", 1.0),
    "platelets_per_ul": ("LOINC:777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 1000.0),
    "lymphocytes_per_ul": ("LOINC:731-0", "Lymphocytes [#/volume] in Blood by Automated count", "10*3/uL", 1000.0),
    "monocytes_per_ul": ("LOINC:742-7", "Monocytes [#/volume] in Blood by Automated count", "10*3/uL", 1000.0),
    "b12_pg_ml": ("LOINC:2132-9", "Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma", "pg/mL", 1.0),
    "folate_ng_ml": ("LOINC:2284-8", "Folate [Mass/volume] in Serum or Plasma", "ng/mL", 1.0),
    "copper_ug_dl": ("LOINC:5631-4", "Copper [Mass/volume] in Serum or Plasma", "ug/dL", 1.0),
}
#: the body temperature (LOINC 8310-5), written in degrees Celsius (UCUM Cel)
TEMPERATURE_LOINC = ("LOINC:8310-5", "Body temperature", "Cel")
_ANC_UNIT = "10*3/uL"
NEUTROPENIA = "HP:0001875"
_SEX = {"FEMALE": "female", "MALE": "male"}
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?$")


def is_phenopacket(data: Any) -> bool:
    """True for a decoded JSON object that looks like a Phenopacket rather than a case."""
    return (
        isinstance(data, dict)
        and "anc" not in data
        and ("phenotypicFeatures" in data or "metaData" in data or "measurements" in data)
    )


def _years(duration: str) -> float:
    match = _DURATION.match(duration.strip())
    if not match or not any(match.groups()):
        raise CaseError(f"'subject.timeAtLastEncounter.age.iso8601duration' is not an ISO 8601 age: {duration!r}")
    years, months, weeks, days = (float(g) if g else 0.0 for g in match.groups())
    return round(years + months / 12 + weeks * 7 / 365.25 + days / 365.25, 2)


def _iso_age(years: float) -> str:
    whole = int(years)
    months = round((years - whole) * 12)
    if months == 12:
        whole, months = whole + 1, 0
    return f"P{whole}Y{months}M" if months else f"P{whole}Y"


def _time(text: Any, where: str) -> datetime:
    if not isinstance(text, str):
        raise CaseError(f"'{where}' must be an ISO 8601 timestamp such as 2025-01-31T00:00:00Z")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CaseError(f"'{where}' is not an ISO 8601 timestamp: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _days_before(reference: datetime, moment: datetime) -> float:
    return round((reference - moment).total_seconds() / 86400, 2)


def _quantity(measurement: Mapping[str, Any], index: int) -> tuple[float, str]:
    quantity = (measurement.get("value") or {}).get("quantity")
    if (
        not isinstance(quantity, dict)
        or isinstance(quantity.get("value"), bool)
        or not isinstance(quantity.get("value"), (int, float))
    ):
        raise CaseError(f"'measurements[{index}].value.quantity.value' must be a number")
    unit = quantity.get("unit") or {}
    return float(quantity["value"]), str(unit.get("id", "")).removeprefix("UCUM:")


def _with_unit(value: float, unit: str, written_unit: str) -> dict[str, Any]:
    """A case-format value with its unit (the LOINC code's usual unit when the measurement names none)."""
    return {"value": _number(value), "unit": unit or written_unit}


def _number(value: float) -> float | int:
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded


def _patient_of(subject: Mapping[str, Any]) -> dict[str, Any] | None:
    """The case's ``patient`` object from the phenopacket's subject, or None when it gives neither age nor sex."""
    patient: dict[str, Any] = {}
    age = ((subject.get("timeAtLastEncounter") or {}).get("age") or {}).get("iso8601duration")
    if age:
        patient["age_years"] = _years(str(age))
    if subject.get("sex") in _SEX:
        patient["sex"] = _SEX[subject["sex"]]
    return patient or None


_Count = tuple[datetime | None, dict[str, Any]]


def _measurements_of(
    data: Mapping[str, Any],
) -> tuple[list[_Count], dict[str, Any], list[tuple[float, dict[str, Any]]]]:
    """The counts (undated first, then by time), the labs by key and the temperatures of the measurements."""
    counts: list[_Count] = []
    labs: dict[str, Any] = {}
    temperatures: list[tuple[float, dict[str, Any]]] = []
    by_loinc = {loinc: key for key, (loinc, *_rest) in LAB_LOINC.items()}
    for index, measurement in enumerate(data.get("measurements") or []):
        assay = str((measurement.get("assay") or {}).get("id", ""))
        when = (measurement.get("timeObserved") or {}).get("timestamp")
        if assay in ANC_LOINC:
            value, unit = _quantity(measurement, index)
            moment = _time(when, f"measurements[{index}].timeObserved.timestamp") if when else None
            counts.append((moment, _with_unit(value, unit, _ANC_UNIT)))
        elif assay == TEMPERATURE_LOINC[0]:
            value, unit = _quantity(measurement, index)
            temperatures.append((value, _with_unit(value, unit, TEMPERATURE_LOINC[2])))
        elif assay in by_loinc:
            key = by_loinc[assay]
            value, unit = _quantity(measurement, index)
            labs[key] = _with_unit(value, unit, LAB_LOINC[key][2])
    counts.sort(key=lambda item: (item[0] is not None, item[0] or datetime.min.replace(tzinfo=timezone.utc)))
    return counts, labs, temperatures


def _history_of(counts: list[_Count], reference: datetime | None) -> list[dict[str, Any]] | None:
    """The dated counts before the latest, as days before ``reference`` (else the latest count's time)."""
    anchor = reference or counts[-1][0]
    history = [
        {"day": -_number(_days_before(anchor, moment)), "anc": count}
        for moment, count in counts[:-1]
        if moment is not None and anchor is not None
    ]
    return history or None


def _features_of(
    data: Mapping[str, Any], reference: datetime | None, has_count: bool
) -> tuple[float | None, list[str], list[str]]:
    """The neutropenia's duration (from its onset), and the present and excluded feature terms.

    With a count, the Neutropenia feature says nothing more; without one it states the neutropenia.
    """
    duration = None
    present: list[str] = []
    absent: list[str] = []
    for index, feature in enumerate(data.get("phenotypicFeatures") or []):
        term = str((feature.get("type") or {}).get("id", "")).strip()
        if not term:
            raise CaseError(f"'phenotypicFeatures[{index}].type.id' is missing")
        onset = (feature.get("onset") or {}).get("timestamp")
        if term == NEUTROPENIA and not feature.get("excluded"):
            if onset and reference:
                duration = _number(_days_before(reference, _time(onset, "onset.timestamp")))
            if has_count:
                continue
        (absent if feature.get("excluded") else present).append(term)
    return duration, list(dict.fromkeys(present)), list(dict.fromkeys(absent))


def _medications_of(data: Mapping[str, Any], reference: datetime | None) -> list[dict[str, Any]]:
    """The medications of the medical actions that are treatments, with their timing when the packet is dated."""
    medications = []
    for index, action in enumerate(data.get("medicalActions") or []):
        treatment = action.get("treatment")
        if not isinstance(treatment, dict):
            continue
        agent = treatment.get("agent") or {}
        name = str(agent.get("label") or agent.get("id") or "").strip()
        if not name:
            raise CaseError(f"'medicalActions[{index}].treatment.agent' has neither label nor id")
        medication: dict[str, Any] = {"name": name}
        if reference:
            medication.update(_timing(treatment.get("doseIntervals") or [], reference, index))
        medications.append(medication)
    return medications


#: the interpretation statuses and ACMG classes of a variant the report holds responsible
_CAUSAL_STATUSES = frozenset({"CAUSATIVE", "CONTRIBUTORY"})
_CAUSAL_CLASSES = frozenset({"PATHOGENIC", "LIKELY_PATHOGENIC"})
#: the HGVS expressions of a variant, in the order a report writes them
_HGVS_ORDER = ("hgvs.c", "hgvs.p", "hgvs.g", "hgvs")


def _variant_text(descriptor: Mapping[str, Any]) -> str:
    """A variant as a genetics report writes it: zygosity, HGVS and gene ("homozygous c.1A>G in AK2")."""
    symbol = str((descriptor.get("geneContext") or {}).get("symbol") or "").strip()
    expressions = {str(e.get("syntax")): str(e.get("value")) for e in descriptor.get("expressions") or ()}
    hgvs = next((expressions[s].split(":")[-1] for s in _HGVS_ORDER if expressions.get(s)), "")
    zygosity = str((descriptor.get("allelicState") or {}).get("label") or "").strip()
    words = " ".join(w for w in (zygosity, hgvs or "variant") if w)
    return f"{words} in {symbol}" if symbol else ""


def _genetic_results_of(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The variants (or genes) each interpretation holds responsible, as genetic test results.

    Only the genotype is read, as a clinician would enter a genetics report: a variant whose status is
    causative or contributory, or whose ACMG class is (likely) pathogenic; never the diagnosis the
    interpretation names.
    """
    results: list[dict[str, str]] = []
    for interpretation in data.get("interpretations") or ():
        diagnosis = interpretation.get("diagnosis") or {}
        for genomic in diagnosis.get("genomicInterpretations") or ():
            variant = genomic.get("variantInterpretation") or {}
            causal = genomic.get("interpretationStatus") in _CAUSAL_STATUSES or (
                variant.get("acmgPathogenicityClassification") in _CAUSAL_CLASSES
            )
            if not causal:
                continue
            if variant:
                text = _variant_text(variant.get("variationDescriptor") or {})
            else:
                text = str((genomic.get("gene") or {}).get("symbol") or "").strip()
            if text:
                result = {"name": "genetic testing", "result": f"pathogenic {text}"}
                if result not in results:
                    results.append(result)
    return results


def phenopacket_to_case(data: Mapping[str, Any]) -> dict[str, Any]:
    """A case dict (``shared/case-format.md``) from a decoded Phenopacket v2; CaseError names a bad field."""
    meta = data.get("metaData") or {}
    reference = _time(meta["created"], "metaData.created") if meta.get("created") else None
    subject = data.get("subject") or {}
    patient = _patient_of(subject)
    counts, labs, temperatures = _measurements_of(data)
    duration, present, absent = _features_of(data, reference, bool(counts))
    medications = _medications_of(data, reference)
    genetics = _genetic_results_of(data)
    fields = (
        ("patient", patient),
        ("anc", counts[-1][1] if counts else None),
        ("anc_history", _history_of(counts, reference) if counts else None),
        ("temperature_c", max(temperatures, key=lambda item: item[0])[1] if temperatures else None),  # the highest
        ("duration_days", duration),
        ("findings", present or None),
        ("absent_findings", absent or None),
        ("labs", labs or None),
        ("medications", medications or None),
        ("tests", genetics or None),
    )
    return {"id": str(data.get("id") or subject.get("id") or "").strip()} | {k: v for k, v in fields if v is not None}


def _timing(intervals: list[Mapping[str, Any]], reference: datetime, index: int) -> dict[str, float]:
    """Continuous intervals give start and stop; an instant (start == end) is a single dose."""
    timing: dict[str, float] = {}
    for number, item in enumerate(intervals):
        interval = item.get("interval") or {}
        where = f"medicalActions[{index}].treatment.doseIntervals[{number}].interval"
        start = _time(interval.get("start"), where + ".start")
        end = _time(interval.get("end"), where + ".end")
        if start == end:
            days = _number(_days_before(reference, start))
            timing["last_dose_days_ago"] = min(timing.get("last_dose_days_ago", days), days)
            continue
        timing["started_days_ago"] = max(timing.get("started_days_ago", 0), _number(_days_before(reference, start)))
        if end < reference:
            timing["stopped_days_ago"] = _number(_days_before(reference, end))
    return timing


def left_out(case: Case) -> list[str]:
    """The fields of a case that a phenopacket cannot hold (so an export leaves them out)."""
    names = {
        "narrative": case.narrative,
        "patient.ancestry": case.ancestry,
        "exposures": case.exposures,
        "conditions": case.conditions,
        "tests": case.tests,
        "family_history": case.family_history,
    }
    dropped = [
        f"medications[{i}].stopped_days_ago (a stop without a start date)"
        for i, m in enumerate(case.medications or ())
        if m.stopped_days_ago is not None and m.started_days_ago is None
    ]
    return [name for name, value in names.items() if value] + dropped


#: NCIt "Pharmacologic Substance": the class of a drug the ontology cannot name by a standard id
GENERIC_DRUG = "NCIT:C1909"


def case_to_phenopacket(
    case: Case,
    resolve_finding: Callable[[str], tuple[str, str] | None],
    resolve_drug: Callable[[str], str | None],
    created: datetime,
    hpo_version: str = "",
) -> tuple[dict[str, Any], list[str]]:
    """A Phenopacket v2 for a case, and the findings it could not write (not HPO terms).

    Parameters
    ----------
    case
        The checked case.
    resolve_finding
        Maps a finding as written to (HPO CURIE, label), or None when it names no HPO term.
    resolve_drug
        Maps a drug name as written to a standard id (DrugBank CURIE), or None.
    created
        The moment the case describes: "today" of its days-ago fields.
    hpo_version
        The HPO release the terms come from, recorded in ``metaData.resources``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from graph.model.case import parse_case
    >>> case = parse_case({"id": "c", "anc": 800, "findings": ["HP:0001945", "gibberish"]})
    >>> packet, unwritten = case_to_phenopacket(case, lambda n: ("HP:0001945", "Fever") if n.startswith("HP")
    ...     else None, lambda n: None, datetime(2025, 1, 31, tzinfo=timezone.utc))
    >>> packet["phenotypicFeatures"], unwritten
    ([{'type': {'id': 'HP:0001945', 'label': 'Fever'}}], ['gibberish'])
    >>> phenopacket_to_case(packet)["anc"]
    {'value': 0.8, 'unit': '10*3/uL'}
    """
    packet: dict[str, Any] = {"id": case.case_id, "subject": _subject(case)}
    features, unwritten = _features(case, resolve_finding, created)
    if features:
        packet["phenotypicFeatures"] = features
    measurements = _measurements(case, created)
    if measurements:
        packet["measurements"] = measurements
    actions = [_action(medication, resolve_drug, created) for medication in case.medications or ()]
    if actions:
        packet["medicalActions"] = actions
    packet["metaData"] = {
        "created": _stamp(created),
        "createdBy": "neutropenia-kg export-case",
        "phenopacketSchemaVersion": "2.0",
        "resources": _resources(hpo_version),
    }
    return packet, unwritten


def _subject(case: Case) -> dict[str, Any]:
    """The phenopacket's subject: id, age at last encounter and sex."""
    subject: dict[str, Any] = {"id": case.case_id}
    if case.age_years is not None:
        subject["timeAtLastEncounter"] = {"age": {"iso8601duration": _iso_age(case.age_years)}}
    if case.sex in ("female", "male"):
        subject["sex"] = case.sex.upper()
    return subject


def _features(
    case: Case, resolve: Callable[[str], tuple[str, str] | None], created: datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    """The phenotypic features (Neutropenia with its onset, then present and excluded findings), and the
    findings that name no HPO term."""
    features: list[dict[str, Any]] = []
    unwritten = []
    if case.duration_days is not None:
        onset = _stamp(created - timedelta(days=case.duration_days))
        features.append({"type": {"id": NEUTROPENIA, "label": "Neutropenia"}, "onset": {"timestamp": onset}})
    for excluded, names in ((False, case.findings), (True, case.absent_findings)):
        for name in names:
            found = resolve(name)
            if found is None:
                unwritten.append(name)
                continue
            feature: dict[str, Any] = {"type": {"id": found[0], "label": found[1]}}
            if excluded:
                feature["excluded"] = True
            features.append(feature)
    return features, unwritten


def _measurement(loinc: str, label: str, unit: str, value: float) -> dict[str, Any]:
    """A measurement of the LOINC assay ``loinc`` with its value in the UCUM ``unit``."""
    return {
        "assay": {"id": loinc, "label": label},
        "value": {"quantity": {"unit": {"id": f"UCUM:{unit}", "label": unit}, "value": _number(value)}},
    }


def _anc(value: float, moment: datetime | None) -> dict[str, Any]:
    """An ANC measurement (cells/uL written as 10*3/uL), at ``moment`` when known."""
    item = _measurement(ANC_LOINC[0], "Neutrophils [#/volume] in Blood by Automated count", _ANC_UNIT, value / 1000)
    if moment is not None:
        item["timeObserved"] = {"timestamp": _stamp(moment)}
    return item


def _measurements(case: Case, created: datetime) -> list[dict[str, Any]]:
    """The measurements: earlier counts, the count, the highest temperature, the labs."""
    measurements = [_anc(point.anc, created + timedelta(days=point.day)) for point in case.anc_history]
    if case.anc is not None:
        measurements.append(_anc(case.anc, created))
    if case.temperatures:
        loinc, label, unit = TEMPERATURE_LOINC
        measurements.append(_measurement(loinc, label, unit, max(t.celsius for t in case.temperatures)))
    for key, value in case.labs.items():
        loinc, label, unit, factor = LAB_LOINC[key]
        measurements.append(_measurement(loinc, label, unit, value / factor))
    return measurements


def _action(medication: Medication, resolve_drug: Callable[[str], str | None], created: datetime) -> dict[str, Any]:
    """The medical action of a medication: its agent, and a continuous interval and a last dose when known."""
    intervals = []
    if medication.started_days_ago is not None:
        end = created - timedelta(days=medication.stopped_days_ago or 0)
        intervals.append(
            {"interval": {"start": _stamp(created - timedelta(days=medication.started_days_ago)), "end": _stamp(end)}}
        )
    if medication.last_dose_days_ago is not None:
        moment = _stamp(created - timedelta(days=medication.last_dose_days_ago))
        intervals.append({"interval": {"start": moment, "end": moment}})
    treatment: dict[str, Any] = {
        "agent": {"id": resolve_drug(medication.name) or GENERIC_DRUG, "label": medication.name}
    }
    if intervals:
        treatment["doseIntervals"] = intervals
    return {"treatment": treatment}


def _resources(hpo_version: str) -> list[dict[str, str]]:
    """The ontologies a phenopacket of this tool cites: HPO (of ``hpo_version``), LOINC, NCIt."""
    return [
        {
            "id": "hp",
            "name": "human phenotype ontology",
            "url": "http://purl.obolibrary.org/obo/hp.owl",
            "namespacePrefix": "HP",
            "iriPrefix": "http://purl.obolibrary.org/obo/HP_",
            "version": hpo_version,
        },
        {
            "id": "loinc",
            "name": "Logical Observation Identifiers Names and Codes",
            "url": "https://loinc.org",
            "namespacePrefix": "LOINC",
            "iriPrefix": "https://loinc.org/",
            "version": "",
        },
        {
            "id": "ncit",
            "name": "NCI Thesaurus",
            "url": "http://purl.obolibrary.org/obo/ncit.owl",
            "namespacePrefix": "NCIT",
            "iriPrefix": "http://purl.obolibrary.org/obo/NCIT_",
            "version": "",
        },
    ]
