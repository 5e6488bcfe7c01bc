"""SHACL validation of the ontology's RDF with pyshacl and ``ontology/shapes.ttl``.

Each violated constraint becomes one :class:`ShapeResult` (level, code, node, message) whose code
and message come from the shape itself (``nkgsh:code``, ``sh:message``), so the report says what is
wrong and how to fix it.  :func:`graph.curate.validate.validate_ontology` merges these results with the
checks SHACL cannot express.

Examples
--------
>>> from rdflib import Graph
>>> data = Graph().parse(format="turtle", data='''
...   @prefix nkg: <https://w3id.org/neutropenia-kg/schema#> .
...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...   <https://w3id.org/neutropenia-kg/resource/drug/x> a nkg:Drug ; rdfs:label "x" ; nkg:xref "DrugBank:123" .
... ''')
>>> for result in check_shapes(data, load_shapes()):
...     print(result.code, "-", result.message[:58], "...", result.message[-26:])
xref-format - xref is not in the DrugBank format (DrugBank:DB and five ... (found 'DrugBank:123')
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..kb.kbcache import CacheProblem
from ..kb.ontology import load_rdf, parse_file, to_rdflib_graph
from ..model.errors import OntologyError, UsageError
from .shaclcore import CoreShapes, ShapeResult, Unsupported, check_core, compile_shapes, sorted_results

__all__ = [
    "ShapeResult",
    "shapes_path",
    "load_shapes",
    "load_checker",
    "check_shapes",
    "check_triples",
    "check_modules",
    "check_modules_aside",
    "ENGINES",
]

if TYPE_CHECKING:  # rdflib is imported where pyshacl runs, not to check the shapes with the core engine
    from rdflib import Graph
    from rdflib.term import Node

_SH = "http://www.w3.org/ns/shacl#"
_NKGSH_CODE = "https://w3id.org/neutropenia-kg/shapes#code"
_LEVELS = {_SH + "Violation": "error", _SH + "Warning": "warning", _SH + "Info": "warning"}


def shapes_path(ontology_root: Path | None = None) -> Path:
    """``shapes.ttl`` beside the ontology root if it has one, else the bundled shapes."""
    if ontology_root is not None and (ontology_root.resolve().parent / "shapes.ttl").is_file():
        return ontology_root.resolve().parent / "shapes.ttl"
    here = Path(__file__).resolve().parent.parent  # the package folder (graph/)
    for candidate in (here.parent / "ontology" / "shapes.ttl", here / "data" / "shapes.ttl"):
        if candidate.is_file():
            return candidate
    raise OntologyError("the SHACL shapes (shapes.ttl) are missing; reinstall the package")


#: SHACL-SPARQL terms: a shape using any of them would run an arbitrary query inside validation
_SPARQL_TERMS = (
    "sparql",
    "SPARQLConstraint",
    "SPARQLTarget",
    "SPARQLTargetType",
    "SPARQLFunction",
    "select",
    "ask",
    "SPARQLRule",
    "SPARQLAskValidator",
    "SPARQLSelectValidator",
    "SPARQLConstraintComponent",
)


def load_shapes(path: Path | None = None) -> Graph:
    """Parse the shapes graph (a syntax error names the file and line).

    Shapes that use SHACL-SPARQL (``sh:sparql``, ``sh:select``, SPARQL targets and functions) are
    refused with a :class:`~graph.model.errors.UsageError`: validation runs core SHACL only, so a query in
    a shapes file can never hold the machine.
    """
    source = path or shapes_path()
    graph, _ = load_rdf(source)
    used = {str(term) for triple in graph for term in triple[1:]}
    _refuse_sparql(source, used)
    return graph


def _refuse_sparql(source: Path, used: set[str]) -> None:
    """The UsageError of :func:`load_shapes` when a SHACL-SPARQL term is among the ``used`` predicates and objects."""
    found = sorted(f"sh:{t}" for t in _SPARQL_TERMS if _SH + t in used)
    if found:
        raise UsageError(
            f"{source}: uses SHACL-SPARQL ({', '.join(found)}), which validate does not run; "
            "write the constraint with core SHACL (sh:path, sh:minCount, sh:pattern, ...)"
        )


#: the SHACL engines: ``core`` (:mod:`graph.curate.shaclcore`, pyshacl where the shapes need more) or ``pyshacl``
ENGINES = ("core", "pyshacl")


def load_checker(path: Path | None = None, engine: str = "core") -> CoreShapes | Graph:
    """The shapes ready for :func:`check_triples`: read by :mod:`graph.curate.shaclcore` when it covers
    every feature they use (and ``engine`` is ``core``), else as an rdflib graph for pyshacl."""
    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    source = path or shapes_path()
    if engine == "pyshacl":
        return load_shapes(source)
    triples = parse_file(source)
    _refuse_sparql(
        source, {term.value for t in triples for term in (t.predicate, t.object) if isinstance(term, ox.NamedNode)}
    )
    try:
        return compile_shapes(triples)
    except Unsupported:
        return load_shapes(source)


def check_triples(triples: list[ox.Triple], shapes: CoreShapes | Graph) -> list[ShapeResult]:
    """Every shape's results on the data ``triples``, by the engine :func:`load_checker` chose."""
    if isinstance(shapes, CoreShapes):
        return check_core(triples, shapes)
    return check_shapes(to_rdflib_graph(triples), shapes)


