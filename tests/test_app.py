"""The app, view by view, with Streamlit's AppTest: inputs in, what a person sees out.

Most tests run on the mini ontology (tests/data/mini) through ``NEUTROPENIA_KG_ONTOLOGY``, as a
deployment would; one opens the app as a newcomer does, on the bundled ontology.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("pyvis")

from conftest import MINI_CASE, ROOT, dev_cases  # noqa: E402
from hostile import make_hostile_ontology  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from graph.caseio.deeplink import encode_case  # noqa: E402
from graph.model.case import MAX_RESULT_CHARS  # noqa: E402
from graph.model.ids import expand  # noqa: E402

APP = str(ROOT / "app.py")
#: A case whose ranking on the mini ontology is worked out in tests/test_views.py.
CASE = {**MINI_CASE, "id": "mini-1"}
needs_dev_cases = pytest.mark.skipif(not dev_cases(), reason="../shared/cases/dev is not beside the checkout")


@pytest.fixture()
def mini(monkeypatch, mini_dir):
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(mini_dir / "neutropenia.ttl"))


def app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def table(at: AppTest, column: str):
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a {column!r} column; tables: {[list(f.value.columns) for f in at.dataframe]}")


def open_editor(at: AppTest) -> AppTest:
    """Open "Enter or edit the case" (drawn only while open)."""
    at.session_state["case-editor"] = True
    return at.run()


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_a_newcomer_sees_an_example_workup_on_the_bundled_ontology():
    at = app()
    assert not at.exception and not at.error[1:]
    assert "EMERGENCY" in at.error[0].value and "FEBRILE NEUTROPENIA" in at.error[0].value
    assert at.selectbox(key="example-1").value == "febrile-agranulocytosis"
    differential = table(at, "Cause")
    assert len(differential) == 15 and list(differential.columns) == [
        "Rank",
        "Cause",
        "Source",
        "Mechanism",
        "Category",
        "Implicated agent",
        "Probability",
    ]
    assert differential.iloc[0]["Implicated agent"] == "carbamazepine"
    assert at.query_params["case"] == "febrile-agranulocytosis"
    assert at.get("iframe"), "the explanatory graph is drawn"


def test_a_listed_drug_gets_its_causality_and_the_open_questions_are_answered_in_the_app():
    case = {"id": "thyroid", "anc": 300, "duration_days": 3,
            "medications": [{"name": "methimazole", "started_days_ago": 40}]}  # fmt: skip
    at = app(c=encode_case(case))
    assert not at.exception

    def assessment() -> str:
        return next(plain(e.label) for e in at.expander if "WHO-UMC" in plain(e.label))

    first = re.fullmatch(
        r"methimazole \(for Antithyroid drug-induced agranulocytosis\): WHO-UMC possible; Naranjo (\d+) \(possible\)",
        assessment(),
    )
    assert first, assessment()
    shown = plain(texts(at.markdown))
    assert "37 days from the first dose to the onset" in shown and "read from the case" in shown
    asked = [r for r in at.radio if r.key.startswith("causality-")]
    assert not [r for r in asked if r.key.endswith("-temporal")], "what the case records is not asked"
    rechallenge = next(r for r in asked if r.key.endswith("-rechallenge"))
    assert rechallenge.value == "unanswered"
    assert plain(rechallenge.label) == "Did the neutropenia come back when the drug was given again?"
    rechallenge.set_value("yes").run()
    assert not at.exception
    score = int(first.group(1)) + 2  # a positive rechallenge scores +2
    assert re.search(rf"WHO-UMC \w+; Naranjo {score} \((?:possible|probable)\)$", assessment()), assessment()


@needs_dev_cases
def test_a_chemotherapy_case_at_day_10_shows_the_expected_nadir_and_useful_tests_for_the_whole_case():
    case = {
        "id": "chemo-10",
        "anc": 300,
        "patient": {"age_years": 55, "sex": "female"},
        "medications": [{"name": "cyclophosphamide", "last_dose_days_ago": 10}],
    }
    at = app(c=encode_case(case))
    assert not at.exception and "### Case chemo\\-10" in texts(at.markdown)
    expected = plain(texts(at.info))
    assert "Expected:** Day 10 after myelosuppressive chemotherapy (cyclophosphamide): the expected nadir." in expected
    assert "What to do: Check for fever" in expected
    shown = plain(texts(at.markdown))
    assert "What to do next: useful tests for the whole case" in shown
    first = shown.split("What to do next: useful tests for the whole case", 1)[1]
    assert "1. " in first and "expected gain" in first and "(estimate)" in first


@needs_dev_cases
def test_a_deep_link_opens_a_dev_case_and_its_cause(mini):
    at = app(case="dev-002", cause="cause:mini-viral")
    assert not at.exception
    assert "### Case dev\\-002" in texts(at.markdown)
    assert table(at, "Cause").iloc[0]["Cause"] == "Mini drug agranulocytosis"
    assert at.selectbox(key="cause-1").value.endswith("/cause/mini-viral")
    assert "#### 2. Mini viral infection" in texts(at.markdown)
    # a drug the (mini) ontology lacks is recognised by the drug lexicon and said to be no known cause
    assert "risperidone" in texts(at.info) and "not a known cause of neutropenia" in texts(at.info)


def test_a_linked_case_in_si_units_with_a_temperature_is_shown_with_the_emergency(mini):
    at = app(c=encode_case({"id": "si-1", "anc": {"value": 0.4, "unit": "10^9/L"}, "temperature_c": 38.6}))
    assert not at.exception and not at.warning, texts(at.warning)
    assert "### Case si\\-1" in texts(at.markdown)  # the linked case, not the default example
    assert "EMERGENCY" in at.error[0].value and "FEBRILE NEUTROPENIA" in at.error[0].value
    assert at.metric[0].value == "400/µL"


def test_a_linked_case_without_a_count_shows_the_severity_of_its_finding(mini):
    case = {"id": "no-count", "findings": ["Agranulocytosis"], "medications": [{"name": "methimazole"}]}
    at = app(c=encode_case(case))
    assert not at.exception and not at.error and "### Case no\\-count" in texts(at.markdown)
    assert [m.value for m in at.metric[:2]] == ["not given", "severe"]


def test_why_shows_evidence_sources_next_tests_and_management(mini):
    at = app(c=encode_case(CASE))
    assert "#### 1. Mini drug agranulocytosis" in texts(at.markdown)
    shown = plain(texts(at.markdown))
    assert "Evidence for" in shown and "Evidence against" in shown
    assert "Pharyngitis present (exact): in 50% of cases" in shown and "sources: test" in shown
    assert "drug withdrawal trial" in shown or "peripheral smear" in shown
    assert "Stop the drug." in shown


def test_choosing_another_cause_explains_it_and_updates_the_link(mini):
    at = app(c=encode_case(CASE))
    at.selectbox(key="cause-1").set_value(
        "https://w3id.org/neutropenia-kg/resource/cause/duffy-null-associated-neutrophil-count"
    ).run()
    assert re.search(r"#### \d+\. Mini Duffy\\-null", texts(at.markdown)), "the chosen cause is explained"
    assert at.query_params["cause"] == "cause:duffy-null-associated-neutrophil-count"


def test_toggling_a_finding_reranks_at_once(mini):
    at = app(c=encode_case(CASE))
    before = table(at, "Cause")["Cause"].tolist()
    at.sidebar.button_group(key="whatif-1-1").set_value("absent").run()  # Pharyngitis
    at.sidebar.button_group(key="whatif-1-2").set_value("present").run()  # Splenomegaly
    at.sidebar.multiselect(key="whatif-add-1").set_value(["HP:0002716"]).run()  # Lymphadenopathy
    after = table(at, "Cause")["Cause"].tolist()
    assert before[0] == "Mini drug agranulocytosis" and after[0] == "Mini viral infection"
    assert "What if" in texts(at.info)
    moved = table(at, "Rank before")
    assert moved.iloc[0]["Cause"] == "Mini viral infection" and moved.iloc[0]["Rank now"] == 1


def test_the_what_if_banner_names_the_state_as_the_toggle_does(mini):
    at = app(c=encode_case(CASE))
    toggle = at.sidebar.button_group(key="whatif-1-1")  # Pharyngitis, present in the case
    toggle.set_value("not recorded").run()
    assert "Pharyngitis · HP:0025439 → unknown." in plain(texts(at.info))  # the toggle's button reads "unknown"


def test_a_what_if_that_cannot_be_ranked_keeps_the_workup_of_the_case(mini):
    case = {"id": "no-count", "findings": ["Agranulocytosis"], "medications": [{"name": "methimazole"}]}
    at = app(c=encode_case(case))
    at.sidebar.button_group(key="whatif-1-0").set_value("absent").run()  # the only statement of the neutropenia
    assert not at.exception and not at.error
    warning = plain(texts(at.warning))
    assert "**What if:** the changed case cannot be ranked: 'anc' is missing" in warning
    assert "The ranking below is for the case as entered." in warning
    assert table(at, "Cause").iloc[0]["Cause"] == "Mini drug agranulocytosis" and "What if" not in texts(at.info)


def test_the_form_ranks_a_new_case_and_the_link_carries_it(mini):
    at = open_editor(app(case="chronic-mild"))
    assert at.number_input(key="form-anc-1-US").value == 1200  # the form shows the example being edited
    at.text_input(key="form-id-1-US").set_value("my-patient")
    at.number_input(key="form-anc-1-US").set_value(400)
    at.multiselect(key="form-findings-1-US").set_value(["HP:0001945"])
    at.button(key="form-submit-1-US").click().run()
    assert not at.exception and "### Case my\\-patient" in texts(at.markdown)
    assert "EMERGENCY" in at.error[0].value  # fever with ANC 400
    token = at.query_params["c"]
    shared = app(c=token)
    assert "### Case my\\-patient" in texts(shared.markdown)
    assert table(shared, "Cause")["Cause"].tolist() == table(at, "Cause")["Cause"].tolist()


def test_a_form_mistake_is_a_message_naming_the_field(mini):
    at = open_editor(app(case="chronic-mild"))
    at.text_input(key="form-id-1-US").set_value("")
    at.button(key="form-submit-1-US").click().run()
    assert "'id' is missing" in plain(texts(at.error)) and not at.exception


def test_pasted_json_loads_or_says_where_it_is_wrong(mini):
    at = open_editor(app())
    at.text_area(key="paste-1").set_value('{"id": "pasted", "anc": }')
    at.button(key="paste-load-1").click().run()
    assert "invalid JSON at line 1, column 25" in plain(texts(at.error))
    at.text_area(key="paste-1").set_value(
        json.dumps({"id": "pasted", "anc": 1100, "patient": {"ancestry": "Yemeni"}, "duration_days": 900})
    )
    at.button(key="paste-load-1").click().run()
    assert "### Case pasted" in texts(at.markdown)
    assert table(at, "Cause").iloc[0]["Cause"] == "Mini Duffy-null"


def test_the_unit_shown_beside_the_paste_box_is_read_as_shown(mini):
    at = open_editor(app())
    hint = next(c.value for c in at.caption if "case-format.md" in c.value)
    assert "`anc` unless a finding" in hint and "`temperature_c`" in hint
    shown = json.loads(re.search(r"`(\{.*?\})`", hint).group(1))  # the value-with-unit example of the hint
    at.text_area(key="paste-1").set_value(json.dumps({"id": "pasted-si", "anc": shown}))
    at.button(key="paste-load-1").click().run()
    assert not at.exception and not at.error and "### Case pasted\\-si" in texts(at.markdown)
    assert at.metric[0].value == "800/µL"


def test_a_case_too_large_for_a_link_says_so_instead_of_offering_the_link(mini):
    import hashlib

    narrative = " ".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(300))  # packs to over 6000
    at = open_editor(app())
    at.text_area(key="paste-1").set_value(json.dumps({"id": "long", "anc": 700, "narrative": narrative}))
    at.button(key="paste-load-1").click().run()
    assert "### Case long" in texts(at.markdown) and "c" not in at.query_params
    captions = texts(at.caption)
    assert "This case is too large for a link" in captions and "share the Case (JSON) file instead" in captions
    assert "The address bar holds a link to this workup" not in captions


def test_exports_offer_json_markdown_html_and_the_case(mini):
    at = app(c=encode_case(CASE))
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Workup (JSON)", "Report (Markdown)", "Printable report (HTML)", "Case (JSON)", "Report (PDF)"]


def test_explore_shows_a_node_page_and_search(mini):
    at = app(view="explore", node="drug:clozapine")
    assert not at.exception and at.header[0].value == "clozapine"
    assert table(at, "Name").iloc[0]["Name"] == "Mini drug agranulocytosis"
    assert "[DrugBank\\:DB00363](https://go.drugbank.com/drugs/DB00363)" in texts(at.markdown)
    assert at.get("iframe"), "the neighbourhood is drawn"
    at.text_input(key="explore-query").set_value("glandular").run()
    hits = at.selectbox(key="explore-hit")
    assert hits.options == ["Mini viral infection · Cause · ORPHA:99999 (matched “glandular fever”)"]  # no internal id
    at.text_input(key="explore-query").set_value("clozapine").run()
    assert "clozapine · Drug · DrugBank:DB00363" in at.selectbox(key="explore-hit").options
    at.text_input(key="explore-query").set_value("glandular").run()
    hits.set_value(expand("cause:mini-viral")).run()
    assert at.header[0].value == "Mini viral infection"
    assert at.query_params["node"] == "cause:mini-viral" and at.query_params["view"] == "explore"


def test_explore_names_kinds_in_words(mini):
    at = app(view="explore", node="cause:duffy-null-associated-neutrophil-count")
    kinds = {kind for frame in at.dataframe if "Kind" in frame.value.columns for kind in frame.value["Kind"]}
    assert "Prior modifier" in kinds and not any(re.search(r"[a-z][A-Z]", kind) for kind in kinds), kinds


def test_compare_puts_separating_findings_first(mini):
    at = app(view="compare", compare="cause:mini-drug,cause:mini-chemo")
    findings = table(at, "Finding")
    assert findings.iloc[0].tolist() == ["Thrombocytopenia", "lab: platelets_per_ul < 150000 /uL", "3%", "50%", "yes"]
    assert "clozapine" in table(at, "Agent")["Agent"].tolist()
    at.toggle(key="compare-only").set_value(True).run()
    assert "peripheral smear" not in table(at, "Test")["Test"].tolist()


def test_curate_shows_statistics_and_the_validation_report(mini):
    at = app(view="curate")
    assert "The ontology passes every check." in plain(texts(at.success))
    assert {m.label: m.value for m in at.metric}["Causes"] == "4"
    assert "Cause" in table(at, "Kind")["Kind"].tolist()


def test_the_validation_report_lists_problems_in_plain_words(monkeypatch, mini_dir, tmp_path):
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(make_hostile_ontology(mini_dir, tmp_path / "flawed")))
    at = app(view="curate")
    assert re.search(r"\d+ errors to fix before release", texts(at.error))
    assert "A PMID or DOI source is malformed" in plain(texts(at.markdown))


@pytest.mark.parametrize(
    "query, message",
    [
        ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "this box is read-only"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM / FROM NAMED is not allowed"),
    ],
)
def test_sparql_refuses_updates_service_and_from(mini, query, message):
    at = app(view="curate")
    at.text_area(key="sparql-text").set_value(query)
    at.button(key="sparql-run").click().run()
    assert "Query refused" in texts(at.error) and message in plain(texts(at.error))


def test_sparql_answers_a_select_with_a_table(mini):
    at = app(view="curate")
    at.selectbox(key="sparql-example").set_value("Causes by mechanism").run()
    at.button(key="sparql-run").click().run()
    result = table(at, "mechanism")
    assert len(result) == 4 and "Mini viral infection" in result["cause"].tolist()


def test_a_runaway_sparql_query_is_stopped_and_the_session_stays_usable(mini, monkeypatch):
    monkeypatch.setenv("NEUTROPENIA_KG_SPARQL_TIMEOUT", "2")
    at = app(view="curate")
    at.text_area(key="sparql-text").set_value("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g")
    at.button(key="sparql-run").click().run()
    assert "Query stopped" in texts(at.error) and "the time limit" in plain(texts(at.error))
    at.selectbox(key="sparql-example").set_value("Causes by mechanism").run()
    at.button(key="sparql-run").click().run()
    assert "Mini viral infection" in table(at, "mechanism")["cause"].tolist()
    at.session_state["sparql-worker"].stop()


def test_a_broken_ontology_is_an_error_page_naming_file_and_line(monkeypatch, mini_dir, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(mini_dir, broken)
    causes = broken / "mini-causes.ttl"
    lines = causes.read_text(encoding="utf-8").splitlines()
    lines.insert(29, "this is not Turtle .")
    causes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(broken / "neutropenia.ttl"))
    at = app()
    assert not at.exception and at.title[0].value == "The ontology could not be loaded"
    message = plain(at.error[0].value)
    assert "mini-causes.ttl, line 30" in message and "Turtle syntax error" in message


def test_a_missing_ontology_file_is_an_error_page(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(tmp_path / "nowhere.ttl"))
    at = app()
    assert "ontology file not found (from NEUTROPENIA_KG_ONTOLOGY)" in plain(at.error[0].value)


def test_a_link_with_unknown_values_warns_and_falls_back(mini):
    at = app(view="settings", case="no-such-case", cause="cause:nothing")
    warnings = plain(texts(at.warning))
    assert "unknown view 'settings'" in warnings and "no example case 'no-such-case'" in warnings
    assert "'cause:nothing' in the link is not a known cause" in warnings
    assert at.title[0].value == "Case workup" and not at.exception


def _raw_link(raw: bytes) -> str:
    import base64
    import zlib

    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"[" * 5000, "nested too deeply"),
        (b'{"id": "x", "anc": 1' + b"0" * 400 + b"}", "finite number"),
        (b'{"id": "\\ud800", "anc": 500}', "lone surrogate"),
        (
            b'{"id": "x", "anc": 500, "tests": [{"name": "eosinophils", "result": "'
            + b" " * (MAX_RESULT_CHARS + 100)
            + b'"}]}',
            f"a result is at most {MAX_RESULT_CHARS}",
        ),
    ],
    ids=["deep-nesting", "huge-anc", "surrogate", "long-result"],
)
def test_a_hostile_link_is_a_visible_warning_and_the_session_goes_on(mini, raw, message):
    at = app(c=_raw_link(raw))
    assert not at.exception
    assert message in plain(texts(at.warning) + texts(at.error))
    assert at.title[0].value == "Case workup"


def test_hostile_labels_reach_the_page_only_as_escaped_text(monkeypatch, mini_dir, tmp_path):
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(make_hostile_ontology(mini_dir, tmp_path / "hostile")))
    pages = [
        app(c=encode_case(CASE)),
        app(view="explore", node="cause:mini-chemo"),
        app(view="compare", compare="cause:mini-drug,cause:mini-viral"),
        app(view="curate"),
    ]
    assert "Mini drug agranulocytosis \\<script\\>window" in texts(pages[0].markdown)  # shown, as text
    assert "Mini chemotherapy neutropenia \\<a href" in texts(pages[1].header)
    assert {m.label: m.value for m in pages[3].metric}["Ontology version"].startswith("test \\<img")
    for at in pages:
        assert not at.exception
        shown = "\n".join(
            texts(kind)
            for kind in (
                at.markdown,
                at.error,
                at.warning,
                at.info,
                at.caption,
                at.header,
                at.subheader,
                at.title,
                at.success,
            )
        )
        shown += "\n".join(f"{m.label} {m.value}" for m in at.metric)
        assert not re.search(r"(?<!\\)[<>]", shown.replace("->", "")), "every < and > in Markdown is escaped"
        assert not re.search(r"(?<!\\)!(?<!\\)\[", shown) and "](javascript" not in shown
        assert not re.search(r"(?<!\\)\$", shown) and not re.search(r"(?<!\\):red", shown)


def test_only_app_and_ui_import_streamlit():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "graph").glob("*.py")
        if re.search(r"^\s*(import|from)\s+streamlit", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
    assert Path(ROOT / "app.py").read_text(encoding="utf-8").count("import streamlit") == 1


def test_an_unexpected_failure_is_a_message_not_a_traceback(mini, monkeypatch):
    import ui.workup

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ui.workup, "differential_rows", broken)  # inside the workup's fragment
    at = app(c=encode_case(CASE))
    assert not at.exception
    assert "Something went wrong while drawing this page" in texts(at.error) and "boom" not in texts(at.error)
    assert at.title[0].value == "Case workup", "the page around the failed part is still drawn"


def _in_order(at: AppTest) -> list[tuple[str, str]]:
    """Every element of the main area, in screen order, as (type, text)."""
    found: list[tuple[str, str]] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict) and children:
            for key in sorted(children):
                walk(children[key])
            return
        try:
            value = node.value
        except Exception:  # noqa: BLE001 - an element without a value (a button, a frame)
            value = ""
        found.append((node.type, " ".join(map(str, value.columns)) if hasattr(value, "columns") else str(value)))

    walk(at.main)
    return found


def test_a_new_case_starts_blank_and_no_example_value_reaches_the_ranking(mini):
    at = open_editor(app(case="chronic-mild"))
    assert at.number_input(key="form-anc-1-US").value == 1200
    at.button(key="new-case").click().run()
    assert "Choose an example case, or enter one in the form above." in texts(at.info)
    numbers = [n for n in at.number_input if n.key.endswith("-2-US")]
    assert numbers and all(n.value is None for n in numbers), [(n.key, n.value) for n in numbers]
    assert all(not n.proto.HasField("default") for n in numbers), "a field made with a default cannot be cleared"
    assert at.selectbox(key="form-sex-2-US").value in ("", None)
    assert at.selectbox(key="form-ancestry-2-US").value in ("", None)
    assert at.multiselect(key="form-findings-2-US").value == [] and at.text_input(key="form-id-2-US").value == ""
    assert at.checkbox(key="form-recorded-2-US").value is False  # no medication list until one is entered
    at.text_input(key="form-id-2-US").set_value("blank-1")
    at.number_input(key="form-anc-2-US").set_value(900)
    at.button(key="form-submit-2-US").click().run()
    assert not at.exception and "### Case blank\\-1" in texts(at.markdown)
    assert at.session_state["case"] == {"id": "blank-1", "anc": 900}  # exactly what was entered, nothing else


def test_every_field_of_an_opened_case_can_be_cleared_ancestry_included(mini):
    case = {
        "id": "p",
        "anc": 1100,
        "patient": {"ancestry": "Yemeni", "sex": "male", "age_years": 30},
        "duration_days": 900,
        "labs": {"platelets_per_ul": 250000},
    }
    at = open_editor(app(c=encode_case(case)))
    assert at.selectbox(key="form-ancestry-1-US").value == "Yemeni" and at.number_input(key="form-age-1-US").value == 30
    at.selectbox(key="form-ancestry-1-US").set_value("")
    at.selectbox(key="form-sex-1-US").set_value("")
    at.number_input(key="form-age-1-US").set_value(None)
    at.number_input(key="form-duration-1-US").set_value(None)
    at.number_input(key="form-platelets_per_ul-1-US").set_value(None)
    at.button(key="form-submit-1-US").click().run()
    assert not at.exception and at.session_state["case"] == {"id": "p", "anc": 1100}
    at = open_editor(at)  # the form of the ranked case stays empty where it was cleared
    assert at.number_input(key="form-age-2-US").value is None and at.selectbox(key="form-ancestry-2-US").value == ""


def test_a_case_entered_in_si_units_with_a_temperature_is_converted_and_raises_the_emergency(mini):
    at = open_editor(app())
    at.button(key="new-case").click().run()
    at.radio(key="form-units").set_value("SI").run()
    assert any("×10⁹/L" in n.label for n in at.number_input if n.key == "form-anc-2-SI")
    assert any("°C" in n.label for n in at.number_input if n.key == "form-temperature-2-SI")
    at.text_input(key="form-id-2-SI").set_value("si-form")
    at.number_input(key="form-anc-2-SI").set_value(0.4)
    at.number_input(key="form-temperature-2-SI").set_value(38.6)
    at.number_input(key="form-hemoglobin_g_dl-2-SI").set_value(91)
    at.button(key="form-submit-2-SI").click().run()
    assert not at.exception and at.metric[0].value == "400/µL"
    assert "EMERGENCY" in at.error[0].value and "FEBRILE NEUTROPENIA" in at.error[0].value
    case = at.session_state["case"]
    assert case["anc"] == {"value": 0.4, "unit": "10^9/L"} and case["labs"] == {
        "hemoglobin_g_dl": {"value": 91, "unit": "g/L"}
    }
    at = open_editor(at)  # US units show the same case converted, the temperature in °F
    at.radio(key="form-units").set_value("US").run()
    assert at.number_input(key="form-anc-3-US").value == 400
    assert at.number_input(key="form-temperature-3-US").value == pytest.approx(101.48)


def test_unrecognized_items_are_shown_before_the_differential(mini):
    at = app(c=encode_case({**CASE, "findings": ["Fever", "blorptitis"]}))
    order = _in_order(at)
    warning = next(i for i, (kind, text) in enumerate(order) if kind == "warning" and "blorptitis" in text)
    differential = next(i for i, (kind, text) in enumerate(order) if kind == "dataframe" and "Cause" in text)
    assert warning < differential, order[warning - 1 : differential + 1]
    assert "Not recognised, so not ranked" in plain(texts(at.warning))


def test_why_this_cause_follows_the_first_candidate_of_a_new_case(mini):
    at = app(c=encode_case(CASE), cause="cause:mini-viral")
    assert "#### 2. Mini viral infection" in texts(at.markdown)  # the link's cause, for the link's case
    at = open_editor(at)
    at.text_area(key="paste-1").set_value(
        json.dumps({"id": "pasted", "anc": 1100, "patient": {"ancestry": "Yemeni"}, "duration_days": 900})
    )
    at.button(key="paste-load-1").click().run()
    assert table(at, "Cause").iloc[0]["Cause"] == "Mini Duffy-null"
    assert "#### 1. Mini Duffy\\-null" in texts(at.markdown) and "Mini viral infection —" not in texts(at.markdown)
    assert "cause" not in at.query_params or at.query_params["cause"] == "cause:duffy-null-associated-neutrophil-count"


def test_probabilities_are_whole_percentages_with_a_floor_and_a_ceiling(mini):
    at = app(c=encode_case(CASE))
    shown = table(at, "Probability")["Probability"].tolist()
    assert all(re.fullmatch(r"<1%|>99%|[1-9]\d?%", p) for p in shown), shown
    assert re.search(r"#### 1\. Mini drug agranulocytosis — (\\>99\\%|[1-9]\d?\\%)\n", texts(at.markdown) + "\n")


def test_a_what_if_keeps_the_emergency_of_the_case_and_its_reports_say_hypothetical(mini):
    at = app(c=encode_case(CASE))
    at.sidebar.button_group(key="whatif-1-0").set_value("absent").run()  # Fever
    assert "Fever · HP:0001945 → absent" in plain(texts(at.info))
    assert "EMERGENCY" in at.error[0].value and "FEBRILE NEUTROPENIA" in at.error[0].value
    assert "The reports are of the what-if" in texts(at.caption)


def test_imported_rare_syndromes_carry_a_badge_curated_causes_do_not():
    at = app()
    at.toggle(key="differential-all").set_value(True).run()
    differential = table(at, "Source")
    sources = set(differential["Source"])
    assert sources == {"curated", "HPO import"}, sources
    assert differential.iloc[0]["Source"] == "curated"
    imported = differential[differential["Source"] == "HPO import"].iloc[0]
    assert "HPO import: Imported from the HPO disease annotations" in plain(texts(at.caption))
    badge = "-badge[:material/input: HPO import]"
    assert not any(badge in m.value for m in at.markdown)  # the first candidate is curated
    causes = at.selectbox(key="cause-1")
    chosen = next(i for i, c in enumerate(causes.options) if c.endswith(" " + imported["Cause"]))
    at.selectbox(key="cause-1").select_index(chosen).run()
    assert any(badge in m.value for m in at.markdown), texts(at.markdown)[:300]


def test_a_curator_adds_an_association_through_the_form_and_the_app_reloads_it(monkeypatch, mini_dir, tmp_path):
    from conftest import copy_mini

    root = copy_mini(mini_dir, tmp_path / "editable")
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(root))
    at = app(view="curate")
    at.selectbox(key="edit-cause").set_value("https://w3id.org/neutropenia-kg/resource/cause/mini-drug")
    at.selectbox(key="edit-finding").set_value("http://purl.obolibrary.org/obo/HP_0002716")
    at.number_input(key="edit-frequency").set_value(0.1)
    at.text_input(key="edit-source").set_value("not a source")
    at.button[0].click().run()  # the form's submit button: the bad source is named, nothing to save
    assert "must be a PMID" in plain(texts(at.warning)) and not at.code
    at.text_input(key="edit-source").set_value("PMID:17470834")
    at.button[0].click().run()
    assert at.code and "+    nkg:frequency 0.1" in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `mini-causes.ttl`" in plain(texts(at.success))
    assert "HP_0002716" in (root.parent / "mini-causes.ttl").read_text(encoding="utf-8")


def test_the_workup_shows_the_findings_by_causes_matrix(mini):
    at = app(c=encode_case(CASE))
    assert not at.exception
    frame = table(at, "Finding")
    causes = [column for column in frame.columns if column != "Finding"]
    assert causes[0] == "#1 Mini drug agranulocytosis" and len(causes) >= 2
    fever = frame[frame["Finding"] == "Fever"].iloc[0]
    assert fever[causes[0]].endswith(" exact") and fever[causes[0]].startswith("+")
    assert "Splenomegaly (reported absent)" in set(frame["Finding"])
    at.slider(key="matrix-top").set_value(1).run()
    assert [column for column in table(at, "Finding").columns if column != "Finding"] == causes[:1]


def test_a_curator_links_a_drug_to_a_cause_through_the_form(monkeypatch, mini_dir, tmp_path):
    from conftest import copy_mini

    root = copy_mini(mini_dir, tmp_path / "editable")
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(root))
    at = app(view="curate")
    at.selectbox(key="link-drug").set_value(expand("drug:doxorubicin"))
    at.selectbox(key="link-cause").set_value(expand("cause:mini-drug"))
    at.number_input(key="link-lr").set_value(3.0)
    at.selectbox(key="link-window").set_value(expand("win:start"))
    at.text_input(key="link-source").set_value("PMID:17470834")
    at.button[1].click().run()  # the drug form's submit button
    assert not at.warning and at.code and "nkg:AgentAssociation" in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `mini-causes.ttl`" in plain(texts(at.success))
    assert "nkg:likelihoodRatio 3 ; nkg:timingWindow" in (root.parent / "mini-causes.ttl").read_text(encoding="utf-8")


def test_a_curator_adds_a_cause_through_the_form(monkeypatch, mini_dir, tmp_path):
    from conftest import copy_mini

    root = copy_mini(mini_dir, tmp_path / "editable")
    modules = root.parent / "modules"
    modules.mkdir()
    (modules / "curator.ttl").write_text(
        (root.parent / "mini-causes.ttl").read_text(encoding="utf-8").split("\n\n")[0] + "\n", encoding="utf-8"
    )  # a module holding the mini ontology's prefixes only
    text = root.read_text(encoding="utf-8").replace(
        "ontology/mini-causes.ttl> .",
        "ontology/mini-causes.ttl>, <https://w3id.org/neutropenia-kg/ontology/modules/curator.ttl> .",
    )
    root.write_text(text, encoding="utf-8")
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(root))
    at = app(view="curate")
    at.text_input(key="cause-label").set_value("Mini zinc excess")
    at.text_area(key="cause-definition").set_value("Copper deficiency from excess zinc suppresses the marrow.")
    at.text_input(key="cause-source").set_value("PMID:17036563")
    at.button[2].click().run()  # the cause form's submit button
    assert not at.warning and at.code and 'a nkg:Cause ; rdfs:label "Mini zinc excess"' in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `curator.ttl`" in plain(texts(at.success))
