"""The knowledge base and SPARQL from an existing SPARQL store (an Oxigraph server, Fuseki...) over HTTP.

A team keeps one store; ``neutropenia-kg --sparql-endpoint URL rank case.json`` compiles the
knowledge base from what the store holds (every triple, read once with a CONSTRUCT query as
N-Triples and parsed by pyoxigraph) in place of the bundled files, and ``neutropenia-kg sparql
--endpoint URL QUERY`` sends a query there (:mod:`graph.curate.sparqlendpoint`). Only read-only
queries are sent, checked as the local ones are (:func:`graph.curate.sparql.check_query`). The
HPO table still comes with the package (it is not RDF). Only ``http`` and ``https`` URLs are
accepted; a store that cannot be reached, or an answer that is not what was asked for, is one
clear :class:`EndpointError`.

Examples
--------
>>> endpoint_triples("ftp://example.org/sparql")
Traceback (most recent call last):
...
graph.kb.endpoint.EndpointError: --sparql-endpoint must be an http:// or https:// URL, got 'ftp://example.org/sparql'
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pyoxigraph as ox

from ..model.errors import NeutropeniaKGError

__all__ = ["EndpointError", "endpoint_triples", "post_query", "ALL_TRIPLES"]

ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_TIMEOUT = 120.0


class EndpointError(NeutropeniaKGError):
    """A SPARQL store that cannot be reached, refuses the query, or answers something unreadable."""


def post_query(url: str, query: str, accept: str, timeout: float = _TIMEOUT) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise EndpointError(f"--sparql-endpoint must be an http:// or https:// URL, got {url!r}")
    request = urllib.request.Request(
        url,
        data=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) only, checked above
            return bytes(answer.read())
    except urllib.error.HTTPError as error:
        detail = " ".join(error.read(2000).decode("utf-8", "replace").split())[:200]
        raise EndpointError(f"the SPARQL store at {url} refused the query (HTTP {error.code}): {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        why = getattr(error, "reason", None) or error
        raise EndpointError(f"cannot reach the SPARQL store at {url} ({why}); is the server running?") from None


def endpoint_triples(url: str, timeout: float = _TIMEOUT) -> list[ox.Triple]:
    """Every triple the store at ``url`` holds (its default graph), less the owl:imports between modules."""
    data = post_query(url, ALL_TRIPLES, "application/n-triples", timeout)
    try:
        parsed = [quad.triple for quad in ox.parse(input=data, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise EndpointError(f"the SPARQL store at {url} did not answer N-Triples ({error.msg})") from None
    return [t for t in parsed if t.predicate.value != _OWL_IMPORTS]
