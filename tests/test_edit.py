"""Curators edit through a form: the proposal is checked, previewed as a diff, validated with the whole
ontology, and written atomically into the module that defines the cause; a concurrent edit is caught."""

import pytest
from conftest import copy_mini

from graph.curate.edit import AssociationEdit, EditConflict, edit_problems, preview_edit, save_edit
from graph.kb.knowledge import load_knowledge_base
from graph.model.errors import NeutropeniaKGError
from graph.model.ids import expand

LYMPHADENOPATHY_FOR_DRUG = AssociationEdit(
    "cause:mini-drug", "HP:0002716", 0.1, "supports", "PMID:17470834", estimate=True, comment="a guess for a test"
)


@pytest.fixture
def mini_copy(mini_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", "")
    return copy_mini(mini_dir, tmp_path / "onto")


def test_a_bad_proposal_is_refused_in_plain_words(mini_copy):
    kb = load_knowledge_base(mini_copy)
    bad = AssociationEdit("cause:nonexistent", "HP:0002716", 1.5, "maybe", "my notes", estimate=True)
    problems = edit_problems(kb, bad)
    assert any("not a cause" in p for p in problems)
    assert any("at most 1" in p for p in problems)
    assert any("polarity" in p for p in problems)
    assert any("PMID" in p for p in problems)
    assert any("estimate needs a comment" in p for p in problems)
    existing = AssociationEdit("cause:mini-drug", "HP:0025439", 0.5, "supports", "PMID:1")
    assert any("already has" in p for p in edit_problems(kb, existing))
    with pytest.raises(NeutropeniaKGError):
        preview_edit(kb, bad)


def test_a_saved_association_reaches_the_module_of_its_cause_and_the_ranker(mini_copy):
    kb = load_knowledge_base(mini_copy)
    preview = preview_edit(kb, LYMPHADENOPATHY_FOR_DRUG)
    assert preview.path.name == "mini-causes.ttl"
    assert preview.diff.startswith("--- a/mini-causes.ttl") and "+    nkg:frequency 0.1" in preview.diff
    written = save_edit(kb, preview)
    reloaded = load_knowledge_base(mini_copy)
    assocs = reloaded.finding_assocs[expand("cause:mini-drug")]
    assert written == preview.path.resolve()
    assert any(a.finding == expand("HP:0002716") and a.frequency == 0.1 for a in assocs)


def test_an_edit_saved_meanwhile_by_another_session_is_never_overwritten(mini_copy):
    kb = load_knowledge_base(mini_copy)
    mine = preview_edit(kb, LYMPHADENOPATHY_FOR_DRUG)
    theirs = preview_edit(kb, AssociationEdit("cause:mini-chemo", "HP:0002716", 0.2, "supports", "PMID:2"))
    save_edit(kb, theirs)
    before = mine.path.read_text(encoding="utf-8")
    with pytest.raises(EditConflict):
        save_edit(kb, mine)
    assert mine.path.read_text(encoding="utf-8") == before


def test_an_edit_that_breaks_validation_writes_nothing(mini_copy, monkeypatch):
    from graph.curate import edit as edit_module
    from graph.curate.validate import Problem

    kb = load_knowledge_base(mini_copy)
    preview = preview_edit(kb, LYMPHADENOPATHY_FOR_DRUG)
    before = preview.path.read_text(encoding="utf-8")
    broken = preview.__class__(preview.path, preview.digest, before + "\nthis is not turtle\n", preview.diff)
    with pytest.raises(edit_module.EditRejected) as rejected:
        save_edit(kb, broken)
    assert isinstance(rejected.value.problems[0], Problem)
    assert preview.path.read_text(encoding="utf-8") == before


def test_a_drug_linked_through_the_form_counts_for_its_cause_in_the_ranking(mini_copy):
    from graph.curate.edit import DrugLinkEdit, timing_windows
    from graph.workup.pipeline import workup_case

    kb = load_knowledge_base(mini_copy)
    assert expand("win:start") in timing_windows(kb)
    bad = DrugLinkEdit("drug:clozapine", "cause:mini-drug", 0, "win:nowhere", "PMID:1")
    problems = edit_problems(kb, bad)
    assert any("already linked" in p or "above 0" in p for p in problems)
    assert any("not a timing window" in p for p in problems)
    link = DrugLinkEdit("drug:doxorubicin", "cause:mini-drug", 3, "win:start", "PMID:17470834", True, "a test guess")
    assert edit_problems(kb, link) == []
    save_edit(kb, preview_edit(kb, link))
    reloaded = load_knowledge_base(mini_copy)
    case = {"id": "t", "anc": 300, "medications": [{"name": "doxorubicin", "started_days_ago": 30}]}
    drug_cause = next(c for c in workup_case(reloaded, case).candidates if c.cause == expand("cause:mini-drug"))
    assert any(e.kind == "agent" and "doxorubicin" in e.label for e in drug_cause.evidence)


def test_a_new_cause_is_written_into_the_chosen_module_and_then_takes_associations(mini_copy, monkeypatch):
    from graph.curate.edit import CauseEdit, curated_modules, mechanisms_and_categories

    kb = load_knowledge_base(mini_copy)
    mechanisms, categories = mechanisms_and_categories(kb)
    production = next(m for m, label in mechanisms.items() if label == "decreased production")
    nutritional = next(c for c, label in categories.items() if label == "nutritional")
    module = str(mini_copy.parent / "mini-causes.ttl")
    assert not curated_modules(kb) or all(m.suffix == ".ttl" for m in curated_modules(kb))
    duplicate = CauseEdit("Mini drug agranulocytosis", "too short", production, nutritional, 2, "", "/etc/passwd", "x")
    problems = edit_problems(kb, duplicate)
    assert any("exists already" in p for p in problems) and any("definition" in p for p in problems)
    assert any("below 1" in p for p in problems) and any("module files" in p for p in problems)
    new = CauseEdit(
        "Mini zinc excess",
        "Copper deficiency from too much zinc lowers the neutrophil count through the marrow.",
        production,
        nutritional,
        0.001,
        "Stop the zinc.",
        module,
        "PMID:17036563",
    )
    # the mini ontology keeps its modules beside its root, not in modules/, so the module is chosen directly
    from graph.curate import edit as edit_module

    monkeypatch.setattr(edit_module, "curated_modules", lambda kb: [mini_copy.parent / "mini-causes.ttl"])
    assert edit_problems(kb, new) == []
    save_edit(kb, preview_edit(kb, new))
    reloaded = load_knowledge_base(mini_copy)
    cause = expand("cause:mini-zinc-excess")
    assert reloaded.causes[cause].label == "Mini zinc excess"
    then = AssociationEdit("cause:mini-zinc-excess", "HP:0002716", 0.1, "supports", "PMID:17036563")
    assert preview_edit(reloaded, then).path.name == "mini-causes.ttl"
