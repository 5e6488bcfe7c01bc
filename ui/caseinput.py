"""Choosing the case: an example, the case form, or a JSON file / paste (session state only).

The current case lives in ``st.session_state["case"]`` (a case-format dict).  Loading a new case
bumps ``case_rev`` so every widget that shows the case is drawn afresh from it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from graph.caseform import (
    LAB_FIELDS,
    CaseForm,
    case_from_form,
    choice_label,
    finding_choices,
    form_from_case,
)
from graph.casejson import case_from_json_text
from graph.deeplink import DeepLink
from graph.errors import CaseError
from graph.examples import ExampleCase, load_example
from graph.knowledge import KnowledgeBase
from ui.show import md
from ui.state import examples

__all__ = ["DEFAULT_EXAMPLE", "init_case", "set_case", "case_panel"]

#: The example shown when the app opens without a case in its link.
DEFAULT_EXAMPLE = "febrile-agranulocytosis"


def set_case(case: dict[str, Any] | None, key: str | None, origin: str) -> None:
    """Make ``case`` the current case (``key``: the example it came from, if any)."""
    st.session_state["case"] = case
    st.session_state["case_key"] = key
    st.session_state["case_origin"] = origin
    st.session_state["case_rev"] = st.session_state.get("case_rev", 0) + 1


def _example(key: str | None) -> ExampleCase | None:
    return next((e for e in examples()[0] if e.key == key), None)


def init_case(kb: KnowledgeBase, link: DeepLink) -> None:
    """On a session's first run: the case of the link, else the default example."""
    if "case_rev" in st.session_state:
        return
    if link.custom is not None:
        set_case(link.custom, None, "a shared link")
        return
    found = examples()[0]
    chosen = _example(link.case) or _example(DEFAULT_EXAMPLE) or (found[0] if found else None)
    if chosen is None:
        set_case(None, None, "")
        return
    try:
        set_case(load_example(chosen, kb.case_rules), chosen.key, f"example {chosen.key}")
    except CaseError as error:
        set_case(None, None, "")
        st.error(md(str(error)))


def _load_example(kb: KnowledgeBase, widget: str) -> None:
    chosen = _example(st.session_state.get(widget))
    if chosen is None:
        return
    try:
        set_case(load_example(chosen, kb.case_rules), chosen.key, f"example {chosen.key}")
    except CaseError as error:
        st.session_state["case_error"] = str(error)


