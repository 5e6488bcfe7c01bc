"""SPARQL sent to an existing SPARQL store (``neutropenia-kg sparql --endpoint URL``), checked as a local query is.

The query must pass :func:`graph.curate.sparql.check_query` (read-only, one form) before anything is sent;
the answer comes back as the same :class:`~graph.curate.sparql.QueryResult` a local query gives.

Examples
--------
>>> endpoint_query("http://localhost:1/sparql", "DELETE WHERE { ?s ?p ?o }")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.curate.sparql.QueryRejected: this box is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) ...
"""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from ..kb.endpoint import _TIMEOUT, EndpointError, post_query
from .sparql import _FORMS, MAX_LIMIT, PREFIX_NAMESPACES, QueryRejected, QueryResult, _compact, check_query

__all__ = ["endpoint_query"]


def _term(value: dict[str, Any]) -> tuple[str, str]:
    """(kind, text) of one SPARQL JSON result binding."""
    return str(value.get("type", "")), str(value.get("value", ""))


def endpoint_query(url: str, text: str, limit: int = 100, timeout: float = _TIMEOUT) -> Any:
    """Check ``text`` as a local query is checked, send it to the store; a :class:`~graph.curate.sparql.QueryResult`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryRejected(f"the row limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")
    form = _FORMS.get(check_query(text).algebra.name, "SELECT")
    # the prefixes a local query may use undeclared, declared for the store (the query's own come later and win)
    text = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIX_NAMESPACES.items())) + text

    def cell(kind: str, value: str) -> str:
        return _compact(value) if kind == "uri" else f"_:{value}" if kind == "bnode" else value

    if form in ("CONSTRUCT", "DESCRIBE"):
        data = post_query(url, text, "application/n-triples", timeout)
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
        answer = json.loads(post_query(url, text, "application/sparql-results+json", timeout))
        if form == "ASK":
            return QueryResult("ASK", ("answer",), (("true" if answer["boolean"] else "false",),), False, limit)
        columns = tuple(str(v) for v in answer["head"]["vars"])
        bindings = answer["results"]["bindings"]
        rows = tuple(tuple(cell(*_term(row[c])) if c in row else "" for c in columns) for row in bindings[:limit])
    except (ValueError, KeyError, TypeError) as error:
        raise EndpointError(f"the SPARQL store at {url} did not answer SPARQL JSON results ({error})") from None
    return QueryResult(form, columns, rows, len(bindings) > limit, limit)
