"""Curators link a diagnostic test to the causes it confirms or excludes, for a new test or an existing one.

A test reads its report into a finding (its result rules).  The ranker weighs that finding for a cause
by the share of the cause's patients who show it against the finding's background, P(finding) among
neutropenias of any cause (:func:`graph.model.types.association_log_lrs`): for a test result, the share
is the test's sensitivity for the cause and the background is one minus its specificity.  A link is
therefore written, in the module that defines the test, as

* a finding association of the cause with the test's finding, frequency = sensitivity, with its source;
* ``<cause> nkg:confirmedBy <test>``, so the cause's page and next tests name the test;
* the finding's ``nkg:backgroundFrequency`` = 1 - specificity, when the finding has no curated one (one
  specificity per test and finding, since every cause's result is weighed against the same background).

Likelihood ratios are turned into the sensitivity and specificity they imply
(:func:`graph.model.types.sensitivity_specificity`).  The proposal is checked in plain words, previewed
as a diff and saved with :func:`graph.curate.edit.save_edit` (validated, atomic, conflict-safe).

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> link = CauseLink.from_ratios("cause:felty-syndrome", 20.0, 0.5, "PMID:1")
>>> round(link.sensitivity, 3), round(link.specificity, 3)
(0.513, 0.974)
>>> link_problems(kb, CauseLinksEdit("test:ana", "HP:0003493", ()))[0]
'choose at least one cause the test confirms or excludes'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NeutropeniaKGError
from ..model.ids import expand
from ..model.types import sensitivity_specificity
from .amend import _module_defining
from .edit import (
    DiagnosticTestEdit,
    EditPreview,
    _cause_problems,
    _digest,
    _literal,
    _local,
    _node_iri,
    _sourcing_problems,
    edit_problems,
    module_diff,
    preview_edit,
)

__all__ = ["CauseLink", "CauseLinksEdit", "result_findings", "link_problems", "links_turtle", "preview_links"]

#: how close a given specificity must be to the one a finding's curated background implies
SPECIFICITY_TOLERANCE = 0.005


@dataclass(frozen=True)
class CauseLink:
    """A cause the test confirms (positive) or excludes (negative): the test's sensitivity and specificity
    for it, the likelihood ratios they were derived from when the curator gave those, the source and, for
    an estimate, what it rests on."""

    cause: str
    sensitivity: float
    specificity: float
    source: str
    estimate: bool = False
    comment: str = ""
    ratios: tuple[float, float] | None = None

    @classmethod
    def from_ratios(
        cls, cause: str, lr_positive: float, lr_negative: float, source: str, estimate: bool = False, comment: str = ""
    ) -> CauseLink:
        """The link the likelihood ratios imply; :class:`NeutropeniaKGError` unless LR+ > 1 > LR- >= 0."""
        try:
            sensitivity, specificity = sensitivity_specificity(lr_positive, lr_negative)
        except ValueError as error:
            raise NeutropeniaKGError(
                f"{error} (LR+ above 1: a positive result speaks for the cause; LR- below 1: a negative against it)"
            ) from None
        return cls(cause, sensitivity, specificity, source, estimate, comment, (lr_positive, lr_negative))


@dataclass(frozen=True)
class CauseLinksEdit:
    """Causes linked to a test through one finding its results give: ``test`` is an existing test (CURIE
    or IRI) or a new one (:class:`DiagnosticTestEdit`, whose finding is the one linked)."""

    test: str | DiagnosticTestEdit
    finding: str
    links: tuple[CauseLink, ...]


def result_findings(kb: KnowledgeBase, test: str) -> dict[str, str]:
    """The findings of the ontology the test's result rules give, IRI -> label, by label (what a link can weigh)."""
    rules = kb.tests[expand(test)].rules if expand(test) in kb.tests else ()
    found = {r.finding: kb.label(r.finding) for r in rules if r.finding in kb.findings}
    return dict(sorted(found.items(), key=lambda item: (item[1], item[0])))


def _test_problems(kb: KnowledgeBase, edit: CauseLinksEdit) -> list[str]:
    if isinstance(edit.test, DiagnosticTestEdit):
        problems = edit_problems(kb, edit.test)
        if expand(edit.finding) != expand(edit.test.finding):
            problems.append("the links weigh the finding the new test reads; choose that finding")
        return problems
    if expand(edit.test) not in kb.tests:
        return [f"{edit.test} is not a diagnostic test of the ontology; choose one from the list"]
    problems = [] if edit.links else ["choose at least one cause the test confirms or excludes"]
    if expand(edit.finding) not in result_findings(kb, edit.test):
        problems.append(f"{edit.finding} is not a finding the test's results give; choose one from the list")
    return problems


def _test_iri(test: str | DiagnosticTestEdit) -> str:
    return _node_iri("test", test.label) if isinstance(test, DiagnosticTestEdit) else expand(test)


def _number_problems(link: CauseLink, name: str) -> list[str]:
    problems = []
    if not 0 < link.sensitivity <= 1:
        problems.append(f"{name}: sensitivity {link.sensitivity:g} must be above 0 and at most 1")
    if not 0 < link.specificity < 1:
        problems.append(f"{name}: specificity {link.specificity:g} must be above 0 and below 1")
    elif not problems and link.sensitivity + link.specificity <= 1:
        problems.append(
            f"{name}: sensitivity + specificity is {link.sensitivity + link.specificity:.3g}, at most 1: "
            "a positive result would not speak for the cause (LR+ at most 1)"
        )
    return problems