def _code(shapes: Graph, shape: Node | None, component: Node | None) -> str:
    # without a shape, value(None, code) would answer the code of any shape
    from rdflib import URIRef

    code = shapes.value(shape, URIRef(_NKGSH_CODE)) if shape is not None else None
    if code is not None:
        return str(code)
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return f"shacl-{name[:1].lower()}{name[1:]}"


def check_shapes(data: Graph, shapes: Graph) -> list[ShapeResult]:
    """Run every shape on ``data`` (the merged ontology) and return the results, sorted."""
    from pyshacl import validate  # noqa: PLC0415 - heavy import, only when validating
    from rdflib import RDF, URIRef
    from rdflib.namespace import SH

    try:
        _, report, _ = validate(
            data, shacl_graph=shapes, inference="none", advanced=False, abort_on_first=False, allow_warnings=True
        )
    except Exception as error:  # noqa: BLE001 - pyshacl's own errors, wrapped once here
        raise OntologyError(f"SHACL validation failed: {type(error).__name__}: {error}") from None
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if not isinstance(focus, URIRef):
            continue
        shape = report.value(result, SH.sourceShape)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        text = str(message) if message is not None else "violates its shape"
        if value is not None and "{" not in text and str(value) not in text and not isinstance(value, URIRef):
            text = f"{text} (found {str(value)!r})"
        elif isinstance(value, URIRef) and str(value) not in text:
            text = f"{text} (found <{value}>)"
        severity = report.value(result, SH.resultSeverity)
        level = _LEVELS.get(str(severity), "error") if severity is not None else "error"
        results.add(
            ShapeResult(
                level, _code(shapes, shape, report.value(result, SH.sourceConstraintComponent)), str(focus), text
            )
        )
    return sorted_results(results)


# ---------------------------------------------------------------- module by module, with a cache

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: when the modules to check need more than this share of all triples, one run over everything is faster
WHOLE_RUN_SHARE = 0.5


def _neighbourhood(own: list[ox.Triple], index: _Index) -> tuple[set[str], list[tuple[Path, ox.Triple]]]:
    """The named subjects of a module, and what SHACL needs to check them (with the file of each triple).

    That is every triple about those subjects (from any file), every triple pointing at them (inverse
    paths), the types of every node they name (``sh:class``), the class hierarchy (target classes),
    and the blank nodes all of these reach (lists of ``sh:or`` values).  What every module needs (the
    hierarchy and the types of the classes it names, ``index.shared``) comes first, as it is.
    """
    subjects = {t.subject.value for t in own if isinstance(t.subject, ox.NamedNode)}
    near: dict[tuple[Path, ox.Triple], None] = {}
    for node in sorted(subjects):
        near.update(dict.fromkeys(index.about.get(node, ())))
        near.update(dict.fromkeys(index.pointing.get(node, ())))
    named = {name for _, t in near for name in _names_in(t)} - index.shared_names
    picked = {**index.shared, **near}
    for node in sorted(named):
        picked.update(dict.fromkeys(index.types.get(node, ())))
    blanks = [t.object for _, t in picked if isinstance(t.object, ox.BlankNode)]
    while blanks:
        for item in index.about.get(blanks.pop().value, ()):
            if item not in picked:
                picked[item] = None
                if isinstance(item[1].object, ox.BlankNode):
                    blanks.append(item[1].object)
    return subjects, list(picked)


