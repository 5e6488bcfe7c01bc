"""Reports, probabilities, imported causes and the form's units: what the graph/ layer hands the app."""

from __future__ import annotations

import re
import zlib
from datetime import date

import pytest
from conftest import MINI_CASE, ROOT
from hostile import make_hostile_ontology
from rdflib import RDF, Graph

from graph.caseio.caseform import LAB_FIELDS, UNIT_SYSTEMS, CaseForm, case_from_form, entry_unit, form_from_case
from graph.kb.knowledge import load_knowledge_base
from graph.kb.vocab import NKG
from graph.model.errors import CaseError
from graph.model.escape import markdown_file_text
from graph.model.ids import expand, is_imported_cause
from graph.model.units import fold_unit
from graph.present.export import workup_to_html, workup_to_markdown
from graph.present.pdf import PDF_AVAILABLE, latin1, workup_to_pdf
from graph.workup.differential import candidate_detail, differential_rows
from graph.workup.phrases import score_text
from graph.workup.pipeline import workup_case
from graph.workup.whatif import WhatIf, apply_what_if, what_if_alerts

DAY = date(2026, 1, 2)
CASE = {**MINI_CASE, "temperature_c": 38.2}


@pytest.fixture()
def what_if(mini_kb):
    """The mini case with Fever toggled absent: the changed case raises no febrile emergency."""
    entered = workup_case(mini_kb, MINI_CASE)
    changed = workup_case(mini_kb, apply_what_if(MINI_CASE, {"Fever": "absent"}))
    return entered, changed, WhatIf(entered, (("Fever", "absent"),))


@pytest.mark.parametrize(
    "score, text",
    [(0.3749, "37%"), (0.005, "1%"), (0.0049, "<1%"), (0.0, "<1%"), (0.994, "99%"), (0.996, ">99%"), (1.0, ">99%")],
)
def test_probabilities_read_as_whole_percentages_never_zero_or_certain(score, text):
    assert score_text(score) == text


def test_a_report_carries_date_ontology_version_inputs_alerts_and_differential(mini_kb):
    workup = workup_case(mini_kb, CASE)
    markdown = workup_to_markdown(mini_kb, workup, top=2, generated=DAY)
    assert f"Generated 2026-01-02 · ontology version {mini_kb.version}" in markdown
    assert "| ANC | 150/µL |" in markdown and "| Platelets | 250000 /µL |" in markdown
    assert "| Findings present | Fever (HP:0001945); Pharyngitis (HP:0025439) |" in markdown
    assert "| Temperature | 38.2 °C (from temperature_c = 38.2 C) |" in markdown
    assert "| Medications | clozapine (started 60 days ago); lactulose |" in markdown
    assert "> **EMERGENCY**: FEBRILE NEUTROPENIA" in markdown and markdown.index("## Alerts") < markdown.index(
        "## Differential"
    )
    first = differential_rows(mini_kb, workup, top=1)[0]
    shown = markdown_file_text(score_text(first.score))  # ">99%" is written escaped
    assert f"| 1 | {first.label} | curated |" in markdown and f"| {shown} |" in markdown
    assert "HYPOTHETICAL" not in markdown


def test_a_what_if_report_is_hypothetical_and_keeps_the_alerts_of_the_case_as_entered(mini_kb, what_if):
    entered, changed, change = what_if
    assert "febrile-neutropenia" in {a.code for a in entered.alerts}
    assert "febrile-neutropenia" not in {a.code for a in changed.alerts}  # the toggle removed the fever
    assert [a.code for a, only in what_if_alerts(entered, changed) if not only] == [a.code for a in entered.alerts]
    markdown = workup_to_markdown(mini_kb, changed, top=1, generated=DAY, what_if=change)
    assert markdown.startswith("# Neutropenia workup: case mini-1 (hypothetical)")
    assert "> **HYPOTHETICAL (what-if)**: Not the case as entered. Changed: Fever (HP:0001945) → absent." in markdown
    assert "FEBRILE NEUTROPENIA" in markdown and "## Differential of the changed case" in markdown
    assert "| Findings present | Fever (HP:0001945); Pharyngitis (HP:0025439) |" in markdown  # the case as entered
    page = workup_to_html(mini_kb, changed, top=1, generated=DAY, what_if=change)
    assert '<p class="hypothetical">HYPOTHETICAL (what-if): Not the case as entered.' in page
    assert '<p class="emergency">EMERGENCY: FEBRILE NEUTROPENIA' in page


def _pdf_text(pdf: bytes) -> str:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    text = "".join(zlib.decompress(s).decode("latin-1", "replace") for s in streams if s[:1] == b"x")
    return text.replace("\\(", "(").replace("\\)", ")")


