"""Read-only SPARQL over the ontology's RDF, guarded so a query can neither write nor reach out.

Only SELECT, ASK, CONSTRUCT and DESCRIBE are accepted.  A query is refused, with a message that
says why, when it is an update (INSERT, DELETE, LOAD, CLEAR...), when it uses ``SERVICE`` anywhere
(rdflib would send the inner query to that endpoint over the network), or when it has a ``FROM``
/ ``FROM NAMED`` clause (rdflib would read the named documents from disk or the web).  Results
are read lazily and cut at a row limit.

Examples
--------
>>> from rdflib import Graph
>>> rdf = Graph().parse(data="<http://x/a> <http://x/p> 1, 2, 3 .", format="turtle")
>>> result = run_query(rdf, "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", limit=2)
>>> result.columns, result.rows, result.truncated
(('o',), (('1',), ('2',)), True)
>>> check_query("DELETE WHERE { ?s ?p ?o }")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.curate.sparql.QueryRejected: this box is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pyparsing import ParseException
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow

from ..model.errors import NeutropeniaKGError
from ..model.ids import PREFIXES

__all__ = [
    "QueryRejected",
    "QueryResult",
    "PREFIX_NAMESPACES",
    "EXAMPLE_QUERIES",
    "MAX_LIMIT",
    "check_query",
    "run_query",
]

MAX_LIMIT = 10_000
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

#: Prefixes every query may use without declaring them.
PREFIX_NAMESPACES: Mapping[str, str] = {
    **PREFIXES,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "xsd": str(XSD),
}

#: Title -> query, shown as starting points in the app.
EXAMPLE_QUERIES: Mapping[str, str] = {
    "Causes by mechanism": (
        "SELECT ?mechanism ?cause WHERE {\n"
        "  ?c a nkg:Cause ; rdfs:label ?cause ; nkg:mechanism ?m .\n"
        "  ?m rdfs:label ?mechanism .\n"
        "} ORDER BY ?mechanism ?cause"
    ),
    "Drugs with the strongest links": (
        "SELECT ?drug ?cause ?lr WHERE {\n"
        "  ?a a nkg:AgentAssociation ; nkg:agent ?d ; nkg:cause ?c ; nkg:likelihoodRatio ?lr .\n"
        "  ?d a nkg:Drug ; rdfs:label ?drug .\n"
        "  ?c rdfs:label ?cause .\n"
        "} ORDER BY DESC(?lr) ?drug"
    ),
    "Findings of each cause with frequency and source": (
        "SELECT ?cause ?finding ?frequency ?source WHERE {\n"
        "  ?a a nkg:FindingAssociation ; nkg:cause ?c ; nkg:finding ?f ; nkg:frequency ?frequency .\n"
        "  OPTIONAL { ?a dcterms:source ?source }\n"
        "  ?c rdfs:label ?cause .\n"
        "  OPTIONAL { ?f rdfs:label ?finding }\n"
        "} ORDER BY ?cause DESC(?frequency)"
    ),
    "Number of nodes of each kind": (
        "SELECT ?kind (COUNT(?node) AS ?count) WHERE {\n"
        "  ?node a ?kind . FILTER(STRSTARTS(STR(?kind), STR(nkg:)))\n"
        "} GROUP BY ?kind ORDER BY DESC(?count)"
    ),
    "Causes without a synonym (ASK)": ("ASK { ?c a nkg:Cause . FILTER NOT EXISTS { ?c skos:altLabel ?synonym } }"),
    "Everything said about one drug (DESCRIBE)": "DESCRIBE drug:clozapine",
    "Tests that confirm each cause (CONSTRUCT)": (
        "CONSTRUCT { ?c nkg:confirmedBy ?t } WHERE { ?c a nkg:Cause ; nkg:confirmedBy ?t }"
    ),
}


class QueryRejected(NeutropeniaKGError):
    """A SPARQL query that is not a read-only query over the loaded ontology, or is not valid SPARQL."""


@dataclass(frozen=True)
class QueryResult:
    """Rows of strings (IRIs compacted to CURIEs), the column names, and whether rows were cut off.

    ASK gives one column ``answer``; CONSTRUCT and DESCRIBE give ``subject``, ``predicate``, ``object``.
    """

    form: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    truncated: bool
    limit: int


def _walk(value: Any) -> Iterable[CompValue]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or hasattr(item, "asList"):
            stack.extend(item)


def check_query(text: str) -> Query:
    """Parse ``text`` and return the prepared query, or raise :class:`QueryRejected` saying why.

    Examples
    --------
    >>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.curate.sparql.QueryRejected: SERVICE is not allowed: it would send the query to another server over ...
    >>> check_query("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.curate.sparql.QueryRejected: FROM / FROM NAMED is not allowed: it would load other documents; ...
    """
    if not isinstance(text, str) or not text.strip():
        raise QueryRejected("the query is empty; write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    try:
        parsed = parseQuery(text)
    except ParseException as error:
        try:
            parseUpdate(text)
        except ParseException:
            raise QueryRejected(f"not valid SPARQL at line {error.lineno}, column {error.col}: {error.msg}") from None
        raise QueryRejected(
            "this box is read-only: updates (INSERT, DELETE, LOAD, CLEAR, ...) are not allowed; "
            "use SELECT, ASK, CONSTRUCT or DESCRIBE"
        ) from None
    names = {node.name for node in _walk(parsed)}
    if "ServiceGraphPattern" in names:
        raise QueryRejected("SERVICE is not allowed: it would send the query to another server over the network")
    if "DatasetClause" in names:
        raise QueryRejected(
            "FROM / FROM NAMED is not allowed: it would load other documents; "
            "the query runs on the loaded ontology only"
        )
    if parsed[1].name not in _FORMS:
        raise QueryRejected(f"unsupported query form {parsed[1].name}; use SELECT, ASK, CONSTRUCT or DESCRIBE")
    try:
        return translateQuery(parsed, initNs=dict(PREFIX_NAMESPACES))
    except Exception as error:  # noqa: BLE001 - rdflib raises bare Exception for e.g. an unknown prefix
        raise QueryRejected(f"cannot prepare the query: {error}") from None


_BY_LENGTH = sorted(PREFIX_NAMESPACES.items(), key=lambda item: -len(item[1]))


def _compact(iri: str) -> str:
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, URIRef):
        return _compact(str(value))
    if isinstance(value, BNode):
        return f"_:{value}"
    if isinstance(value, Literal):
        return str(value)
    return str(value)


def run_query(rdf: Graph, text: str, limit: int = 100) -> QueryResult:
    """Check ``text`` (see :func:`check_query`) and run it on ``rdf``, keeping at most ``limit`` rows.

    Raises
    ------
    QueryRejected
        For a refused or invalid query, a limit outside 1..``MAX_LIMIT``, or an evaluation error.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryRejected(f"the row limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")
    query = check_query(text)
    form = _FORMS.get(query.algebra.name, "SELECT")
    try:
        result = rdf.query(query)
        if result.type == "ASK":
            return QueryResult("ASK", ("answer",), (("true" if result.askAnswer else "false",),), False, limit)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            triples = list(islice(iter(result.graph or ()), limit + 1))
            rows = tuple(tuple(_cell(v) for v in triple) for triple in triples[:limit])
            return QueryResult(result.type, ("subject", "predicate", "object"), rows, len(triples) > limit, limit)
        columns = tuple(str(v) for v in result.vars or ())
        found = list(islice(iter(result), limit + 1))
        rows = tuple(
            tuple(_cell(row[i]) for i in range(len(columns))) for row in found[:limit] if isinstance(row, ResultRow)
        )
        return QueryResult(form, columns, rows, len(found) > limit, limit)
    except QueryRejected:
        raise
    except Exception as error:  # noqa: BLE001 - rdflib evaluation errors have no common base class
        raise QueryRejected(f"the query failed while running: {error}") from None