class _Index:
    """The merged triples of every module, looked up by subject, by object and by type, each with its file."""

    def __init__(self, modules: list[tuple[Path, list[ox.Triple]]]) -> None:
        self.about: dict[str, list[tuple[Path, ox.Triple]]] = {}
        self.pointing: dict[str, list[tuple[Path, ox.Triple]]] = {}
        self.types: dict[str, list[tuple[Path, ox.Triple]]] = {}
        self.hierarchy: list[tuple[Path, ox.Triple]] = []
        for file, triples in modules:
            for triple in triples:
                item = (file, triple)
                subject = triple.subject.value  # type: ignore[union-attr]
                self.about.setdefault(subject, []).append(item)
                if isinstance(triple.object, ox.NamedNode):
                    self.pointing.setdefault(triple.object.value, []).append(item)
                if triple.predicate.value == _RDF_TYPE:
                    self.types.setdefault(subject, []).append(item)
                elif triple.predicate.value == _SUBCLASS:
                    self.hierarchy.append(item)
        hierarchy = dict.fromkeys(self.hierarchy)
        self.shared_names = {name for _, t in hierarchy for name in _names_in(t)}
        #: what every module's check reads: the class hierarchy and the types of every node it names
        self.shared = {**hierarchy, **{i: None for n in sorted(self.shared_names) for i in self.types.get(n, ())}}
        #: file -> the digest of its part of ``shared`` (written once, for every module's content key)
        self.shared_digests = {
            name: _digest_of(path, texts) for name, (path, texts) in _texts_by_file(self.shared).items()
        }


def _names_in(triple: ox.Triple) -> list[str]:
    """The IRIs of a triple's subject and object (those that are named nodes)."""
    return [term.value for term in (triple.subject, triple.object) if isinstance(term, ox.NamedNode)]


def check_modules(
    modules: list[tuple[Path, list[ox.Triple]]],
    shapes_file: Path,
    folder: Path | None,
    identity: dict[str, str],
    engine: str = "core",
) -> list[ShapeResult]:
    """Every shape's results on the ontology, checked module by module and kept in ``folder``.

    A module's results are stored under the content of every file its check read (the module, each
    other file that says something about its subjects or their neighbours, the shapes) and
    ``identity`` (the package's code); they are reused while all of those are unchanged, so after
    an edit SHACL runs only over the modules the edit reaches.  A stored entry that is damaged or
    foreign is checked anew, never trusted.  ``folder`` None checks every module without storing.
    ``engine`` is as for :func:`load_checker` (results are stored apart for each).
    """
    from ..kb.kbcache import CacheStore

    if engine not in ENGINES:
        raise UsageError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    index = _Index(modules)
    kind = {"kind": "SHACL results of one module", "engine": engine}
    store = CacheStore(folder, {**identity, **kind}, keep=1024) if folder else None
    results: set[ShapeResult] = set()
    stale: list[tuple[Path, set[str], list[tuple[Path, ox.Triple]], str]] = []
    for file, own in modules:
        subjects, needed = _neighbourhood(own, index)
        read = _content_key(file, needed, index)
        found = _stored(store, file, read)
        if found is None:
            stale.append((file, subjects, needed, read))
        else:
            results.update(found)
    if stale:
        shapes = load_checker(shapes_file, engine)
        whole = None  # when most of the ontology is to be checked, one run over all of it is faster
        if sum(len(needed) for _, _, needed, _ in stale) > WHOLE_RUN_SHARE * sum(len(own) for _, own in modules):
            whole = check_triples(list(dict.fromkeys(t for _, own in modules for t in own)), shapes)
        for file, subjects, needed, read in stale:
            checked = whole if whole is not None else check_triples([t for _, t in needed], shapes)
            found = [r for r in checked if r.subject in subjects]
            results.update(found)
            if store is not None:
                store.identity["reads"] = read
                try:
                    store.save(file, [list(vars(r).values()) for r in found], [file, shapes_file])
                except OSError:
                    pass  # an unusable cache folder only costs the next run its speed
    return sorted_results(results)


