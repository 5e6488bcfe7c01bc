"""Neutropenia knowledge-graph explorer: case workup, explore, compare, curate.

Run it (offline; no usage statistics)::

    streamlit run app.py --browser.gatherUsageStats false

The ontology is ``$NEUTROPENIA_KG_ONTOLOGY`` when set, else the bundled ``ontology/neutropenia.ttl``.
The app supports clinicians; it gives no advice to patients.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from graph.caseio.deeplink import VIEWS, DeepLink, View
from graph.kb.knowledge import KnowledgeBase
from ui import compare, curate, explore, workup
from ui.caseinput import init_case
from ui.show import compact_layout, md, show_unexpected_error
from ui.state import keep_link, knowledge_base, read_link, warm_sparql

TITLES: dict[View, str] = {
    "workup": "Case workup",
    "explore": "Explore",
    "compare": "Compare causes",
    "curate": "Curate",
}
SHOW: dict[View, Callable[[KnowledgeBase, DeepLink], DeepLink]] = {
    "workup": workup.show,
    "explore": explore.show,
    "compare": compare.show,
    "curate": curate.show,
}


def _sidebar(kb: KnowledgeBase, link: DeepLink) -> View:
    with st.sidebar:
        st.markdown("## Neutropenia KG")
        if "view" not in st.session_state:
            st.session_state["view"] = link.view
        view: View = st.radio("View", VIEWS, key="view", format_func=TITLES.__getitem__)
        st.caption(f"Ontology {md(kb.version)} · {len(kb.causes)} causes · HPO {md(kb.hpo.version)}")
        st.caption("Supports clinicians; not advice for patients.")
    return view


def _draw() -> None:
    kb = knowledge_base()
    link = read_link(kb)
    init_case(kb, link)
    view = _sidebar(kb, link)
    shown = SHOW[view](kb, link)
    keep_link(shown)
    warm_sparql()


def main() -> None:
    """Draw the app: one view, chosen in the sidebar or by the link's ``view`` parameter."""
    st.set_page_config(page_title="Neutropenia KG explorer", page_icon="🩸", layout="wide")
    compact_layout()
    try:
        _draw()
    except Exception:  # noqa: BLE001 - the UI edge: log the traceback, show a message, never a traceback
        show_unexpected_error()


if __name__ == "__main__":
    main()
