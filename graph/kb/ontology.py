"""Read the ontology's Turtle files, following its owl:imports offline.

This is the only module that parses RDF.  The files are parsed with pyoxigraph (a Rust parser,
tens of times faster than rdflib's): :func:`load_triples` gives the merged triples as pyoxigraph
terms, which the compiler reads directly (:func:`graph.kb.bridge.triples_to_networkx`), so a first
start never builds an rdflib graph.  :func:`load_rdf` turns the same triples into an rdflib
``Graph`` for what needs rdflib (SHACL, SPARQL, export).  An import IRI under
``https://w3id.org/neutropenia-kg/ontology/`` names a file relative to the directory of the root
file; any other import is refused (nothing is fetched).  Parser errors are wrapped once, here, into
:class:`~graph.model.errors.OntologyError` naming the file and the 1-based line.

Examples
--------
>>> from pathlib import Path
>>> triples, files = load_triples(bundled_ontology_path())
>>> files[0].name, len(triples) > 1000
('neutropenia.ttl', True)
>>> graph, _ = load_rdf(bundled_ontology_path())
>>> len(graph) == len(triples)
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..model.errors import OntologyError
from ..model.ids import ONTOLOGY_BASE
from .paths import ENV_VAR, OUTSIDE_IMPORTS_VAR, bundled_ontology_path, resolve_ontology_path

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

__all__ = [
    "ENV_VAR",
    "OUTSIDE_IMPORTS_VAR",
    "bundled_ontology_path",
    "resolve_ontology_path",
    "load_rdf",
    "load_triples",
    "load_modules",
    "parse_file",
    "import_targets",
    "to_rdflib",
    "to_rdflib_graph",
]

_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def import_targets(iris: Iterable[str], base_dir: Path, source: Path) -> list[Path]:
    """Local files named by the owl:imports IRIs of ``source``; an import from elsewhere is an error.

    A local import must stay inside ``base_dir`` (after following ``..`` and symbolic links) unless
    ``$NEUTROPENIA_KG_ALLOW_OUTSIDE_IMPORTS`` is 1.
    """
    confined = os.environ.get(OUTSIDE_IMPORTS_VAR) != "1"
    root = base_dir.resolve()
    targets: list[Path] = []
    for iri in sorted(set(iris)):
        if not iri.startswith(ONTOLOGY_BASE):
            raise OntologyError(
                f"owl:imports <{iri}> is not a local module; only {ONTOLOGY_BASE}... is allowed", path=str(source)
            )
        target = base_dir / iri[len(ONTOLOGY_BASE) :]
        if confined and not target.resolve().is_relative_to(root):
            raise OntologyError(
                f"owl:imports <{iri}> leads outside the ontology folder {root}; move the module into it "
                "(or pass --allow-outside-imports)",
                path=str(source),
            )
        targets.append(target)
    return targets


def parse_file(path: Path) -> list[ox.Triple]:
    """The triples of one Turtle file (its relative IRIs resolved against the file's own URI)."""
    try:
        data = path.read_bytes()
        data.decode("utf-8")
    except OSError as error:
        raise OntologyError(f"cannot read ontology file ({error.strerror or error})", path=str(path)) from error
    except UnicodeDecodeError as error:
        raise OntologyError("ontology file is not UTF-8 text", path=str(path)) from error
    try:
        base = path.resolve().as_uri()
        quads = ox.parse(input=data, format=ox.RdfFormat.TURTLE, base_iri=base, rename_blank_nodes=True)
        return [quad.triple for quad in quads]
    except SyntaxError as error:  # pyoxigraph gives the 1-based line where the bad token starts
        why = str(error.msg or "invalid Turtle").split(": ", 1)[-1]
        raise OntologyError(f"Turtle syntax error: {why}", path=str(path), line=error.lineno) from error
    except Exception as error:  # noqa: BLE001 - any other parser failure is still a broken file
        raise OntologyError(f"cannot parse Turtle: {error}", path=str(path)) from error


def load_triples(path: Path) -> tuple[list[ox.Triple], list[Path]]:
    """Parse ``path`` and every module it imports (transitively); the merged triples and the files read.

    The triples are distinct, in the order first read; the owl:imports statements and whatever is
    said about the files themselves (``<> a owl:Ontology``) are left out.  Files are listed root first.
    """
    modules = load_modules(path)
    merged = dict.fromkeys(t for _, triples in modules for t in triples)
    return list(merged), [file for file, _ in modules]


def load_modules(path: Path) -> list[tuple[Path, list[ox.Triple]]]:
    """Each file of the ontology at ``path`` (root first) with its own triples, as :func:`load_triples` keeps them."""
    base_dir = path.resolve().parent
    files: list[Path] = []
    parsed: list[list[ox.Triple]] = []
    queue = [path.resolve()]
    while queue:
        current = queue.pop(0)
        if current in files:
            continue
        if not current.is_file():
            raise OntologyError("imported module not found", path=str(current))
        own = parse_file(current)
        files.append(current)
        imports = [
            t.object.value for t in own if t.predicate.value == _OWL_IMPORTS and not isinstance(t.object, ox.Triple)
        ]
        queue.extend(t.resolve() for t in import_targets(imports, base_dir, current))
        parsed.append(own)
    documents = {file.as_uri() for file in files}

    def kept(triple: ox.Triple) -> bool:
        about_file = isinstance(triple.subject, ox.NamedNode) and triple.subject.value in documents
        return triple.predicate.value != _OWL_IMPORTS and not about_file

    return [(file, [t for t in own if kept(t)]) for file, own in zip(files, parsed, strict=True)]


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """The rdflib term of a pyoxigraph term (a plain string literal stays plain, as rdflib's parser reads it)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype in (_XSD_STRING, _RDF_LANG_STRING) else URIRef(datatype))
    raise OntologyError(f"unsupported RDF term {term!r}")


def load_rdf(path: Path) -> tuple[Graph, list[Path]]:
    """:func:`load_triples` as an rdflib ``Graph`` (for SHACL, SPARQL and export); the graph and the files read."""
    triples, files = load_triples(path)
    return to_rdflib_graph(triples), files


def to_rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib ``Graph`` of pyoxigraph triples."""
    from rdflib import Graph

    graph = Graph()
    graph.addN((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), graph) for t in triples)  # type: ignore[misc]
    return graph
