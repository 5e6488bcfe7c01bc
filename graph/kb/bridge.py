"""The one bridge from RDF to networkx: every typed resource becomes a node, every IRI-valued
property an edge keyed by the property's local name, every literal a node attribute list.

Two front doors share one builder: :func:`triples_to_networkx` reads pyoxigraph triples (what the
compiler uses; no rdflib), :func:`rdf_to_networkx` an rdflib ``Graph``.  Both give the same graph:
a literal becomes the Python value rdflib's ``toPython`` gives (``Decimal``, ``int``, ``bool``,
``str``, ``date``...), and its lexical form when it is not a valid value of its datatype.

Examples
--------
>>> from rdflib import Graph
>>> rdf = Graph().parse(data='''
...   @prefix nkg: <https://w3id.org/neutropenia-kg/schema#> .
...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...   <http://x/c> a nkg:Cause ; rdfs:label "A cause" ; nkg:mechanism nkg:DecreasedProduction .
... ''', format="turtle")
>>> G = rdf_to_networkx(rdf)
>>> G.nodes["http://x/c"]["kind"], G.nodes["http://x/c"]["label"]
('Cause', ['A cause'])
>>> list(G.edges("http://x/c", keys=True))
[('http://x/c', 'https://w3id.org/neutropenia-kg/schema#DecreasedProduction', 'mechanism')]
>>> import pyoxigraph as ox
>>> text = '<http://x/c> a <https://w3id.org/neutropenia-kg/schema#Cause> ; <http://x/n> 0.50, 2, true .'
>>> H = triples_to_networkx(q.triple for q in ox.parse(input=text, format=ox.RdfFormat.TURTLE))
>>> H.nodes["http://x/c"]["n"]
[Decimal('0.50'), 2, True]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..model.ids import SCHEMA, local_name

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

__all__ = ["rdf_to_networkx", "triples_to_networkx"]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"

#: Kinds ordered most specific first, so a Drug typed also as Agent is a Drug.
_KIND_ORDER = ("Drug", "Organism", "Gene", "FindingAssociation", "AgentAssociation", "ContextAssociation")


def _kind(types: list[str]) -> str:
    for kind in _KIND_ORDER:
        if kind in types:
            return kind
    return sorted(types)[0]


def _boolean(text: str) -> bool:
    return text.lower() in ("true", "1")  # as rdflib reads xsd:boolean (anything else is false)


#: datatype -> how rdflib's ``Literal.toPython`` reads its lexical form (a ValueError keeps the text)
_READERS: dict[str, Callable[[str], Any]] = {
    _XSD + "string": str,
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": str,
    _XSD + "decimal": Decimal,
    _XSD + "integer": int,
    _XSD + "boolean": _boolean,
    _XSD + "double": float,
    _XSD + "float": float,
    _XSD + "date": date.fromisoformat,
    _XSD + "dateTime": datetime.fromisoformat,
    _XSD + "time": time.fromisoformat,
}


def _literal_value(literal: ox.Literal, text: str) -> Any:
    """The Python value of a pyoxigraph literal (whose lexical form is ``text``), as rdflib would give it."""
    reader = _READERS.get(literal.datatype.value)
    if reader is None:  # a datatype the ontology does not use: ask rdflib itself
        from .ontology import to_rdflib

        value = to_rdflib(literal).toPython()  # type: ignore[attr-defined]
        return value if isinstance(value, (str, int, float, Decimal, date, time)) else str(literal.value)
    if reader is str:
        return text
    try:
        return reader(text)
    except (ValueError, InvalidOperation):  # ill-typed: rdflib keeps the literal, the bridge its text
        return text


def _build(types: dict[str, list[str]], statements: list[tuple[str, str, str, Any, bool]]) -> nx.MultiDiGraph:
    """The graph of typed nodes and (subject, predicate, sort text, object, is literal) statements."""
    nodes: dict[str, dict[str, Any]] = {node: {"kind": _kind(node_types)} for node, node_types in sorted(types.items())}
    # in a fixed order, so the graph (and every export of it) is the same under any hash seed and any
    # order in which the store happens to hold the triples
    statements.sort(key=itemgetter(0, 1, 2))
    names: dict[str, str] = {}
    edges = []
    for s, predicate, _, obj, is_literal in statements:
        name = names.get(predicate)
        if name is None:
            name = names[predicate] = local_name(predicate)
        if is_literal:
            values = nodes.get(s)
            if values is None:
                values = nodes[s] = {"kind": "Finding" if "HP_" in s else "Unknown"}
            values.setdefault(name, []).append(obj)
        else:
            for node in (s, obj):
                if node not in nodes:
                    nodes[node] = {"kind": "Unknown"}
            edges.append((s, obj, name))
    for attributes in nodes.values():
        for values in attributes.values():
            if type(values) is list and len(values) > 1:
                values.sort(key=str)
    G = nx.MultiDiGraph()
    G.add_nodes_from(nodes.items())  # the nodes in the order they were first named, then the edges in order
    # each edge written into the graph's own adjacency, as add_edges_from would write it (the same
    # successor and predecessor tables in the same order) without its views and the exception it
    # raises and catches for every (u, v, key) tuple: every node exists, and the key's data is empty
    succ, pred = G._succ, G._pred
    for s, obj, name in edges:
        targets = succ[s]
        keys = targets.get(obj)
        if keys is None:
            keys = targets[obj] = {}
            pred[obj][s] = keys
        keys[name] = {}
    return G


def triples_to_networkx(triples: Iterable[ox.Triple]) -> nx.MultiDiGraph:
    """Convert pyoxigraph triples (the merged ontology, :func:`graph.kb.ontology.load_triples`) to a MultiDiGraph."""
    import pyoxigraph as ox

    named, literal = ox.NamedNode, ox.Literal
    types: dict[str, list[str]] = {}
    statements: list[tuple[str, str, str, Any, bool]] = []
    add = statements.append
    for subject, predicate, obj in triples:
        if not isinstance(subject, named):
            continue
        s, p = subject.value, predicate.value
        if p == _RDF_TYPE:
            if obj.value.startswith(SCHEMA):  # type: ignore[union-attr]
                types.setdefault(s, []).append(local_name(obj.value))  # type: ignore[union-attr]
        elif isinstance(obj, literal):
            text = obj.value
            add((s, p, text, _literal_value(obj, text), True))
        elif isinstance(obj, named):
            text = obj.value
            add((s, p, text, text, False))
    return _build(types, statements)


def rdf_to_networkx(rdf: Graph) -> nx.MultiDiGraph:
    """Convert an rdflib graph of the merged ontology to a MultiDiGraph (see module docstring)."""
    from rdflib import RDF, Literal, URIRef

    types: dict[str, list[str]] = {}
    for subject, type_ in rdf.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and str(type_).startswith(SCHEMA):
            types.setdefault(str(subject), []).append(local_name(str(type_)))
    statements = []
    for subject, predicate, obj in rdf:
        if not isinstance(subject, URIRef) or predicate == RDF.type:
            continue
        if isinstance(obj, Literal):
            value = obj.toPython()
            value = value if not isinstance(value, Literal) else str(value)
            statements.append((str(subject), str(predicate), str(obj), value, True))
        elif isinstance(obj, URIRef):
            statements.append((str(subject), str(predicate), str(obj), str(obj), False))
    return _build(types, statements)
