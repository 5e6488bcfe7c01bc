"""Curators link a diagnostic test, new or existing, to the causes it confirms or excludes: the sensitivity
becomes the cause's share of the test's finding, the specificity the finding's background, likelihood
ratios are turned into both, and the ranker then weighs a result with exactly those ratios.  Bad numbers
are refused in plain words, and a concurrent change to the module is never overwritten."""

import math

import pytest

from graph.curate.edit import DiagnosticTestEdit, EditConflict, save_edit, schema_terms
from graph.curate.testlinks import CauseLink, CauseLinksEdit, link_problems, preview_links
from graph.kb.knowledge import load_knowledge_base
from graph.model.errors import NeutropeniaKGError
from graph.model.ids import expand


def _new_test(kb, root, label="Lymph node biopsy"):
    bands, invasiveness = schema_terms(kb, "CostBand"), schema_terms(kb, "Invasiveness")
    return DiagnosticTestEdit(
        label,
        "HP:0011900",
        "enlarged nodes",
        "",
        next(iter(bands)),
        next(iter(invasiveness)),
        "a procedure under local anaesthesia",
        str(root.parent / "mini-causes.ttl"),
        "PMID:17036563",
    )


def test_a_new_test_linked_to_a_cause_is_weighed_by_the_ranker_with_its_sensitivity_and_specificity(mini_copy):
    kb = load_knowledge_base(mini_copy)
    edit = CauseLinksEdit(_new_test(kb, mini_copy), "HP:0011900", (CauseLink("cause:mini-drug", 0.6, 0.9, "PMID:1"),))
    assert kb.findings[expand("HP:0011900")].background is None
    assert link_problems(kb, edit) == []
    preview = preview_links(kb, edit)
    assert "+<https://w3id.org/neutropenia-kg/resource/cause/mini-drug> nkg:confirmedBy" in preview.diff
    save_edit(kb, preview)
    after = load_knowledge_base(mini_copy)
    test = expand("test:lymph-node-biopsy")
    assert test in after.tests and test in after.causes[expand("cause:mini-drug")].tests
    (assoc,) = [a for a in after.finding_assocs[expand("cause:mini-drug")] if a.finding == expand("HP:0011900")]
    assert assoc.frequency == 0.6 and assoc.sources == ("PMID:1",)
    assert after.findings[expand("HP:0011900")].background == pytest.approx(0.1)
    _, log_present, log_absent, _ = after.assoc_weights[assoc.id]
    assert math.exp(log_present) == pytest.approx(0.6 / 0.1)  # LR+ = sensitivity / (1 - specificity)
    assert math.exp(log_absent) == pytest.approx(0.4 / 0.9)  # LR- = (1 - sensitivity) / specificity


def test_likelihood_ratios_link_an_existing_test_in_the_module_that_defines_it(mini_copy):
    kb = load_knowledge_base(mini_copy)
    link = CauseLink.from_ratios("cause:mini-chemo", 12.0, 0.2, "DOI:10.1000/xyz", True, "two small series")
    edit = CauseLinksEdit("test:coagulation", "HP:0011900", (link,))
    assert link_problems(kb, edit) == []
    save_edit(kb, preview_links(kb, edit))
    written = (mini_copy.parent / "mini-causes.ttl").read_text(encoding="utf-8")
    assert "likelihood ratios LR+ 12, LR- 0.2" in written and "Estimate: two small series" in written
    after = load_knowledge_base(mini_copy)
    assert expand("test:coagulation") in after.causes[expand("cause:mini-chemo")].tests
    (assoc,) = [a for a in after.finding_assocs[expand("cause:mini-chemo")] if a.finding == expand("HP:0011900")]
    _, log_present, log_absent, _ = after.assoc_weights[assoc.id]
    # the ratios come back as given, up to the three decimals the numbers are written with
    assert math.exp(log_present) == pytest.approx(12.0, rel=0.05) and math.exp(log_absent) == pytest.approx(0.2, 0.05)


def test_impossible_ratios_are_refused_in_plain_words():
    with pytest.raises(NeutropeniaKGError, match="LR\\+ above 1"):
        CauseLink.from_ratios("cause:mini-drug", 0.8, 0.5, "PMID:1")


def test_bad_links_are_refused_in_plain_words(mini_copy):
    kb = load_knowledge_base(mini_copy)
    links = (
        CauseLink("cause:mini-drug", 0.3, 0.6, "my notes"),
        CauseLink("cause:mini-drug", 0.9, 0.8, "PMID:1"),
        CauseLink("cause:nowhere", 1.5, 0.9, "PMID:1", True, ""),
    )
    problems = link_problems(kb, CauseLinksEdit("test:coagulation", "HP:0011900", links))
    for words in (
        "at most 1: a positive result would not speak",
        "must be a PMID",
        "appears once",
        "not a cause of the ontology",
        "sensitivity 1.5",
        "estimate needs a comment",
        "one specificity for every cause",
    ):
        assert any(words in p for p in problems), words
    assert link_problems(
        kb, CauseLinksEdit("test:coagulation", "HP:0002716", (CauseLink("cause:mini-drug", 0.9, 0.9, "PMID:1"),))
    ) == ["HP:0002716 is not a finding the test's results give; choose one from the list"]
    already = CauseLinksEdit("test:monospot", "HP:0002716", (CauseLink("cause:mini-viral", 0.5, 0.9, "PMID:1"),))
    assert any("already has an association" in p for p in link_problems(kb, already))
    with pytest.raises(NeutropeniaKGError, match="appears once"):
        preview_links(kb, CauseLinksEdit("test:coagulation", "HP:0011900", links))


def test_a_curated_background_fixes_the_specificity(mini_copy):
    kb = load_knowledge_base(mini_copy)
    save_edit(
        kb,
        preview_links(
            kb, CauseLinksEdit("test:coagulation", "HP:0011900", (CauseLink("cause:mini-chemo", 0.5, 0.95, "PMID:1"),))
        ),
    )
    kb = load_knowledge_base(mini_copy)  # the finding's background is now curated: 0.05
    other = CauseLinksEdit("test:coagulation", "HP:0011900", (CauseLink("cause:mini-drug", 0.5, 0.8, "PMID:1"),))
    (problem,) = link_problems(kb, other)
    assert "curated background of 0.05" in problem and "specificity as 0.95" in problem
    same = CauseLinksEdit("test:coagulation", "HP:0011900", (CauseLink("cause:mini-drug", 0.5, 0.951, "PMID:1"),))
    assert link_problems(kb, same) == []
    assert "+<http://purl.obolibrary.org/obo/HP_0011900> nkg:backgroundFrequency" not in preview_links(kb, same).diff


def test_a_hostile_test_name_stays_in_its_comment_and_a_concurrent_change_is_caught(mini_copy):
    kb = load_knowledge_base(mini_copy)
    test = _new_test(kb, mini_copy, "Node\n<x> a nkg:Cause . # biopsy")
    edit = CauseLinksEdit(test, "HP:0011900", (CauseLink("cause:mini-drug", 0.6, 0.9, "PMID:1"),))
    preview = preview_links(kb, edit)
    assert "\n<x> a nkg:Cause" not in preview.new_text
    module = mini_copy.parent / "mini-causes.ttl"
    module.write_text(module.read_text(encoding="utf-8") + "\n# another session's edit\n", encoding="utf-8")
    with pytest.raises(EditConflict):
        save_edit(kb, preview)
    assert "Node" not in module.read_text(encoding="utf-8")
