"""Choosing the case: an example, the case form, or a JSON file / paste (session state only).

The current case lives in ``st.session_state["case"]`` (a case-format dict).  Loading a new case
bumps ``case_rev`` so every widget that shows the case is drawn afresh from it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from graph.caseio.caseform import (
    BLANK_FORM,
    LAB_FIELDS,
    UNIT_SYSTEMS,
    CaseForm,
    UnitSystem,
    ancestry_search_label,
    case_from_form,
    finding_choices,
    finding_search_label,
    form_from_case,
    shown_unit,
)
from graph.caseio.casejson import case_from_json_text
from graph.caseio.deeplink import DeepLink
from graph.caseio.examples import ExampleCase, load_example
from graph.kb.knowledge import KnowledgeBase
from graph.model.errors import CaseError
from ui.show import md
from ui.state import examples

__all__ = ["DEFAULT_EXAMPLE", "init_case", "set_case", "new_case", "case_panel"]

_NOT_RECORDED = ""  # the first choice of sex and ancestry: nothing entered
_UNIT_NAMES = {"US": "US conventional (/µL, g/dL, °F)", "SI": "SI (×10⁹/L, g/L, °C)"}

#: The example shown when the app opens without a case in its link.
DEFAULT_EXAMPLE = "febrile-agranulocytosis"


def set_case(case: dict[str, Any] | None, key: str | None, origin: str, *, keep_link_cause: bool = False) -> None:
    """Make ``case`` the current case (``key``: the example it came from, if any).

    The cause a shared link named belongs to the case of that link: a new case drops it, so
    "Why this cause?" opens on the new case's first candidate.
    """
    st.session_state["case"] = case
    st.session_state["case_key"] = key
    st.session_state["case_origin"] = origin
    st.session_state["case_rev"] = st.session_state.get("case_rev", 0) + 1
    link = st.session_state.get("link")
    if link is not None and link.cause is not None and not keep_link_cause:
        st.session_state["link"] = replace(link, cause=None)


def new_case() -> None:
    """Start a blank case: no example values, the form open."""
    set_case(None, None, "a new case")
    st.session_state["case-editor"] = True


def _example(key: str | None) -> ExampleCase | None:
    return next((e for e in examples()[0] if e.key == key), None)


def init_case(kb: KnowledgeBase, link: DeepLink) -> None:
    """On a session's first run: the case of the link, else the default example."""
    if "case_rev" in st.session_state:
        return
    if link.custom is not None:
        set_case(link.custom, None, "a shared link", keep_link_cause=True)
        return
    found = examples()[0]
    chosen = _example(link.case) or _example(DEFAULT_EXAMPLE) or (found[0] if found else None)
    if chosen is None:
        set_case(None, None, "")
        return
    try:
        set_case(load_example(chosen, kb.case_rules), chosen.key, f"example {chosen.key}", keep_link_cause=True)
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


