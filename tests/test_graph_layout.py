"""The readable graph: layered columns, fixed positions, a click that opens the node's page."""

from __future__ import annotations

import json
import random
import re

import networkx as nx
import pytest
from conftest import MINI_CASE

from graph.caseio.deeplink import node_page_url, parse_link
from graph.model.ids import expand
from graph.present.graphview import node_neighbourhood, workup_graph
from graph.present.layout import COLUMN_GAP, LAYERS, layer_of, layered_positions
from graph.present.render import network_html
from graph.workup.pipeline import workup_case


@pytest.fixture(scope="module")
def explanation(mini_kb):
    return workup_graph(mini_kb, workup_case(mini_kb, MINI_CASE), top=3, depth=3)


def _column(kind: str) -> str:
    return LAYERS[layer_of(kind)][0]


@pytest.mark.parametrize(
    "kind, column",
    [
        ("Mechanism", "mechanism"),
        ("Cause", "cause"),
        ("FindingAssociation", "association"),
        ("Finding", "evidence"),
        ("DiagnosticTest", "evidence"),
        ("Drug", "agent"),
        ("Organism", "agent"),
        ("Gene", "agent"),
    ],
)
def test_each_kind_has_its_column(kind, column):
    assert _column(kind) == column


def test_columns_run_mechanism_cause_evidence_agent(explanation):
    positions = layered_positions(explanation)
    x_of_kind: dict[str, set[float]] = {}
    for node, kind in explanation.nodes(data="kind"):
        x_of_kind.setdefault(kind, set()).add(positions[node][0])
    assert {"Mechanism", "Cause", "Finding", "Drug"} <= set(x_of_kind)
    for kind, xs in x_of_kind.items():
        assert xs == {layer_of(kind) * COLUMN_GAP}, kind  # every node of a kind in one column
    assert max(x_of_kind["Mechanism"]) < min(x_of_kind["Cause"]) < min(x_of_kind["Finding"]) < min(x_of_kind["Drug"])
    causes = sorted((n for n, k in explanation.nodes(data="kind") if k == "Cause"), key=lambda n: positions[n][1])
    assert [explanation.nodes[n]["rank"] for n in causes] == sorted(explanation.nodes[n]["rank"] for n in causes)
    column_rows = {}
    for x, y in positions.values():
        column_rows.setdefault(x, []).append(y)
    for ys in column_rows.values():
        assert len(set(ys)) == len(ys)  # no two nodes of a column on top of each other


def test_positions_do_not_depend_on_build_order(explanation):
    expected = layered_positions(explanation)
    nodes = list(explanation.nodes(data=True))
    edges = list(explanation.edges(data=True))
    for seed in range(3):
        random.Random(seed).shuffle(nodes)
        random.Random(seed).shuffle(edges)
        shuffled = nx.DiGraph()
        shuffled.add_nodes_from(nodes)
        shuffled.add_edges_from(edges)
        assert layered_positions(shuffled) == expected


def test_the_layered_page_uses_these_positions_with_physics_off(explanation):
    page = network_html(explanation, layout="layered")
    drawn = json.loads(re.search(r"nodes = new vis.DataSet\((\[.*?\])\);", page).group(1))
    positions = layered_positions(explanation)
    assert sorted((n["x"], n["y"]) for n in drawn) == sorted(positions.values())
    assert all(n["physics"] is False for n in drawn)
    for n in drawn:  # truncated on the canvas; the full label stays in the tooltip
        assert len(re.sub(r"^#\d+ ", "", n["label"])) <= 30
    H = nx.DiGraph()
    long = "Autoimmune neutropenia of infancy with antibodies <b>against HNA-1a</b>"
    H.add_node("c", kind="Cause", label=long, rank=1)
    (node,) = json.loads(
        re.search(r"nodes = new vis.DataSet\((\[.*?\])\);", network_html(H, layout="layered")).group(1)
    )
    assert node["label"] == "#1 Autoimmune neutropenia of inf…"
    assert long in node["title"] and "<b>against" not in page  # the full label on hover, as JSON-escaped plain text


def test_a_node_page_url_is_escaped_and_leads_back_to_the_node(mini_kb):
    node = expand("drug:clozapine")
    url = node_page_url(node)
    assert url == "?view=explore&node=drug%3Aclozapine"
    assert node_page_url('x"<script>&view=curate') == "?view=explore&node=x%22%3Cscript%3E%26view%3Dcurate"
    params = dict(part.split("=") for part in url[1:].split("&"))
    from urllib.parse import unquote

    link, problems = parse_link(
        {key: unquote(value) for key, value in params.items()}, is_node=lambda iri: iri in mini_kb.graph
    )
    assert (link.view, link.node, problems) == ("explore", node, [])


def test_clicking_a_drawn_node_opens_its_page(mini_kb, explanation):
    drug = expand("drug:clozapine")
    for H in (explanation, node_neighbourhood(mini_kb, drug, depth=1)):
        page = network_html(H, layout="layered")
        drawn = json.loads(re.search(r"nodes = new vis.DataSet\((\[.*?\])\);", page).group(1))
        pages = {n["page"] for n in drawn if "page" in n}
        assert node_page_url(drug) in pages
        assert all(p.startswith("?view=explore&node=") for p in pages)
        assert 'network.on("click"' in page and "window.open(node.page" in page
    mechanisms = [n for n, k in explanation.nodes(data="kind") if k == "Mechanism"]
    assert mechanisms and all("page" not in explanation.nodes[n] for n in mechanisms)  # no page to open
