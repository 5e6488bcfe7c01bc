"""Curators' edits: a finding association proposed through a form, checked, previewed as a diff,
validated with the whole ontology and written atomically into the module that defines its cause.

Imports only the standard library and the layers below it (knowledge base, validation).  The flow
is three pure steps and one write:

1. :func:`edit_problems` says in plain words what is wrong with the proposal (nothing to save then);
2. :func:`association_turtle` renders it as Turtle, one association node with its source;
3. :func:`preview_edit` names the module file, its content digest and the unified diff;
4. :func:`save_edit` validates the whole ontology with the edit applied (in a temporary copy), then
   replaces the module file atomically, but only if the file still has the digest the preview saw:
   an edit made meanwhile in another session is an :class:`EditConflict`, never overwritten.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> edit = AssociationEdit("cause:felty-syndrome", "HP:0200042", 0.25, "supports", "DOI:10.2174/1874312901408010129",
...                       estimate=True, comment="leg ulcers are a recognised feature; the share is a guess")
>>> edit_problems(kb, edit)
[]
>>> "nkg:frequency 0.25" in association_turtle(kb, edit)
True
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NeutropeniaKGError, OntologyError
from ..model.ids import RESOURCE, curie, expand, is_imported_cause
from .validate import Problem, validate_ontology

__all__ = [
    "AssociationEdit",
    "DrugLinkEdit",
    "CauseEdit",
    "DrugEdit",
    "DiagnosticTestEdit",
    "mechanisms_and_categories",
    "schema_terms",
    "curated_modules",
    "timing_windows",
    "EditPreview",
    "EditConflict",
    "EditRejected",
    "edit_problems",
    "association_turtle",
    "preview_edit",
    "save_edit",
]

#: a source a clinical assertion may cite from the form: a PMID, a DOI or a PMCID
SOURCE = re.compile(r"(?:PMID:\d{1,9}|DOI:10\.\d{4,9}/\S+|PMCID:PMC\d{1,9})")
POLARITIES = {"supports": "nkg:Supports", "opposes": "nkg:Opposes"}


class EditConflict(NeutropeniaKGError):
    """The module file changed after the preview (another session saved an edit): preview again."""


class EditRejected(NeutropeniaKGError):
    """The edit would leave the ontology with validation errors; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"not saved: the edit leaves {len(problems)} validation error(s), first: {problems[0]}")


@dataclass(frozen=True)
class AssociationEdit:
    """A finding association a curator proposes: cause and finding as CURIEs, how often the cause shows
    the finding, whether it speaks for or against the cause, its source, and, for a number no source
    states, the estimate flag with the reason."""

    cause: str
    finding: str
    frequency: float
    polarity: str
    source: str
    estimate: bool = False
    comment: str = ""


@dataclass(frozen=True)
class DrugLinkEdit:
    """A drug a curator links to a cause: the likelihood ratio of taking it, the timing window the
    ratio holds in (one the ontology defines), its source and, for an estimate, the reason."""

    drug: str
    cause: str
    likelihood_ratio: float
    window: str
    source: str
    estimate: bool = False
    comment: str = ""


@dataclass(frozen=True)
class CauseEdit:
    """A new cause: its label and definition, mechanism and category (schema terms), prevalence among
    neutropenias, what to do, the module file it goes into, its source and, for an estimate, the reason.
    Its findings are added afterwards with :class:`AssociationEdit`."""

    label: str
    definition: str
    mechanism: str
    category: str
    prevalence: float
    management: str
    module: str
    source: str
    estimate: bool = False
    comment: str = ""


@dataclass(frozen=True)
class DrugEdit:
    """A new drug node: its name, a DrugBank or ChEBI id, its class, other names it goes by, the
    module file it goes into and its source.  Links to causes are added afterwards with
    :class:`DrugLinkEdit`."""

    label: str
    xref: str
    drug_class: str
    synonyms: tuple[str, ...]
    module: str
    source: str


@dataclass(frozen=True)
class DiagnosticTestEdit:
    """A new diagnostic test: the finding it tests for, the words of a report that say the finding is
    present (and, optionally, absent), its cost band and invasiveness (schema terms, an estimate with
    the reason), the module file it goes into and its source."""

    label: str
    finding: str
    present_pattern: str
    absent_pattern: str
    cost_band: str
    invasiveness: str
    comment: str
    module: str
    source: str


