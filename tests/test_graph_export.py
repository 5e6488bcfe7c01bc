"""`neutropenia-kg export`: each format of the whole graph parses back to the same graph."""

import csv
import json
from contextlib import nullcontext

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.cli.cli import main
from graph.kb.ontology import load_rdf
from graph.model.ids import curie
from graph.present.graph_export import SEPARATOR


@pytest.fixture()
def ontology(mini_dir):
    return str(mini_dir / "neutropenia.ttl")


def test_jsonld_parses_back_to_the_same_rdf(mini_dir, ontology, tmp_path, capsys):
    out = tmp_path / "graph.jsonld"
    assert main(["--ontology", ontology, "export", "--format", "jsonld", "--output", str(out)]) == 0
    assert "wrote" in capsys.readouterr().err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["@context"]["HP"] == "http://purl.obolibrary.org/obo/HP_"
    original, _ = load_rdf(mini_dir / "neutropenia.ttl")
    assert isomorphic(Graph().parse(out, format="json-ld"), original)


def test_graphml_parses_back_with_every_node_edge_and_attribute(mini_kb, ontology, tmp_path, capsys):
    out = tmp_path / "graph.graphml"
    assert main(["--ontology", ontology, "export", "--format", "graphml", "--output", str(out)]) == 0
    back = nx.read_graphml(out, force_multigraph=True)
    assert back.number_of_nodes() == mini_kb.graph.number_of_nodes()
    assert back.number_of_edges() == mini_kb.graph.number_of_edges()
    node = "https://w3id.org/neutropenia-kg/resource/cause/mini-viral"
    assert back.nodes[node]["kind"] == "Cause" and back.nodes[node]["label"] == "Mini viral infection"
    assert back.nodes[node]["altLabel"] == SEPARATOR.join(["glandular fever", "mini virus"])
    assert {d["property"] for _, _, d in back.out_edges(node, data=True)} >= {"mechanism", "category", "confirmedBy"}


def test_csv_writes_nodes_and_edges_that_read_back(mini_kb, ontology, tmp_path, capsys):
    out = tmp_path / "csv"
    assert main(["--ontology", ontology, "export", "--format", "csv", "--output", str(out)]) == 0
    with (out / "nodes.csv").open(encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    with (out / "edges.csv").open(encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    assert len(nodes) == mini_kb.graph.number_of_nodes() and len(edges) == mini_kb.graph.number_of_edges()
    viral = next(row for row in nodes if row["id"] == "cause:mini-viral")
    assert viral["kind"] == "Cause" and viral["xref"] == "ORPHA:99999"
    assert {
        "subject": "cause:mini-viral",
        "predicate": "mechanism",
        "object": curie("https://w3id.org/neutropenia-kg/schema#IncreasedDestruction"),
    } in edges


def test_graphml_goes_to_standard_output_without_output(ontology, capsys):
    assert main(["--ontology", ontology, "export", "--format", "graphml"]) == 0
    assert capsys.readouterr().out.startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--format", "csv"], "give the directory with --output DIR"),
        (["--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_export_mistakes_are_one_line_and_exit_2(ontology, capsys, args, words):
    with pytest.raises(SystemExit) if "invalid" in words else nullcontext():  # argparse exits by itself
        assert main(["--ontology", ontology, "export", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