#: whether :func:`check_modules_aside` may run the check in a child process (tests that count SHACL runs turn it off)
PARALLEL = True


def check_modules_aside(
    modules: list[tuple[Path, list[ox.Triple]]],
    shapes_file: Path,
    folder: Path | None,
    identity: dict[str, str],
    engine: str = "core",
) -> Callable[[], list[ShapeResult]]:
    """:func:`check_modules` started on the machine's other core; call the answer to wait for its results.

    The check runs in a forked child process (on a POSIX machine with more than one core, when this
    process runs no other thread), which sends its results back as JSON through a pipe, while the
    caller compiles the knowledge base.  Where a child cannot be used, or it fails, the check runs
    here (so that its errors are raised as they are).  Always call the answer, also on an error.
    """
    arguments = (modules, shapes_file, folder, identity, engine)
    usable = PARALLEL and hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
    if not usable:
        found = check_modules(*arguments)
        return lambda: found
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check, write the results, and leave without running the parent's exit handlers
        status = 1
        try:
            os.close(read)
            text = json.dumps([list(vars(r).values()) for r in check_modules(*arguments)])
            with os.fdopen(write, "wb") as out:
                out.write(text.encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)

    def results() -> list[ShapeResult]:
        with os.fdopen(read, "rb") as handle:
            data = handle.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return check_modules(*arguments)
        return sorted_results(_decode_results(json.loads(data)))

    return results


def _texts_by_file(items: Iterable[tuple[Path, ox.Triple]]) -> dict[str, tuple[Path, set[str] | None]]:
    """file name -> (file, the texts of its triples), or None in place of the texts where a triple holds a
    blank node (whose name changes from one parse to the next: the whole file's content stands for them)."""
    texts: dict[str, tuple[Path, set[str] | None]] = {}
    for path, triple in items:
        _, found = texts.setdefault(str(path), (path, set()))
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            texts[str(path)] = (path, None)
        elif found is not None:
            found.add(str(triple))
    return texts


def _digest_of(path: Path, texts: set[str] | None) -> str:
    if texts is None:
        return "file " + hashlib.sha256(path.read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(sorted(texts)).encode()).hexdigest()


def _content_key(file: Path, needed: list[tuple[Path, ox.Triple]], index: _Index) -> str:
    """SHA-256 of what a module's check reads from other files: the triples themselves, or a whole file's
    content where they hold blank nodes.  The part every module reads (``index.shared``) enters by each
    file's digest of it.  The module's own file and the shapes are checked by their content on loading
    (:class:`graph.kb.kbcache.CacheStore`)."""
    own = _texts_by_file((path, t) for path, t in needed if path != file and (path, t) not in index.shared)
    digest = hashlib.sha256()
    for name in sorted(set(own) | set(index.shared_digests)):
        if name == str(file):
            continue
        path, texts = own.get(name, (Path(name), set()))
        digest.update(json.dumps([name, index.shared_digests.get(name), _digest_of(path, texts)]).encode())
    return digest.hexdigest()


def _stored(store: Any, file: Path, read: str) -> list[ShapeResult] | None:
    """A module's stored results while everything its check reads is unchanged; None to check it anew."""
    if store is None:
        return None
    store.identity["reads"] = read
    try:
        return store.load(file, _decode_results)  # type: ignore[no-any-return]
    except (CacheProblem, OSError):
        return None  # damaged or foreign: checked anew, never trusted


def _decode_results(data: Any) -> list[ShapeResult]:
    """Stored results, each [level, code, subject, message] of strings; ValueError for anything else."""
    if type(data) is not list or not all(type(r) is list and len(r) == 4 for r in data):
        raise ValueError("damaged SHACL results")
    if not all(type(value) is str for row in data for value in row):
        raise ValueError("damaged SHACL results")
    return [ShapeResult(*row) for row in data]
