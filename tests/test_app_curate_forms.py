"""The curate view's forms for a new drug, a new diagnostic test and a change to an existing item, driven
through Streamlit's AppTest on a copy of the mini ontology: a refusal is named, a good edit is previewed,
saved into the module and reloaded."""

from pathlib import Path

import pytest
from conftest import editable_ontology
from test_app import app, plain, texts

from graph.model.ids import curie, expand


@pytest.fixture
def editable(monkeypatch, mini_dir, tmp_path) -> Path:
    """A copy of the mini ontology with one module file (modules/curator.ttl) that the forms offer."""
    root = editable_ontology(mini_dir, tmp_path / "editable")
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(root))
    return root.parent / "modules" / "curator.ttl"


def _submit(at, form: str):
    """Click the submit button of one form (the forms' buttons share their label)."""
    button = next(b for b in at.button if b.form_id == form)
    return button.click().run()


def test_a_curator_adds_a_drug_through_the_form(editable):
    at = app(view="curate")
    at.text_input(key="drug-label").set_value("propylthiouracil")
    at.text_input(key="drug-xref").set_value("DB00550")
    at.text_input(key="drug-class").set_value("thionamide antithyroid drug")
    at.text_input(key="drug-synonyms").set_value("PTU, Propycil")
    at.text_input(key="drug-source").set_value("PMID:17470834")
    _submit(at, "edit-drug-new")
    assert "DrugBank id" in plain(texts(at.warning)) and not at.code
    at.text_input(key="drug-xref").set_value("DrugBank:DB00550")
    _submit(at, "edit-drug-new")
    assert not at.warning and at.code and 'a nkg:Drug ; rdfs:label "propylthiouracil"' in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `curator.ttl`" in plain(texts(at.success))
    assert 'skos:altLabel "PTU", "Propycil"' in editable.read_text(encoding="utf-8")


def test_a_curator_adds_a_diagnostic_test_through_the_form(editable):
    at = app(view="curate")
    at.text_input(key="test-label").set_value("Serum zinc")
    at.selectbox(key="test-finding").set_value(expand("HP:0002716"))
    at.text_input(key="test-present").set_value("raised|high")
    at.text_input(key="test-source").set_value("PMID:17036563")
    _submit(at, "edit-test-new")
    assert "rest on" in plain(texts(at.warning))
    at.text_input(key="test-comment").set_value("an immunoassay on a venous sample")
    _submit(at, "edit-test-new")
    assert not at.warning and at.code and "a nkg:TestCost" in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `curator.ttl`" in plain(texts(at.success))
    assert 'rdfs:label "Serum zinc"' in editable.read_text(encoding="utf-8")


def test_a_curator_changes_the_frequency_of_an_association_in_its_module(editable):
    module = editable.parent.parent / "mini-causes.ttl"
    before = module.read_text(encoding="utf-8")
    assoc = expand("assoc:mini-drug--fever")
    at = app(view="curate")
    at.radio(key="amend-kind").set_value("A finding association").run()
    at.selectbox(key="amend-item").set_value(assoc).run()
    field = at.number_input(key=f"amend-{curie(assoc)}frequency")
    assert field.value == 0.7  # the form starts from the value the ontology holds
    field.set_value(1.0)
    at.text_input(key=f"amend-{curie(assoc)}sources").set_value("my notes")
    _submit(at, "edit-amend")
    assert "must be a PMID" in plain(texts(at.warning)) and not at.code
    at.text_input(key=f"amend-{curie(assoc)}sources").set_value("PMID:17470834")
    at.number_input(key=f"amend-{curie(assoc)}frequency").set_value(0.55)
    _submit(at, "edit-amend")
    assert not at.warning and at.code and "+    nkg:frequency 0.55" in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `mini-causes.ttl`" in plain(texts(at.success))
    after = module.read_text(encoding="utf-8")
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]
    assert changed == [
        (
            '    nkg:frequency 0.7 ; nkg:polarity nkg:Supports ; dcterms:source "test" ; nkg:estimate true ;',
            '    nkg:frequency 0.55 ; nkg:polarity nkg:Supports ; dcterms:source "PMID:17470834" ; nkg:estimate true ;',
        )
    ]
