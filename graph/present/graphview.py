"""The graphs the app draws: a workup's explanation cut to a depth, and a node's neighbourhood.

Both return a new ``networkx.DiGraph`` with the node attributes ``kind``, ``label``, ``curie``
and edge attributes ``weight``, ``direction``, ``sources``, ``kind``, ``label`` that
:func:`graph.present.render.network_html` reads.  The knowledge graph itself is never changed.

* :func:`workup_graph` starts from :func:`graph.workup.subgraph.explanatory_subgraph` (findings ->
  associations -> causes -> agents, mechanisms) and keeps what lies within ``depth`` steps of the
  candidate causes; depth 3 adds each cause's confirmatory tests and treatments.
* :func:`node_neighbourhood` reads the graph at the level a reader thinks in: an association
  becomes one labelled edge (finding -> cause "in 45% of cases"), and mechanisms, categories and
  other schema terms are shown but not walked through, so a neighbourhood does not swell to every
  cause that shares a mechanism.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> from graph.model.ids import expand
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 300, "findings": ["Fever"]})
>>> sorted({kind for _, kind in workup_graph(kb, w, top=2, depth=1).nodes(data="kind")} - {"Drug", "Organism"})
['Cause', 'FindingAssociation', 'Mechanism']
>>> H = node_neighbourhood(kb, expand("drug:clozapine"), depth=1)
>>> any(kind == "Cause" for _, kind in H.nodes(data="kind"))
True
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import networkx as nx

from ..caseio.deeplink import node_page_url
from ..kb.knowledge import KnowledgeBase
from ..model.errors import NodeNotFound, UsageError
from ..model.ids import SCHEMA, curie
from ..model.results import Workup
from ..workup.subgraph import explanatory_subgraph

__all__ = ["MAX_DEPTH", "workup_graph", "semantic_graph", "node_neighbourhood", "link_pages"]

MAX_DEPTH = 3
_ASSOCIATIONS = ("FindingAssociation", "AgentAssociation", "ContextAssociation")


def _check(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return value


def workup_graph(
    kb: KnowledgeBase, workup: Workup, top: int = 3, depth: int = 2, min_weight: float = 0.0
) -> nx.DiGraph:
    """The explanation of the first ``top`` candidates, cut to ``depth`` steps from the causes.

    Depth 1 shows causes, mechanisms, implicated agents and the associations that scored;
    depth 2 adds the patient's findings, agents and contexts behind those associations; depth 3
    adds each cause's confirmatory tests and treatments from the knowledge graph.
    Association nodes are labelled with what they contributed (``Fever present (exact): in 45% of cases``).

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.workup.pipeline import workup_case
    >>> kb = load_knowledge_base()
    >>> w = workup_case(kb, {"id": "x", "anc": 300, "findings": ["Fever"]})
    >>> workup_graph(kb, w, top=1, depth=3).number_of_nodes() > workup_graph(kb, w, top=1, depth=2).number_of_nodes()
    True
    """
    _check("top", top, 1, 20)
    _check("depth", depth, 1, MAX_DEPTH)
    H = explanatory_subgraph(kb, workup, top=top, min_weight=min_weight)
    for node, kind in list(H.nodes(data="kind")):
        if kind in _ASSOCIATIONS:
            into = [data.get("label") for _, _, data in H.in_edges(node, data=True) if data.get("label")]
            H.nodes[node]["label"] = "; ".join(dict.fromkeys(into)) or H.nodes[node]["label"]
    causes = [node for node, kind in H.nodes(data="kind") if kind == "Cause"]
    reach = min(depth, 2)
    distance = (
        nx.multi_source_dijkstra_path_length(
            H.to_undirected(as_view=True), causes, cutoff=reach, weight=lambda u, v, d: 1
        )
        if causes
        else {}
    )
    H = nx.DiGraph(H.subgraph(distance))
    if depth >= 3:
        for cause in causes:
            info = kb.causes[cause]
            for test in info.tests:
                _add(H, kb, test)
                H.add_edge(
                    cause, test, weight=1.0, direction="for", sources=(), kind="confirmedBy", label="confirmed by"
                )
            for treatment in info.treatments:
                _add(H, kb, treatment)
                H.add_edge(
                    cause, treatment, weight=1.0, direction="for", sources=(), kind="treatedWith", label="treated with"
                )
    return link_pages(kb, H)


def link_pages(kb: KnowledgeBase, H: nx.DiGraph) -> nx.DiGraph:
    """Give every node of ``H`` that has a node page the attribute ``page``: the URL of that page.

    Nodes the explore view cannot open (a mechanism drawn from a cause's text) get none.  ``H`` is
    changed in place and returned.
    """
    for node in H.nodes:
        if node in kb.graph or node in kb.hpo:
            H.nodes[node]["page"] = node_page_url(node)
    return H


def _add(H: nx.DiGraph, kb: KnowledgeBase, node: str, **attrs: object) -> None:
    if node not in H:
        kind = kb.graph.nodes[node].get("kind", "Unknown") if node in kb.graph else "Finding"
        label = kb.label(node)
        if node.startswith(SCHEMA):
            label = label if label != curie(node) else curie(node).split(":", 1)[1]
        H.add_node(node, kind=kind, label=label, curie=curie(node), **attrs)


#: ``link(source, target, kind, label, sources=(), direction="for", weight=1.0)``: one labelled edge
_Link = Callable[..., None]


def _cause_links(
    kb: KnowledgeBase, cause_id: str, tests: tuple[str, ...], treatments: tuple[str, ...], link: _Link
) -> None:
    """A cause's mechanism, category, tests and treatments, its findings and its ancestry priors."""
    for key in ("mechanism", "category"):
        for _, target, edge in kb.graph.out_edges(cause_id, keys=True):
            if edge == key:
                link(cause_id, target, key, key)
    for test in tests:
        link(cause_id, test, "confirmedBy", "confirmed by")
    for treatment in treatments:
        link(cause_id, treatment, "treatedWith", "treated with")
    for assoc in kb.finding_assocs.get(cause_id, ()):
        direction = "against" if assoc.polarity == "opposes" else "for"
        label = f"in {assoc.frequency:.0%} of cases"
        link(assoc.finding, cause_id, "finding", label, assoc.sources, direction, 1.0 + 2.0 * assoc.frequency)
    for modifier in kb.priors.get(cause_id, ()):
        if modifier.ancestry:
            link(modifier.ancestry, cause_id, "prior", f"prior x{modifier.multiplier:g}", modifier.sources)


def _agent_links(kb: KnowledgeBase, link: _Link) -> None:
    """Agent -> cause, labelled with the likelihood ratio and its timing window."""
    for agent, agent_assocs in kb.agent_assocs.items():
        for exposure in agent_assocs:
            window = ""
            if exposure.window is not None:
                anchor = "first dose" if exposure.window.anchor == "start" else "last dose"
                window = f" ({anchor} {exposure.window.typical_min:g}-{exposure.window.typical_max:g} days)"
            link(
                agent,
                exposure.cause,
                "agent",
                f"LR {exposure.likelihood_ratio:g}{window}",
                exposure.sources + (exposure.window.sources if exposure.window else ()),
                "for" if exposure.likelihood_ratio >= 1 else "against",
                1.0 + min(exposure.likelihood_ratio, 50) / 10,
            )


def _context_and_result_links(kb: KnowledgeBase, link: _Link) -> None:
    """Context -> cause, and test -> the finding or organism a result indicates."""
    for context, context_assocs in kb.context_assocs.items():
        for setting in context_assocs:
            direction = "for" if setting.likelihood_ratio >= 1 else "against"
            link(context, setting.cause, "context", f"LR {setting.likelihood_ratio:g}", setting.sources, direction)
    for test_id, diagnostic in kb.tests.items():
        for rule in diagnostic.rules:
            target = rule.finding or rule.organism
            if target:
                verdict = "shows" if rule.present else "rules out"
                link(test_id, target, "result", f"result {verdict}", (), "for" if rule.present else "against")


def semantic_graph(kb: KnowledgeBase) -> nx.DiGraph:
    """The knowledge graph with each association folded into one labelled edge (a new graph).

    Edges: finding -> cause (``in 45% of cases``, against when the association opposes), agent
    -> cause (``LR 40``), context -> cause, ancestry group -> cause (prior), cause -> mechanism,
    category, test and treatment, and test -> the finding or organism a result indicates.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.model.ids import expand
    >>> G = semantic_graph(load_knowledge_base())
    >>> G.edges[expand("drug:clozapine"), expand("cause:clozapine-agranulocytosis")]["label"]
    'LR 40 (first dose 14-126 days)'
    """
    H = nx.DiGraph()

    def link(
        source: str,
        target: str,
        kind: str,
        label: str,
        sources: tuple[str, ...] = (),
        direction: str = "for",
        weight: float = 1.0,
    ) -> None:
        _add(H, kb, source)
        _add(H, kb, target)
        H.add_edge(source, target, kind=kind, label=label, sources=sources, direction=direction, weight=weight)

    for cause_id, cause in kb.causes.items():
        _cause_links(kb, cause_id, cause.tests, cause.treatments, link)
    _agent_links(kb, link)
    _context_and_result_links(kb, link)
    return H


def node_neighbourhood(kb: KnowledgeBase, node: str, depth: int = 1, max_nodes: int = 80) -> nx.DiGraph:
    """The part of :func:`semantic_graph` within ``depth`` steps of ``node`` (at most ``max_nodes``).

    Schema terms (mechanisms, categories) are included but not walked through.  When the limit
    is reached the nearest nodes are kept and the graph's ``truncated`` attribute is true.

    Raises
    ------
    NodeNotFound
        When ``node`` is neither in the knowledge graph nor an HPO term it uses.
    """
    _check("depth", depth, 1, MAX_DEPTH)
    _check("max_nodes", max_nodes, 2, 1000)
    G = semantic_graph(kb)
    if node not in G:
        if node in kb.graph or node in kb.hpo:
            H = nx.DiGraph(truncated=False)
            _add(H, kb, node)
            return link_pages(kb, H)
        raise NodeNotFound(f"node {curie(node)} is not in the knowledge graph; search by label first")
    undirected = G.to_undirected(as_view=True)
    seen = {node: 0}
    queue = deque([node])
    truncated = False
    while queue:
        current = queue.popleft()
        if seen[current] >= depth or (current != node and current.startswith(SCHEMA)):
            continue
        for neighbour in sorted(undirected[current], key=lambda n: (G.nodes[n]["kind"], G.nodes[n]["label"])):
            if neighbour in seen:
                continue
            if len(seen) >= max_nodes:
                truncated = True
                break
            seen[neighbour] = seen[current] + 1
            queue.append(neighbour)
    H = nx.DiGraph(G.subgraph(seen))
    H.graph["truncated"] = truncated
    H.nodes[node]["focus"] = True
    return link_pages(kb, H)
