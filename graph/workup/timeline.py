"""Severity, chronicity, trends, cycling and age of onset, derived from the counts (networkx-free).

All thresholds come from the knowledge base (severity grades, age-appropriate limits, model
parameters); this module only applies them.

Examples
--------
>>> find_nadirs([(-42, 40), (-35, 1600), (-21, 60), (-14, 1700), (0, 80)], threshold=1500, recovery=1500)
[-42, -21, 0]
"""

from __future__ import annotations

from ..kb.knowledge import KnowledgeBase
from ..model.case import Case
from ..model.ids import expand
from ..model.results import COUNT_NOT_GIVEN, Observation, Severity
from ..model.types import SeverityGrade

__all__ = [
    "neutropenia_threshold",
    "grade_for",
    "onset_days_ago",
    "count_series",
    "onset_age_years",
    "find_nadirs",
    "assess_severity",
    "stated_grade",
    "timeline_observations",
]


def _median(values: list[float]) -> float:
    """The median, as :func:`statistics.median` gives it (whose module, with ``fractions`` and ``decimal``,
    would cost every start its import).

    >>> _median([3.0, 1.0, 2.0]), _median([4.0, 1.0, 3.0, 2.0])
    (2.0, 2.5)
    """
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _in_band(age: float | None, low: float, high: float) -> bool:
    return low <= (age if age is not None else 30.0) < high


def neutropenia_threshold(kb: KnowledgeBase, age: float | None) -> float:
    """The age-appropriate lower limit of a normal ANC (adult limit when age is unknown)."""
    for threshold in kb.thresholds:
        if _in_band(age, threshold.min_age, threshold.max_age):
            return threshold.anc_below
    return 1500.0 if not kb.thresholds else max(t.anc_below for t in kb.thresholds)


def grade_for(kb: KnowledgeBase, anc: float, age: float | None) -> SeverityGrade | None:
    """The severity grade of an ANC for an age, or None when the count is normal for age."""
    if anc >= neutropenia_threshold(kb, age):
        return None
    for grade in kb.grades:
        if grade.anc_at_least <= anc < grade.anc_below and _in_band(age, grade.min_age, grade.max_age):
            return grade
    return None


def count_series(case: Case) -> list[tuple[float, float]]:
    """Earlier counts, then today's (when the case gives one)."""
    points = sorted((p.day, p.anc) for p in case.anc_history if p.day < 0)
    return points + ([(0.0, case.anc)] if case.anc is not None else [])


def onset_days_ago(case: Case, threshold: float) -> float:
    """How long the current neutropenia has lasted: ``duration_days`` or the run of low counts."""
    onset = 0.0
    for day, anc in reversed(count_series(case)):
        if anc >= threshold:
            break
        onset = -day
    return max(onset, case.duration_days or 0.0)


def find_nadirs(series: list[tuple[float, float]], threshold: float, recovery: float) -> list[float]:
    """Days of the lowest count of each low episode; episodes are separated by a recovered count."""
    nadirs: list[float] = []
    current: tuple[float, float] | None = None
    for day, anc in series:
        if anc < threshold:
            if current is None or anc < current[1]:
                current = (day, anc)
        elif anc >= recovery and current is not None:
            nadirs.append(current[0])
            current = None
    if current is not None:
        nadirs.append(current[0])
    return nadirs


def _is_cyclic(kb: KnowledgeBase, case: Case, threshold: float) -> bool:
    nadirs = find_nadirs(count_series(case), threshold, kb.param("cyclic_recovery_anc"))
    if len(nadirs) < kb.param("cyclic_min_nadirs"):
        return False
    gaps = [b - a for a, b in zip(nadirs, nadirs[1:], strict=False)]
    return all(kb.param("cyclic_min_period_days") <= gap <= kb.param("cyclic_max_period_days") for gap in gaps)


def stated_grade(kb: KnowledgeBase, stated: str, age: float | None) -> SeverityGrade | None:
    """The most severe grade a finding states (its grade finding or a ``statedBy`` term is it or an ancestor)."""
    ancestors = kb.hpo.ancestors(stated)
    grades = [
        g
        for g in kb.grades
        if (g.finding in ancestors or any(t in ancestors for t in g.stated_by)) and _in_band(age, g.min_age, g.max_age)
    ]
    return max(grades, key=lambda g: g.rank, default=None)


