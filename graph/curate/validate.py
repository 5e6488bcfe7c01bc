"""Validation of the ontology: collect every problem, never stop at the first.

:func:`validate_knowledge_base` checks the compiled knowledge base (networkx graph + HPO index):
structure, ranges, and what SHACL cannot see (HPO terms that exist and are not obsolete in the
recorded release, regular expressions that compile, required model parameters).
:func:`validate_ontology` is what ``neutropenia-kg validate`` runs: it parses the Turtle once, runs
the SHACL shapes (:mod:`graph.curate.shacl`) and these checks, and merges both into one report.  A Turtle
syntax error stops it with :class:`~graph.model.errors.OntologyError` naming the file and line.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> report = validate_knowledge_base(load_knowledge_base())
>>> [p for p in report if p.level == "error"]
[]
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..kb.hpo import HpoIndex, load_hpo_index
from ..kb.knowledge import KnowledgeBase, without_gc
from ..model.errors import OntologyError
from ..model.ids import HPO_PREFIX, RESOURCE, curie
from ..model.regexcheck import backtracking_risks
from ..model.types import AgentAssociation, ContextAssociation

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Problem",
    "OntologyReport",
    "validate_knowledge_base",
    "validate_ontology",
    "cached_validation",
    "count_by_kind",
    "drugs_linked_to_causes",
    "unsourced_numbers",
    "CLINICAL_NUMBERS",
    "REQUIRED_PARAMETERS",
]

REQUIRED_PARAMETERS = (
    "default_background_frequency",
    "unlinked_present_lr",
    "frequency_floor",
    "no_exposure_lr",
    "unknown_medications_lr",
    "plausible_window_exponent",
    "unknown_timing_exponent",
    "outside_window_lr",
    "started_after_onset_lr",
    "known_diagnosis_lr",
    "chronic_days",
    "falling_fraction",
    "falling_window_days",
    "stable_variation",
    "stable_min_days",
    "cyclic_min_period_days",
    "cyclic_max_period_days",
    "cyclic_min_nadirs",
    "cyclic_recovery_anc",
    "chemo_expected_fall_days",
    "early_plausible_fraction",
    "background_floor",
    "phenotype_false_positive_rate",
    "late_tail_exponent",
    "early_tail_exponent",
    "onset_mismatch_lr",
    "onset_full_penalty_years",
    "onset_assumed_exponent",
    "onset_default_exponent",
    "x_linked_recessive_female_fraction",
    "patient_female_fraction",
    "concurrent_cause_min_lr",
    "concurrent_cause_max_rank",
    "fuzzy_min_length",
    "fuzzy_max_edits",
    "fuzzy_max_edits_long",
    "next_tests_per_candidate",
    "neighbour_window",
    "useful_tests_shown",
    "useful_test_min_bits",
    "variant_origin_mismatch_lr",
)
XREF_FORMATS = {
    "MONDO": r"MONDO:\d{7}",
    "OMIM": r"OMIM:\d{6}",
    "ORPHA": r"ORPHA:\d+",
    "HGNC": r"HGNC:\d+",
    "NCBIGene": r"NCBIGene:\d+",
    "NCBITaxon": r"NCBITaxon:\d+",
    "DrugBank": r"DrugBank:DB\d{5}",
    "CHEBI": r"CHEBI:\d+",
    "LOINC": r"LOINC:\d+-\d",
    "MESH": r"MESH:[CD]\d+",
    "DOID": r"DOID:\d+",
    "UMLS": r"UMLS:C\d{7}",
    "ICD10CM": r"ICD10CM:[A-Z]\d{2}(\.\d+)?",
    "SNOMEDCT": r"SNOMEDCT:\d+",
}


@dataclass(frozen=True)
class Problem:
    """One validation finding: level (error/warning), code, the node, and what to do."""

    level: str
    code: str
    subject: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper()} [{self.code}] {self.label} ({curie(self.subject)}): {self.message}"


def count_by_kind(kb: KnowledgeBase) -> dict[str, int]:
    """Number of nodes of each kind (Cause, Drug, Organism, Gene, Finding, ...)."""
    return dict(sorted(Counter(kind for _, kind in kb.graph.nodes(data="kind")).items()))


def drugs_linked_to_causes(kb: KnowledgeBase) -> tuple[str, ...]:
    """The drugs that at least one cause implicates (the agent of an agent association), sorted by id.

    A drug the ontology lists only to recognise it (a co-medication that causes nothing) is left out, and
    so is the stand-in for every drug no cause lists (``nkg:standsForUnlistedDrugs``); so are organisms
    and genes, which are agents too.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> "https://w3id.org/neutropenia-kg/resource/drug/clozapine" in drugs_linked_to_causes(kb)
    True
    >>> "https://w3id.org/neutropenia-kg/resource/drug/paracetamol" in drugs_linked_to_causes(kb)
    False
    """
    drugs = {agent for agent, info in kb.agents.items() if info.info.kind == "Drug" and agent != kb.unlisted_drug}
    return tuple(sorted(agent for agent, assocs in kb.agent_assocs.items() if assocs and agent in drugs))


class _Checks:
    """The problems found so far, and the checks that add to them (one method per kind of node)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.G = kb.graph
        self.problems: list[Problem] = []

    def report(self, level: str, code: str, node: str, message: str) -> None:
        self.problems.append(Problem(level, code, node, self.kb.label(node), message))

    def need(self, node: str, attr: str, what: str, level: str = "error") -> None:
        if not self.G.nodes[node].get(attr):
            self.report(level, f"missing-{attr}", node, f"has no {what}; add it")

    def need_edge(self, node: str, key: str, what: str, level: str = "error") -> None:
        # the graph's own adjacency (target -> edge key -> data), without a view per node
        if not any(key in keys for keys in self.G._succ.get(node, {}).values()):
            self.report(level, f"missing-{key}", node, f"has no {what}; add it")

    def cause(self, node: str) -> None:
        for attr, what, level in (
            ("label", "rdfs:label", "error"),
            ("definition", "skos:definition", "error"),
            ("altLabel", "synonym (skos:altLabel)", "warning"),
            ("prevalence", "nkg:prevalence", "error"),
            ("source", "dcterms:source", "error"),
            ("managementNote", "nkg:managementNote", "warning"),
        ):
            self.need(node, attr, what, level)
        self.need_edge(node, "mechanism", "nkg:mechanism")
        self.need_edge(node, "category", "nkg:category")
        self.need_edge(node, "confirmedBy", "test (nkg:confirmedBy)", "warning")
        if not self.G.nodes[node].get("managementNote"):
            self.need_edge(node, "treatedWith", "treatment (nkg:treatedWith) or management note", "warning")
        if len(self.kb.finding_assocs.get(node, ())) < 3:
            message = "has fewer than 3 finding associations; the ranker cannot tell it apart"
            self.report("warning", "few-findings", node, message)

    def node(self, node: str, kind: str) -> None:
        if kind == "Unknown" and node.startswith(RESOURCE):
            message = "is referenced but never defined (no rdf:type); define it or fix the IRI"
            self.report("error", "undefined-node", node, message)
        if kind == "Cause":
            self.cause(node)
        if kind in ("Drug", "Organism", "Gene"):
            self.need(node, "label", "rdfs:label")
            self.need(node, "xref", "standard identifier (nkg:xref)")
            if not self.kb.agent_assocs.get(node) and kind != "Drug":
                self.report("warning", "unlinked-agent", node, "is linked to no cause by an agent association")
        if kind in ("FindingAssociation", "AgentAssociation", "ContextAssociation", "PriorModifier"):
            self.need(node, "source", "source (dcterms:source)")
            self.need_edge(node, "cause", "nkg:cause")
        if kind in ("DiagnosticTest", "KnownTest", "DrugClass", "Treatment", "Condition", "Exposure"):
            self.need(node, "label", "rdfs:label")
        self.identifiers(node)

    def identifiers(self, node: str) -> None:
        for xref in self.G.nodes[node].get("xref", ()):
            pattern = XREF_FORMATS.get(str(xref).split(":", 1)[0])
            if pattern is None:
                self.report("warning", "xref-prefix", node, f"xref {xref!r} uses an unknown prefix")
            elif not re.fullmatch(pattern, str(xref)):
                self.report("error", "xref-format", node, f"xref {xref!r} does not match {pattern}")
        for source in self.G.nodes[node].get("source", ()):
            text = str(source)
            if text.startswith("PMID:") and not re.fullmatch(r"PMID:\d{1,9}", text):
                self.report("error", "source-format", node, f"source {text!r} is not PMID:<digits>")
            if text.startswith("DOI:") and not re.fullmatch(r"DOI:10\.\d{4,9}/\S+", text):
                self.report("error", "source-format", node, f"source {text!r} is not DOI:10.xxxx/...")

    def associations(self) -> None:
        kb = self.kb
        for assoc in (a for group in kb.finding_assocs.values() for a in group):
            if not 0 < assoc.frequency < 1:
                self.report("error", "frequency-range", assoc.id, f"frequency {assoc.frequency} must lie in (0, 1)")
            info = kb.findings.get(assoc.finding)
            bg = info.background if info is not None else None  # a derived background is not the curator's
            if bg is not None and assoc.polarity == "opposes" and assoc.frequency > bg:
                message = f"says opposes but its frequency {assoc.frequency} exceeds the background {bg}"
                self.report("warning", "polarity", assoc.id, message)
        lr_assocs: list[AgentAssociation | ContextAssociation] = [a for g in kb.agent_assocs.values() for a in g]
        lr_assocs += [a for g in kb.context_assocs.values() for a in g]
        for lr_assoc in lr_assocs:
            if lr_assoc.likelihood_ratio <= 0:
                message = f"likelihood ratio {lr_assoc.likelihood_ratio} must be > 0"
                self.report("error", "lr-range", lr_assoc.id, message)

    def findings(self) -> None:
        kb = self.kb
        for node, finding in kb.findings.items():
            if node.startswith(HPO_PREFIX):
                self.hpo_term(node)
            if finding.background is not None and not 0 < finding.background < 1:
                message = f"background frequency {finding.background} must lie in (0, 1)"
                self.report("error", "background-range", node, message)

    def hpo_term(self, node: str) -> None:
        found = _hpo_term_problem(self.kb.hpo, self.G, node, self.kb.label(node))
        if found is not None:
            self.problems.append(found)

    def rules(self) -> None:
        for test in self.kb.tests.values():
            for rule in test.rules:
                if rule.pattern:
                    self.pattern(test.id, rule.id, rule.pattern)
                if rule.finding is None and rule.organism is None:
                    self.report("error", "rule-target", rule.id, "result rule names neither a finding nor an organism")
        for pattern, word in self.kb.result_words:
            self.pattern("result words (nkg:ResultWord)", f"the result word {word!r}", pattern)
        for phrase in self.kb.nothing_found_phrases:  # the phrases of nkg:NothingFound are patterns too
            self.pattern("nkg:NothingFound", "nkg:NothingFound", phrase)

    def pattern(self, test: str, rule: str, pattern: str) -> None:
        error, risks = _pattern_problems(pattern)
        if error is not None:
            self.report("error", "bad-pattern", test, f"result pattern {pattern!r} is not a valid regex: {error}")
            return
        for risk in risks:
            self.report(
                "error",
                "slow-pattern",
                rule,
                f"result pattern {pattern!r} can take time exponential or polynomial in the result's "
                f"length ({risk}); rewrite it so each character can be matched one way only",
            )

    def model(self) -> None:
        for code in REQUIRED_PARAMETERS:
            if code not in self.kb.params:
                self.report("error", "missing-parameter", "", f"model parameter {code!r} is missing (model.ttl)")
        if not self.kb.grades or not self.kb.thresholds:
            message = "severity grades or neutropenia thresholds are missing (model.ttl)"
            self.report("error", "missing-grades", "", message)


