"""The knowledge base and SPARQL from a real Oxigraph server that the test starts on localhost.

The ``oxigraph`` package (test extra) ships the server binary; the test loads the bundled Turtle
files into a store with the same command the README gives and serves it read-only.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graph.cli.cli import main
from graph.kb.ontology import load_triples

ROOT = Path(__file__).resolve().parent.parent
CASE = sorted((ROOT / "examples").glob("*.json"))[0]
SERVER = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    if SERVER is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    store = tmp_path_factory.mktemp("oxigraph-store")
    _, files = load_triples(ROOT / "ontology" / "neutropenia.ttl")
    subprocess.run([SERVER, "load", "--location", str(store), "--file", *map(str, files)], check=True)
    port = _free_port()
    server = subprocess.Popen(
        [SERVER, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rank_from_the_store_matches_rank_from_the_bundled_files(endpoint, capsys):
    code, local, _ = _run(["rank", str(CASE), "--format", "json"], capsys)
    assert code == 0
    code, remote, err = _run(["--sparql-endpoint", endpoint, "rank", str(CASE), "--format", "json"], capsys)
    assert code == 0, err

    candidates = json.loads(local)["candidates"]
    assert json.loads(remote)["candidates"] == candidates and len(candidates) >= 5


def test_a_query_sent_to_the_store_answers_as_the_local_one(endpoint, capsys):
    query = "SELECT ?c ?label WHERE { ?c a nkg:Cause ; rdfs:label ?label } ORDER BY ?c"
    code, local, _ = _run(["sparql", query, "--limit", "5"], capsys)
    assert code == 0
    code, remote, err = _run(["sparql", "--endpoint", endpoint, query, "--limit", "5"], capsys)
    assert code == 0 and remote == local and remote.splitlines()[1].startswith("cause:"), err
    assert "only the first 5 rows" in err
    code, out, _ = _run(["sparql", "--endpoint", endpoint, "ASK { drug:clozapine a nkg:Drug }"], capsys)
    assert (code, out) == (0, "answer\ntrue\n")


def test_an_update_is_refused_before_it_is_sent(endpoint, capsys):
    code, _, err = _run(["sparql", "--endpoint", endpoint, "DELETE WHERE { ?s ?p ?o }"], capsys)
    assert code == 2 and "read-only" in err and err.count("\n") == 1


def test_a_store_that_is_not_running_is_one_clear_line(capsys):
    url = f"http://127.0.0.1:{_free_port()}/query"
    code, _, err = _run(["--sparql-endpoint", url, "rank", str(CASE)], capsys)
    assert code == 2 and "cannot reach the SPARQL store" in err and err.count("\n") == 1 and "Traceback" not in err
