"""Validation: the SHACL shapes plus the Python checks catch each kind of curator mistake.

Each file of tests/data/broken/ adds one small module with exactly one mistake to a copy of the
mini ontology (tests/data/mini); validation must name that mistake, on that node, in words that
say how to fix it, and nothing else.
"""

import re
import shutil
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph
from rdflib.namespace import SH

from graph.cli.cli import main
from graph.curate.validate import validate_ontology
from graph.kb.vocab import NKG
from graph.model.errors import OntologyError

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "data" / "broken"
RESOURCE = "https://w3id.org/neutropenia-kg/resource/"


def with_module(mini_dir: Path, target: Path, module: Path) -> Path:
    """A copy of the mini ontology that also imports ``module`` (as broken.ttl); returns its root."""
    shutil.copytree(mini_dir, target)
    shutil.copy(module, target / "broken.ttl")
    root = target / "neutropenia.ttl"
    text = root.read_text(encoding="utf-8")
    text = text.replace(
        "ontology/mini-causes.ttl> .",
        "ontology/mini-causes.ttl>, <https://w3id.org/neutropenia-kg/ontology/broken.ttl> .",
    )
    root.write_text(text, encoding="utf-8")
    # the HPO rows of the module's terms (obsolete ones included), as the real release has them
    table = target / "imports" / "hpo-terms.tsv"
    known = {line.split("\t")[0] for line in table.read_text(encoding="utf-8").splitlines()}
    wanted = set(re.findall(r"HP:\d{7}", module.read_text(encoding="utf-8"))) - known
    extra = [
        line
        for line in (ROOT / "ontology" / "imports" / "hpo-terms.tsv").read_text(encoding="utf-8").splitlines()
        if line.split("\t")[0] in wanted
    ]
    with table.open("a", encoding="utf-8") as handle:
        handle.write("".join(line + "\n" for line in extra))
    return root


@pytest.mark.parametrize(
    ("name", "codes", "subject", "words"),
    [
        ("missing-label.ttl", {"missing-label"}, "cause/nolabel", "has no rdfs:label"),
        ("missing-source.ttl", {"missing-source"}, "assoc/nosource--splenomegaly", "has no source"),
        ("frequency-out-of-range.ttl", {"frequency-range"}, "assoc/badfreq--splenomegaly", "frequency 95.0 must lie"),
        ("bad-omim-xref.ttl", {"xref-format"}, "cause/badxref", "'OMIM:20270' does not match OMIM:\\d{6}"),
        ("obsolete-hpo.ttl", {"obsolete-hpo"}, "HP_0005364", "is obsolete in HPO"),
        ("unknown-hpo.ttl", {"unknown-hpo"}, "HP_0019450", "is not a term of HPO"),
        ("missing-mechanism.ttl", {"missing-mechanism", "cannot-compile"}, "cause/nomechanism", "has no nkg:mechanism"),
        ("undefined-node.ttl", {"undefined-node", "confirmedBy-value"}, "test/smaer", "never defined"),
        ("causality-reader.ttl", {"causality-reader"}, "causality/badreader", "must be one of timing"),
    ],
)
def test_each_broken_file_is_caught_with_the_right_message(mini_dir, tmp_path, name, codes, subject, words):
    report = validate_ontology(with_module(mini_dir, tmp_path / "onto", BROKEN / name))
    errors = [p for p in report.problems if p.level == "error"]
    assert {p.code for p in errors} == codes, [str(p) for p in errors]
    named = [p for p in errors if p.subject.endswith(subject) or subject in p.message]
    assert named and any(words in p.message for p in named), [str(p) for p in errors]


def test_a_syntax_error_names_the_file_and_the_line(mini_dir, tmp_path, capsys):
    root = with_module(mini_dir, tmp_path / "onto", BROKEN / "syntax-error.ttl")
    with pytest.raises(OntologyError, match=r"broken\.ttl, line 22: Turtle syntax error"):
        validate_ontology(root)
    assert main(["validate", str(root)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.ttl, line 22" in err and "Traceback" not in err


def test_validate_prints_every_problem_with_label_id_and_fix_and_exits_1(mini_dir, tmp_path, capsys):
    root = with_module(mini_dir, tmp_path / "onto", BROKEN / "missing-source.ttl")
    assert main(["validate", str(root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith("ERROR [missing-source]") and "(assoc:nosource--splenomegaly)" in line and "cite" in line
        for line in out
    ), out
    assert out[-1].endswith("1 errors, 0 warnings (SHACL shapes and checks)") or " 1 errors" in out[-1]


def test_the_mini_ontology_is_clean(mini_dir):
    report = validate_ontology(mini_dir / "neutropenia.ttl")
    assert [str(p) for p in report.problems if p.level == "error"] == []


def test_the_bundled_ontology_passes_the_shapes_and_checks():
    report = validate_ontology(ROOT / "ontology" / "neutropenia.ttl")
    assert [str(p) for p in report.problems if p.level == "error"] == []
    assert any(f.endswith("hpo-neutropenia.ttl") for f in report.files)


def test_every_class_of_the_schema_has_a_shape():
    schema = Graph().parse(ROOT / "ontology" / "schema.ttl")
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    classes = set(schema.subjects(RDF.type, OWL.Class))
    targeted = set(shapes.objects(None, SH.targetClass))
    # a subclass is covered by a shape on its superclass (Drug by Agent, FindingAssociation by Association)
    assert {c for c in classes if not ({c} | set(schema.objects(c, RDF.type)) | _supers(schema, c)) & targeted} == set()
    assert NKG.FindingAssociation in targeted and NKG.Cause in targeted


def _supers(schema: Graph, cls) -> set:
    return set(schema.transitive_objects(cls, RDFS.subClassOf))


def test_a_bare_typed_node_and_an_unknown_hpo_id_are_reported_beside_an_error_that_stops_compiling(
    mini_dir, tmp_path, monkeypatch
):
    """Issue 9: one validation run names every problem, even when another error (a cause without a
    mechanism, which stops the knowledge base compiling) is present."""
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", "")
    texts = [(BROKEN / name).read_text(encoding="utf-8") for name in ("unknown-hpo.ttl", "missing-mechanism.ttl")]
    prefixes = [line for line in texts[0].splitlines() if line.startswith("@prefix")]
    body = [line for text in texts for line in text.splitlines() if not line.startswith("@prefix")]
    module = tmp_path / "combined.ttl"
    module.write_text("\n".join([*prefixes, *body, "cause:emptied a nkg:Cause ."]) + "\n", encoding="utf-8")
    report = validate_ontology(with_module(mini_dir, tmp_path / "onto", module))
    found = {(p.code, p.subject.rsplit("/", 1)[-1]) for p in report.problems if p.level == "error"}
    assert ("missing-mechanism", "nomechanism") in found, found
    assert ("unknown-hpo", "HP_0019450") in found, found
    assert ("missing-label", "emptied") in found, found
