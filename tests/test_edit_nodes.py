"""Curators add a drug or a diagnostic test, and change an existing association, drug link or cause,
through the edit machinery: checked in plain words, written as the right triples (a minimal diff for a
change), hostile text escaped, and a concurrent change to the module never overwritten."""

import pytest

from graph.curate import edit as edit_module
from graph.curate.amend import Amendment, amendment_problems, preview_amendment
from graph.curate.edit import (
    DiagnosticTestEdit,
    DrugEdit,
    EditConflict,
    edit_problems,
    preview_edit,
    save_edit,
    schema_terms,
)
from graph.kb.knowledge import load_knowledge_base
from graph.model.errors import NeutropeniaKGError
from graph.model.ids import expand

HOSTILE = 'Evil "drug" \\ <script>alert(1)</script>'


def _module(root):
    return str(root.parent / "mini-causes.ttl")


def test_a_new_drug_is_written_with_its_id_class_and_synonyms(mini_copy):
    kb = load_knowledge_base(mini_copy)
    drug = DrugEdit(
        "propylthiouracil",
        "DrugBank:DB00550",
        "thionamide antithyroid drug",
        ("PTU", " propylthiouracil ", ""),
        _module(mini_copy),
        "PMID:17470834",
    )
    assert edit_problems(kb, drug) == []
    save_edit(kb, preview_edit(kb, drug))
    node = load_knowledge_base(mini_copy).agents[expand("drug:propylthiouracil")]
    assert node.info.label == "propylthiouracil" and node.info.xrefs == ("DrugBank:DB00550",)
    assert node.info.synonyms == ("PTU",) and "PMID:17470834" in node.info.sources


def test_a_bad_drug_is_refused_in_plain_words(mini_copy):
    kb = load_knowledge_base(mini_copy)
    bad = DrugEdit("clozapine", "DB00550", "", (), "/etc/passwd", "my notes")
    problems = edit_problems(kb, bad)
    assert any("exists already" in p for p in problems)
    assert any("DrugBank id" in p for p in problems)
    assert any("class" in p for p in problems)
    assert any("module files" in p for p in problems)
    assert any("PMID" in p for p in problems)
    with pytest.raises(NeutropeniaKGError, match="exists already"):
        preview_edit(kb, bad)


def test_a_hostile_drug_name_is_escaped_into_a_literal_and_read_back_unchanged(mini_copy):
    kb = load_knowledge_base(mini_copy)
    drug = DrugEdit(HOSTILE, "CHEBI:8502", 'class " . <x> ;', (), _module(mini_copy), "PMID:17470834")
    save_edit(kb, preview_edit(kb, drug))
    reloaded = load_knowledge_base(mini_copy)
    (node,) = [a for a in reloaded.agents.values() if a.info.label == HOSTILE]
    assert node.info.xrefs == ("CHEBI:8502",)


def test_a_new_test_reads_its_finding_and_carries_its_cost(mini_copy):
    kb = load_knowledge_base(mini_copy)
    bands, invasiveness = schema_terms(kb, "CostBand"), schema_terms(kb, "Invasiveness")
    low = next(b for b, label in bands.items() if label == "low cost")
    blood = next(i for i, label in invasiveness.items() if label == "blood sample")
    test = DiagnosticTestEdit(
        "Serum zinc",
        "HP:0002716",
        r"\bhigh\b|raised",
        r"\bnormal\b",
        low,
        blood,
        "an immunoassay on a venous sample",
        _module(mini_copy),
        "PMID:17036563",
    )
    assert edit_problems(kb, test) == []
    save_edit(kb, preview_edit(kb, test))
    written = load_knowledge_base(mini_copy).tests[expand("test:serum-zinc")]
    assert written.info.label == "Serum zinc"
    assert sorted((r.pattern, r.present) for r in written.rules) == [(r"\bhigh\b|raised", True), (r"\bnormal\b", False)]
    assert written.cost is not None and written.cost.band == "low cost" and written.cost.invasiveness == "blood sample"


