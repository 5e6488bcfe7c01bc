"""What each view computes, on the mini ontology (tests/data/mini): the differential and why, what-if,
the reports, deep links, node pages, comparisons, the graphs and the curator's report."""

import re

import networkx as nx
import pytest
from conftest import MINI_CASE
from hostile import PAYLOADS, make_hostile_ontology

from graph.caseio.deeplink import DeepLink, decode_case, encode_case, link_params, merge_link, parse_link
from graph.curate.curation import explain_code, ontology_summary, validation_report
from graph.kb.knowledge import load_knowledge_base
from graph.model.errors import CaseError, NodeNotFound, UsageError
from graph.model.ids import expand
from graph.present.compare import compare_causes
from graph.present.export import workup_to_html, workup_to_markdown
from graph.present.graphview import node_neighbourhood, semantic_graph, workup_graph
from graph.present.nodepage import node_page
from graph.present.search import causes_by_mechanism, find_node, search_nodes
from graph.workup.differential import candidate_detail, differential_rows
from graph.workup.phrases import severity_line
from graph.workup.pipeline import workup_case
from graph.workup.whatif import apply_what_if, finding_toggles, findings_to_try, rank_changes

DRUG, CHEMO, VIRAL = (expand(f"cause:mini-{name}") for name in ("drug", "chemo", "viral"))
DANC = expand("cause:duffy-null-associated-neutrophil-count")
CASE = {**MINI_CASE, "id": "v1"}


@pytest.fixture(scope="module")
def workup(mini_kb):
    return workup_case(mini_kb, CASE)


def test_the_differential_lists_every_cause_with_its_agent_and_score(mini_kb, workup):
    rows = differential_rows(mini_kb, workup)
    assert [r.label for r in rows][:2] == ["Mini drug agranulocytosis", "Mini viral infection"]
    assert rows[0].agents == "clozapine" and rows[0].mechanism == "increased destruction"
    assert abs(sum(r.score for r in rows) - 1) < 1e-9
    assert severity_line(workup) == "ANC 150/µL: severe neutropenia, acute"


def test_why_shows_evidence_for_and_against_with_sources_and_next_steps(mini_kb, workup):
    top = candidate_detail(mini_kb, workup, DRUG)
    assert top.supporting[0].label == "clozapine: LR 40" and top.supporting[0].likelihood_ratio == pytest.approx(40)
    assert [s.text for s in top.supporting[0].sources] == ["test"]
    assert "within the typical window" in top.supporting[0].detail
    assert {t.label for t in top.next_tests} == {"drug withdrawal trial", "peripheral smear"}
    assert top.management == "Stop the drug." and top.treatments == ("stop the drug",)
    chemo = candidate_detail(mini_kb, workup, CHEMO)
    assert any(r.label == "no listed drug is a known cause" for r in chemo.against)
    with pytest.raises(NodeNotFound, match="not a candidate of case v1"):
        candidate_detail(mini_kb, workup, expand("cause:unknown"))


def test_turning_findings_on_and_off_reranks(mini_kb, workup):
    assert [(t.label, t.state) for t in finding_toggles(mini_kb, CASE)] == [
        ("Fever", "present"),
        ("Pharyngitis", "present"),
        ("Splenomegaly", "absent"),
    ]
    changed = apply_what_if(CASE, {"Pharyngitis": "absent", "Splenomegaly": "present", "Lymphadenopathy": "present"})
    moved = rank_changes(mini_kb, workup, workup_case(mini_kb, changed))
    assert [(m.label, m.before_rank, m.after_rank) for m in moved] == [
        ("Mini viral infection", 2, 1),
        ("Mini drug agranulocytosis", 1, 2),
    ]
    assert CASE["findings"] == ["Fever", "Pharyngitis"]  # the case itself is untouched
    assert "findings" not in apply_what_if({"id": "x", "anc": 1, "findings": ["Fever"]}, {"Fever": "not recorded"})
    with pytest.raises(UsageError, match="must be one of present, absent, not recorded"):
        apply_what_if(CASE, {"Fever": "maybe"})


def test_findings_to_try_are_those_of_the_leading_causes_not_yet_in_the_case(mini_kb, workup):
    offered = findings_to_try(mini_kb, workup, top=2)
    assert "HP:0002716" in offered and "HP:0001744" not in offered  # lymphadenopathy yes; splenomegaly is recorded
    assert "HP:0001945" not in offered and "HP:0001903" not in offered  # fever recorded; anaemia is mini-chemo's (3rd)


