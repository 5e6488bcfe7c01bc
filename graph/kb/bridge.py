"""The one bridge from RDF to networkx: every typed resource becomes a node, every IRI-valued
property an edge keyed by the property's local name, every literal a node attribute list.

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
"""

from __future__ import annotations

import networkx as nx
from rdflib import RDF, Graph, Literal, URIRef

from ..model.ids import SCHEMA, local_name

__all__ = ["rdf_to_networkx"]

#: Kinds ordered most specific first, so a Drug typed also as Agent is a Drug.
_KIND_ORDER = ("Drug", "Organism", "Gene", "FindingAssociation", "AgentAssociation", "ContextAssociation")


def _kind(types: list[str]) -> str:
    for kind in _KIND_ORDER:
        if kind in types:
            return kind
    return sorted(types)[0]


def rdf_to_networkx(rdf: Graph) -> nx.MultiDiGraph:
    """Convert the merged ontology graph to a MultiDiGraph (see module docstring)."""
    G = nx.MultiDiGraph()
    types: dict[str, list[str]] = {}
    for subject, type_ in rdf.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and str(type_).startswith(SCHEMA):
            types.setdefault(str(subject), []).append(local_name(str(type_)))
    for node, node_types in sorted(types.items()):
        G.add_node(node, kind=_kind(node_types))
    # in a fixed order, so the graph (and every export of it) is the same under any hash seed and any
    # order in which the store happens to hold the triples
    for subject, predicate, obj in sorted(rdf, key=lambda triple: tuple(str(term) for term in triple)):
        if not isinstance(subject, URIRef) or predicate == RDF.type:
            continue
        s = str(subject)
        name = local_name(str(predicate))
        if isinstance(obj, Literal):
            if s not in G:
                G.add_node(s, kind="Finding" if "HP_" in s else "Unknown")
            value = obj.toPython()
            G.nodes[s].setdefault(name, []).append(value if not isinstance(value, Literal) else str(value))
        elif isinstance(obj, URIRef):
            o = str(obj)
            for node in (s, o):
                if node not in G:
                    G.add_node(node, kind="Unknown")
            G.add_edge(s, o, key=name)
    for node in G:
        for values in G.nodes[node].values():
            if isinstance(values, list):
                values.sort(key=str)
    return G
