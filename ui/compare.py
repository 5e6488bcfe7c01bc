"""The compare view: two or three causes side by side, what separates them first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from graph.caseio.deeplink import DeepLink
from graph.kb.knowledge import KnowledgeBase
from graph.model.errors import NeutropeniaKGError
from graph.present.compare import SEPARATING_SPREAD, CompareRow, compare_causes
from graph.workup.pipeline import workup_case
from ui.show import md

__all__ = ["show"]


def _default(kb: KnowledgeBase, link: DeepLink) -> list[str]:
    if link.compare:
        return list(link.compare)
    case = st.session_state.get("case")
    if case is not None:
        try:
            return [c.cause for c in workup_case(kb, case, explain_top=0).candidates[:2]]
        except NeutropeniaKGError:
            pass  # a broken case only loses the default; the workup view shows its error
    return []


def _table(
    rows: tuple[CompareRow, ...], labels: tuple[str, ...], first: str, only_separating: bool, note: str | None = None
) -> None:
    shown = [r for r in rows if r.separates or not only_separating]
    if not shown:
        st.caption("Nothing to show here." if not rows else "No row separates these causes.")
        return
    columns = (
        list(dict.fromkeys(labels))
        if len(set(labels)) == len(labels)
        else [f"{label} ({i + 1})" for i, label in enumerate(labels)]
    )
    records = []
    for row in shown:
        record = {first: row.item}
        if note:
            record[note] = row.note
        record.update(dict(zip(columns, row.values, strict=True)))
        record["Separates"] = "yes" if row.separates else ""
        records.append(record)
    st.dataframe(pd.DataFrame(records), hide_index=True, width="stretch")


def show(kb: KnowledgeBase, link: DeepLink) -> DeepLink:
    """Draw the comparison; returns the deep link of the causes compared."""
    st.title("Compare causes")
    options = sorted(kb.causes, key=lambda c: kb.label(c).lower())
    if "compare-causes" not in st.session_state:
        st.session_state["compare-causes"] = [c for c in _default(kb, link) if c in kb.causes][:3]
    chosen = st.multiselect(
        "Two or three causes",
        options,
        key="compare-causes",
        max_selections=3,
        format_func=kb.label,
        placeholder="type to search causes",
        select_all=False,
    )
    if len(chosen) < 2:
        st.info("Choose two or three causes to see what separates them.")
        return DeepLink(view="compare", compare=tuple(chosen))
    try:
        table = compare_causes(kb, chosen)
    except NeutropeniaKGError as error:
        st.error(md(str(error)))
        return DeepLink(view="compare")
    only = st.toggle("Only what separates them", key="compare-only", persist_state="session")
    _table(table.overview, table.labels, "", False)
    st.subheader("Findings and labs")
    st.caption(
        f"Share of patients with the finding; “—” means the cause does not list it (counted at the "
        f"finding's background frequency). A spread of {SEPARATING_SPREAD:.0%} or more separates."
    )
    _table(table.findings, table.labels, "Finding", only, note="Lab rule")
    st.subheader("Drugs, organisms and genes, with timing")
    _table(table.agents, table.labels, "Agent", only, note="Kind")
    st.subheader("Tests")
    _table(table.tests, table.labels, "Test", only)
    st.subheader("Who is more likely to have it (prior)")
    _table(table.priors, table.labels, "Patients", only)
    return DeepLink(view="compare", compare=tuple(chosen))
