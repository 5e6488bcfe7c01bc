"""Validation in seconds on an unchanged ontology: the report is kept by the content of every file it
read, and any edit makes a fresh, correct report."""

from conftest import copy_mini

from graph.curate import validate
from graph.curate.validate import cached_validation


def test_an_unchanged_ontology_is_answered_from_the_store_and_an_edit_is_seen(mini_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", str(tmp_path / "cache"))
    root = copy_mini(mini_dir, tmp_path / "onto")
    runs = []
    real = validate.validate_ontology
    monkeypatch.setattr(
        validate, "validate_ontology", lambda path=None, engine="core": runs.append(path) or real(path, engine)
    )

    first = cached_validation(root)
    again = cached_validation(root)
    assert len(runs) == 1, "the second run on unchanged files reads the stored report"
    assert again == first

    causes = root.parent / "mini-causes.ttl"
    causes.write_text(causes.read_text(encoding="utf-8").replace("rdfs:label", "rdfs:comment", 1), encoding="utf-8")
    edited = cached_validation(root)
    assert len(runs) == 2, "an edited file is validated anew"
    assert edited.problems != first.problems


def test_a_damaged_stored_report_is_rebuilt_not_trusted(mini_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", str(tmp_path / "cache"))
    root = copy_mini(mini_dir, tmp_path / "onto")
    first = cached_validation(root)
    for stored in (tmp_path / "cache").glob("kb-*.json"):
        head, _, body = stored.read_bytes().partition(b"\n")
        stored.write_bytes(head + b"\n" + body.replace(b"error", b"erro!"))
    assert cached_validation(root) == first
