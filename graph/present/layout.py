"""Fixed, layered positions for an explanation graph: mechanism, cause, association, evidence, agent.

Each node kind sits in one column (its *layer*), read from left to right as the explanation is
read: the mechanism, the cause it acts through, the associations that scored, the evidence
(findings, tests, contexts) and the agents (drugs, organisms, genes).  Within a column nodes are
ordered by the mean row of their neighbours in the columns already placed (one barycentre sweep,
causes by rank), ties broken by label and id, so the same graph always gets the same positions
whatever the order it was built in.  Pure networkx; the drawing is :mod:`graph.present.render`.

Examples
--------
>>> import networkx as nx
>>> H = nx.DiGraph()
>>> H.add_node("c", kind="Cause", label="Sepsis", rank=1)
>>> H.add_node("m", kind="Mechanism", label="consumption")
>>> H.add_node("f", kind="Finding", label="Fever")
>>> H.add_node("d", kind="Drug", label="clozapine")
>>> H.add_edges_from([("c", "m"), ("f", "c"), ("d", "c")])
>>> positions = layered_positions(H)
>>> [positions[n][0] for n in ("m", "c", "f", "d")]
[0.0, 280.0, 840.0, 1120.0]
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

__all__ = ["LAYERS", "COLUMN_GAP", "ROW_GAP", "layer_of", "layered_positions"]

#: the columns from left to right, each with the node kinds it holds
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mechanism", ("Mechanism", "Category")),
    ("cause", ("Cause",)),
    ("association", ("FindingAssociation", "AgentAssociation", "ContextAssociation", "PriorModifier", "TimingWindow")),
    ("evidence", ("Finding", "DiagnosticTest", "Treatment", "Condition", "Exposure", "AncestryGroup")),
    ("agent", ("Drug", "Organism", "Gene")),
)
_LAYER: Mapping[str, int] = {kind: number for number, (_, kinds) in enumerate(LAYERS) for kind in kinds}
_OTHER_LAYER = 2  # a kind the schema adds later sits with the associations, between cause and evidence
COLUMN_GAP = 280.0
ROW_GAP = 46.0


def layer_of(kind: str) -> int:
    """The column of a node kind (0 = mechanism ... 4 = agent).

    Examples
    --------
    >>> layer_of("Mechanism"), layer_of("Cause"), layer_of("Finding"), layer_of("Gene")
    (0, 1, 3, 4)
    """
    return _LAYER.get(kind, _OTHER_LAYER)


def layered_positions(H: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """The ``(x, y)`` of every node of ``H``: x by layer, y by order within the layer, centred on 0."""
    columns: dict[int, list[str]] = {}
    for node, kind in H.nodes(data="kind"):
        columns.setdefault(layer_of(str(kind or "")), []).append(node)
    undirected = H.to_undirected(as_view=True)
    row: dict[str, float] = {}

    def label(node: str) -> str:
        return str(H.nodes[node].get("label") or node)

    def rank(node: str) -> float:
        value = H.nodes[node].get("rank")
        return float(value) if value is not None else float("inf")

    # causes first (by rank), then the columns to their left and right, each by its placed neighbours
    order = [1, 0, *range(2, len(LAYERS))]
    order += sorted(set(columns) - set(order))
    for layer in order:
        nodes = columns.get(layer, [])

        def key(node: str, layer: int = layer) -> tuple[float, float, str, str]:
            placed = [row[n] for n in undirected[node] if n in row]
            centre = sum(placed) / len(placed) if placed else float("inf")
            return (rank(node) if layer == 1 else centre, centre, label(node), node)

        ranked = sorted(nodes, key=key)
        offset = (len(ranked) - 1) / 2
        for number, node in enumerate(ranked):
            row[node] = (number - offset) * ROW_GAP
    return {node: (layer_of(str(H.nodes[node].get("kind") or "")) * COLUMN_GAP, row[node]) for node in H.nodes}
