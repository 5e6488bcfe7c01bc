"""The explore view: search any node, browse causes by mechanism and category, a page per node."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from graph.caseio.deeplink import DeepLink
from graph.kb.knowledge import KnowledgeBase
from graph.model.errors import NeutropeniaKGError
from graph.present.graphview import MAX_DEPTH, node_neighbourhood
from graph.present.nodepage import NodePage, node_page
from graph.present.search import SEARCH_KINDS, causes_by_mechanism, public_id, search_nodes
from ui.show import link_md, links_md, md, show_graph

__all__ = ["show"]

_KIND_NAMES = {"DiagnosticTest": "Test"}


def _kind(kind: str) -> str:
    """A node kind for people: 'Test', else the class name in words ('PriorModifier' -> 'Prior modifier')."""
    return _KIND_NAMES.get(kind) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind).capitalize()


def _open(node: str | None) -> None:
    if node:
        st.session_state["explore_node"] = node


def _on_pick(widget: str) -> None:
    _open(st.session_state.get(widget))


def _search(kb: KnowledgeBase) -> None:
    query = st.text_input(
        "Search causes, drugs, organisms, genes, findings, tests, treatments",
        key="explore-query",
        persist_state="session",
        placeholder="e.g. clozapine, HP:0001945, ELANE",
    )
    kinds = st.multiselect(
        "Kinds",
        SEARCH_KINDS,
        default=list(SEARCH_KINDS),
        key="explore-kinds",
        persist_state="session",
        format_func=_kind,
    )
    if query.strip():
        hits = search_nodes(kb, query, kinds=kinds, limit=40)
        if not hits:
            st.info("No node matches; try a shorter or different name.")
            return
        labels = {
            h.node: f"{h.label} · {_kind(h.kind)}"
            + (f" · {public_id(kb, h.node)}" if public_id(kb, h.node) else "")  # never the ontology's own id
            + (f" (matched “{h.matched}”)" if h.matched not in (h.label, h.curie) else "")
            for h in hits
        }
        st.selectbox(
            f"{len(hits)} matches — open one",
            list(labels),
            index=None,
            key="explore-hit",
            on_change=_on_pick,
            args=("explore-hit",),
            format_func=labels.__getitem__,
            placeholder="choose a match",
        )


def _browse(kb: KnowledgeBase) -> None:
    tree = causes_by_mechanism(kb)
    with st.expander("Browse causes by mechanism and category"):
        for mechanism, categories in tree.items():
            st.markdown(f"**{md(mechanism.capitalize())}**")
            for category, causes in categories.items():
                st.markdown(f"- _{md(category)}_: " + ", ".join(md(label) for _, label in causes))
        options = [cause for categories in tree.values() for causes in categories.values() for cause, _ in causes]
        st.selectbox(
            "Open a cause",
            options,
            index=None,
            key="explore-browse",
            on_change=_on_pick,
            args=("explore-browse",),
            placeholder="choose a cause",
            format_func=lambda c: f"{kb.causes[c].mechanism} › {kb.causes[c].category} › {kb.label(c)}",
        )


def _page(kb: KnowledgeBase, page: NodePage) -> None:
    st.header(md(page.label))
    st.caption(f"{md(_kind(page.kind))} · {link_md(page.id_link)}")
    if page.definition:
        st.markdown(md(page.definition))
    if page.synonyms:
        st.markdown("**Also called:** " + "; ".join(md(s) for s in page.synonyms))
    if page.xrefs:
        st.markdown("**Standard identifiers:** " + links_md(page.xrefs))
    st.dataframe(pd.DataFrame(page.facts, columns=["", "Value"]), hide_index=True)
    if page.management:
        st.markdown(f"**Management:** {md(page.management)}")
    related: dict[str, str] = {}
    for section in page.sections:
        st.subheader(md(section.title))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Name": r.label,
                        "Kind": _kind(r.kind),
                        "Detail": r.detail,
                        "Sources": ", ".join(s.text for s in r.sources),
                    }
                    for r in section.relations
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        for relation in section.relations:
            if relation.node in kb.graph or relation.node in kb.hpo:
                related.setdefault(relation.node, f"{relation.label} · {_kind(relation.kind)}")
    if page.sources:
        st.markdown("**Sources:** " + links_md(page.sources))
    if related:
        st.selectbox(
            "Go to a related node",
            list(related),
            index=None,
            key=f"explore-related-{page.node}",
            on_change=_on_pick,
            args=(f"explore-related-{page.node}",),
            format_func=related.__getitem__,
            placeholder="choose a node",
        )


def _neighbourhood(kb: KnowledgeBase, node: str) -> None:
    st.subheader("Neighbourhood")
    left, right = st.columns(2)
    depth = left.select_slider(
        "Depth", options=list(range(1, MAX_DEPTH + 1)), value=2, key="explore-depth", persist_state="session"
    )
    limit = right.slider("At most this many nodes", 10, 200, 60, 10, key="explore-limit", persist_state="session")
    H = node_neighbourhood(kb, node, depth=depth, max_nodes=limit)
    note = " (cut at the limit; nearest nodes kept)" if H.graph.get("truncated") else ""
    st.caption(
        f"{H.number_of_nodes()} nodes{note}. Mechanisms and categories are shown but not expanded; "
        "dashed edges argue against; hover for the source."
    )
    show_graph(H, 520, "force", f"Neighbourhood of {kb.label(node)}")


def show(kb: KnowledgeBase, link: DeepLink) -> DeepLink:
    """Draw the explore view; returns the deep link of the node shown."""
    st.title("Explore the knowledge graph")
    if "explore_node" not in st.session_state and link.node:
        st.session_state["explore_node"] = link.node
    _search(kb)
    _browse(kb)
    node = st.session_state.get("explore_node")
    if not node:
        st.info("Search for a node or open a cause to see its page and neighbourhood.")
        return DeepLink(view="explore")
    try:
        _page(kb, node_page(kb, node))
        _neighbourhood(kb, node)
    except NeutropeniaKGError as error:
        st.error(md(str(error)))
        st.session_state.pop("explore_node", None)
        return DeepLink(view="explore")
    return DeepLink(view="explore", node=node)