@pytest.mark.skipif(not PDF_AVAILABLE, reason="fpdf2 is not installed")
def test_the_pdf_report_says_the_same_and_is_deterministic(mini_kb, what_if):
    _, changed, change = what_if
    pdf = workup_to_pdf(mini_kb, changed, top=1, generated=DAY, what_if=change)
    assert pdf.startswith(b"%PDF-") and pdf == workup_to_pdf(mini_kb, changed, top=1, generated=DAY, what_if=change)
    text = _pdf_text(pdf)
    for words in ("HYPOTHETICAL (what-if)", "EMERGENCY", "FEBRILE NEUTROPENIA", "Generated 2026-01-02", "Differential"):
        assert words in text, words
    assert latin1("≥ 38 °C → ×10⁹/L") == ">= 38 °C -> ×10^9/L"


def test_the_markdown_escapes_markup_only_and_hostile_text_stays_text(mini_dir, tmp_path):
    kb = load_knowledge_base(make_hostile_ontology(mini_dir, tmp_path / "hostile"), use_cache=False)
    workup = workup_case(kb, {**MINI_CASE, "id": "<b>v2</b>", "narrative": "![x](http://198.51.100.7/x.png)"})
    markdown = workup_to_markdown(kb, workup, top=2, generated=DAY)
    assert "# Neutropenia workup: case \\<b\\>v2\\</b\\>" in markdown
    assert not re.search(r"(?<!\\)<[A-Za-z/!]", markdown), "no HTML tag can form"
    assert not re.search(r"(?<!\\)!(?<!\\)\[", markdown) and "](http://198" not in markdown
    links = re.findall(r"(?<!\\)\]\(([^)]*)\)", markdown)
    assert all(re.match(r"https://(pubmed\.ncbi\.nlm\.nih\.gov|doi\.org)/", url) for url in links), links
    clean = workup_to_markdown(load_knowledge_base(), workup_case(load_knowledge_base(), MINI_CASE), top=1)
    assert "Duffy\\-null" not in clean and "\\." not in clean.replace("1\\. ", "")  # no needless backslashes
    assert markdown_file_text("- 1. a_b *c*") == "\\- 1. a_b \\*c\\*"


def test_imported_causes_are_exactly_those_the_hpo_import_defines():
    kb = load_knowledge_base()
    rdf = Graph().parse(ROOT / "ontology" / "imports" / "hpo-neutropenia.ttl", format="turtle")
    imported = {str(c) for c in rdf.subjects(RDF.type, NKG.Cause)}
    assert imported and {c for c in kb.causes if is_imported_cause(c)} == imported
    workup = workup_case(kb, MINI_CASE)
    rows = {r.cause: r.imported for r in differential_rows(kb, workup)}
    assert rows[expand("cause:clozapine-agranulocytosis")] is False
    one = sorted(imported)[0]
    assert rows[one] is True and candidate_detail(kb, workup, one).imported is True


def test_every_entry_unit_is_one_the_ontology_converts(kb):
    rules = kb.case_rules
    codes = ["anc", "temperature_c", *(lab.key for lab in LAB_FIELDS)]
    for units in UNIT_SYSTEMS:
        for code in codes:
            unit = entry_unit(code, units, rules)
            if unit is not None:  # a unit the ontology converts into the measure's working unit
                assert any(fold_unit(unit) in c.units for c in rules.conversions_for(code)), (units, code, unit)
    form = CaseForm(case_id="si", anc=0.8, temperature=101.3, labs={"hemoglobin_g_dl": 91, "b12_pg_ml": 81}, units="US")
    with pytest.raises(CaseError, match="impossible"):
        case_from_form(form, DAY, rules)  # 0.8 /µL is refused in US units: never read as another unit


def test_a_case_entered_in_si_units_round_trips_and_ranks_as_in_us_units(kb):
    si = CaseForm(
        case_id="si", anc=0.4, temperature=38.6, labs={"hemoglobin_g_dl": 91, "platelets_per_ul": 85}, units="SI"
    )
    case = case_from_form(si, DAY, kb.case_rules)
    us = form_from_case(case, DAY, kb, units="US")
    assert (us.anc, us.labs["hemoglobin_g_dl"], us.labs["platelets_per_ul"]) == (400, 9.1, 85000)
    assert us.temperature == pytest.approx(101.48)
    again = case_from_form(us, DAY, kb.case_rules)
    ranked = [c.cause for c in workup_case(kb, case).candidates[:10]]
    assert [c.cause for c in workup_case(kb, again).candidates[:10]] == ranked
    assert form_from_case(case, DAY, kb, units="SI").anc == 0.4


def test_a_blank_form_makes_a_case_of_what_was_entered_only():
    assert case_from_form(CaseForm(case_id="b", anc=900, medications_recorded=False), DAY) == {"id": "b", "anc": 900}
    listed = CaseForm(case_id="b", anc=900, medications_recorded=False, medications=({"name": "clozapine"},))
    assert case_from_form(listed, DAY)["medications"] == [{"name": "clozapine"}]  # a drug entered is a list taken