def _preset(key: str, value: Any) -> str:
    """Give widget ``key`` its starting value once; the widget itself is made with no default, so it
    can be cleared (Streamlit lets a user clear a number or a choice only when it started empty)."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _number(column: Any, label: str, key: str, value: float | None, **options: Any) -> float | None:
    return column.number_input(label, value=None, min_value=0.0, format="%g", key=_preset(key, value), **options)


def _choice(column: Any, label: str, key: str, options: list[str], value: str | None, **more: Any) -> str | None:
    """A clearable choice whose first option is "not recorded"."""
    extra = [value] if value and value not in options else []  # e.g. an ancestry the ontology does not group
    chosen = column.selectbox(
        label,
        [_NOT_RECORDED, *options, *extra],
        index=None,
        placeholder="not recorded",
        key=_preset(key, value or _NOT_RECORDED),
        **{"format_func": lambda o: o or "not recorded", **more},
    )
    return chosen or None


#: the date columns of the form's tables
_DATES = {"started": "Started", "stopped": "Stopped", "last_dose": "Last dose", "date": "Date"}


def _date_column(name: str) -> Any:
    return st.column_config.DateColumn(_DATES[name])


def _form_units() -> UnitSystem:
    units: UnitSystem = st.radio(
        "Units",
        UNIT_SYSTEMS,
        horizontal=True,
        key="form-units",
        persist_state="session",
        format_func=_UNIT_NAMES.__getitem__,
        help="Counts, labs and temperature are entered in these units. Switching redraws the form from the case.",
    )
    return units


def _current_form(kb: KnowledgeBase, case: dict[str, Any] | None, today: date, units: UnitSystem) -> CaseForm:
    """The form as the current case fills it (blank without a case, or when the unit rules refuse it)."""
    try:
        return form_from_case(case, today, kb, units=units) if case else BLANK_FORM
    except CaseError as error:  # a case from a link or a file that the unit rules refuse: shown, form left blank
        st.error(md(str(error)), icon=":material/block:")
        return BLANK_FORM


def _patient_fields(kb: KnowledgeBase, current: CaseForm, k: str, units: UnitSystem) -> dict[str, Any]:
    """The top row: case id, count, age, sex, ancestry, duration and temperature."""
    rules = kb.case_rules
    top = st.columns([2, 1, 1, 1, 2, 1, 1])
    ancestries = sorted(info.label for info in kb.ancestry_groups.values())
    return {
        "case_id": top[0].text_input("Case id", key=_preset(f"form-id-{k}", current.case_id)),
        "anc": _number(top[1], f"ANC ({shown_unit('anc', units, rules, '/µL')})", f"form-anc-{k}", current.anc),
        "age_years": _number(top[2], "Age (years)", f"form-age-{k}", current.age_years, max_value=130.0, step=1.0),
        "sex": _choice(top[3], "Sex", f"form-sex-{k}", ["female", "male"], current.sex),
        "ancestry": _choice(  # searched by the lexicon's words: Enter on "Afr" picks African, never free text
            top[4],
            "Ancestry",
            f"form-ancestry-{k}",
            ancestries,
            current.ancestry,
            format_func=lambda value: ancestry_search_label(kb, value),
        ),
        "duration_days": _number(top[5], "Known for (days)", f"form-duration-{k}", current.duration_days, step=1.0),
        "temperature": _number(
            top[6],
            f"Highest temperature ({shown_unit('temperature_c', units, rules, '°C')})",
            f"form-temperature-{k}",
            current.temperature,
            step=0.1,
        ),
    }


def _finding_fields(kb: KnowledgeBase, current: CaseForm, k: str) -> dict[str, Any]:
    """The findings present and those looked for and absent."""
    choices = finding_choices(kb, extra=current.findings + current.absent_findings)
    left, right = st.columns(2)
    findings = left.multiselect(
        "Findings present (type clinical or lay words, HPO labels or CURIEs)",
        choices,
        accept_new_options=True,
        select_all=False,  # Enter after typing picks the best match, never "Select all matches"
        key=_preset(f"form-findings-{k}", list(current.findings)),
        format_func=lambda value: finding_search_label(kb, value),
    )
    absent = right.multiselect(
        "Findings looked for and absent",
        choices,
        accept_new_options=True,
        select_all=False,
        format_func=lambda value: finding_search_label(kb, value),
        key=_preset(f"form-absent-{k}", list(current.absent_findings)),
    )
    return {"findings": tuple(findings), "absent_findings": tuple(absent)}


def _lab_fields(kb: KnowledgeBase, current: CaseForm, k: str, units: UnitSystem) -> dict[str, Any]:
    st.markdown("**Labs**")
    lab_columns = st.columns(len(LAB_FIELDS) // 2 + 1)
    labs = {
        lab.key: _number(
            lab_columns[i % len(lab_columns)],
            f"{lab.label} ({shown_unit(lab.key, units, kb.case_rules, lab.unit)})",
            f"form-{lab.key}-{k}",
            current.labs.get(lab.key),
        )
        for i, lab in enumerate(LAB_FIELDS)
    }
    return {"labs": labs}


def _table_fields(kb: KnowledgeBase, current: CaseForm, k: str, units: UnitSystem) -> dict[str, Any]:
    """The tables: medications (and whether a list was taken), earlier counts, tests and exposures."""
    recorded = st.checkbox(
        "A medication list was taken (tick when it is empty; a drug in the table counts as a list)",
        key=_preset(f"form-recorded-{k}", current.medications_recorded),
    )
    medications = st.data_editor(
        _table(current.medications, {"name": "text", "started": "date", "stopped": "date", "last_dose": "date"}),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"form-medications-{k}",
        column_config={
            "name": st.column_config.TextColumn("Medication (generic or brand)"),
            **{name: _date_column(name) for name in _DATES},
        },
    )
    left, right = st.columns(2)
    history = left.data_editor(
        _table(current.anc_history, {"date": "date", "anc": "number"}),
        num_rows="dynamic",
        hide_index=True,
        key=f"form-history-{k}",
        column_config={
            "date": _date_column("date"),
            "anc": st.column_config.NumberColumn(f"Earlier ANC ({shown_unit('anc', units, kb.case_rules, '/µL')})"),
        },
    )
    tests = right.data_editor(
        _table(current.tests, {"name": "text", "result": "text"}),
        num_rows="dynamic",
        hide_index=True,
        key=f"form-tests-{k}",
        column_config={"name": "Test", "result": "Result"},
    )
    exposures = st.data_editor(
        _table(current.exposures, {"name": "text", "site": "text", "date": "date"}),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"form-exposures-{k}",
        column_config={"name": "Exposure", "site": "Site", "date": _date_column("date")},
    )
    return {
        "medications": _records(medications),
        "medications_recorded": recorded,
        "exposures": _records(exposures),
        "tests": _records(tests),
        "anc_history": _records(history),
    }


def _history_fields(kb: KnowledgeBase, current: CaseForm, k: str) -> dict[str, Any]:
    """Known conditions, family history and the narrative."""
    conditions_known = sorted(info.label for info in kb.contexts.values() if info.kind == "Condition")
    conditions_known += [c for c in current.conditions if c not in conditions_known]
    conditions = st.multiselect(
        "Known conditions",
        conditions_known,
        accept_new_options=True,
        select_all=False,
        key=_preset(f"form-conditions-{k}", list(current.conditions)),
    )
    family = st.text_area(
        "Family history (one item a line)",
        height=68,
        key=_preset(f"form-family-{k}", "\n".join(current.family_history)),
    )
    narrative = st.text_area(
        "Narrative (for people; the ranker does not read it)",
        height=68,
        key=_preset(f"form-narrative-{k}", current.narrative),
    )
    return {"conditions": tuple(conditions), "family_history": tuple(family.splitlines()), "narrative": narrative}


def _form(kb: KnowledgeBase, case: dict[str, Any] | None, rev: int) -> None:
    today = date.today()
    units = _form_units()
    current = _current_form(kb, case, today, units)
    k = f"{rev}-{units}"  # a fresh set of fields per case and unit system: a number is never read in other units
    with st.form(f"case-form-{k}", border=False):
        st.caption("Dates are converted to days before today, as the case format stores them.")
        fields = {
            **_patient_fields(kb, current, k, units),
            **_finding_fields(kb, current, k),
            **_lab_fields(kb, current, k, units),
            **_table_fields(kb, current, k, units),
            **_history_fields(kb, current, k),
        }
        submitted = st.form_submit_button("Rank this case", type="primary", key=f"form-submit-{k}")
    if submitted:
        try:
            set_case(case_from_form(CaseForm(**fields, units=units), today, kb.case_rules), None, "the form")
            st.rerun()
        except CaseError as error:
            st.error(md(str(error)), icon=":material/block:")


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
    choose, new = st.columns([5, 1], vertical_alignment="bottom")
    new.button(
        "New case",
        key="new-case",
        on_click=new_case,
        icon=":material/add:",
        help="A blank case: nothing from the example or the last case is kept.",
    )
    choose.selectbox(
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
