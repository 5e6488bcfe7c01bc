"""The curate view's diagnostic-test forms: a new test, and the causes a new or existing test confirms or
excludes, each with its sensitivity and specificity (or likelihood ratios) and source.  The widgets
return plain values; the checks, the Turtle and the diff are graph.curate.testlinks'."""

from __future__ import annotations

import streamlit as st

from graph.curate.edit import DiagnosticTestEdit, curated_causes, curated_modules, schema_terms
from graph.curate.testlinks import CauseLink, CauseLinksEdit, result_findings
from graph.kb.knowledge import KnowledgeBase
from graph.model.errors import NeutropeniaKGError
from graph.model.ids import curie
from ui.show import md

__all__ = ["new_test_form", "existing_test_form", "MODES"]

#: how a curator states a test's accuracy for a cause: the two numbers each way asks for
MODES = {
    "sensitivity and specificity": ("Sensitivity", "Specificity"),
    "likelihood ratios": ("LR+ (positive result)", "LR- (negative result)"),
}
#: the proposal (None when the form was not submitted) and what stopped it being built
Proposal = tuple[CauseLinksEdit | None, list[str]]


def _choose_causes(kb: KnowledgeBase, key: str, finding: str | None) -> tuple[list[str], str]:
    """The causes to link and how their accuracy is given (drawn outside the form, so rows follow)."""
    causes = st.multiselect(
        "Causes it confirms (positive result) or excludes (negative result)",
        curated_causes(kb),
        format_func=kb.label,
        key=f"{key}-causes",
        placeholder="none: the test only reads its finding",
        select_all=False,
    )
    mode = str(st.radio("Accuracy given as", list(MODES), horizontal=True, key=f"{key}-mode"))
    if causes and finding is not None:
        st.caption(_background_note(kb, finding))
    return causes, mode


def _background_note(kb: KnowledgeBase, finding: str) -> str:
    """What the specificity means for the finding: the background every cause's result is weighed against."""
    label, held = md(kb.label(finding)), kb.findings.get(finding)
    if held is not None and held.background is not None:
        return (
            f"{label} has a curated background of {held.background:.3g}: the model reads the test's specificity "
            f"as {1 - held.background:.3g} for every cause; give that."
        )
    now = kb.term_background.get(finding, kb.params.get("default_background_frequency", 0.05))
    return (
        f"{label} has no curated background (the model now uses {now:.3g}): the specificity you give sets it "
        "to 1 - specificity, for every cause's association with it; give one specificity for all causes."
    )


def _link_row(kb: KnowledgeBase, key: str, cause: str, mode: str, finding: str | None) -> CauseLink:
    """One cause's numbers and source, inside the form; raises NeutropeniaKGError for impossible ratios."""
    first, second = MODES[mode]
    specificity = 1 - kb.term_background.get(finding or "", 0.05)
    row = f"{key}-{curie(cause)}"
    st.markdown(f"**{md(kb.label(cause))}**")
    left, right, source_column = st.columns([1, 1, 2])
    if mode == "likelihood ratios":
        a = left.number_input(first, 0.0, 10_000.0, 10.0, 0.5, key=f"{row}-lrp")
        b = right.number_input(second, 0.0, 1.0, 0.1, 0.01, key=f"{row}-lrn")
    else:
        a = left.number_input(first, 0.0, 1.0, 0.8, 0.01, key=f"{row}-sens")
        b = right.number_input(second, 0.0, 1.0, round(specificity, 3), 0.001, format="%.3f", key=f"{row}-spec")
    source = source_column.text_input("Source (PMID, DOI or PMCID)", key=f"{row}-source")
    estimate = st.checkbox("The numbers are an estimate no source states", key=f"{row}-estimate")
    comment = st.text_input("What they rest on", key=f"{row}-comment")
    if mode == "likelihood ratios":
        return CauseLink.from_ratios(curie(cause), a, b, source, estimate, comment)
    return CauseLink(curie(cause), a, b, source, estimate, comment)


def _link_rows(
    kb: KnowledgeBase, key: str, causes: list[str], mode: str, finding: str | None
) -> tuple[tuple[CauseLink, ...], list[str]]:
    links, problems = [], []
    for cause in causes:
        try:
            links.append(_link_row(kb, key, cause, mode, finding))
        except NeutropeniaKGError as error:
            problems.append(f"{kb.label(cause)}: {error}")
    return tuple(links), problems


def new_test_form(kb: KnowledgeBase) -> Proposal:
    """A new diagnostic test: the finding it reads, the words of its report, its cost and invasiveness,
    and the causes it confirms or excludes."""
    st.subheader("Add a diagnostic test")
    findings = sorted(kb.findings, key=lambda f: (kb.label(f), f))
    bands, invasiveness = schema_terms(kb, "CostBand"), schema_terms(kb, "Invasiveness")
    modules = [str(m) for m in curated_modules(kb)]
    finding = st.selectbox("It tests for (finding)", findings, format_func=kb.label, key="test-finding")
    causes, mode = _choose_causes(kb, "test", finding)
    with st.form("edit-test-new"):
        label = st.text_input("Name", key="test-label")
        present = st.text_input("Words of a report that mean the finding is present (a pattern)", key="test-present")
        absent = st.text_input("Words that mean it is absent (optional)", key="test-absent")
        band = st.selectbox("Cost band", list(bands), format_func=bands.__getitem__, key="test-band")
        invasive = st.selectbox(
            "What it asks of the patient", list(invasiveness), format_func=invasiveness.__getitem__, key="test-invasive"
        )
        comment = st.text_input("What the band and invasiveness rest on (an estimate)", key="test-comment")
        module = str(
            st.selectbox("Module file", modules, format_func=lambda m: m.rsplit("/", 1)[-1], key="test-module")
        )
        source = st.text_input("Source (PMID, DOI or PMCID)", key="test-source")
        rows, problems = _link_rows(kb, "test", causes, mode, finding)
        asked = st.form_submit_button("Preview the change")
    if not asked:
        return None, []
    test = DiagnosticTestEdit(label, curie(finding), present, absent, band, invasive, comment, module, source)
    return CauseLinksEdit(test, curie(finding), rows), problems


def existing_test_form(kb: KnowledgeBase, test: str) -> Proposal:
    """Link an existing test, through one finding its results give, to causes it confirms or excludes."""
    key = f"amend-{curie(test)}"
    findings = result_findings(kb, test)
    if not findings:
        st.info("This test's results give no finding (it names organisms or nothing), so it weighs no cause.")
        return None, []
    finding = st.selectbox(
        "Through the finding its results give", list(findings), format_func=findings.__getitem__, key=f"{key}-finding"
    )
    causes, mode = _choose_causes(kb, key, finding)
    with st.form("edit-test-links"):
        rows, problems = _link_rows(kb, key, causes, mode, finding)
        asked = st.form_submit_button("Preview the change")
    if not asked:
        return None, []
    return CauseLinksEdit(curie(test), curie(str(finding)), rows), problems
