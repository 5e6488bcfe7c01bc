"""The case workup view: severity, alerts, mechanisms, the differential, why, what-if, graph, export."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from graph.caseio.caseform import choice_label
from graph.caseio.casejson import case_to_json
from graph.caseio.deeplink import MAX_LINK_CHARS, DeepLink, encode_case
from graph.curate.evaluate import matching_rank
from graph.kb.knowledge import KnowledgeBase
from graph.model.errors import NeutropeniaKGError
from graph.model.results import Workup
from graph.present.export import DISCLAIMER, workup_to_html, workup_to_markdown
from graph.present.graphview import MAX_DEPTH
from graph.present.matrix import cell_colour, finding_matrix
from graph.present.pdf import PDF_AVAILABLE, workup_to_pdf
from graph.present.report import workup_to_dict
from graph.workup.differential import candidate_detail, differential_cells, differential_rows, leading_causes
from graph.workup.phrases import (
    DIFFERENTIAL_COLUMNS,
    EVIDENCE_TITLES,
    IMPORTED_BADGE,
    IMPORTED_NOTE,
    NO_BEARING_HEADING,
    OTHER_DRUGS_HEADING,
    STATE_TEXT,
    USEFUL_TESTS_NOTE,
    anc_text,
    candidate_facts_text,
    course_word,
    describe_concurrent,
    mechanisms_text,
    note_text,
    other_drug_text,
    score_text,
    severity_line,
    situation_text,
    useful_test_text,
)
from graph.workup.whatif import (
    STATES,
    FindingState,
    WhatIf,
    apply_what_if,
    finding_toggles,
    findings_to_try,
    rank_changes,
    what_if_alerts,
)
from ui.caseinput import case_panel
from ui.causality import show_causality
from ui.show import links_md, md, reasons_md, show_alerts, show_page, show_unexpected_error
from ui.state import cached_workup, explanation_page, keep_link

__all__ = ["show"]

_SHOWN_REASONS = 6
_GRAPH_HEIGHT = 560


def _what_if_panel(kb: KnowledgeBase, case: dict[str, Any], base: Workup, rev: int) -> dict[str, FindingState]:
    """Sidebar toggles: each finding present / absent / not recorded, and findings to add."""
    states: dict[str, FindingState] = {}
    with st.sidebar:
        st.subheader("What if…")
        st.caption("Change a finding and the differential re-ranks at once. The case itself is not changed.")
        for index, toggle in enumerate(finding_toggles(kb, case)):
            choice = st.segmented_control(
                md(toggle.label),
                STATES,
                default=toggle.state,
                required=True,
                key=f"whatif-{rev}-{index}",
                format_func=STATE_TEXT.__getitem__,
            )
            if choice != toggle.state:
                states[toggle.text] = choice
        added = st.multiselect(
            "Add findings as present",
            findings_to_try(kb, base),
            key=f"whatif-add-{rev}",
            help="Findings linked to the ten leading causes that the case does not mention yet.",
            format_func=lambda value: choice_label(kb, value),
            placeholder="type to search",
            select_all=False,
        )
        for value in added:
            states.setdefault(value, "present")
    return states


def _differential(kb: KnowledgeBase, workup: Workup) -> None:
    rows = differential_rows(kb, workup)
    show_all = st.toggle(f"Show all {len(rows)} causes", key="differential-all", persist_state="session")
    shown = rows if show_all else rows[:15]
    frame = pd.DataFrame([dict(zip(DIFFERENTIAL_COLUMNS, differential_cells(r), strict=True)) for r in shown])
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "Rank": st.column_config.NumberColumn(width=50),
            "Cause": st.column_config.TextColumn(width=280),
            "Source": st.column_config.TextColumn(width=90, help=f"{IMPORTED_BADGE}: {IMPORTED_NOTE}"),
            "Mechanism": st.column_config.TextColumn(width=140),
            "Category": st.column_config.TextColumn(width=170),
            "Implicated agent": st.column_config.TextColumn(width=150),
            "Probability": st.column_config.TextColumn("Probability", width=90, help="posterior probability"),
        },
    )
    if any(r.imported for r in shown):
        st.caption(f"{md(IMPORTED_BADGE)}: {md(IMPORTED_NOTE)}")


def _leading(kb: KnowledgeBase, workup: Workup) -> None:
    """The first three causes with their strongest evidence, before the full table (the first screen)."""
    lines = []
    for row, why in leading_causes(kb, workup):
        badge = f" · {md(IMPORTED_BADGE)}" if row.imported else ""
        reasons = "; ".join(md(r) for r in why) or "no supporting evidence"
        lines.append(f"{row.rank}. **{md(row.label)}** {md(score_text(row.score))}{badge} — {reasons}")
    st.markdown("**Leading causes**\n\n" + "\n".join(lines))


def _useful_tests(kb: KnowledgeBase, workup: Workup) -> None:
    """One list for the whole case: the tests whose results would most change the differential."""
    st.markdown("**What to do next: useful tests for the whole case**")
    st.caption(USEFUL_TESTS_NOTE)
    st.markdown(
        "\n".join(f"{index}. {md(useful_test_text(kb, t))}" for index, t in enumerate(workup.useful_tests, 1))
        or "_no test in the ontology would change this differential much_"
    )


def _why(kb: KnowledgeBase, workup: Workup, chosen: str) -> None:
    detail = candidate_detail(kb, workup, chosen)
    st.markdown(f"#### {detail.rank}. {md(detail.label)} — {md(score_text(detail.score))}")
    if detail.imported:
        st.badge(IMPORTED_BADGE, icon=":material/input:", color="orange", help=IMPORTED_NOTE)
    st.caption(candidate_facts_text(detail.mechanism, detail.category, detail.curie, detail.agents, md))
    if detail.definition:
        st.markdown(md(detail.definition))
    left, right = st.columns(2)
    for column, title, reasons, empty in (
        (left, EVIDENCE_TITLES["for"], detail.supporting, "nothing in the case argues for it beyond its prior"),
        (right, EVIDENCE_TITLES["against"], detail.against, "nothing in the case argues against it"),
    ):
        with column:
            st.markdown(f"**{title}** (strongest first)")
            st.markdown(reasons_md(reasons[:_SHOWN_REASONS], empty))
            if len(reasons) > _SHOWN_REASONS:
                with st.expander(f"{len(reasons) - _SHOWN_REASONS} weaker"):
                    st.markdown(reasons_md(reasons[_SHOWN_REASONS:], empty))
    with st.expander("Prior (before the case's findings)"):
        st.markdown(reasons_md(detail.prior, "no prior"))
    left, right = st.columns(2)
    with left:
        st.markdown("**Next tests**")
        st.markdown(
            "\n".join(f"- {md(t.label)}  \n  _{md(t.why)}_" for t in detail.next_tests) or "_no further test listed_"
        )
    with right:
        st.markdown("**Management pointers**")
        text = md(detail.management) if detail.management else ""
        if detail.treatments:
            text += ("  \n" if text else "") + "Treatments: " + md(", ".join(detail.treatments))
        st.markdown(text or "_none recorded_")
        if detail.sources:
            st.caption("Sources: " + links_md(detail.sources))


def _graph(workup: Workup, case: dict[str, Any]) -> None:
    """The explanatory graph of ``workup``, the workup of ``case`` (the what-if's when one is set)."""
    st.subheader("The explanation as a graph")
    controls = st.columns([2, 2, 2, 2])
    top = controls[0].slider("Top N causes", 1, 10, 3, key="graph-top", persist_state="session")
    depth = controls[1].select_slider(
        "Depth",
        options=list(range(1, MAX_DEPTH + 1)),
        value=2,
        key="graph-depth",
        persist_state="session",
        help="1: causes, agents, mechanisms and the associations that scored; "
        "2: also the patient's findings; 3: also tests and treatments",
    )
    weak = controls[2].slider(
        "Hide evidence weaker than |log LR|", 0.0, 2.0, 0.0, 0.1, key="graph-weak", persist_state="session"
    )
    layered = controls[3].toggle("Layered layout", True, key="graph-layered", persist_state="session")
    nodes, links, page, problem = explanation_page(
        case, workup, top, depth, weak, "layered" if layered else "force", _GRAPH_HEIGHT
    )
    st.caption(
        f"{nodes} nodes, {links} links. Layered from left to right: mechanism, "
        "cause, association, evidence, agent; dashed edges argue against; hover for the source. Click a node, "
        "or Tab to the graph, step with the arrow keys and press Enter, to open its page here (Back returns)."
    )
    show_page(page, problem, _GRAPH_HEIGHT, "Explanatory graph of the ranked causes")


def _matrix(kb: KnowledgeBase, workup: Workup) -> None:
    st.subheader("Findings against the top causes")
    if not workup.candidates:
        st.info("No candidate to compare findings against.")
        return
    top = st.slider("Causes in the matrix", 1, 10, 5, key="matrix-top", persist_state="session")
    matrix = finding_matrix(kb, workup, top=top)
    if not matrix.rows:
        st.info("None of the case's findings was scored for these causes.")
        return
    columns = ["Finding", *(f"#{number} {label}" for number, label in enumerate(matrix.cause_labels, 1))]
    names = [row.label + ("" if row.present else " (reported absent)") for row in matrix.rows]
    text = pd.DataFrame(
        [
            [name, *(f"{c.log_lr:+.2f} {c.match}" if c.match != "not scored" else "—" for c in line)]
            for name, line in zip(names, matrix.cells, strict=True)
        ],
        columns=columns,
    )
    colours = pd.DataFrame(
        [["", *(f"background-color: {cell_colour(c.log_lr)}" for c in line)] for line in matrix.cells],
        columns=columns,
    )
    st.caption(
        "Each cell: the log likelihood ratio the finding added to the cause's score (blue for, vermilion "
        "against) and how it met the cause's annotations: exact, more specific, more general, unrelated, "
        "absent (reported absent, the cause expects it), or — (not scored)."
    )
    st.dataframe(text.style.apply(lambda _: colours, axis=None), width="stretch", hide_index=True)


def _export(kb: KnowledgeBase, workup: Workup, case: dict[str, Any], shareable: bool, what_if: WhatIf | None) -> None:
    st.subheader("Export")
    if what_if:
        st.caption("The reports are of the what-if: they say so on top and keep the alerts of the case as entered.")
    name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in workup.normalised.case.case_id)[:60] or "case"
    name += "-what-if" if what_if else ""
    columns = st.columns(5)
    reports = {  # made when a button is clicked, not on every run (a toggle need not write four reports)
        "Workup (JSON)": (
            lambda: json.dumps(workup_to_dict(kb, workup, top=10), indent=2, ensure_ascii=False),
            f"{name}-workup.json",
            "application/json",
        ),
        "Report (Markdown)": (
            lambda: workup_to_markdown(kb, workup, what_if=what_if),
            f"{name}-report.md",
            "text/markdown",
        ),
        "Printable report (HTML)": (
            lambda: workup_to_html(kb, workup, what_if=what_if),
            f"{name}-report.html",
            "text/html",
        ),
        "Case (JSON)": (
            lambda: case_to_json({k: v for k, v in case.items() if k != "expected"}),
            f"{name}.json",
            "application/json",
        ),
    }
    if PDF_AVAILABLE:
        reports["Report (PDF)"] = (
            lambda: workup_to_pdf(kb, workup, what_if=what_if),
            f"{name}-report.pdf",
            "application/pdf",
        )
    for column, (label, (data, file_name, mime)) in zip(columns, reports.items(), strict=False):
        column.download_button(label, data, file_name=file_name, mime=mime, on_click="ignore")
    if shareable:
        st.caption(
            "The address bar holds a link to this workup (view, case and selected cause); share it to share the workup."
        )
    else:
        st.caption(
            f"This case is too large for a link (over {MAX_LINK_CHARS:,} characters once packed), so the address bar "
            "does not hold it; share the Case (JSON) file instead."
        )


