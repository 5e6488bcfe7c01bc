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


def test_a_new_test_is_linked_to_the_cause_it_confirms_through_the_form(editable):
    at = app(view="curate")
    at.selectbox(key="test-finding").set_value(expand("HP:0011900")).run()
    at.multiselect(key="test-causes").set_value([expand("cause:mini-drug")]).run()
    assert "the specificity you give sets it" in plain(
        texts(at.caption)
    )  # the background the model weighs results against
    at.text_input(key="test-label").set_value("Fibrinogen assay")
    at.text_input(key="test-present").set_value("low fibrinogen")
    at.text_input(key="test-comment").set_value("a citrated venous sample")
    at.text_input(key="test-source").set_value("PMID:17036563")
    at.number_input(key="test-cause:mini-drug-sens").set_value(0.7)
    at.number_input(key="test-cause:mini-drug-spec").set_value(0.95)
    _submit(at, "edit-test-new")
    assert "must be a PMID" in plain(texts(at.warning)) and not at.code  # the link's own source is missing
    at.text_input(key="test-cause:mini-drug-source").set_value("PMID:1")
    _submit(at, "edit-test-new")
    assert (
        not at.warning
        and at.code
        and "nkg:confirmedBy <https://w3id.org/neutropenia-kg/resource/test/fibrinogen-assay>" in at.code[0].value
    )
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `curator.ttl`" in plain(texts(at.success))
    written = editable.read_text(encoding="utf-8")
    assert "nkg:frequency 0.7 ;" in written and "nkg:backgroundFrequency 0.05 ." in written


def test_an_existing_test_is_linked_to_a_cause_by_likelihood_ratios_through_the_form(editable):
    module = editable.parent.parent / "mini-causes.ttl"
    at = app(view="curate")
    at.radio(key="amend-kind").set_value("A diagnostic test").run()
    at.selectbox(key="amend-item").set_value(expand("test:coagulation")).run()
    at.multiselect(key="amend-test:coagulation-causes").set_value([expand("cause:mini-chemo")])
    at.radio(key="amend-test:coagulation-mode").set_value("likelihood ratios").run()
    at.number_input(key="amend-test:coagulation-cause:mini-chemo-lrp").set_value(0.9)
    at.text_input(key="amend-test:coagulation-cause:mini-chemo-source").set_value("PMID:1")
    _submit(at, "edit-test-links")
    assert "LR+ above 1" in plain(texts(at.warning)) and not at.code
    at.number_input(key="amend-test:coagulation-cause:mini-chemo-lrp").set_value(8.0)
    at.number_input(key="amend-test:coagulation-cause:mini-chemo-lrn").set_value(0.25)
    _submit(at, "edit-test-links")
    assert not at.warning and at.code and "likelihood ratios LR+ 8, LR- 0.25" in at.code[0].value
    at.button(key="edit-save").click().run()
    assert not at.exception and "Saved to `mini-causes.ttl`" in plain(texts(at.success))
    assert "nkg:confirmedBy <https://w3id.org/neutropenia-kg/resource/test/coagulation>" in module.read_text("utf-8")
