"""Small display helpers shared by the views: escaped Markdown, links, alerts, the graph frame.

Every text from the ontology or a user goes to Streamlit through :func:`md` (or a data frame,
which shows plain text), never as raw Markdown or HTML.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

import networkx as nx
import streamlit as st

from graph.model.errors import NeutropeniaKGError
from graph.model.escape import markdown_text
from graph.model.links import Link
from graph.model.results import Alert
from graph.present.render import Layout, network_html
from graph.workup.differential import Reason

__all__ = [
    "md",
    "link_md",
    "links_md",
    "reasons_md",
    "show_alerts",
    "show_graph",
    "show_page",
    "compact_layout",
    "show_unexpected_error",
]

LOG = logging.getLogger("neutropenia_kg.app")


def md(text: object) -> str:
    """``text`` escaped for Streamlit Markdown (see :func:`graph.model.escape.markdown_text`)."""
    return markdown_text(text)


def link_md(link: Link) -> str:
    """A Markdown link when the identifier has a URL, else the escaped text."""
    return f"[{md(link.text)}]({link.url})" if link.url else md(link.text)


def links_md(links: Iterable[Link]) -> str:
    """Links joined by commas."""
    return ", ".join(link_md(link) for link in links)


def reasons_md(reasons: Iterable[Reason], empty: str) -> str:
    """A Markdown list of scored reasons with likelihood ratio, origin and sources."""
    lines = []
    for reason in reasons:
        line = f"- {md(reason.label)}"
        if "LR" not in reason.label:
            line += f" · LR {reason.likelihood_ratio:.3g}"
        if reason.detail:
            line += f"  \n  _{md(reason.detail)}_"
        if reason.sources:
            line += f"  \n  sources: {links_md(reason.sources)}"
        lines.append(line)
    return "\n".join(lines) or f"_{md(empty)}_"


def show_alerts(alerts: Iterable[Alert]) -> None:
    """Alerts by urgency; febrile neutropenia (an emergency) as an unmistakable banner."""
    for alert in alerts:
        text = md(alert.message)
        if alert.level == "emergency":
            st.error(f"### EMERGENCY\n**{text}**", icon=":material/emergency:")
        elif alert.level == "warning":
            st.warning(f"**Warning:** {text}", icon=":material/warning:")
        else:
            st.info(text, icon=":material/info:")


def _graph_key(H: nx.DiGraph) -> str:
    return json.dumps(nx.node_link_data(H, edges="links"), sort_keys=True, default=str)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs={nx.DiGraph: _graph_key})
def _page(H: nx.DiGraph, height: int, layout: Layout) -> str:
    return network_html(H, height=height, layout=layout)


def show_graph(H: nx.DiGraph, height: int, layout: Layout, description: str) -> None:
    """Draw ``H`` with pyvis in a frame (offline, script-safe: see :mod:`graph.present.render`)."""
    if H.number_of_nodes() == 0:
        show_page(None, "", height, description)
        return
    try:
        show_page(_page(H, height, layout), "", height, description)
    except NeutropeniaKGError as error:
        show_page(None, str(error), height, description)


def show_page(page: str | None, problem: str, height: int, description: str) -> None:
    """A graph page drawn by :func:`graph.present.render.network_html` in a frame; without a page, the
    problem that stopped it, or else that there is nothing to draw."""
    if page is None:
        if problem:
            st.error(md(problem))
        else:
            st.info("Nothing to draw at these settings.")
        return
    st.iframe(page, height=height + 40, alt=description)


#: Our own stylesheet (a constant, nothing from the ontology or the user): tighter top padding, title,
#: metrics and banners, so that the alerts, the severity and the leading causes fit the first screen
#: of a 1280x720 display.
_COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"], .block-container {padding-top: 1.2rem; padding-bottom: 2rem;}
[data-testid="stMainBlockContainer"] h1 {font-size: 1.9rem; padding: 0.1rem 0 0.3rem 0;}
[data-testid="stMainBlockContainer"] h3 {font-size: 1.3rem; padding: 0.2rem 0;}
[data-testid="stMetricValue"] {font-size: 1.5rem;}
[data-testid="stAlertContainer"] {padding: 0.55rem 0.9rem;}
[data-testid="stAlertContentError"] h2, [data-testid="stAlertContentError"] h3 {font-size: 1.15rem; padding: 0;}
@media (max-width: 640px) {[data-testid="stMainBlockContainer"], .block-container {padding-top: 3.2rem;}}
</style>"""


def compact_layout() -> None:
    """Apply the app's compact stylesheet (once per page run)."""
    st.html(_COMPACT_CSS)  # a page of only <style> is applied without taking room on screen


def show_unexpected_error() -> None:
    """At the UI edge (a page run, or a fragment's own rerun): log the traceback of the exception being
    handled and show a message instead of it."""
    LOG.exception("unexpected error while drawing the app")
    st.error(
        "Something went wrong while drawing this page. The details are in the server log; "
        "please report them with the case you used.",
        icon=":material/error:",
    )