def _table(rows: tuple[dict[str, Any], ...], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for column, kind in columns.items():
        if kind == "date":
            frame[column] = pd.to_datetime(frame[column]).dt.date if len(frame) else pd.Series(dtype="object")
    return frame


def _records(frame: pd.DataFrame) -> tuple[dict[str, Any], ...]:
    return tuple(frame.to_dict("records"))


def _form(kb: KnowledgeBase, case: dict[str, Any] | None, rev: int) -> None:
    today = date.today()
    try:
        current = form_from_case(case, today, kb) if case else CaseForm(case_id="", anc=None)
    except CaseError as error:  # a case from a link or a file that the unit rules refuse: shown, form left blank
        st.error(md(str(error)), icon=":material/block:")
        current = CaseForm(case_id="", anc=None)
    with st.form(f"case-form-{rev}", border=False):
        st.caption("Dates are converted to days before today, as the case format stores them.")
        top = st.columns([2, 1, 1, 1, 2, 1, 1])
        case_id = top[0].text_input("Case id", current.case_id, key=f"form-id-{rev}")
        anc = top[1].number_input(
            "ANC (cells/µL)", min_value=0.0, value=_float(current.anc), step=100.0, format="%g", key=f"form-anc-{rev}"
        )
        age = top[2].number_input(
            "Age (years)",
            min_value=0.0,
            max_value=130.0,
            value=_float(current.age_years),
            step=1.0,
            format="%g",
            key=f"form-age-{rev}",
        )
        sexes = ["female", "male"] + ([current.sex] if current.sex and current.sex not in ("female", "male") else [])
        sex = top[3].selectbox(
            "Sex",
            sexes,
            index=sexes.index(current.sex) if current.sex in sexes else None,
            placeholder="not recorded",
            key=f"form-sex-{rev}",
        )
        ancestries = sorted(info.label for info in kb.ancestry_groups.values())
        if current.ancestry and current.ancestry not in ancestries:
            ancestries.append(current.ancestry)
        ancestry = top[4].selectbox(
            "Ancestry",
            ancestries,
            accept_new_options=True,
            placeholder="not recorded",
            index=ancestries.index(current.ancestry) if current.ancestry in ancestries else None,
            key=f"form-ancestry-{rev}",
        )
        duration = top[5].number_input(
            "Known for (days)",
            min_value=0.0,
            value=_float(current.duration_days),
            step=1.0,
            format="%g",
            key=f"form-duration-{rev}",
        )
        temperature = top[6].number_input(
            "Highest temperature (°C)",
            min_value=0.0,
            value=_float(current.temperature_c),
            step=0.1,
            format="%g",
            key=f"form-temperature-{rev}",
        )
        choices = finding_choices(kb, extra=current.findings + current.absent_findings)
        left, right = st.columns(2)
        findings = left.multiselect(
            "Findings present (type to search HPO labels; CURIEs accepted)",
            choices,
            default=list(current.findings),
            accept_new_options=True,
            key=f"form-findings-{rev}",
            format_func=lambda value: choice_label(kb, value),
        )
        absent = right.multiselect(
            "Findings looked for and absent",
            choices,
            default=list(current.absent_findings),
            accept_new_options=True,
            format_func=lambda value: choice_label(kb, value),
            key=f"form-absent-{rev}",
        )
        st.markdown("**Labs** (conventional US units)")
        lab_columns = st.columns(len(LAB_FIELDS) // 2 + 1)
        labs = {
            lab.key: lab_columns[i % len(lab_columns)].number_input(
                f"{lab.label} ({lab.unit})",
                min_value=0.0,
                value=_float(current.labs.get(lab.key)),
                format="%g",
                key=f"form-{lab.key}-{rev}",
            )
            for i, lab in enumerate(LAB_FIELDS)
        }
        recorded = st.checkbox(
            "A medication list was taken (untick when unknown)",
            current.medications_recorded,
            key=f"form-recorded-{rev}",
        )
        dates = {
            "started": st.column_config.DateColumn("Started"),
            "stopped": st.column_config.DateColumn("Stopped"),
            "last_dose": st.column_config.DateColumn("Last dose"),
            "date": st.column_config.DateColumn("Date"),
        }
        medications = st.data_editor(
            _table(current.medications, {"name": "text", "started": "date", "stopped": "date", "last_dose": "date"}),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={"name": st.column_config.TextColumn("Medication (generic or brand)"), **dates},
        )
        left, right = st.columns(2)
        history = left.data_editor(
            _table(current.anc_history, {"date": "date", "anc": "number"}),
            num_rows="dynamic",
            hide_index=True,
            column_config={"date": dates["date"], "anc": st.column_config.NumberColumn("Earlier ANC")},
        )
        tests = right.data_editor(
            _table(current.tests, {"name": "text", "result": "text"}),
            num_rows="dynamic",
            hide_index=True,
            column_config={"name": "Test", "result": "Result"},
        )
        exposures = st.data_editor(
            _table(current.exposures, {"name": "text", "site": "text", "date": "date"}),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={"name": "Exposure", "site": "Site", "date": dates["date"]},
        )
        conditions_known = sorted(info.label for info in kb.contexts.values() if info.kind == "Condition")
        conditions_known += [c for c in current.conditions if c not in conditions_known]
        conditions = st.multiselect(
            "Known conditions",
            conditions_known,
            default=list(current.conditions),
            accept_new_options=True,
            key=f"form-conditions-{rev}",
        )
        family = st.text_area(
            "Family history (one item a line)", "\n".join(current.family_history), height=68, key=f"form-family-{rev}"
        )
        narrative = st.text_area(
            "Narrative (for people; the ranker does not read it)",
            current.narrative,
            height=68,
            key=f"form-narrative-{rev}",
        )
        submitted = st.form_submit_button("Rank this case", type="primary", key=f"form-submit-{rev}")
    if submitted:
        form = CaseForm(
            case_id=case_id,
            anc=anc,
            age_years=age,
            sex=sex,
            ancestry=ancestry,
            duration_days=duration,
            temperature_c=temperature,
            findings=tuple(findings),
            absent_findings=tuple(absent),
            labs=labs,
            medications=_records(medications),
            medications_recorded=recorded,
            exposures=_records(exposures),
            conditions=tuple(conditions),
            tests=_records(tests),
            anc_history=_records(history),
            family_history=tuple(family.splitlines()),
            narrative=narrative,
        )
        try:
            set_case(case_from_form(form, today, kb.case_rules), None, "the form")
            st.rerun()
        except CaseError as error:
            st.error(md(str(error)), icon=":material/block:")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _upload(kb: KnowledgeBase, rev: int) -> None:
    uploaded = st.file_uploader("Upload a case JSON file", type=["json"], key=f"upload-{rev}")
    pasted = st.text_area(
        "…or paste a case JSON object",
        key=f"paste-{rev}",
        height=120,
        placeholder='{"id": "my-case", "anc": 700, "findings": ["Fever"]}',
    )
    load = st.button("Load pasted case", key=f"paste-load-{rev}")
    try:
        if uploaded is not None:
            set_case(
                case_from_json_text(uploaded.getvalue(), source=uploaded.name, rules=kb.case_rules),
                None,
                f"file {uploaded.name}",
            )
            st.rerun()
        if load:
            set_case(case_from_json_text(pasted, rules=kb.case_rules), None, "pasted JSON")
            st.rerun()
    except CaseError as error:
        st.error(md(str(error)), icon=":material/block:")
    st.caption(
        "The format (version 2) is described in shared/case-format.md: `id` is required, and `anc` unless a "
        "finding such as Agranulocytosis states the neutropenia; a number may name its unit, as in "
        '`{"value": 0.8, "unit": "10^9/L"}`; `temperature_c` in °C; findings as HPO CURIEs or labels; medications '
        "with `started_days_ago`, `stopped_days_ago`, `last_dose_days_ago`."
    )


def case_panel(kb: KnowledgeBase) -> None:
    """Choose an example, edit the case in a form, or load JSON."""
    rev = st.session_state.get("case_rev", 0)
    case = st.session_state.get("case")
    found, problems = examples()
    for problem in problems:
        st.warning(md(problem))
    if "case_error" in st.session_state:
        st.error(md(st.session_state.pop("case_error")))
    keys = [e.key for e in found]
    current_key = st.session_state.get("case_key")
    st.selectbox(
        "Example case",
        keys,
        index=keys.index(current_key) if current_key in keys else None,
        key=f"example-{rev}",
        on_change=_load_example,
        args=(kb, f"example-{rev}"),
        placeholder=f"(case from {st.session_state.get('case_origin') or 'nowhere yet'})",
        format_func=lambda key: next(e.title for e in found if e.key == key),
    )
    editor = st.expander("Enter or edit the case", expanded=case is None, key="case-editor", on_change="rerun")
    with editor:
        if editor.open:  # drawn only while open, so re-ranking does not rebuild the form
            form_tab, json_tab = st.tabs(["Form", "Upload or paste JSON"])
            with form_tab:
                _form(kb, case, rev)
            with json_tab:
                _upload(kb, rev)
