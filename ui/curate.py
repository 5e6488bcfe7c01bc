"""The curate view: ontology statistics, the curator's guide, the validation report in plain words, forms
that add or change a cause, a finding association, a drug and its links, and a diagnostic test with the causes
it confirms or excludes (checked, previewed as a diff, validated, written atomically), sources, read-only SPARQL."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from graph.caseio.deeplink import DeepLink
from graph.curate.amend import FIELDS, Amendment, amendment_problems, current_values, preview_amendment
from graph.curate.curation import ontology_summary
from graph.curate.edit import (
    AssociationEdit,
    CauseEdit,
    DrugEdit,
    DrugLinkEdit,
    Edit,
    EditConflict,
    EditRejected,
    curated_causes,
    curated_modules,
    edit_problems,
    mechanisms_and_categories,
    preview_edit,
    save_edit,
    timing_windows,
)
from graph.curate.sparql import EXAMPLE_QUERIES, MAX_LIMIT, PREFIX_NAMESPACES
from graph.curate.sparqlworker import QueryStopped, SparqlWorker, limits_from_environment, take_worker
from graph.curate.testlinks import CauseLinksEdit, link_problems, preview_links
from graph.kb.knowledge import KnowledgeBase
from graph.model.errors import NeutropeniaKGError, OntologyError
from graph.model.ids import curie, is_imported_cause
from ui.curate_tests import existing_test_form, new_test_form
from ui.show import links_md, md
from ui.state import ROOT, ontology_path, reload_ontology, validation

#: the curator's guide, in the repository beside the app
GUIDE = "docs/curating.md"

__all__ = ["show"]


def _use_example() -> None:
    title = st.session_state.get("sparql-example")
    if title in EXAMPLE_QUERIES:
        st.session_state["sparql-text"] = EXAMPLE_QUERIES[title]


def _worker() -> SparqlWorker:
    """This session's SPARQL worker: kept in the session state, so it is killed when the session ends
    (Streamlit drops the state and the worker's finalizer kills its process)."""
    worker = st.session_state.get("sparql-worker")
    if not isinstance(worker, SparqlWorker) or worker.root != ontology_path():
        if isinstance(worker, SparqlWorker):
            worker.stop()
        worker = take_worker(ontology_path(), *limits_from_environment())
        st.session_state["sparql-worker"] = worker
    return worker


def _sparql() -> None:
    st.subheader("Read-only SPARQL")
    _worker().warm()  # the ontology is read while the curator writes the first query
    st.caption(
        "SELECT, ASK, CONSTRUCT and DESCRIBE only; updates, SERVICE and FROM are refused. Prefixes "
        + ", ".join(f"`{p}:`" for p in PREFIX_NAMESPACES)
        + " are declared for you. A query is stopped after {:g} s or {:g} MB.".format(*limits_from_environment())
    )
    if "sparql-text" not in st.session_state:
        st.session_state["sparql-text"] = next(iter(EXAMPLE_QUERIES.values()))
    st.selectbox(
        "Example queries",
        list(EXAMPLE_QUERIES),
        index=None,
        key="sparql-example",
        on_change=_use_example,
        placeholder="start from an example",
    )
    text = st.text_area("Query", key="sparql-text", height=180)
    left, right = st.columns([1, 3])
    limit = int(left.number_input("Row limit", 1, MAX_LIMIT, 100, key="sparql-limit"))
    if right.button("Run query", type="primary", key="sparql-run"):
        try:
            with st.spinner("Running the query…"):
                result = _worker().run(text, limit=limit)
        except OntologyError as error:
            st.error(md(str(error)))
            return
        except QueryStopped as error:
            st.error(f"**Query stopped:** {md(str(error))}", icon=":material/timer_off:")
            return
        except NeutropeniaKGError as error:
            st.error(f"**Query refused:** {md(str(error))}", icon=":material/block:")
            return
        st.dataframe(pd.DataFrame(list(result.rows), columns=list(result.columns)), hide_index=True, width="stretch")
        st.caption(
            f"{result.form}: {len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
            + (f", cut at the limit of {result.limit}" if result.truncated else "")
        )


def _edit_form(kb: KnowledgeBase) -> None:
    """Add a finding association: checked, previewed as a diff, validated with the whole ontology, then
    written into the module that defines the cause (see graph.curate.edit)."""
    st.subheader("Add a finding association")
    st.caption(f"How to source and weigh it: the curator's guide, `{GUIDE}` (open it at the top of this view).")
    causes = curated_causes(kb)
    findings = sorted(kb.findings, key=lambda f: (kb.label(f), f))
    with st.form("edit-association"):
        cause = st.selectbox("Cause (curated)", causes, format_func=kb.label, key="edit-cause")
        finding = st.selectbox("Finding", findings, format_func=kb.label, key="edit-finding")
        frequency = st.number_input(
            "Share of the cause's patients who show it", 0.0, 1.0, 0.5, 0.01, key="edit-frequency"
        )
        polarity = st.radio("It speaks", ["supports", "opposes"], horizontal=True, key="edit-polarity")
        source = st.text_input("Source (PMID, DOI or PMCID)", key="edit-source")
        estimate = st.checkbox("The share is an estimate no source states", key="edit-estimate")
        comment = st.text_input("What the number rests on", key="edit-comment")
        asked = st.form_submit_button("Preview the change")
    if asked:
        _propose(kb, AssociationEdit(curie(cause), curie(finding), frequency, polarity, source, estimate, comment))
    _drug_form(kb)
    _cause_form(kb)
    _new_drug_form(kb)
    _propose_links(kb, *new_test_form(kb))
    _amend_form(kb)
    _preview_and_save(kb)


def _cause_form(kb: KnowledgeBase) -> None:
    """A new cause in a module file; its findings are added afterwards with the association form."""
    st.subheader("Add a cause")
    mechanisms, categories = mechanisms_and_categories(kb)
    modules = [str(m) for m in curated_modules(kb)]
    with st.form("edit-cause-new"):
        label = st.text_input("Name", key="cause-label")
        definition = st.text_area("Definition (what it is and how it lowers the count)", key="cause-definition")
        mechanism = st.selectbox(
            "Mechanism", list(mechanisms), format_func=mechanisms.__getitem__, key="cause-mechanism"
        )
        category = st.selectbox("Category", list(categories), format_func=categories.__getitem__, key="cause-category")
        prevalence = st.number_input(
            "Share of all neutropenias", 0.0, 1.0, 0.001, 0.0005, format="%.4f", key="cause-prevalence"
        )
        management = st.text_input("What to do (management note)", key="cause-management")
        module = st.selectbox("Module file", modules, format_func=lambda m: m.rsplit("/", 1)[-1], key="cause-module")
        source = st.text_input("Source (PMID, DOI or PMCID)", key="cause-source")
        estimate = st.checkbox("The share is an estimate no source states", key="cause-estimate")
        comment = st.text_input("What the number rests on", key="cause-comment")
        asked = st.form_submit_button("Preview the change")
    if asked:
        edit = CauseEdit(
            label, definition, mechanism, category, prevalence, management, module, source, estimate, comment
        )
        _propose(kb, edit)


def _drug_form(kb: KnowledgeBase) -> None:
    """Link a drug to a curated cause with a likelihood ratio and a timing window the ontology defines."""
    st.subheader("Link a drug to a cause")
    causes = curated_causes(kb)
    drugs = sorted((n for n, k in kb.kinds.items() if k == "Drug"), key=lambda d: (kb.label(d), d))
    windows = timing_windows(kb)
    with st.form("edit-drug-link"):
        drug = st.selectbox("Drug", drugs, format_func=kb.label, key="link-drug")
        cause = st.selectbox("Cause (curated)", causes, format_func=kb.label, key="link-cause")
        ratio = st.number_input("Likelihood ratio of taking it", 0.0, 1000.0, 2.0, 0.5, key="link-lr")
        window = st.selectbox("Timing window", list(windows), format_func=windows.__getitem__, key="link-window")
        source = st.text_input("Source (PMID, DOI or PMCID)", key="link-source")
        estimate = st.checkbox("The ratio is an estimate no source states", key="link-estimate")
        comment = st.text_input("What the number rests on", key="link-comment")
        asked = st.form_submit_button("Preview the change")
    if asked:
        _propose(kb, DrugLinkEdit(curie(drug), curie(cause), ratio, curie(window), source, estimate, comment))


def _module_choice(kb: KnowledgeBase, key: str) -> str:
    modules = [str(m) for m in curated_modules(kb)]
    return str(st.selectbox("Module file", modules, format_func=lambda m: m.rsplit("/", 1)[-1], key=key))


def _new_drug_form(kb: KnowledgeBase) -> None:
    """A new drug node; its links to causes are added afterwards with the drug-link form."""
    st.subheader("Add a drug")
    with st.form("edit-drug-new"):
        label = st.text_input("Name (international non-proprietary name)", key="drug-label")
        xref = st.text_input("DrugBank or ChEBI id (DrugBank:DB00550, CHEBI:8502)", key="drug-xref")
        drug_class = st.text_input("Class", key="drug-class")
        synonyms = st.text_input("Other names, brand names (separated by commas)", key="drug-synonyms")
        module = _module_choice(kb, "drug-module")
        source = st.text_input("Source (PMID, DOI or PMCID)", key="drug-source")
        asked = st.form_submit_button("Preview the change")
    if asked:
        _propose(kb, DrugEdit(label, xref, drug_class, tuple(synonyms.split(",")), module, source))


#: what a curator may change, as the form names it, and the kind of item it is in the ontology
AMENDABLE = {
    "A finding association": "FindingAssociation",
    "A drug link": "AgentAssociation",
    "A cause": "Cause",
    "A diagnostic test": "DiagnosticTest",
}


def _amendable(kb: KnowledgeBase, kind: str) -> dict[str, str]:
    """The curated items of one kind, id -> a label that names them, by label."""
    if kind == "Cause":
        shown = {c: kb.label(c) for c in kb.causes if not is_imported_cause(c)}
    elif kind == "DiagnosticTest":
        shown = {t: kb.label(t) for t in kb.tests}
    elif kind == "FindingAssociation":
        shown = {
            a.id: f"{kb.label(a.cause)} · {kb.label(a.finding)}"
            for assocs in kb.finding_assocs.values()
            for a in assocs
            if not is_imported_cause(a.cause)
        }
    else:
        shown = {
            a.id: f"{kb.label(a.agent)} → {kb.label(a.cause)}" for links in kb.agent_assocs.values() for a in links
        }
    return dict(sorted(shown.items(), key=lambda item: (item[1], item[0])))


def _items(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else ()


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _amend_fields(kb: KnowledgeBase, subject: str) -> dict[str, Any]:
    """The form's fields for one item, each starting from the value the ontology holds."""
    now = current_values(kb, subject)
    key = f"amend-{curie(subject)}"
    values: dict[str, Any] = {}
    for name in FIELDS[kb.kinds[subject]]:
        if name == "frequency":
            values[name] = st.number_input(
                "Share of the cause's patients", 0.0, 1.0, _number(now[name]), 0.01, key=key + name
            )
        elif name == "likelihood_ratio":
            values[name] = st.number_input("Likelihood ratio", 0.0, 1000.0, _number(now[name]), 0.5, key=key + name)
        elif name == "window":
            windows = timing_windows(kb)
            order = list(windows)
            start = order.index(str(now[name])) if now[name] in windows else 0
            values[name] = st.selectbox("Timing window", order, start, format_func=windows.__getitem__, key=key + name)
        elif name == "sources":
            written = st.text_input(
                "Sources (PMID, DOI or PMCID, separated by commas)",
                ", ".join(str(x) for x in _items(now[name])),
                key=key + name,
            )
            values[name] = tuple(s.strip() for s in written.split(",") if s.strip())
        elif name == "definition":
            values[name] = st.text_area("Definition", str(now[name]), key=key + name)
        else:
            values[name] = st.text_input("Label", str(now[name]), key=key + name)
    return values


def _amend_form(kb: KnowledgeBase) -> None:
    """Change an existing item: only the values that differ are rewritten, in the module that defines it."""
    st.subheader("Edit an existing item")
    what = st.radio("What to change", list(AMENDABLE), horizontal=True, key="amend-kind")
    items = _amendable(kb, AMENDABLE[str(what)])
    subject = st.selectbox("Item", list(items), format_func=items.__getitem__, index=None, key="amend-item")
    if subject is None:
        return
    if AMENDABLE[str(what)] == "DiagnosticTest":
        _propose_links(kb, *existing_test_form(kb, subject))
        return
    with st.form("edit-amend"):
        values = _amend_fields(kb, subject)
        asked = st.form_submit_button("Preview the change")
    if not asked:
        return
    amendment = Amendment(curie(subject), **values)
    problems = amendment_problems(kb, amendment)
    st.session_state["edit-preview"] = None if problems else preview_amendment(kb, amendment)
    if problems:
        st.warning("Not ready to save:\n" + "\n".join(f"- {md(p)}" for p in problems), icon=":material/edit_off:")


def _propose(kb: KnowledgeBase, edit: Edit) -> None:
    problems = edit_problems(kb, edit)
    st.session_state["edit-preview"] = None if problems else preview_edit(kb, edit)
    if problems:
        st.warning("Not ready to save:\n" + "\n".join(f"- {md(p)}" for p in problems), icon=":material/edit_off:")


def _propose_links(kb: KnowledgeBase, edit: CauseLinksEdit | None, problems: list[str]) -> None:
    """A test and the causes it confirms or excludes: checked, then previewed (see graph.curate.testlinks)."""
    if edit is None:
        return
    problems = problems + link_problems(kb, edit)
    st.session_state["edit-preview"] = None if problems else preview_links(kb, edit)
    if problems:
        st.warning("Not ready to save:\n" + "\n".join(f"- {md(p)}" for p in problems), icon=":material/edit_off:")


def _preview_and_save(kb: KnowledgeBase) -> None:
    preview = st.session_state.get("edit-preview")
    if preview is None:
        return
    st.markdown(f"The change to `{md(preview.path.name)}`:")
    st.code(preview.diff, language="diff")
    if st.button("Validate and save", key="edit-save"):
        try:
            with st.spinner("Validating the ontology with the change…"):
                written = save_edit(kb, preview)
        except EditConflict as conflict:
            st.error(md(str(conflict)), icon=":material/sync_problem:")
        except EditRejected as rejected:
            st.error(
                "Not saved; validation found:\n" + "\n".join(f"- {md(p)}" for p in rejected.problems[:10]),
                icon=":material/block:",
            )
        else:
            st.session_state["edit-preview"] = None
            reload_ontology()
            st.success(f"Saved to `{md(written.name)}`; the ontology is reloaded.", icon=":material/check:")


def _guide() -> None:
    """The curator's guide, one click away: the repository's docs/curating.md, read when opened."""
    guide = st.expander(
        f"The curator's guide ({GUIDE})", icon=":material/menu_book:", key="curate-guide", on_change="rerun"
    )
    with guide:
        if not guide.open:
            return
        try:
            st.markdown((ROOT / GUIDE).read_text(encoding="utf-8"))
        except OSError:
            st.info(f"The guide is `{GUIDE}` in the repository; it is not beside this copy of the app.")


def _validation_report() -> None:
    st.subheader("Validation report")
    try:
        report = validation()
    except NeutropeniaKGError as error:
        st.error(md(str(error)))
        return
    (st.success if not report.errors and not report.warnings else st.warning if not report.errors else st.error)(
        md(report.headline)
    )
    for group in report.groups:
        with st.expander(
            f"{group.level.upper()} · {md(group.code)} · {len(group.problems)}", expanded=group.level == "error"
        ):
            st.markdown(md(group.explanation))
            st.dataframe(
                pd.DataFrame([{"Node": p.label, "Id": p.subject, "What to do": p.message} for p in group.problems]),
                hide_index=True,
                width="stretch",
            )


def show(kb: KnowledgeBase, link: DeepLink) -> DeepLink:
    """Draw the curator's view."""
    st.title("Curate the ontology")
    summary = ontology_summary(kb)
    if summary.label:
        st.caption(f"{md(summary.label)} · HPO {md(summary.hpo_version)}")
    metrics = st.columns(5)
    metrics[0].metric("Ontology version", md(summary.version))
    for column, (title, kind) in zip(
        metrics[1:], (("Causes", "Cause"), ("Drugs", "Drug"), ("Organisms", "Organism"), ("Genes", "Gene")), strict=True
    ):
        column.metric(title, summary.counts.get(kind, 0))
    metrics = st.columns(5)
    metrics[0].metric("Finding associations", summary.finding_associations)
    for column, (title, kind) in zip(
        metrics[1:],
        (
            ("Findings", "Finding"),
            ("Tests", "DiagnosticTest"),
            ("Treatments", "Treatment"),
            ("Conditions", "Condition"),
        ),
        strict=True,
    ):
        column.metric(title, summary.counts.get(kind, 0))

    _guide()
    _validation_report()
    st.caption("The same report as `neutropenia-kg validate` on the command line (SHACL shapes and checks).")
    _edit_form(kb)

    left, right = st.columns(2)
    with left:
        st.subheader("Nodes by kind")
        st.dataframe(pd.DataFrame(list(summary.counts.items()), columns=["Kind", "Nodes"]), hide_index=True, height=360)
    with right:
        st.subheader("Sources of the ontology")
        st.markdown("\n".join(f"- {links_md([s])}" for s in summary.sources) or "_none recorded_")
        st.subheader("Files")
        st.markdown("\n".join(f"- {md(f)}" for f in summary.files))
    _sparql()
    return DeepLink(view="curate")