def _workups(
    kb: KnowledgeBase, case: dict[str, Any], rev: int
) -> tuple[Workup, Workup, dict[str, FindingState], float]:
    """The workup of the case as entered, that of the what-if (the same when nothing is changed), the changes
    and the time the ranking took; a NeutropeniaKGError when the case as entered cannot be ranked.  Both come
    from the cache of workups, so toggling a finding back, or re-drawing the page, ranks nothing again."""
    base, elapsed = cached_workup(case)
    states = _what_if_panel(kb, case, base, rev)
    if not states:
        return base, base, states, elapsed
    try:
        workup, more = cached_workup(apply_what_if(case, states))
        return base, workup, states, elapsed + more
    except NeutropeniaKGError as error:  # e.g. the change removes the only finding that states the neutropenia
        st.warning(
            f"**What if:** the changed case cannot be ranked: {md(str(error))}. "
            "The ranking below is for the case as entered.",
            icon=":material/alt_route:",
        )
        return base, base, {}, elapsed


def _what_if_changes(kb: KnowledgeBase, base: Workup, workup: Workup, states: dict[str, FindingState]) -> None:
    """What the what-if changed, and how the ranks moved."""
    changes = ", ".join(f"{md(choice_label(kb, text))} → {STATE_TEXT[state]}" for text, state in states.items())
    st.info(f"**What if:** {changes}. The ranking below is for the changed case.", icon=":material/alt_route:")
    moved = rank_changes(kb, base, workup)
    if moved:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Cause": m.label,
                        "Rank before": m.before_rank,
                        "Rank now": m.after_rank,
                        "Score before": score_text(m.before_score),
                        "Score now": score_text(m.after_score),
                    }
                    for m in moved
                ]
            ),
            hide_index=True,
        )


