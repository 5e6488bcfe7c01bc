"""The fast SHACL engine (graph/curate/shaclcore.py) reports exactly what pyshacl reports.

Checked on the bundled ontology, on the mini ontology with each broken fixture of tests/data/broken,
and on copies of the mini ontology with many deterministic mistakes at once (literals of the wrong
type or out of range, links to undefined nodes, missing and extra values), so that every kind of
constraint the shapes use fails somewhere.  The validation of what a curator runs
(``neutropenia-kg validate``) and of ``--shacl-engine pyshacl`` must not differ.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_shacl import BROKEN, with_module

from graph.curate import shacl
from graph.curate.shaclcore import CoreShapes, Unsupported, compile_shapes
from graph.curate.validate import validate_ontology
from graph.kb.ontology import bundled_ontology_path, load_triples

XSD = "http://www.w3.org/2001/XMLSchema#"


def both(triples: list[ox.Triple], shapes_file: Path) -> tuple[list, list]:
    core = shacl.load_checker(shapes_file)
    assert isinstance(core, CoreShapes), "the bundled shapes are all within the fast engine's reach"
    return shacl.check_triples(triples, core), shacl.check_triples(triples, shacl.load_checker(shapes_file, "pyshacl"))


def test_the_bundled_ontology_gets_the_same_report_from_both_engines():
    triples, _ = load_triples(bundled_ontology_path())
    core, reference = both(triples, shacl.shapes_path())
    assert core == reference


@pytest.mark.parametrize("name", sorted(p.name for p in BROKEN.glob("*.ttl") if p.name != "syntax-error.ttl"))
def test_each_broken_fixture_gets_the_same_report_from_both_engines(mini_dir, tmp_path, name):
    root = with_module(mini_dir, tmp_path / "onto", BROKEN / name)
    triples, _ = load_triples(root)
    core, reference = both(triples, shacl.shapes_path(root))
    assert core == reference


def _mutated(triples: list[ox.Triple], seed: int) -> list[ox.Triple]:
    """About one triple in six dropped, retyped, pushed out of range, relinked or doubled."""
    rng = random.Random(seed)
    literals = [
        ox.Literal("maybe", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("1.5", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("-3", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("2.0", datatype=ox.NamedNode(XSD + "double")),
        ox.Literal("0", datatype=ox.NamedNode(XSD + "decimal")),
        ox.Literal("text", language="en"),
        ox.Literal("OMIM:12"),
        ox.Literal("DrugBank:DB00001"),
        ox.Literal("2024-13-01", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
        ox.Literal("female"),
    ]
    iris = [
        ox.NamedNode("https://w3id.org/neutropenia-kg/resource/nowhere"),
        ox.NamedNode("https://w3id.org/neutropenia-kg/schema#Supports"),
    ]
    out = []
    for triple in triples:
        roll = rng.random()
        if roll < 0.04:
            continue
        if roll < 0.12 and triple.predicate.value != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            obj = rng.choice(literals + iris + [ox.BlankNode()])
            out.append(ox.Triple(triple.subject, triple.predicate, obj))
            if roll < 0.06:
                out.append(triple)
            continue
        out.append(triple)
        if roll > 0.97:
            out.append(ox.Triple(triple.subject, triple.predicate, rng.choice(literals + iris)))
    return list(dict.fromkeys(out))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_mistakes_at_once_get_the_same_report_from_both_engines(mini_dir, tmp_path, seed):
    modules = [BROKEN / n for n in ("missing-label.ttl", "bad-omim-xref.ttl", "causality-reader.ttl")]
    root = with_module(mini_dir, tmp_path / "onto", modules[0])
    triples, _ = load_triples(root)
    for module in modules[1:]:
        triples += [q.triple for q in ox.parse(path=str(module), format=ox.RdfFormat.TURTLE)]
    core, reference = both(_mutated(triples, seed), shacl.shapes_path(root))
    assert core == reference
    assert len({r.code for r in core}) >= 15, "the mistakes reach many kinds of constraint"


def test_a_shape_beyond_the_fast_engine_is_left_to_pyshacl(tmp_path):
    text = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://x/S> a sh:NodeShape ; sh:targetClass <http://x/C> ;\n"
        '  sh:property [ sh:path <http://x/p> ; sh:minLength 3 ; sh:message "too short" ] .\n'
    )
    with pytest.raises(Unsupported, match="minLength"):
        compile_shapes(q.triple for q in ox.parse(input=text, format=ox.RdfFormat.TURTLE))
    (tmp_path / "shapes.ttl").write_text(text, encoding="utf-8")
    checker = shacl.load_checker(tmp_path / "shapes.ttl")
    assert not isinstance(checker, CoreShapes)
    data = [
        q.triple
        for q in ox.parse(input='<http://x/a> a <http://x/C> ; <http://x/p> "ab" .', format=ox.RdfFormat.TURTLE)
    ]
    assert [(r.subject, r.message) for r in shacl.check_triples(data, checker)] == [
        ("http://x/a", "too short (found 'ab')")
    ]


@pytest.mark.parametrize("name", ["undefined-node.ttl", "missing-mechanism.ttl"])
def test_shacl_beside_the_compiler_or_after_it_and_either_engine_give_one_report(mini_dir, tmp_path, monkeypatch, name):
    root = with_module(mini_dir, tmp_path / "onto", BROKEN / name)
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", "")  # nothing stored: every run checks anew
    aside = validate_ontology(root)
    monkeypatch.setattr(shacl, "PARALLEL", False)
    assert validate_ontology(root) == aside == validate_ontology(root, engine="pyshacl")
    assert aside.errors >= 2
