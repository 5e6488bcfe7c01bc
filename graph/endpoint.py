"""The knowledge base and SPARQL from an existing SPARQL store (an Oxigraph server, Fuseki...) over HTTP.

A team keeps one store; ``neutropenia-kg --sparql-endpoint URL rank case.json`` compiles the
knowledge base from what the store holds (every triple, read once with a CONSTRUCT query as
N-Triples and parsed by pyoxigraph) in place of the bundled files, and ``neutropenia-kg sparql
--endpoint URL QUERY`` sends a query there.  Only read-only queries are sent, checked as the local
ones are (:func:`graph.sparql.check_query`).  The HPO table still comes with the package (it is
not RDF).  Only ``http`` and ``https`` URLs are accepted; a store that cannot be reached, or an
answer that is not what was asked for, is one clear :class:`EndpointError`.

Examples
--------
>>> endpoint_triples("ftp://example.org/sparql")
Traceback (most recent call last):
...
graph.endpoint.EndpointError: --sparql-endpoint must be an http:// or https:// URL, got 'ftp://example.org/sparql'
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pyoxigraph as ox

from .errors import NeutropeniaKGError

__all__ = ["EndpointError", "endpoint_triples", "endpoint_query", "ALL_TRIPLES"]

ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"
_TIMEOUT = 120.0


class EndpointError(NeutropeniaKGError):
    """A SPARQL store that cannot be reached, refuses the query, or answers something unreadable."""


def _post(url: str, query: str, accept: str, timeout: float) -> bytes:
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
    data = _post(url, ALL_TRIPLES, "application/n-triples", timeout)
    try:
        parsed = [quad.triple for quad in ox.parse(input=data, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as error:
        raise EndpointError(f"the SPARQL store at {url} did not answer N-Triples ({error.msg})") from None
    return [t for t in parsed if t.predicate.value != _OWL_IMPORTS]


def _term(value: dict[str, Any]) -> tuple[str, str]:
    """(kind, text) of one SPARQL JSON result binding."""
    return str(value.get("type", "")), str(value.get("value", ""))


def endpoint_query(url: str, text: str, limit: int = 100, timeout: float = _TIMEOUT) -> Any:
    """Check ``text`` as a local query is checked, send it to the store; a :class:`~graph.sparql.QueryResult`."""
    from .sparql import _FORMS, MAX_LIMIT, PREFIX_NAMESPACES, QueryRejected, QueryResult, _compact, check_query

    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryRejected(f"the row limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")
    form = _FORMS.get(check_query(text).algebra.name, "SELECT")
    # the prefixes a local query may use undeclared, declared for the store (the query's own come later and win)
    text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIX_NAMESPACES.items())) + text

    def cell(kind: str, value: str) -> str:
        return _compact(value) if kind == "uri" else f"_:{value}" if kind == "bnode" else value

    if form in ("CONSTRUCT", "DESCRIBE"):
        data = _post(url, text, "application/n-triples", timeout)
        try:
            triples = [q.triple for q in ox.parse(input=data, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as error:
            raise EndpointError(f"the SPARQL store at {url} did not answer N-Triples ({error.msg})") from None
        ordered = sorted(triples, key=str)
        kinds = {ox.NamedNode: "uri", ox.BlankNode: "bnode"}
        rows = tuple(
            tuple(cell(kinds.get(type(t), "literal"), t.value) for t in (x.subject, x.predicate, x.object))  # type: ignore[union-attr]
            for x in ordered[:limit]
        )
        return QueryResult(form, ("subject", "predicate", "object"), rows, len(ordered) > limit, limit)
    try:
        answer = json.loads(_post(url, text, "application/sparql-results+json", timeout))
        if form == "ASK":
            return QueryResult("ASK", ("answer",), (("true" if answer["boolean"] else "false",),), False, limit)
        columns = tuple(str(v) for v in answer["head"]["vars"])
        bindings = answer["results"]["bindings"]
        rows = tuple(tuple(cell(*_term(row[c])) if c in row else "" for c in columns) for row in bindings[:limit])
    except (ValueError, KeyError, TypeError) as error:
        raise EndpointError(f"the SPARQL store at {url} did not answer SPARQL JSON results ({error})") from None
    return QueryResult(form, columns, rows, len(bindings) > limit, limit)