@lru_cache(maxsize=4096)  # many tests share a result pattern; each is parsed once
def _pattern_problems(pattern: str) -> tuple[str | None, tuple[str, ...]]:
    """(why ``pattern`` is not a regular expression, or None; the shapes of it that backtrack)."""
    try:
        re.compile(pattern)
        return None, tuple(backtracking_risks(pattern))
    except re.error as error:
        return str(error), ()


def _hpo_term_problem(hpo: HpoIndex, G: nx.MultiDiGraph, node: str, label: str) -> Problem | None:
    """What is wrong with an HPO term the ontology uses: obsolete or not in the release (errors), or a
    label of its own that differs from HPO's (a warning); None when nothing is."""
    if node in hpo.obsolete:
        return Problem("error", "obsolete-hpo", node, label, f"is obsolete in HPO {hpo.version}; use its replacement")
    if node not in hpo:
        return Problem("error", "unknown-hpo", node, label, f"is not a term of HPO {hpo.version}")
    given = G.nodes[node].get("label") if node in G else None
    if given and str(given[0]) != hpo.labels[node]:
        return Problem(
            "warning", "hpo-label", node, label, f"label {given[0]!r} differs from HPO's {hpo.labels[node]!r}"
        )
    return None


def _uncompiled_hpo_problems(G: nx.MultiDiGraph, hpo: HpoIndex, label: Callable[[str], str]) -> list[Problem]:
    """The HPO problems of the findings the graph names, for an ontology the ranker cannot compile (so
    that a wrong HPO id is reported beside the error that stops compiling, not after it is fixed)."""
    terms = {n for n, kind in G.nodes(data="kind") if kind == "Finding" and n.startswith(HPO_PREFIX)}
    terms |= {v for _, v, key in G.edges(keys=True) if key in ("finding", "broader") and v.startswith(HPO_PREFIX)}
    found = (_hpo_term_problem(hpo, G, term, label(term)) for term in sorted(terms))
    return [problem for problem in found if problem is not None]