def assess_severity(kb: KnowledgeBase, case: Case, stated: str | None = None) -> Severity:
    """Grade, threshold, onset and chronicity of the case's neutropenia.

    ``stated`` is the finding that states the neutropenia when the case gives no count: the grade is
    the one it states, or "count not given".
    """
    threshold = neutropenia_threshold(kb, case.age_years)
    onset = onset_days_ago(case, threshold)
    chronic = onset >= kb.param("chronic_days") if (case.duration_days is not None or case.anc_history) else None
    cyclic = _is_cyclic(kb, case, threshold)
    if case.anc is None:
        grade = stated_grade(kb, stated, case.age_years) if stated else None
        return Severity(
            grade.label if grade else COUNT_NOT_GIVEN,
            None,
            threshold,
            None,
            chronic,
            onset,
            cyclic,
            stated,
            grade.anc_below if grade else None,
        )
    grade = grade_for(kb, case.anc, case.age_years)
    return Severity(
        grade.label if grade else "none",
        case.anc,
        threshold,
        grade.finding if grade else None,
        chronic,
        onset,
        cyclic,
    )


def onset_age_years(case: Case, severity: Severity) -> float:
    """The patient's age when the neutropenia began (the age at presentation less its known duration)."""
    return max((case.age_years or 0.0) - severity.onset_days_ago / 365.25, 0.0)


def _onset_term(kb: KnowledgeBase, onset_age_years: float) -> str | None:
    """The HPO onset term of the ontology's onset band that holds this age, if any."""
    for band in kb.onset_bands:
        if band.min_age <= onset_age_years < band.max_age:
            return band.finding
    return None


def _derived(term: str, present: bool, why: str) -> Observation:
    return Observation(expand(term), present, why, derived=True)


def _course_observations(case: Case, severity: Severity) -> list[Observation]:
    """The grade for age, acute or chronic, and a cyclic pattern."""
    found: list[Observation] = []
    if severity.finding and case.anc is not None:
        found.append(_derived(severity.finding, True, f"ANC {case.anc:g}/uL is {severity.grade} for age"))
    if severity.chronic is not None:
        days = f"neutropenia for {severity.onset_days_ago:g} days"
        # acute and chronic are one fact: the course states one, never also the other as absent
        found.append(_derived("HP:0410252" if severity.chronic else "find:acute-neutropenia", True, days))
    if severity.cyclic:
        found.append(_derived("HP:0040289", True, "serial counts show nadirs at a regular 14-35 day interval"))
    return found


def _history_observations(kb: KnowledgeBase, case: Case, severity: Severity) -> list[Observation]:
    """From the earlier counts: a normal count before this episode, a falling count, a stable count."""
    series = count_series(case)
    before_today = series[:-1] if case.anc is not None else series
    earlier = [(day, anc) for day, anc in before_today if day <= -severity.onset_days_ago or day < 0]
    normal_before = [day for day, anc in earlier if anc >= severity.threshold and day <= -severity.onset_days_ago]
    found = []
    if normal_before:
        found.append(_derived("find:previously-normal-count", True, "a normal count is on record before this episode"))
    elif earlier and severity.chronic:  # low counts of this episode alone say nothing of the count before it
        found.append(_derived("find:previously-normal-count", False, "no normal count on record in a chronic course"))
    window = kb.param("falling_window_days")
    recent = [anc for day, anc in before_today if day >= -window]
    if recent and case.anc is not None:
        falling = case.anc <= (1 - kb.param("falling_fraction")) * max(recent)
        found.append(
            _derived("find:falling-count", falling, f"highest count of the last {window:g} days: {max(recent):g}/uL")
        )
    span = -series[0][0] if series else 0.0
    if severity.chronic and span >= kb.param("stable_min_days"):
        middle = _median([anc for _, anc in series])
        spread = kb.param("stable_variation") * middle
        stable = all(abs(anc - middle) <= spread for _, anc in series)
        found.append(
            _derived("find:stable-count", stable, f"counts over {span:g} days around a median of {middle:g}/uL")
        )
    return found


def timeline_observations(kb: KnowledgeBase, case: Case, severity: Severity) -> list[Observation]:
    """Derived findings: grade, acute/chronic, cyclic, previously normal, falling, stable, onset age."""
    found = _course_observations(case, severity)
    if case.anc_history:
        found += _history_observations(kb, case, severity)
    if case.age_years is not None and severity.grade != "none":
        onset_age = onset_age_years(case, severity)
        term = _onset_term(kb, onset_age)
        if term is not None:
            found.append(_derived(term, True, f"neutropenia began at about {onset_age:.1f} years of age"))
    return found
