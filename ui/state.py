"""What the app loads once per process (knowledge base, RDF, examples) and the URL it keeps in step.

Everything cached here is shared by every session and read-only: the knowledge base is built
once per ontology path and never mutated by a session.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import streamlit as st

from graph.caseio.deeplink import DeepLink, link_params, merge_link, parse_link
from graph.caseio.examples import ExampleCase, example_directories, find_example_cases
from graph.curate.curation import ValidationReport, validate_for_curators
from graph.curate.sparqlworker import drop_spares, keep_spare, limits_from_environment
from graph.kb.knowledge import KnowledgeBase, load_knowledge_base
from graph.kb.paths import resolve_ontology_path
from graph.model.errors import NeutropeniaKGError, OntologyError
from graph.model.results import Workup
from graph.present.graphview import workup_graph
from graph.present.render import Layout, network_html
from graph.workup.pipeline import workup_case
from ui.show import md

__all__ = [
    "ROOT",
    "knowledge_base",
    "ontology_path",
    "examples",
    "validation",
    "read_link",
    "write_link",
    "keep_link",
    "case_key",
    "cached_workup",
    "explanation_page",
    "reload_ontology",
    "warm_sparql",
]

ROOT = Path(__file__).resolve().parent.parent


@st.cache_resource(show_spinner="Loading the ontology…")
def _knowledge_base(path: str) -> KnowledgeBase:
    return load_knowledge_base(path)


@st.cache_resource(show_spinner="Validating the ontology (SHACL shapes and checks)…")
def _validation(path: str) -> ValidationReport:
    return validate_for_curators(path)


@st.cache_resource(show_spinner=False)
def _examples(path: str) -> tuple[list[ExampleCase], list[str]]:
    return find_example_cases(example_directories(ROOT), _knowledge_base(path).case_rules)


@st.cache_resource(max_entries=64, show_spinner=False)
def _workup(path: str, key: str, _case: dict[str, Any]) -> tuple[Workup, float]:
    started = time.perf_counter()
    workup = workup_case(_knowledge_base(path), _case)
    return workup, time.perf_counter() - started


def case_key(case: dict[str, Any]) -> str:
    """The case as canonical JSON (sorted keys, no spaces): equal cases, however entered, share a key."""
    return json.dumps(case, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def cached_workup(case: dict[str, Any]) -> tuple[Workup, float]:
    """The workup of ``case`` on the loaded ontology and the seconds its ranking took, computed once per
    distinct case for every session (a what-if toggled back, or a case another session opened, is not
    ranked again).  A Workup is frozen, so sharing it is safe; an error (a case that cannot be ranked)
    is raised each time, never cached."""
    return _workup(ontology_path(), case_key(case), case)


@st.cache_resource(max_entries=64, show_spinner=False)
def _explanation_page(
    path: str, key: str, top: int, depth: int, weak: float, layout: Layout, height: int, _workup: Workup
) -> tuple[int, int, str | None, str]:
    H = workup_graph(_knowledge_base(path), _workup, top=top, depth=depth, min_weight=weak)
    if H.number_of_nodes() == 0:
        return 0, 0, None, ""
    try:
        return H.number_of_nodes(), H.number_of_edges(), network_html(H, height=height, layout=layout), ""
    except NeutropeniaKGError as error:
        return H.number_of_nodes(), H.number_of_edges(), None, str(error)


def explanation_page(
    case: dict[str, Any], workup: Workup, top: int, depth: int, weak: float, layout: Layout, height: int
) -> tuple[int, int, str | None, str]:
    """The explanatory graph of ``workup`` (the workup of ``case``) drawn as a page: its node and link counts,
    the HTML (None when there is nothing to draw, or it cannot be drawn) and the reason it cannot.  Built
    once per case and setting, so a re-drawn page or a what-if toggled back sends the same page again."""
    return _explanation_page(ontology_path(), case_key(case), top, depth, weak, layout, height, workup)


def examples() -> tuple[list[ExampleCase], list[str]]:
    """The example cases (bundled, and the dev cases when ``../shared/cases/dev`` exists), read with the
    ontology's unit rules."""
    return _examples(ontology_path())


def ontology_path() -> str:
    """The ontology in use: ``$NEUTROPENIA_KG_ONTOLOGY`` or the bundled one (OntologyError if missing)."""
    return str(resolve_ontology_path())


def knowledge_base() -> KnowledgeBase:
    """The knowledge base; a broken ontology ends the run with an error page naming file and line."""
    try:
        return _knowledge_base(ontology_path())
    except OntologyError as error:
        st.title("The ontology could not be loaded")
        st.error(md(str(error)), icon=":material/error:")
        st.markdown(
            "Fix the file named above and reload this page. The ontology is read from the file named by "
            "the environment variable `NEUTROPENIA_KG_ONTOLOGY`, or else the bundled "
            "`ontology/neutropenia.ttl`; `neutropenia-kg validate` checks it from the command line."
        )
        st.stop()
        raise  # st.stop() ends the run; this line is never reached


def warm_sparql() -> None:
    """Keep a SPARQL worker reading the ontology for the next curator who opens the Curate view, so their
    first query does not wait for the parse (graph.curate.sparqlworker.keep_spare)."""
    keep_spare(ontology_path(), *limits_from_environment())


def validation() -> ValidationReport:
    """The validation report of the loaded ontology (computed once)."""
    return _validation(ontology_path())


def read_link(kb: KnowledgeBase) -> DeepLink:
    """The deep link of the URL this session opened with (read once per session; problems shown once)."""
    if "link" not in st.session_state:
        keys = {example.key for example in examples()[0]}
        link, problems = parse_link(
            st.query_params.to_dict(),
            is_case=keys.__contains__,
            is_cause=kb.causes.__contains__,
            is_node=lambda iri: iri in kb.graph or iri in kb.hpo,
            rules=kb.case_rules,
        )
        st.session_state["link"] = link
        st.session_state["link_problems"] = problems
    for problem in st.session_state.pop("link_problems", []):
        st.warning(md(problem), icon=":material/link:")
    return st.session_state["link"]


def write_link(link: DeepLink) -> None:
    """Put ``link`` in the address bar (only when it changed), so the page can be shared."""
    st.session_state["link"] = link
    params = link_params(link)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def keep_link(shown: DeepLink) -> None:
    """Merge what a view shows into the session's link and put it in the address bar."""
    write_link(merge_link(st.session_state.get("link", shown), shown))


def reload_ontology() -> None:
    """Forget the loaded ontology, its validation and its examples (after a curator saved an edit): the
    next run reads the edited files (the compiled cache is keyed by content, so it rebuilds too)."""
    _knowledge_base.clear()
    _validation.clear()
    _examples.clear()
    _workup.clear()
    _explanation_page.clear()
    drop_spares()
    worker = st.session_state.pop("sparql-worker", None)
    if worker is not None:
        worker.stop()
