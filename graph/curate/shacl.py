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

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ..kb.ontology import load_rdf
from ..model.errors import OntologyError, UsageError

__all__ = ["ShapeResult", "shapes_path", "load_shapes", "check_shapes"]

NKGSH = Namespace("https://w3id.org/neutropenia-kg/shapes#")
_LEVELS = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "warning"}


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, in the words of the shape that failed."""

    level: str
    code: str
    subject: str
    message: str


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
    used = sorted(f"sh:{t}" for t in _SPARQL_TERMS if _uses(graph, URIRef(str(SH) + t)))
    if used:
        raise UsageError(
            f"{source}: uses SHACL-SPARQL ({', '.join(used)}), which validate does not run; "
            "write the constraint with core SHACL (sh:path, sh:minCount, sh:pattern, ...)"
        )
    return graph


def _uses(graph: Graph, term: URIRef) -> bool:
    """Whether ``term`` appears as a property or an object (a class, a target type) in ``graph``."""
    return any(True for _ in graph.triples((None, term, None))) or any(True for _ in graph.triples((None, None, term)))


def _code(shapes: Graph, shape: Node | None, component: Node | None) -> str:
    # without a shape, value(None, code) would answer the code of any shape
    code = shapes.value(shape, NKGSH.code) if shape is not None else None
    if code is not None:
        return str(code)
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return f"shacl-{name[:1].lower()}{name[1:]}"


def check_shapes(data: Graph, shapes: Graph) -> list[ShapeResult]:
    """Run every shape on ``data`` (the merged ontology) and return the results, sorted."""
    from pyshacl import validate  # noqa: PLC0415 - heavy import, only when validating

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
        level = _LEVELS.get(report.value(result, SH.resultSeverity), "error")  # type: ignore[arg-type]
        results.add(
            ShapeResult(
                level, _code(shapes, shape, report.value(result, SH.sourceConstraintComponent)), str(focus), text
            )
        )
    return sorted(results, key=lambda r: (r.level != "error", r.code, r.subject, r.message))
