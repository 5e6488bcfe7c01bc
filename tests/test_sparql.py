"""The read-only SPARQL box: queries that read are answered; writes, SERVICE and FROM are refused."""

import pytest

from graph.curate.sparql import EXAMPLE_QUERIES, QueryRejected, check_query, run_query
from graph.kb.ontology import load_rdf


@pytest.fixture(scope="module")
def rdf(mini_dir):
    return load_rdf(mini_dir / "neutropenia.ttl")[0]


@pytest.mark.parametrize(
    "query, reason",
    [
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "read-only"),
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("LOAD <http://example.org/data.ttl>", "read-only"),
        ("CLEAR ALL", "read-only"),
        ("DROP GRAPH <http://x/g>", "read-only"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://e.org/q> { ?s ?q ?r } } }", "SERVICE"),
        ("ASK { FILTER EXISTS { SERVICE <http://e.org/q> { ?s ?p ?o } } }", "SERVICE"),
        ("SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://e.org/q> { ?s ?p ?o } } } }", "SERVICE"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM / FROM NAMED is not allowed"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM / FROM NAMED"),
        ("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/x> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * WHERE { ?s ?p }", "not valid SPARQL at line 1, column"),
        ("   ", "empty"),
        ("SELECT * WHERE { ?s undeclared:p ?o }", "cannot prepare"),
    ],
)
def test_queries_that_could_write_or_reach_out_are_refused_with_a_reason(rdf, query, reason):
    with pytest.raises(QueryRejected, match=reason):
        run_query(rdf, query)


def test_select_answers_with_curies_and_stops_at_the_limit(rdf):
    result = run_query(
        rdf, "SELECT ?cause ?label WHERE { ?cause a nkg:Cause ; rdfs:label ?label } ORDER BY ?label", limit=3
    )
    assert result.columns == ("cause", "label") and result.truncated
    assert result.rows[0] == ("cause:duffy-null-associated-neutrophil-count", "Mini Duffy-null")
    assert len(result.rows) == 3
    everything = run_query(rdf, "SELECT ?c WHERE { ?c a nkg:Cause }", limit=100)
    assert len(everything.rows) == 4 and not everything.truncated


def test_ask_construct_and_describe_answer_in_their_own_shape(rdf):
    assert run_query(rdf, "ASK { cause:mini-drug nkg:requiresAgent true }").rows == (("true",),)
    built = run_query(rdf, "CONSTRUCT { ?c nkg:confirmedBy ?t } WHERE { ?c nkg:confirmedBy ?t }")
    assert (
        built.columns == ("subject", "predicate", "object")
        and ("cause:mini-viral", "nkg:confirmedBy", "test:monospot") in built.rows
    )
    described = run_query(rdf, "DESCRIBE drug:clozapine")
    assert ("drug:clozapine", "rdfs:label", "clozapine") in described.rows


@pytest.mark.parametrize("limit", [0, -1, 10_001, 2.5, True])
def test_the_row_limit_is_checked(rdf, limit):
    with pytest.raises(QueryRejected, match="row limit"):
        run_query(rdf, "ASK {}", limit=limit)


@pytest.mark.parametrize("title", sorted(EXAMPLE_QUERIES))
def test_every_example_query_runs(rdf, title):
    check_query(EXAMPLE_QUERIES[title])
    run_query(rdf, EXAMPLE_QUERIES[title], limit=5)
