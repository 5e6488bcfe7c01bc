"""The schema vocabulary as a closed rdflib namespace: a misspelt term fails at once.

The terms are :data:`graph.kb.terms.NKG_TERMS` (which mirrors ``ontology/schema.ttl``; a test checks it).  The standard
vocabularies the ontology also writes in (``rdfs:``, ``skos:``, ``dcterms:``, ``owl:``) are passed on
from rdflib, closed as well, so that code on the networkx side names every term through this module.

Examples
--------
>>> str(NKG.Cause)
'https://w3id.org/neutropenia-kg/schema#Cause'
"""

from __future__ import annotations

from typing import Any

from rdflib import namespace as _namespace
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS
from rdflib.term import URIRef

from .terms import NKG_NAMESPACE, NKG_TERMS

__all__ = ["NKG", "RDFS", "SKOS", "DCTERMS", "OWL", "Term"]

#: a term of any of these vocabularies (an IRI)
Term = URIRef


#: https://w3id.org/neutropenia-kg/schema#, closed over :data:`graph.kb.terms.NKG_TERMS`
NKG: Any = type(
    "NKG",
    (_namespace.DefinedNamespace,),
    {
        "__doc__": "Terms of https://w3id.org/neutropenia-kg/schema#.",
        "__annotations__": dict.fromkeys(NKG_TERMS, URIRef),
        "_fail": True,
        "_warn": False,
        "_NS": _namespace.Namespace(NKG_NAMESPACE),
    },
)