def _link_problems(kb: KnowledgeBase, finding: str, link: CauseLink) -> list[str]:
    name = kb.label(expand(link.cause)) if expand(link.cause) in kb.causes else link.cause
    problems = _cause_problems(kb, link.cause) + _number_problems(link, name)
    problems += [f"{name}: {p}" for p in _sourcing_problems(link.source, link.estimate, link.comment)]
    if any(a.finding == expand(finding) for a in kb.finding_assocs.get(expand(link.cause), ())):
        problems.append(
            f"{name} already has an association with {kb.label(expand(finding))}; "
            "change its share under 'Edit an existing item'"
        )
    return problems


def _specificity_problems(kb: KnowledgeBase, finding: str, links: tuple[CauseLink, ...]) -> list[str]:
    given = sorted({round(link.specificity, 3) for link in links if 0 < link.specificity < 1})
    if len(given) > 1:
        return [
            "give one specificity for every cause (found " + ", ".join(f"{s:g}" for s in given) + "): each "
            "cause's result is weighed against the same background, P(positive) among all neutropenias"
        ]
    info = kb.findings.get(expand(finding))
    if given and info is not None and info.background is not None:
        held = 1 - info.background
        if abs(given[0] - held) > SPECIFICITY_TOLERANCE:
            return [
                f"{info.label} has a curated background of {info.background:g}, so the model reads the test's "
                f"specificity as {held:.3g}, not {given[0]:g}; give {held:.3g} or change the finding's background"
            ]
    return []


def link_problems(kb: KnowledgeBase, edit: CauseLinksEdit) -> list[str]:
    """What is wrong with the proposal, in plain words (empty when it can be previewed)."""
    problems = _test_problems(kb, edit)
    causes = [expand(link.cause) for link in edit.links]
    if len(set(causes)) < len(causes):
        problems.append("each cause appears once; remove the repeated one")
    for link in edit.links:
        problems += _link_problems(kb, edit.finding, link)
    return problems + _specificity_problems(kb, edit.finding, edit.links)


def _link_turtle(kb: KnowledgeBase, test: str, finding: str, link: CauseLink) -> list[str]:
    cause = expand(link.cause)
    assoc = expand(f"assoc:{_local(cause)}--test-{_local(test)}")
    told = f"likelihood ratios LR+ {link.ratios[0]:g}, LR- {link.ratios[1]:g}" if link.ratios else "the source"
    why = f"Sensitivity {link.sensitivity:.3g} and specificity {link.specificity:.3g} from {told}"
    comment = f"Estimate: {link.comment.strip()}. {why}" if link.estimate else " ".join([why + ".", link.comment])
    return [
        f"<{assoc}> a nkg:FindingAssociation ; nkg:cause <{cause}> ; nkg:finding <{expand(finding)}> ;",
        f"    nkg:frequency {round(link.sensitivity, 3):g} ; nkg:polarity nkg:Supports ;",
        *(["    nkg:estimate true ;"] if link.estimate else []),
        f"    rdfs:comment {_literal(comment)} ;",
        f"    dcterms:source {_literal(link.source.strip())} .",
        *([] if test in kb.causes[cause].tests else [f"<{cause}> nkg:confirmedBy <{test}> ."]),
    ]


def links_turtle(kb: KnowledgeBase, edit: CauseLinksEdit) -> str:
    """The links as Turtle (full IRIs), with the finding's background when it has no curated one."""
    test, finding = _test_iri(edit.test), expand(edit.finding)
    name = edit.test.label if isinstance(edit.test, DiagnosticTestEdit) else kb.label(test)
    lines = [f"# the causes {' '.join(name.split())} confirms or excludes"]
    for link in sorted(edit.links, key=lambda link: expand(link.cause)):
        lines += _link_turtle(kb, test, finding, link)
    info = kb.findings.get(finding)
    if edit.links and info is not None and info.background is None:
        specificity = round(edit.links[0].specificity, 3)
        lines.append(f"# the background of {kb.label(finding)}: it weighs every cause's association with it")
        lines.append(f"<{finding}> nkg:backgroundFrequency {round(1 - specificity, 3):g} .")
    return "\n".join(lines) + "\n"


def preview_links(kb: KnowledgeBase, edit: CauseLinksEdit) -> EditPreview:
    """The module the test is (or goes) in, its digest as read now, and the diff of the test and its links."""
    problems = link_problems(kb, edit)
    if problems:
        raise NeutropeniaKGError("; ".join(problems))
    if isinstance(edit.test, DiagnosticTestEdit):
        first = preview_edit(kb, edit.test)
        path, old, new = first.path, first.path.read_text(encoding="utf-8"), first.new_text
    else:
        path = _module_defining(expand(edit.test), "DiagnosticTest", kb.files)
        old = path.read_text(encoding="utf-8")
        new = (old if old.endswith("\n") else old + "\n") + "\n# curated through the app's form\n"
    if edit.links:
        new += links_turtle(kb, edit)
    return EditPreview(path, _digest(old), new, module_diff(path, old, new))
