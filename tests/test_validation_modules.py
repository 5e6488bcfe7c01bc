"""Validation module by module: after an edit SHACL checks only the module the edit reaches, and
reports what changed; unchanged modules are answered from the store; a damaged store is not trusted."""

from __future__ import annotations

import pytest
from conftest import copy_mini

from graph.curate import shacl
from graph.curate.validate import validate_ontology

EXTRA = """@prefix nkg: <https://w3id.org/neutropenia-kg/schema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix drug: <https://w3id.org/neutropenia-kg/resource/drug/> .
drug:testdrug a nkg:Drug ; rdfs:label "testdrug" ; nkg:xref "DrugBank:DB00001" .
"""


@pytest.fixture
def onto(mini_dir, tmp_path, monkeypatch):
    """The mini ontology plus a one-drug module, with its own cache; every SHACL run is recorded."""
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(shacl, "WHOLE_RUN_SHARE", 2.0)  # module by module even on this small ontology
    monkeypatch.setattr(shacl, "PARALLEL", False)  # in this process, where the SHACL runs are counted
    root = copy_mini(mini_dir, tmp_path / "onto", extra_imports=("extra.ttl",))
    (root.parent / "extra.ttl").write_text(EXTRA, encoding="utf-8")
    runs: list[int] = []
    real = shacl.check_triples
    monkeypatch.setattr(shacl, "check_triples", lambda data, shapes: runs.append(len(data)) or real(data, shapes))
    return root, runs


def _xref_errors(report):
    return [p for p in report.problems if p.code == "xref-format" and p.subject.endswith("testdrug")]


def test_an_edited_module_alone_is_checked_again_and_its_new_error_reported(onto):
    root, runs = onto
    first = validate_ontology(root)
    modules = shacl_modules(root)
    assert len(modules) > 3 and len(runs) == len(modules) and not _xref_errors(first)
    runs.clear()
    assert validate_ontology(root) == first and runs == [], "nothing changed: every module from the store"
    extra = root.parent / "extra.ttl"
    extra.write_text(EXTRA.replace("DB00001", "DB1"), encoding="utf-8")
    edited = validate_ontology(root)
    assert len(runs) == 1, "only the edited module is checked again"
    assert runs[0] < sum(len(own) for _, own in modules) / 2, "over the module and what it needs, not everything"
    assert [p.message for p in _xref_errors(edited) if "DB1" in p.message]
    extra.write_text(EXTRA, encoding="utf-8")  # fixed again: checked again, and the error is gone
    runs.clear()
    assert validate_ontology(root) == first and len(runs) == 1


def test_a_damaged_stored_module_result_is_checked_again_not_trusted(onto, tmp_path):
    root, runs = onto
    (root.parent / "extra.ttl").write_text(EXTRA.replace("DB00001", "DB1"), encoding="utf-8")
    first = validate_ontology(root)
    assert _xref_errors(first)
    stored = list((tmp_path / "cache" / "shacl").glob("kb-*.json"))
    assert len(stored) == len(shacl_modules(root)) == len(runs)
    for file in stored:
        head, _, body = file.read_bytes().partition(b"\n")
        file.write_bytes(head + b"\n" + body.replace(b"xref-format", b"xref-f0rmat") + b" ")
    runs.clear()
    assert validate_ontology(root) == first and len(runs) == len(stored)


def shacl_modules(root):
    from graph.kb.ontology import load_modules

    return load_modules(root)