def test_reports_carry_the_differential_and_escape_every_text(mini_dir, tmp_path):
    kb = load_knowledge_base(make_hostile_ontology(mini_dir, tmp_path / "hostile"), use_cache=False)
    workup = workup_case(kb, {**CASE, "id": "<b>v2</b>", "narrative": "![x](http://198.51.100.7/x.png)"})
    markdown = workup_to_markdown(kb, workup, top=2)
    assert "| 1 | Mini drug agranulocytosis \\<script\\>" in markdown
    assert "](http://198" not in markdown and not re.search(r"(?<!\\)<", markdown)  # every < is escaped
    page = workup_to_html(kb, workup, top=2)
    assert "<script" not in page.lower() and "onerror=" not in page.replace("onerror=&quot;", "")
    assert "&lt;b&gt;v2&lt;/b&gt;" in page and "Evidence for" in page and "default-src 'none'" in page
    for payload in PAYLOADS:
        assert "<" not in payload or payload not in page


def test_a_deep_link_round_trips_and_unknown_values_are_dropped_with_a_message(mini_kb):
    link = DeepLink(view="workup", custom=CASE, cause=DRUG)
    params = link_params(link)
    again, problems = parse_link(params, is_cause=mini_kb.causes.__contains__)
    assert problems == [] and again.custom == CASE and again.cause == DRUG and params["cause"] == "cause:mini-drug"
    odd, problems = parse_link(
        {
            "view": "admin",
            "case": "nope",
            "cause": "cause:nothing",
            "c": "%%%",
            "compare": "cause:mini-drug,cause:mini-drug,cause:x",
        },
        is_case=lambda key: False,
        is_cause=mini_kb.causes.__contains__,
    )
    assert odd == DeepLink(compare=(DRUG,))
    assert len(problems) == 5 and "unknown view 'admin'" in problems[0]
    assert merge_link(link, DeepLink(view="explore", node=DANC)) == DeepLink("explore", None, CASE, DRUG, DANC)


