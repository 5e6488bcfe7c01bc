"""The explanatory subgraph mirrors the evidence the score used."""

import networkx as nx
import pytest

from graph.model.errors import NodeNotFound
from graph.model.ids import expand
from graph.workup.pipeline import workup_case
from graph.workup.subgraph import explanatory_subgraph, neighbourhood


def test_subgraph_links_findings_through_associations_to_causes(mini_kb):
    workup = workup_case(
        mini_kb,
        {
            "id": "t",
            "anc": 150,
            "findings": ["Fever"],
            "duration_days": 2,
            "labs": {"platelets_per_ul": 250000},
            "medications": [{"name": "clozapine", "started_days_ago": 60}],
        },
    )
    H = explanatory_subgraph(mini_kb, workup, top=2)
    drug = expand("cause:mini-drug")
    fever_assoc = expand("assoc:mini-drug--fever")
    assert H.has_edge(expand("HP:0001945"), fever_assoc) and H.has_edge(fever_assoc, drug)
    assert H.edges[fever_assoc, drug]["direction"] == "for" and H.edges[fever_assoc, drug]["sources"] == ("test",)
    assert H.has_edge(expand("drug:clozapine"), drug)
    assert H.nodes[drug]["rank"] == 1 and H.nodes["mechanism:increased destruction"]["kind"] == "Mechanism"
    assert nx.is_frozen(mini_kb.graph)  # styling happens on the copy only


def test_min_weight_prunes_weak_evidence(mini_kb):
    workup = workup_case(mini_kb, {"id": "t", "anc": 150, "findings": ["Fever"]})
    assert (
        explanatory_subgraph(mini_kb, workup, top=4, min_weight=50).number_of_edges()
        < explanatory_subgraph(mini_kb, workup, top=4).number_of_edges()
    )


def test_neighbourhood_of_a_node(mini_kb):
    H = neighbourhood(mini_kb, expand("drug:clozapine"), depth=2)
    assert expand("cause:mini-drug") in H
    with pytest.raises(NodeNotFound, match="not in the knowledge graph"):
        neighbourhood(mini_kb, expand("drug:nothing"))
