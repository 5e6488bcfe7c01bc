"""The subgraph that explains a ranking: patient findings -> associations -> causes -> agents, mechanisms.

Built from each candidate's evidence paths, so it shows exactly what the score used.  Returns a
new ``networkx.DiGraph`` (the knowledge graph itself is frozen and never styled).

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 300, "findings": ["Fever"]})
>>> H = explanatory_subgraph(kb, w, top=3)
>>> sum(1 for _, kind in H.nodes(data="kind") if kind == "Cause")
3
"""

from __future__ import annotations

import networkx as nx

from ..kb.knowledge import KnowledgeBase
from ..model.ids import curie
from ..model.results import Workup

__all__ = ["explanatory_subgraph", "neighbourhood"]


def _add_node(H: nx.DiGraph, kb: KnowledgeBase, node: str, kind: str | None = None, **attrs: object) -> None:
    if node not in H:
        known = kb.graph.nodes[node].get("kind") if node in kb.graph else None
        H.add_node(node, kind=kind or known or "Finding", label=kb.label(node), curie=curie(node), **attrs)
    else:
        H.nodes[node].update(attrs)


def explanatory_subgraph(kb: KnowledgeBase, workup: Workup, top: int = 5, min_weight: float = 0.0) -> nx.DiGraph:
    """Findings, associations, agents and contexts behind the first ``top`` candidates.

    Edges carry ``weight`` (|log likelihood ratio|), ``direction`` ("for"/"against") and
    ``sources``; evidence weaker than ``min_weight`` is left out.
    """
    H = nx.DiGraph()
    for candidate in workup.candidates[:top]:
        cause = kb.causes[candidate.cause]
        _add_node(H, kb, cause.id, "Cause", rank=candidate.rank, score=candidate.score)
        mechanism = f"mechanism:{cause.mechanism}"
        H.add_node(mechanism, kind="Mechanism", label=cause.mechanism, curie=cause.mechanism)
        H.add_edge(cause.id, mechanism, weight=1.0, direction="for", sources=(), kind="mechanism")
        for agent in candidate.agents:
            _add_node(H, kb, agent)
            H.add_edge(agent, cause.id, weight=1.0, direction="for", sources=(), kind="implicated")
        for evidence in candidate.evidence:
            if evidence.kind == "prior" or len(evidence.path) < 2 or abs(evidence.log_lr) < min_weight:
                continue
            *path, end = evidence.path
            for node in path:
                if node.startswith("http"):
                    _add_node(H, kb, node, observed=evidence.kind != "absent-finding" or None)
            nodes = [*path, end]
            for source, target in zip(nodes, nodes[1:], strict=False):
                H.add_edge(
                    source,
                    target,
                    weight=abs(evidence.log_lr),
                    direction=evidence.direction,
                    sources=evidence.sources,
                    kind=evidence.kind,
                    label=evidence.label,
                )
    return H


def neighbourhood(kb: KnowledgeBase, node: str, depth: int = 1) -> nx.DiGraph:
    """A copy of the knowledge graph around one node, ``depth`` steps in either direction."""
    if node not in kb.graph:
        from ..model.errors import NodeNotFound

        raise NodeNotFound(f"node {curie(node)} is not in the knowledge graph; search by label first")
    undirected = kb.graph.to_undirected(as_view=True)
    nearby = nx.single_source_shortest_path_length(undirected, node, cutoff=depth)
    H = nx.DiGraph()
    for item in nearby:
        _add_node(H, kb, item)
    for source, target, key in kb.graph.subgraph(nearby).edges(keys=True):
        H.add_edge(source, target, kind=key, weight=1.0, direction="for", sources=())
    return H