Edit = AssociationEdit | DrugLinkEdit | CauseEdit | DrugEdit | DiagnosticTestEdit
#: a drug's standard id as the form takes it (the shapes accept these schemes for a drug)
DRUG_XREF = re.compile(r"(?:DrugBank:DB\d{5}|CHEBI:\d{1,7})")


def schema_terms(kb: KnowledgeBase, kind: str) -> dict[str, str]:
    """The schema's terms of one kind (Mechanism, Category, CostBand, Invasiveness), IRI -> label, by label."""
    table = {node: kb.label(node) for node, k in kb.kinds.items() if k == kind}
    return dict(sorted(table.items(), key=lambda item: (item[1], item[0])))


def mechanisms_and_categories(kb: KnowledgeBase) -> tuple[dict[str, str], dict[str, str]]:
    """The schema's mechanisms and categories, IRI -> label, by label."""
    return schema_terms(kb, "Mechanism"), schema_terms(kb, "Category")


def module_diff(path: Path, old: str, new: str, context: int = 1) -> str:
    """The unified diff of a module file's text before and after an edit, as a preview shows it."""
    return "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{path.name}", f"b/{path.name}", n=context)
    )


def curated_causes(kb: KnowledgeBase) -> list[str]:
    """The curated causes (not imported from HPO) a curator may edit, by label."""
    return sorted((c for c in kb.causes if not is_imported_cause(c)), key=lambda c: (kb.label(c), c))


def curated_modules(kb: KnowledgeBase) -> list[Path]:
    """The module files a curator writes into (ontology/modules/*.ttl the ontology imports)."""
    return sorted(Path(f) for f in kb.files if Path(f).parent.name == "modules" and f.endswith(".ttl"))


def timing_windows(kb: KnowledgeBase) -> dict[str, str]:
    """The timing windows the ontology's drug links use, id -> a label with its typical days."""
    windows = {a.window.id: a.window for assocs in kb.agent_assocs.values() for a in assocs if a.window}
    shown = {}
    for w in sorted(windows.values(), key=lambda w: (w.label, w.id)):
        dose = "first" if w.anchor == "start" else "last"
        shown[w.id] = f"{w.label} ({w.typical_min:g}-{w.typical_max:g} days after the {dose} dose)"
    return shown


@dataclass(frozen=True)
class EditPreview:
    """Where the edit goes and what it changes: the module file, its digest now, and the diff."""

    path: Path
    digest: str
    new_text: str
    diff: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sourcing_problems(source: str, estimate: bool, comment: str) -> list[str]:
    problems = []
    if not SOURCE.fullmatch(source.strip()):
        problems.append("the source must be a PMID (PMID:12345678), a DOI (DOI:10.1000/xyz) or a PMCID (PMCID:PMC123)")
    if estimate and not comment.strip():
        problems.append("an estimate needs a comment that says what it rests on")
    return problems


def _cause_problems(kb: KnowledgeBase, written: str) -> list[str]:
    cause = expand(written)
    if cause not in kb.causes:
        return [f"{written} is not a cause of the ontology; choose one from the list"]
    if is_imported_cause(cause):
        return ["imported causes are regenerated by `neutropenia-kg import-hpo`; curate a cause of a module"]
    return []


def edit_problems(kb: KnowledgeBase, edit: Edit) -> list[str]:
    """What is wrong with the proposal, in plain words (empty when it can be previewed)."""
    if isinstance(edit, DrugLinkEdit):
        return _drug_link_problems(kb, edit)
    if isinstance(edit, CauseEdit):
        return _cause_edit_problems(kb, edit)
    if isinstance(edit, DrugEdit | DiagnosticTestEdit):
        return _node_problems(kb, edit)
    problems = _cause_problems(kb, edit.cause)
    cause = expand(edit.cause)
    if expand(edit.finding) not in kb.findings:
        problems.append(f"{edit.finding} is not a finding of the ontology; choose one from the list")
    if not 0 < edit.frequency <= 1:
        problems.append(f"frequency {edit.frequency:g} must be above 0 and at most 1 (a share of the cause's patients)")
    if edit.polarity not in POLARITIES:
        problems.append(f"polarity must be one of {', '.join(POLARITIES)}")
    problems += _sourcing_problems(edit.source, edit.estimate, edit.comment)
    if not problems and any(a.finding == expand(edit.finding) for a in kb.finding_assocs.get(cause, ())):
        problems.append("the cause already has an association with this finding; edit that one in its module")
    return problems