def _severity(kb: KnowledgeBase, workup: Workup, elapsed: float) -> None:
    """The count, grade and course as metrics; the mechanisms; how long the ranking took."""
    severity = workup.normalised.severity
    metrics = st.columns(3)
    metrics[0].metric("ANC", anc_text(severity.anc), help=f"Age-appropriate lower limit {severity.threshold:g}/µL")
    metrics[1].metric("Severity", md(severity.grade), help=md(severity_line(workup)))
    metrics[2].metric("Course", "cyclic" if severity.cyclic else course_word(severity) or "unknown")
    st.markdown("**Mechanism:** " + mechanisms_text(workup, " · ", md))
    st.caption(f"Ranked {len(workup.candidates)} causes in {elapsed * 1000:.0f} ms · ontology {md(kb.version)}")


def _not_ranked(kb: KnowledgeBase, workup: Workup) -> None:
    """Inputs not recognised, inputs recognised without bearing, and a concurrent cause, before the table."""
    n = workup.normalised
    if n.unrecognized:  # before the differential: the ranking ignored these
        st.warning(
            "**Not recognised, so not ranked** — check the spelling, or add the term to the ontology:\n"
            + "\n".join(f"- {note_text(u, md)}" for u in n.unrecognized),
            icon=":material/help:",
        )
    if n.no_bearing:  # recognised, and said so: nothing the clinician wrote is dropped silently
        with st.expander(f"{NO_BEARING_HEADING} ({len(n.no_bearing)})"):
            st.markdown("\n".join(f"- {note_text(u, md)}" for u in n.no_bearing))
    if workup.concurrent is not None:
        st.info(md(describe_concurrent(kb, workup.concurrent)), icon=":material/call_split:")