def test_a_bad_test_is_refused_in_plain_words(mini_copy):
    kb = load_knowledge_base(mini_copy)
    bad = DiagnosticTestEdit(
        "peripheral smear", "HP:9999999", "(unclosed", ".*", "x", "y", "", _module(mini_copy), "PMID:1"
    )
    problems = edit_problems(kb, bad)
    for words in ("exists already", "not a finding", "not a valid pattern", "empty report", "cost band", "invasive"):
        assert any(words in p for p in problems), words
    assert any("rest on" in p for p in problems)


def test_a_changed_frequency_is_a_one_line_diff_that_reaches_the_ranker(mini_copy):
    kb = load_knowledge_base(mini_copy)
    assoc = kb.finding_assocs[expand("cause:mini-drug")][0]
    preview = preview_amendment(kb, Amendment(assoc.id, frequency=0.42, sources=("PMID:17470834",)))
    removed = [line for line in preview.diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in preview.diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(added) == len(removed) <= 2 and any("nkg:frequency 0.42" in line for line in added)
    save_edit(kb, preview)
    changed = next(a for a in load_knowledge_base(mini_copy).finding_assocs[assoc.cause] if a.id == assoc.id)
    assert changed.frequency == 0.42 and changed.sources == ("PMID:17470834",)


def test_a_drug_link_takes_a_new_ratio_and_window(mini_copy):
    kb = load_knowledge_base(mini_copy)
    link = next(a for a in kb.agent_assocs[expand("drug:clozapine")] if a.cause == expand("cause:mini-drug"))
    other = next(w for w in edit_module.timing_windows(kb) if link.window is None or w != link.window.id)
    save_edit(kb, preview_amendment(kb, Amendment(link.id, likelihood_ratio=7.5, window=other)))
    changed = next(a for a in load_knowledge_base(mini_copy).agent_assocs[link.agent] if a.id == link.id)
    assert changed.likelihood_ratio == 7.5 and changed.window is not None and changed.window.id == other


def test_a_bad_change_is_refused_in_plain_words(mini_copy):
    kb = load_knowledge_base(mini_copy)
    assoc = kb.finding_assocs[expand("cause:mini-drug")][0]
    assert any("at most 1" in p for p in amendment_problems(kb, Amendment(assoc.id, frequency=2.0)))
    assert any("no field" in p for p in amendment_problems(kb, Amendment(assoc.id, label="x")))
    assert any("PMID" in p for p in amendment_problems(kb, Amendment(assoc.id, sources=("my notes",))))
    assert any("nothing changes" in p for p in amendment_problems(kb, Amendment(assoc.id, frequency=assoc.frequency)))
    assert any("not a cause" in p for p in amendment_problems(kb, Amendment("cause:nonexistent", label="Abc")))
    with pytest.raises(NeutropeniaKGError, match="at most 1"):
        preview_amendment(kb, Amendment(assoc.id, frequency=2.0))


def test_a_hostile_cause_label_is_escaped_and_a_concurrent_change_is_caught(mini_copy):
    kb = load_knowledge_base(mini_copy)
    cause = expand("cause:mini-drug")
    mine = preview_amendment(kb, Amendment(cause, label=HOSTILE))
    theirs = preview_amendment(kb, Amendment(cause, definition="Changed in another session by another curator."))
    save_edit(kb, theirs)
    before = mine.path.read_text(encoding="utf-8")
    with pytest.raises(EditConflict):
        save_edit(kb, mine)
    assert mine.path.read_text(encoding="utf-8") == before
    reloaded = load_knowledge_base(mini_copy)
    save_edit(reloaded, preview_amendment(reloaded, Amendment(cause, label=HOSTILE)))
    again = load_knowledge_base(mini_copy).causes[cause]
    assert again.label == HOSTILE and again.info.definition == "Changed in another session by another curator."
