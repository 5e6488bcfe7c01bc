"""Parsing with pyoxigraph gives the graph rdflib's parser gives, and starts import only what they need.

A first start (empty cache) parses the Turtle with pyoxigraph and never imports rdflib; a warm
start (compiled cache present) ranks a case without importing rdflib or networkx.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
from rdflib import OWL, Graph, URIRef

from graph.kb.bridge import rdf_to_networkx, triples_to_networkx
from graph.kb.knowledge import graph_to_data
from graph.kb.ontology import load_rdf, load_triples

ROOT = Path(__file__).resolve().parent.parent
CASE = sorted((ROOT / "examples").glob("*.json"))[0]


def _rdflib_parse(root: Path) -> Graph:
    """The merged ontology as rdflib's own Turtle parser reads it (the way it was read before pyoxigraph)."""
    _, files = load_triples(root)
    merged = Graph()
    for file in files:
        merged.parse(data=file.read_text(encoding="utf-8"), format="turtle", publicID=file.as_uri())
    merged.remove((None, OWL.imports, None))
    for file in files:
        merged.remove((URIRef(file.as_uri()), None, None))
    return merged


def test_pyoxigraph_and_rdflib_parsers_compile_the_same_graph():
    root = ROOT / "ontology" / "neutropenia.ttl"
    reference = _rdflib_parse(root)
    triples, _ = load_triples(root)
    assert len(triples) == len(reference)
    expected = graph_to_data(rdf_to_networkx(reference))
    assert graph_to_data(triples_to_networkx(triples)) == expected
    rdf, _ = load_rdf(root)  # the rdflib graph SHACL and SPARQL see is the same graph too
    assert graph_to_data(rdf_to_networkx(rdf)) == expected


def test_the_bridge_fills_the_adjacency_as_networkx_add_edges_from_does():
    """The bridge writes edges into the graph's own tables; successors and predecessors (and their order)
    are those networkx's add_edges_from gives, so every algorithm and view sees the same graph."""
    G = triples_to_networkx(load_triples(ROOT / "ontology" / "neutropenia.ttl")[0])
    H = nx.MultiDiGraph()
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from(G.edges(keys=True, data=True))
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert [(n, list(G.succ[n].items())) for n in G] == [(n, list(H.succ[n].items())) for n in H]
    assert [(n, list(G.pred[n].items())) for n in G] == [(n, list(H.pred[n].items())) for n in H]
    assert all(G._succ[u][v] is G._pred[v][u] for u, v in G.edges())  # one key table per (u, v), as networkx keeps it
    some = next(n for n in G if G.in_degree(n) > 1)
    assert sorted(G.predecessors(some)) == sorted(H.predecessors(some))


def test_an_ill_typed_literal_keeps_its_text_as_rdflib_does(tmp_path):
    ttl = tmp_path / "one.ttl"
    ttl.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://x/a> <http://x/f> "often"^^xsd:decimal, "2"^^xsd:integer, "x"@en, "0.25"^^xsd:decimal .\n',
        encoding="utf-8",
    )
    new = triples_to_networkx(load_triples(ttl)[0])
    old = rdf_to_networkx(_rdflib_parse(ttl))
    assert new.nodes["http://x/a"] == old.nodes["http://x/a"]
    assert [str(v) for v in new.nodes["http://x/a"]["f"]] == ["0.25", "2", "often", "x"]


def _modules_after(command: list[str], cache: Path) -> set[str]:
    """Top-level modules loaded by ``python -m graph COMMAND`` (printed by an atexit hook)."""
    probe = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
        f"sys.argv = ['neutropenia-kg', *{command!r}]\n"
        "runpy.run_module('graph', run_name='__main__')\n"
    )
    env = {**os.environ, "NEUTROPENIA_KG_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # a real ranking was printed
    line = next(t for t in done.stderr.splitlines() if t.startswith("MODULES "))
    return {name.split(".")[0] for name in line.split()[1:]}


def test_a_cold_start_never_imports_rdflib_and_a_warm_rank_neither_rdflib_nor_networkx(tmp_path):
    command = ["rank", str(CASE), "--format", "json"]
    cold = _modules_after(command, tmp_path)
    assert "pyoxigraph" in cold and "rdflib" not in cold
    assert list(tmp_path.glob("kb-*.json")), "the cold start wrote the compiled cache"
    warm = _modules_after(command, tmp_path)
    assert not {"rdflib", "networkx", "pyoxigraph", "pyshacl"} & warm
