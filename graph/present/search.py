"""Find nodes of the knowledge graph by name or id, and browse the causes by mechanism and category.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> hit = search_nodes(kb, "clozapine", limit=3)[0]
>>> hit.label, hit.kind, hit.curie
('clozapine', 'Drug', 'drug:clozapine')
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NodeNotFound
from ..model.ids import curie, expand
from ..model.text import normalise

__all__ = ["SEARCH_KINDS", "SearchHit", "find_node", "search_nodes", "causes_by_mechanism", "public_id"]

#: Kinds a search covers, in the order results are grouped.
SEARCH_KINDS = ("Cause", "Drug", "Organism", "Gene", "Finding", "DiagnosticTest", "Treatment", "Condition", "Exposure")


@dataclass(frozen=True)
class SearchHit:
    """A node whose label, synonym, id or xref matched a search, and the name that matched."""

    node: str
    curie: str
    label: str
    kind: str
    matched: str


def find_node(kb: KnowledgeBase, text: str) -> str:
    """The node named by a CURIE or IRI (``drug:clozapine``, ``HP:0001945``).

    Raises
    ------
    NodeNotFound
        When no node of the knowledge graph (or HPO term) has that id.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> find_node(load_knowledge_base(), "HP:0001945")
    'http://purl.obolibrary.org/obo/HP_0001945'
    """
    iri = expand(text.strip())
    if iri in kb.graph or iri in kb.hpo:
        return iri
    raise NodeNotFound(f"{text!r} is not a node of the knowledge graph; search by name instead")


def public_id(kb: KnowledgeBase, node: str) -> str:
    """The standard identifier a user may know the node by (HP:0001945, DrugBank:DB00363, NCBITaxon:…),
    or "" for a node that has only the ontology's own id (which a user never needs to see).

    >>> from graph.kb.knowledge import load_knowledge_base
    >>> from graph.model.ids import expand
    >>> kb = load_knowledge_base()
    >>> public_id(kb, expand("HP:0001945")), public_id(kb, expand("drug:clozapine"))
    ('HP:0001945', 'DrugBank:DB00363')
    """
    name = curie(node)
    if name.startswith("HP:"):
        return name
    info = kb.node_info(node)
    return info.xrefs[0] if info is not None and info.xrefs else ""


def _names(kb: KnowledgeBase, node: str) -> Iterable[str]:
    info = kb.node_info(node)
    if info is not None:
        return (info.label, *info.synonyms, *info.xrefs, curie(node))
    finding = kb.findings.get(node)
    if finding is not None:
        return (finding.label, *finding.synonyms, curie(node))
    return (kb.label(node), curie(node))


def search_nodes(kb: KnowledgeBase, text: str, kinds: Iterable[str] = SEARCH_KINDS, limit: int = 30) -> list[SearchHit]:
    """Nodes whose name contains ``text`` (normalised), best matches first: exact, then prefix, then inside.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> [h.curie for h in search_nodes(load_knowledge_base(), "HP:0001945")]
    ['HP:0001945']
    """
    wanted = normalise(text)
    if not wanted:
        return []
    allowed = set(kinds)
    scored = []
    for node, kind in kb.graph.nodes(data="kind"):
        if kind not in allowed:
            continue
        best = None
        for name in _names(kb, node):
            key = normalise(str(name))
            score = 0 if key == wanted else 1 if key.startswith(wanted) else 2 if wanted in key else None
            if score is not None and (best is None or score < best[0]):
                best = (score, str(name))
        if best is not None:
            scored.append(
                (
                    best[0],
                    SEARCH_KINDS.index(kind) if kind in SEARCH_KINDS else 99,
                    kb.label(node).lower(),
                    SearchHit(node, curie(node), kb.label(node), kind, best[1]),
                )
            )
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]


def causes_by_mechanism(kb: KnowledgeBase) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """mechanism -> category -> [(cause id, label)], each level sorted by name.

    Examples
    --------
    >>> from graph.kb.knowledge import load_knowledge_base
    >>> sorted(causes_by_mechanism(load_knowledge_base()))
    ['abnormal distribution', 'decreased production', 'increased destruction']
    """
    tree: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for cause in kb.causes.values():
        tree[cause.mechanism][cause.category].append((cause.id, cause.label))
    return {
        m: {c: sorted(items, key=lambda i: i[1].lower()) for c, items in sorted(cats.items())}
        for m, cats in sorted(tree.items())
    }