def _drug_link_problems(kb: KnowledgeBase, edit: DrugLinkEdit) -> list[str]:
    problems = _cause_problems(kb, edit.cause)
    drug = expand(edit.drug)
    if kb.kinds.get(drug) != "Drug":
        problems.append(f"{edit.drug} is not a drug of the ontology; choose one from the list")
    if not edit.likelihood_ratio > 0:
        problems.append(f"likelihood ratio {edit.likelihood_ratio:g} must be above 0 (1 says nothing)")
    if expand(edit.window) not in timing_windows(kb):
        problems.append(f"{edit.window} is not a timing window of the ontology; choose one from the list")
    problems += _sourcing_problems(edit.source, edit.estimate, edit.comment)
    if not problems and any(a.cause == expand(edit.cause) for a in kb.agent_assocs.get(drug, ())):
        problems.append("the drug is already linked to this cause; edit that link in its module")
    return problems


def _cause_iri(label: str) -> str:
    return expand("cause:" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-"))


def _cause_edit_problems(kb: KnowledgeBase, edit: CauseEdit) -> list[str]:
    problems = []
    mechanisms, categories = mechanisms_and_categories(kb)
    if not re.search(r"[A-Za-z]{3}", edit.label):
        problems.append("the cause needs a label of at least one word")
    elif _cause_iri(edit.label) in kb.causes or edit.label.strip().lower() in {
        c.label.lower() for c in kb.causes.values()
    }:
        problems.append(f"a cause named {edit.label!r} exists already; add to it instead")
    if len(edit.definition.split()) < 5:
        problems.append("give a definition of a sentence or more: what the cause is and how it lowers the count")
    if edit.mechanism not in mechanisms:
        problems.append("choose a mechanism from the list")
    if edit.category not in categories:
        problems.append("choose a category from the list")
    if not 0 < edit.prevalence < 1:
        problems.append(f"prevalence {edit.prevalence:g} must be above 0 and below 1 (a share of all neutropenias)")
    if Path(edit.module).resolve() not in {m.resolve() for m in curated_modules(kb)}:
        problems.append("choose one of the ontology's module files")
    return problems + _sourcing_problems(edit.source, edit.estimate, edit.comment)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _name_problems(kb: KnowledgeBase, label: str, iri: str, kind: str) -> list[str]:
    if not re.search(r"[A-Za-z]{3}", label):
        return [f"the {kind} needs a name of at least one word"]
    taken = {kb.label(n).lower() for n, k in kb.kinds.items() if k == ("Drug" if kind == "drug" else "DiagnosticTest")}
    if iri in kb.kinds or label.strip().lower() in taken:
        return [f"a {kind} named {label!r} exists already"]
    return []


def _module_problems(kb: KnowledgeBase, module: str) -> list[str]:
    if Path(module).resolve() not in {m.resolve() for m in curated_modules(kb)}:
        return ["choose one of the ontology's module files"]
    return []


def _pattern_problems(pattern: str, what: str) -> list[str]:
    try:
        re.compile(pattern)
    except re.error as error:
        return [f"the words of a {what} result are not a valid pattern ({error})"]
    if pattern and re.fullmatch(pattern, "") is not None:
        return [f"the words of a {what} result match an empty report; give words a report would contain"]
    return []


def _node_problems(kb: KnowledgeBase, edit: DrugEdit | DiagnosticTestEdit) -> list[str]:
    if isinstance(edit, DrugEdit):
        problems = _name_problems(kb, edit.label, _node_iri("drug", edit.label), "drug")
        if not DRUG_XREF.fullmatch(edit.xref.strip()):
            problems.append("the standard id must be a DrugBank id (DrugBank:DB00363) or a ChEBI id (CHEBI:3766)")
        if not edit.drug_class.strip():
            problems.append("give the drug's class (for example: thionamide antithyroid drug)")
        return problems + _module_problems(kb, edit.module) + _sourcing_problems(edit.source, False, "")
    problems = _name_problems(kb, edit.label, _node_iri("test", edit.label), "test")
    if expand(edit.finding) not in kb.findings:
        problems.append(f"{edit.finding} is not a finding of the ontology; choose one from the list")
    if not edit.present_pattern.strip():
        problems.append("give the words of a report that say the finding is present (for example: positive|detected)")
    problems += _pattern_problems(edit.present_pattern, "positive") + _pattern_problems(edit.absent_pattern, "negative")
    if edit.cost_band not in schema_terms(kb, "CostBand"):
        problems.append("choose a cost band from the list")
    if edit.invasiveness not in schema_terms(kb, "Invasiveness"):
        problems.append("choose an invasiveness from the list")
    if not edit.comment.strip():
        problems.append("say what the cost band and invasiveness rest on (they are estimates)")
    return problems + _module_problems(kb, edit.module) + _sourcing_problems(edit.source, False, "")


def _node_iri(kind: str, label: str) -> str:
    return expand(f"{kind}:{_slug(label)}")


def _drug_turtle(edit: DrugEdit) -> list[str]:
    lines = [f"<{_node_iri('drug', edit.label)}> a nkg:Drug ; rdfs:label {_literal(edit.label)} ;"]
    names = sorted({" ".join(s.split()) for s in edit.synonyms if s.strip()} - {" ".join(edit.label.split())})
    if names:
        lines.append("    skos:altLabel " + ", ".join(_literal(n) for n in names) + " ;")
    lines.append(f"    nkg:xref {_literal(edit.xref.strip())} ; nkg:drugClass {_literal(edit.drug_class)} ;")
    return lines


def _test_turtle(edit: DiagnosticTestEdit) -> list[str]:
    test = _node_iri("test", edit.label)
    rules = [(f"{expand('rule:' + _slug(edit.label))}-present", edit.present_pattern, "true")]
    if edit.absent_pattern.strip():
        rules.append((f"{expand('rule:' + _slug(edit.label))}-absent", edit.absent_pattern, "false"))
    lines = [
        f"<{RESOURCE}test-cost/{_slug(edit.label)}> a nkg:TestCost ; nkg:forTest <{test}> ;",
        f"    nkg:costBand <{edit.cost_band}> ; nkg:invasiveness <{edit.invasiveness}> ; nkg:estimate true ;",
        f"    rdfs:comment {_literal('Estimate: ' + edit.comment)} .",
    ]
    for rule, pattern, present in rules:
        lines.append(
            f"<{rule}> a nkg:ResultRule ; nkg:pattern {_literal(pattern.strip())} ; "
            f"nkg:finding <{expand(edit.finding)}> ; nkg:findingPresent {present} ."
        )
    lines.append(f"<{test}> a nkg:DiagnosticTest ; rdfs:label {_literal(edit.label)} ;")
    lines.append("    nkg:hasResultRule " + ", ".join(f"<{rule}>" for rule, _, _ in rules) + " ;")
    return lines


def _local(iri: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", curie(iri).split(":", 1)[-1].lower()).strip("-")


def _association_id(edit: AssociationEdit) -> str:
    return expand(f"assoc:{_local(expand(edit.cause))}--curated-{_local(expand(edit.finding))}")


def _literal(text: str) -> str:
    """A Turtle string literal: one line, with backslashes and quotes escaped."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def association_turtle(kb: KnowledgeBase, edit: Edit) -> str:
    """The proposal as Turtle (full IRIs, so the block reads the same in any module)."""
    if isinstance(edit, DrugEdit | DiagnosticTestEdit):
        lines = _drug_turtle(edit) if isinstance(edit, DrugEdit) else _test_turtle(edit)
        return "\n".join(lines) + f"\n    dcterms:source {_literal(edit.source.strip())} .\n"
    if isinstance(edit, CauseEdit):
        lines = [
            f"<{_cause_iri(edit.label)}> a nkg:Cause ; rdfs:label {_literal(edit.label)} ;",
            f"    skos:definition {_literal(edit.definition)} ;",
            f"    nkg:mechanism <{edit.mechanism}> ; nkg:category <{edit.category}> ;",
            f"    nkg:prevalence {edit.prevalence:g} ;",
        ]
        if edit.management.strip():
            lines.append(f"    nkg:managementNote {_literal(edit.management)} ;")
    elif isinstance(edit, DrugLinkEdit):
        assoc = expand(f"assoc:{_local(expand(edit.cause))}--curated-{_local(expand(edit.drug))}")
        lines = [
            f"<{assoc}> a nkg:AgentAssociation ; nkg:cause <{expand(edit.cause)}> ; nkg:agent <{expand(edit.drug)}> ;",
            f"    nkg:likelihoodRatio {edit.likelihood_ratio:g} ; nkg:timingWindow <{expand(edit.window)}> ;",
        ]
    else:
        lines = [
            f"<{_association_id(edit)}> a nkg:FindingAssociation ; nkg:cause <{expand(edit.cause)}> ;",
            f"    nkg:finding <{expand(edit.finding)}> ;",
            f"    nkg:frequency {edit.frequency:g} ; nkg:polarity {POLARITIES[edit.polarity]} ;",
        ]
    if edit.estimate:
        lines.append(f"    nkg:estimate true ; rdfs:comment {_literal(edit.comment)} ;")
    elif edit.comment.strip():
        lines.append(f"    rdfs:comment {_literal(edit.comment)} ;")
    lines.append(f"    dcterms:source {_literal(edit.source.strip())} .")
    return "\n".join(lines) + "\n"


def _module_of(kb: KnowledgeBase, cause: str) -> Path:
    """The module file that defines the cause (``<cause> a nkg:Cause`` written with its prefix)."""
    name = curie(cause)
    pattern = re.compile(rf"^(?:{re.escape(name)}|<{re.escape(cause)}>) a nkg:Cause\b", re.M)
    for file in kb.files:
        path = Path(file)
        if path.suffix == ".ttl" and path.is_file() and pattern.search(path.read_text(encoding="utf-8")):
            return path
    raise NeutropeniaKGError(f"no module file defines {name} as `{name} a nkg:Cause`; add the association by hand")


def preview_edit(kb: KnowledgeBase, edit: Edit) -> EditPreview:
    """The module the edit goes into, its digest as read now, and the unified diff of the change."""
    problems = edit_problems(kb, edit)
    if problems:
        raise NeutropeniaKGError("; ".join(problems))
    if isinstance(edit, CauseEdit | DrugEdit | DiagnosticTestEdit):
        path = Path(edit.module)
    else:
        path = _module_of(kb, expand(edit.cause))
    old = path.read_text(encoding="utf-8")
    block = f"\n# curated through the app's form\n{association_turtle(kb, edit)}"
    new = old if old.endswith("\n") else old + "\n"
    new += block
    return EditPreview(path, _digest(old), new, module_diff(path, old, new))


def _ontology_root(kb: KnowledgeBase) -> Path:
    return Path(kb.files[0]).resolve()


def save_edit(kb: KnowledgeBase, preview: EditPreview) -> Path:
    """Validate the ontology with the edit applied, then write it atomically; returns the file written.

    Raises :class:`EditConflict` when the module no longer has the digest of the preview, and
    :class:`EditRejected` (writing nothing) when validation finds an error.
    """
    path = preview.path.resolve()
    if _digest(path.read_text(encoding="utf-8")) != preview.digest:
        raise EditConflict(f"{path.name} changed since the preview (another edit was saved); preview again")
    root = _ontology_root(kb)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / root.parent.name
        shutil.copytree(root.parent, copy)
        (copy / path.relative_to(root.parent)).write_text(preview.new_text, encoding="utf-8")
        try:
            errors = [p for p in validate_ontology(copy / root.name).problems if p.level == "error"]
        except OntologyError as error:  # the module no longer parses
            errors = [Problem("error", "cannot-parse", "", path.name, str(error).replace(scratch, "<copy>"))]
    if errors:
        raise EditRejected(errors)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(preview.new_text)
        handle.flush()
        os.fsync(handle.fileno())
    if _digest(path.read_text(encoding="utf-8")) != preview.digest:  # saved by another session meanwhile
        temporary.unlink()
        raise EditConflict(f"{path.name} changed while the edit was validated; preview again")
    os.replace(temporary, path)
    return path