def _choose_cause(kb: KnowledgeBase, workup: Workup, link: DeepLink, rev: int) -> str:
    """The cause whose reasons are shown: the deep link's when it is a candidate, else the first."""
    causes = [c.cause for c in workup.candidates]
    rank = {cause: number for number, cause in enumerate(causes, 1)}
    wanted = link.cause if link.cause in rank else causes[0]
    chosen: str = st.selectbox(
        "Why this cause?",
        causes,
        index=rank[wanted] - 1,
        key=f"cause-{rev}",
        persist_state="session",
        format_func=lambda c: f"#{rank[c]} {kb.label(c)}",
    )
    return chosen


def _other_drugs(workup: Workup) -> None:
    other = workup.normalised.other_drugs
    if other:
        st.info(
            f"**{OTHER_DRUGS_HEADING}**:\n" + "\n".join(f"- {other_drug_text(d, md)}" for d in other),
            icon=":material/medication:",
        )


def _reference_answer(kb: KnowledgeBase, workup: Workup, case: dict[str, Any]) -> None:
    """The expected answer of a teaching case, and where the ranking put it."""
    expected = case.get("expected")
    if isinstance(expected, dict) and isinstance(expected.get("accept"), list):
        with st.expander("Reference answer of this teaching case"):
            rank = matching_rank(kb, workup.candidates, [str(a) for a in expected["accept"]])
            st.markdown(
                f"Expected: **{md(expected.get('cause', ''))}** — "
                + (f"ranked #{rank}." if rank else "not in the ranked list.")
            )
            if expected.get("source"):
                st.caption(md(expected["source"]))


