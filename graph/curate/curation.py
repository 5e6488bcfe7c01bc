"""For curators: what the ontology holds, where it comes from, and its validation report in plain words.

The report is that of ``neutropenia-kg validate`` (:func:`graph.curate.validate.validate_ontology`: the
SHACL shapes and the structural checks), grouped by problem code, each group with a sentence that
says what the code means and how to fix it.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> report = validation_report(kb)
>>> report.errors
0
>>> summary = ontology_summary(kb)
>>> summary.counts["Cause"] == len(kb.causes)
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..kb.knowledge import KnowledgeBase
from ..model.errors import UsageError
from ..model.links import Link, source_link
from .validate import Problem, cached_validation, count_by_kind, validate_knowledge_base

__all__ = [
    "OntologySummary",
    "ProblemGroup",
    "ValidationReport",
    "ontology_summary",
    "validation_report",
    "validate_for_curators",
    "explain_code",
]

#: Problem code (or code prefix ending in "-") -> what it means and what to do, for the report.
_EXPLANATIONS: dict[str, str] = {
    "undefined-node": "A node is used (for example as the object of a link) but never defined with rdf:type. "
    "Define it in a module, or correct the misspelt IRI.",
    "missing-": "Information the tool relies on is missing from a node. Add the property named in the message.",
    "few-findings": "A cause has fewer than three finding associations, so the ranker can hardly tell it from "
    "others. Add its characteristic findings with frequencies and sources.",
    "unlinked-agent": "An organism or gene is not linked to any cause, so it never affects a ranking. Link it "
    "with an agent association or remove it.",
    "xref-prefix": "A standard identifier uses a prefix the validator does not know. Check the prefix spelling "
    "(e.g. OMIM, ORPHA, HGNC, DrugBank).",
    "xref-format": "A standard identifier does not have its registry's format. Correct the number.",
    "source-format": "A PMID or DOI source is malformed. Write PMID:<digits> or DOI:10.xxxx/...",
    "frequency-range": "A frequency lies outside (0, 1). Frequencies are proportions of patients.",
    "polarity": "An association says it argues against a cause, yet its frequency is above the finding's "
    "background. Check the polarity or the frequency.",
    "lr-range": "A likelihood ratio is zero or negative. Likelihood ratios are positive numbers.",
    "obsolete-hpo": "An HPO term is obsolete in the bundled HPO release. Replace it with the term HPO names.",
    "unknown-hpo": "An HPO identifier is not in the bundled HPO release. Check the number.",
    "hpo-label": "A finding's label differs from HPO's label. Use HPO's label (synonyms belong in skos:altLabel).",
    "background-range": "A background frequency lies outside (0, 1).",
    "bad-pattern": "A test result pattern is not a valid regular expression, so results of that test are not read.",
    "slow-pattern": "A test result pattern backtracks catastrophically: a crafted result text would stall the tool.",
    "rule-target": "A test result rule says neither which finding nor which organism it shows.",
    "missing-parameter": "A model parameter the ranker needs is missing from model.ttl.",
    "missing-grades": "Severity grades or age-specific neutropenia thresholds are missing from model.ttl.",
}


@dataclass(frozen=True)
class OntologySummary:
    """Version, label, HPO release, files, sources and node counts of the loaded ontology."""

    version: str
    label: str
    hpo_version: str
    files: tuple[str, ...]
    sources: tuple[Link, ...]
    counts: dict[str, int]
    finding_associations: int


@dataclass(frozen=True)
class ProblemGroup:
    """All problems with one level and code, with the plain-language explanation of the code."""

    level: str
    code: str
    explanation: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ValidationReport:
    """The validation report: a headline, the counts, and the problems grouped by code."""

    headline: str
    errors: int
    warnings: int
    groups: tuple[ProblemGroup, ...]


def explain_code(code: str) -> str:
    """What a validation problem code means and what to do about it.

    Examples
    --------
    >>> explain_code("missing-definition").startswith("Information the tool relies on is missing")
    True
    """
    if code in _EXPLANATIONS:
        return _EXPLANATIONS[code]
    for prefix, text in _EXPLANATIONS.items():
        if prefix.endswith("-") and code.startswith(prefix):
            return text
    return "See the message for what to change."


def _relative(files: tuple[str, ...]) -> tuple[str, ...]:
    if not files:
        return ()
    root = Path(files[0]).parent
    shown = []
    for file in files:
        try:
            shown.append(str(Path(file).relative_to(root)))
        except ValueError:
            shown.append(file)
    return tuple(shown)


def ontology_summary(kb: KnowledgeBase) -> OntologySummary:
    """What the loaded ontology is and holds (see :class:`OntologySummary`)."""
    label = (kb.metadata.get("label") or ("",))[0]
    return OntologySummary(
        version=kb.version,
        label=label,
        hpo_version=kb.hpo.version,
        files=_relative(kb.files),
        sources=tuple(source_link(s) for s in kb.metadata.get("sources", ())),
        counts=count_by_kind(kb),
        finding_associations=sum(len(v) for v in kb.finding_assocs.values()),
    )


def validate_for_curators(path: str | os.PathLike[str] | None = None) -> ValidationReport:
    """The report of ``neutropenia-kg validate`` on the ontology at ``path``, grouped and explained.

    Examples
    --------
    >>> validate_for_curators().errors
    0
    """
    return validation_report(None, cached_validation(path).problems)


def validation_report(kb: KnowledgeBase | None, problems: Iterable[Problem] | None = None) -> ValidationReport:
    """The structural checks of ``kb``, or ``problems`` already found, grouped and explained."""
    if problems is None:
        if kb is None:
            raise UsageError("validation_report needs a knowledge base or the problems already found")
        problems = validate_knowledge_base(kb)
    found = list(problems)
    groups: dict[tuple[str, str], list[Problem]] = {}
    for problem in found:
        groups.setdefault((problem.level, problem.code), []).append(problem)
    errors = sum(1 for p in found if p.level == "error")
    warnings = len(found) - errors
    if not found:
        headline = "The ontology passes every check."
    elif errors == 0:
        headline = f"No errors; {warnings} warning{'s' if warnings != 1 else ''} to review."
    else:
        headline = (
            f"{errors} error{'s' if errors != 1 else ''} to fix before release"
            f" and {warnings} warning{'s' if warnings != 1 else ''} to review."
        )
    ordered = sorted(groups.items(), key=lambda item: (item[0][0] != "error", -len(item[1]), item[0][1]))
    return ValidationReport(
        headline,
        errors,
        warnings,
        tuple(ProblemGroup(level, code, explain_code(code), tuple(items)) for (level, code), items in ordered),
    )
