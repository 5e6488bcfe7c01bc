"""SPARQL under limits: a runaway query is stopped at the time or memory limit, its worker killed, and the
next query answered by a new worker."""

from __future__ import annotations

import pytest

from graph.curate.sparql import QueryRejected
from graph.curate.sparqlworker import QueryStopped, SparqlWorker

#: every triple times every triple times every triple, sorted: grows without bound
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
#: a nested-quantifier REGEX: each extra character doubles the time
EXPONENTIAL_REGEX = 'ASK { FILTER(REGEX("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a|a)*$")) }'


@pytest.fixture()
def worker(mini_dir):
    with SparqlWorker(mini_dir / "neutropenia.ttl", timeout=3, memory_mb=10_000) as running:
        yield running


def test_a_query_is_answered_and_the_worker_kept(worker):
    assert worker.run("ASK { ?s ?p ?o }").rows == (("true",),)
    assert worker.alive
    result = worker.run("SELECT ?s WHERE { ?s ?p ?o }", limit=2)
    assert len(result.rows) == 2 and result.truncated


def test_a_refused_query_never_starts_a_worker(worker):
    with pytest.raises(QueryRejected, match="read-only"):
        worker.run("DELETE WHERE { ?s ?p ?o }")
    assert not worker.alive


@pytest.mark.parametrize("query", [CROSS_PRODUCT, EXPONENTIAL_REGEX], ids=["cross-product", "regex"])
def test_a_runaway_query_is_stopped_at_the_time_limit_and_the_next_one_answered(worker, query):
    worker.run("ASK { ?s ?p ?o }")
    process = worker._process
    with pytest.raises(QueryStopped, match="stopped after 3 s, the time limit; narrow it"):
        worker.run(query)
    assert not worker.alive and process is not None and not process.is_alive()
    assert worker.run("ASK { ?s ?p ?o }").rows == (("true",),)  # a new worker


def test_a_query_that_grows_is_stopped_at_the_memory_limit(mini_dir):
    with SparqlWorker(mini_dir / "neutropenia.ttl", timeout=120, memory_mb=40) as worker:
        with pytest.raises(QueryStopped, match="over the limit of 40 MB"):
            worker.run(CROSS_PRODUCT)
        assert not worker.alive


def test_dropping_the_worker_kills_its_process(mini_dir):
    worker = SparqlWorker(mini_dir / "neutropenia.ttl")
    worker.run("ASK { ?s ?p ?o }")
    process = worker._process
    assert process is not None and process.is_alive()
    del worker  # as when Streamlit drops a closed session's state
    import gc

    gc.collect()
    process.join(5)
    assert not process.is_alive()


def test_a_warmed_worker_starts_reading_at_once_and_answers_the_first_query(mini_dir):
    with SparqlWorker(mini_dir / "neutropenia.ttl", timeout=30, memory_mb=10_000) as worker:
        assert not worker.alive
        worker.warm()  # returns without waiting for the ontology to be read
        assert worker.alive
        pid = worker._process.pid
        worker.warm()  # a second call keeps the same process
        assert worker._process.pid == pid
        result = worker.run("SELECT ?c WHERE { ?c a nkg:Cause }")
        assert len(result.rows) == 4 and worker._process.pid == pid


def test_a_new_user_takes_the_spare_that_has_read_the_ontology_and_a_new_spare_is_started(mini_dir, tmp_path):
    import shutil

    from graph.curate import sparqlworker

    root = mini_dir / "neutropenia.ttl"
    mine = None
    try:
        sparqlworker.keep_spare(root, 30, 10_000)
        (spare,) = sparqlworker._SPARES.values()
        spare._start()  # the spare has read the ontology before anyone asks
        sparqlworker.keep_spare(root, 30, 10_000)  # another page: the same spare, no second process
        assert list(sparqlworker._SPARES.values()) == [spare]
        mine = sparqlworker.take_worker(root, 30, 10_000)
        assert mine is spare and mine._ready  # the first query does not wait for the parse
        assert mine.run("SELECT ?c WHERE { ?c a nkg:Cause }").rows
        (following,) = sparqlworker._SPARES.values()
        assert following is not mine and following.alive  # ready for the next user
        copy = tmp_path / "copy"
        shutil.copytree(mini_dir, copy)
        sparqlworker.keep_spare(copy / "neutropenia.ttl", 30, 10_000)  # another ontology: one spare at a time
        assert not following.alive and len(sparqlworker._SPARES) == 1
        sparqlworker.drop_spares()  # the ontology was edited
        assert sparqlworker._SPARES == {} and mine.alive  # a user's own worker is theirs to keep
    finally:
        sparqlworker.drop_spares()
        if mine is not None:
            mine.stop()