def test_a_case_too_large_for_a_link_is_left_out_and_a_damaged_one_is_refused():
    big = {"id": "big", "anc": 1, "narrative": "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(20000))}
    assert encode_case(big) is None and "c" not in link_params(DeepLink(custom=big))
    with pytest.raises(CaseError, match="damaged"):
        decode_case(encode_case(CASE)[:-8] + "AAAAAAAA")


def test_search_and_browse_find_any_node(mini_kb):
    assert [h.curie for h in search_nodes(mini_kb, "glandular fever")] == ["cause:mini-viral"]
    assert [h.label for h in search_nodes(mini_kb, "Clozaril")] == ["clozapine"]
    assert search_nodes(mini_kb, "DrugBank:DB00363")[0].curie == "drug:clozapine"
    assert [h.kind for h in search_nodes(mini_kb, "smear")] == ["DiagnosticTest"]
    assert search_nodes(mini_kb, "  ") == []
    tree = causes_by_mechanism(mini_kb)
    assert tree["increased destruction"]["infection"] == [(VIRAL, "Mini viral infection")]
    assert find_node(mini_kb, "drug:clozapine") == expand("drug:clozapine")
    with pytest.raises(NodeNotFound, match="search by name"):
        find_node(mini_kb, "drug:aspirin")


def test_a_cause_page_lists_findings_agents_tests_and_management(mini_kb):
    page = node_page(mini_kb, DRUG)
    sections = {s.title: s for s in page.sections}
    assert page.definition == "Test cause." and page.synonyms == ("mini drug",)
    assert [(r.label, r.detail) for r in sections["Findings"].relations] == [
        ("Fever", "in 70% of cases"),
        ("Pharyngitis", "in 50% of cases"),
        ("Thrombocytopenia", "in 3% of cases (argues against)"),
    ]
    assert (
        sections["Agents (drugs, organisms, genes)"]
        .relations[0]
        .detail.startswith("LR 40; typically 14-126 days after the first dose")
    )
    assert {r.label for r in sections["Tests"].relations} == {"drug withdrawal trial", "peripheral smear"}
    assert page.management == "Stop the drug." and ("Mechanism", "increased destruction") in page.facts


@pytest.mark.parametrize(
    "node, section, first",
    [
        ("drug:clozapine", "Causes it is linked to", "Mini drug agranulocytosis"),
        ("HP:0001945", "Causes it points to", "Mini viral infection"),
        ("test:monospot", "Confirms or excludes", "Mini viral infection"),
        ("tx:stop", "Used for", "Mini Duffy-null"),
        ("expo:tick-bite", "Causes", "Mini viral infection"),
        ("org:ebv", "Tests that detect it", "heterophile antibody"),
    ],
)
def test_every_kind_of_node_has_a_page(mini_kb, node, section, first):
    page = node_page(mini_kb, expand(node))
    assert {s.title: s for s in page.sections}[section].relations[0].label == first
    if node == "test:monospot":
        assert sorted((r.label, r.detail) for r in page.sections[1].relations) == [
            ("Epstein-Barr virus", "result matches “positive|reactive”: shows"),
            ("Lymphadenopathy", "result matches “negative”: rules out"),
        ]


def test_standard_ids_link_to_their_registries(mini_kb):
    assert [(x.text, x.url) for x in node_page(mini_kb, VIRAL).xrefs] == [
        ("ORPHA:99999", "https://www.orpha.net/en/disease/detail/99999")
    ]
    assert node_page(mini_kb, expand("HP:0001945")).id_link.url == "https://hpo.jax.org/browse/term/HP:0001945"


def test_comparison_puts_what_separates_the_causes_first(mini_kb):
    table = compare_causes(mini_kb, [DRUG, CHEMO])
    assert [(r.item, r.values, r.separates) for r in table.findings[:3]] == [
        ("Thrombocytopenia", ("3%", "50%"), True),
        ("Pharyngitis", ("50%", "—"), True),
        ("Fever", ("70%", "40%"), True),
    ]
    assert table.findings[0].note == "lab: platelets_per_ul < 150000 /uL"
    assert ("clozapine", ("LR 40, 14-126 d after first dose", "—")) in [(r.item, r.values) for r in table.agents]
    assert [(r.item, r.separates) for r in table.tests] == [
        ("drug withdrawal trial", True),
        ("peripheral smear", False),
    ]
    assert table.overview[0].values == ("increased destruction", "decreased production")
    with pytest.raises(UsageError, match="two or three"):
        compare_causes(mini_kb, [DRUG])
    with pytest.raises(NodeNotFound, match="not a cause"):
        compare_causes(mini_kb, [DRUG, expand("drug:clozapine")])


def test_the_workup_graph_grows_with_depth_and_shows_what_scored(mini_kb, workup):
    sizes = [workup_graph(mini_kb, workup, top=2, depth=d).number_of_nodes() for d in (1, 2, 3)]
    assert sizes[0] < sizes[1] < sizes[2]
    H = workup_graph(mini_kb, workup, top=2, depth=3)
    assert H.has_edge(DRUG, expand("test:withdrawal")) and H.nodes[DRUG]["rank"] == 1
    association = expand("assoc:mini-drug--fever")
    assert H.nodes[association]["label"] == "Fever present (exact): in 70% of cases"
    assert nx.is_frozen(mini_kb.graph)
    with pytest.raises(UsageError, match="depth must be a whole number from 1 to 3"):
        workup_graph(mini_kb, workup, depth=4)


def test_a_neighbourhood_folds_associations_into_labelled_edges(mini_kb):
    H = node_neighbourhood(mini_kb, expand("drug:clozapine"), depth=2)
    assert H.edges[expand("drug:clozapine"), DRUG]["label"] == "LR 40 (first dose 14-126 days)"
    assert expand("HP:0001945") in H and not any(kind == "FindingAssociation" for _, kind in H.nodes(data="kind"))
    mechanism = "https://w3id.org/neutropenia-kg/schema#IncreasedDestruction"
    assert mechanism in H and VIRAL not in H  # a shared mechanism is shown, not walked through
    assert node_neighbourhood(mini_kb, expand("HP:0001945"), depth=2, max_nodes=5).graph["truncated"]
    assert semantic_graph(mini_kb).edges[expand("HP:0001873"), DRUG]["direction"] == "against"


def test_the_curators_report_explains_each_problem(mini_dir, tmp_path, mini_kb):
    assert validation_report(mini_kb).headline == "The ontology passes every check."
    kb = load_knowledge_base(make_hostile_ontology(mini_dir, tmp_path / "flawed"), use_cache=False)
    report = validation_report(kb)
    assert report.errors > 0 and report.headline.startswith(f"{report.errors} errors to fix")
    group = report.groups[0]
    assert group.code == "source-format" and group.explanation.startswith("A PMID or DOI source is malformed")
    assert explain_code("missing-xref").startswith("Information the tool relies on is missing")
    summary = ontology_summary(mini_kb)
    assert summary.version == "test" and "mini-causes.ttl" in summary.files and summary.counts["Cause"] == 4