def validate_knowledge_base(kb: KnowledgeBase) -> list[Problem]:
    """Every structural problem of the ontology (see module docstring)."""
    checks = _Checks(kb)
    for node, kind in sorted(kb.graph.nodes(data="kind")):
        checks.node(node, kind)
    checks.associations()
    checks.findings()
    checks.rules()
    checks.problems += [
        Problem("warning", "unsourced-number", node, kb.label(node), message) for node, message in unsourced_numbers(kb)
    ]
    checks.model()
    return sorted(checks.problems, key=lambda p: (p.level != "error", p.code, p.subject))


#: the properties that carry a clinical number: each needs a PMID or DOI source, or nkg:estimate true
CLINICAL_NUMBERS = (
    "frequency",
    "earlyFrequency",
    "likelihoodRatio",
    "multiplier",
    "prevalence",
    "backgroundFrequency",
    "ancBelow",
    "ancAtLeast",
    "below",
    "above",
    "value",
)
_LITERATURE = re.compile(r"(PMID:\d+|DOI:10\.\d{4,9}/\S+|WHO/[A-Z0-9/.]+)")  # WHO/...: a WHO guideline


def unsourced_numbers(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(node, message) for every node whose clinical number has neither a PMID/DOI source nor
    ``nkg:estimate true``: a consumer web page or "curator judgement" alone does not support a number.
    A result rule counts the sources of the tests it reads.

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> unsourced_numbers(load_knowledge_base())
    []
    """
    G = kb.graph
    inherited: dict[str, list[str]] = {}
    for test, rule, key in G.edges(keys=True):
        if key == "hasResultRule":
            inherited.setdefault(rule, []).extend(str(s) for s in G.nodes[test].get("source", ()))
    found = []
    for node, data in sorted(G.nodes(data=True)):
        numbers = [name for name in CLINICAL_NUMBERS if data.get(name)]
        if not numbers or any(str(v).lower() in ("true", "1") for v in data.get("estimate", ())):
            continue
        sources = [str(s) for s in data.get("source", ())] + inherited.get(node, [])
        if not any(_LITERATURE.fullmatch(s) for s in sources):
            cited = ", ".join(sorted(set(sources))) or "no source"
            found.append(
                (
                    node,
                    f"nkg:{numbers[0]} rests on {cited}; cite a PMID or DOI, or mark it nkg:estimate true "
                    "with an rdfs:comment saying what it rests on",
                )
            )
    return found


@dataclass(frozen=True)
class OntologyReport:
    """The outcome of :func:`validate_ontology`: every problem, and what was read."""

    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    nodes: int

    @property
    def errors(self) -> int:
        """Number of problems of level error."""
        return sum(p.level == "error" for p in self.problems)


def validate_ontology(path: str | os.PathLike[str] | None = None, engine: str = "core") -> OntologyReport:
    """Parse the ontology at ``path`` once, then run the SHACL shapes and the Python checks.

    A problem both report (same code, same node) is listed once: in the Python check's words, which
    name the offending value, except for a missing property, where the shape's words say what to
    add.  When the ontology cannot even be compiled (a cause without a mechanism, a frequency that
    is not a number), the SHACL report says why and the compile error is listed too.

    SHACL runs module by module, and a module's results are kept in the cache folder while the files
    its check read are unchanged (:func:`graph.curate.shacl.check_modules`): after an edit, only the modules
    the edit reaches are checked again.  ``engine`` chooses how the shapes run
    (:func:`graph.curate.shacl.load_checker`: ``core``, the fast built-in engine, or ``pyshacl``).

    Examples
    --------
    Skipped as a doctest (it takes about 20 s from nothing); tests/test_shacl.py runs it on the bundled ontology:

    >>> report = validate_ontology()  # doctest: +SKIP
    >>> report.errors, len(report.files) > 5  # doctest: +SKIP
    (0, True)
    """
    from ..kb.bridge import triples_to_networkx
    from ..kb.kbcache import code_digest, default_cache_dir
    from ..kb.ontology import load_modules, resolve_ontology_path
    from .shacl import check_modules_aside, shapes_path

    root = resolve_ontology_path(path)
    modules = load_modules(root)
    files = [file for file, _ in modules]
    folder = default_cache_dir()
    shacl_results = check_modules_aside(  # SHACL on the other core, while this one compiles
        modules, shapes_path(root), folder / "shacl" if folder else None, {"code": code_digest()}, engine
    )
    try:
        with without_gc():
            G = triples_to_networkx(dict.fromkeys(t for _, own in modules for t in own))
            problems = _compiled_problems(root, G, files)
    finally:
        shape_results = shacl_results()
    said = {(p.code, p.subject): i for i, p in enumerate(problems)}
    for result in shape_results:
        index = said.get((result.code, result.subject))
        if index is None:
            label = _node_label(G, result.subject)
            problems.append(Problem(result.level, result.code, result.subject, label, result.message))
        elif result.code.startswith("missing-"):  # the shape's words say what to add
            problems[index] = replace(problems[index], message=result.message)
    ordered = sorted(problems, key=lambda p: (p.level != "error", p.code, p.subject, p.message))
    return OntologyReport(tuple(ordered), tuple(str(Path(f)) for f in files), G.number_of_nodes())


def _compiled_problems(root: Path, G: nx.MultiDiGraph, files: list[Path]) -> list[Problem]:
    """The problems :func:`validate_knowledge_base` finds; or why the ontology cannot compile, and its HPO problems."""
    from ..kb.build import build_knowledge_base

    hpo: HpoIndex | None = None
    try:
        hpo_table = root.resolve().parent / "imports" / "hpo-terms.tsv"
        hpo = load_hpo_index(hpo_table) if hpo_table.is_file() else HpoIndex("none")
        return validate_knowledge_base(build_knowledge_base(G, hpo, [str(f) for f in files]))
    except OntologyError as error:
        problems = [Problem("error", "cannot-compile", "", "ontology", f"{error}; the ranker cannot load it")]
        if hpo is not None:
            problems += _uncompiled_hpo_problems(G, hpo, lambda node: _node_label(G, node))
        return problems


def _node_label(G: nx.MultiDiGraph, node: str) -> str:
    labels = G.nodes[node].get("label") if node in G else None
    return str(labels[0]) if labels else curie(node)


def cached_validation(path: str | os.PathLike[str] | None = None, engine: str = "core") -> OntologyReport:
    """:func:`validate_ontology`, kept in the cache folder by the content of every file it read (the
    ontology's files, its shapes and its HPO table) and by the package's own code: run again on
    unchanged files, it answers at once; change any file and the whole ontology is validated anew.

    The stored report is JSON checked on reading like the compiled knowledge base
    (:class:`graph.kb.kbcache.CacheStore`); one that does not fit is ignored and rebuilt.

    >>> import os, tempfile
    >>> os.environ["NEUTROPENIA_KG_CACHE"] = tempfile.mkdtemp()
    >>> cached_validation().errors == cached_validation().errors == 0  # doctest: +SKIP
    True
    """
    from ..kb.kbcache import CacheProblem, CacheStore, code_digest, default_cache_dir
    from ..kb.ontology import resolve_ontology_path
    from ..model.codec import Codec, CodecError
    from ..model.version import __version__
    from .shacl import shapes_path

    root = resolve_ontology_path(path)
    folder = default_cache_dir()
    if folder is None:
        return validate_ontology(root, engine)
    codec = Codec()  # the report's dataclasses by their hints, as the compiled knowledge base is stored
    identity = {"package": __version__, "code": code_digest(), "schema": codec.schema(OntologyReport)}
    store = CacheStore(folder, {**identity, "kind": "validation report", "engine": engine})
    try:
        stored = store.load(root, lambda data: codec.decode(data, OntologyReport))
    except (CacheProblem, CodecError):
        stored = None
    if stored is not None:
        return stored
    report = validate_ontology(root, engine)
    hpo_table = root.resolve().parent / "imports" / "hpo-terms.tsv"
    sources = [Path(f) for f in report.files] + [shapes_path(root)] + ([hpo_table] if hpo_table.is_file() else [])
    try:
        store.save(root, codec.encode(report, OntologyReport), sources)
    except OSError:
        pass  # an unusable cache folder only costs the next run its speed
    return report