def show(kb: KnowledgeBase, link: DeepLink) -> DeepLink:
    """Draw the workup of the current case; returns the deep link of what is shown."""
    st.title("Case workup")
    case_panel(kb)
    case = st.session_state.get("case")
    key = st.session_state.get("case_key")
    if case is None:
        st.info("Choose an example case, or enter one in the form above.")
        return DeepLink(view="workup")
    return _workup_view(kb, link, case, key, st.session_state.get("case_rev", 0))


@st.fragment
def _workup_view(kb: KnowledgeBase, link: DeepLink, case: dict[str, Any], key: str | None, rev: int) -> DeepLink:
    """Everything drawn from the ranking, as a fragment: a what-if toggle, a chosen cause or a graph setting
    reruns only this part, not the case form above it (a new case reruns the whole page)."""
    try:
        return _draw_workup(kb, link, case, key, rev)
    except Exception:  # noqa: BLE001 - a fragment's own rerun is a UI edge too (app.main guards the page run)
        show_unexpected_error()
        return DeepLink(view="workup", case=key, custom=None if key else case)


def _draw_workup(kb: KnowledgeBase, link: DeepLink, case: dict[str, Any], key: str | None, rev: int) -> DeepLink:
    try:
        base, workup, states, elapsed = _workups(kb, case, rev)
    except NeutropeniaKGError as error:
        st.error(md(str(error)), icon=":material/block:")
        return DeepLink(view="workup", case=key, custom=None if key else case)
    n = workup.normalised
    st.markdown(f"### Case {md(n.case.case_id)}")
    if n.case.narrative:
        st.caption(md(n.case.narrative))
    if states:
        _what_if_changes(kb, base, workup, states)
    what_if = WhatIf(base, tuple(states.items())) if states else None
    ranked_case = apply_what_if(case, states) if states else case
    if what_if:
        show_alerts(a for a, _ in what_if_alerts(base, workup))  # a toggle never hides the real case's alerts
    else:
        show_alerts(workup.alerts)
    for situation in workup.situations:
        st.info(f"**Expected:** {md(situation_text(situation))}", icon=":material/event:")
    _severity(kb, workup, elapsed)
    _leading(kb, workup)

    st.subheader("Differential")
    _not_ranked(kb, workup)
    _differential(kb, workup)
    _useful_tests(kb, workup)
    workup = show_causality(kb, workup, rev)  # the answers given reach the exports
    chosen = _choose_cause(kb, workup, link, rev)
    _why(kb, workup, chosen)
    _other_drugs(workup)
    _reference_answer(kb, workup, case)
    _graph(workup, ranked_case)
    _matrix(kb, workup)
    _export(kb, workup, case, shareable=key is not None or encode_case(case) is not None, what_if=what_if)
    st.caption(md(DISCLAIMER))
    shown = DeepLink(view="workup", case=key, custom=None if key else case, cause=chosen)
    keep_link(shown)  # a rerun of this fragment alone (a chosen cause) keeps the address bar in step
    return shown
