"""The bundled ontology: coverage the issue asks for, structure, schema mirror, layering."""

import ast
from pathlib import Path

import pytest
from rdflib import Graph

from graph.curate.evaluate import folded
from graph.curate.validate import count_by_kind, validate_knowledge_base
from graph.kb.vocab import NKG

ROOT = Path(__file__).resolve().parent.parent
MECHANISMS = {"decreased production", "increased destruction", "abnormal distribution"}


def find_cause(kb, name):
    wanted = folded(name)
    for cause in kb.causes.values():
        if wanted in {folded(n) for n in (cause.label, *cause.info.synonyms)}:
            return cause
    return None


def test_the_ontology_validates_without_errors(kb):
    errors = [str(p) for p in validate_knowledge_base(kb) if p.level == "error"]
    assert errors == []


def test_content_meets_the_minimum_counts(kb):
    counts = count_by_kind(kb)
    assert counts["Cause"] >= 60
    assert counts["Drug"] >= 60
    assert counts["Gene"] >= 20
    infections = [c for c in kb.causes.values() if c.category == "infection"]
    assert len(infections) >= 25
    assert counts["Organism"] >= 25


@pytest.mark.parametrize(
    "name",
    [
        "Duffy-null associated neutrophil count",
        "Felty syndrome",
        "T-cell large granular lymphocytic leukemia",
        "hairy cell leukemia",
        "copper deficiency",
        "neonatal alloimmune neutropenia",
        "primary autoimmune neutropenia of infancy",
        "levamisole-adulterated cocaine",
        "rituximab late-onset neutropenia",
        "cyclic neutropenia",
        "severe congenital neutropenia",
        "chronic idiopathic neutropenia",
        "hypersplenism",
        "vitamin B12 deficiency",
        "aplastic anemia",
        "myelodysplastic syndrome",
        "chemotherapy-induced neutropenia",
        "sepsis",
    ],
)
def test_the_causes_a_generalist_forgets_are_there(kb, name):
    assert find_cause(kb, name) is not None, name


@pytest.mark.parametrize(
    "symbol",
    ["ELANE", "HAX1", "SBDS", "CXCR4", "G6PC3", "GATA2", "TAFAZZIN", "VPS13B", "SLC37A4", "LYST", "WAS", "ACKR1"],
)
def test_congenital_genes_carry_hgnc_ids(kb, symbol):
    genes = [a for a in kb.agents.values() if a.info.kind == "Gene" and a.info.label == symbol]
    assert genes and any(x.startswith("HGNC:") for x in genes[0].info.xrefs)


def test_every_cause_is_complete(kb):
    for cause in kb.causes.values():
        assert cause.mechanism in MECHANISMS, cause.label
        assert cause.info.definition and cause.info.sources and cause.info.synonyms, cause.label
        assert cause.tests and (cause.treatments or cause.management), cause.label
        assert 0 < cause.prevalence < 1, cause.label


@pytest.mark.parametrize(
    "phrase",
    [
        "Kostmann syndrome",
        "myelokathexis",
        "myelofibrosis",
        "Lyme disease",
        "malaria",
        "hepatitis B",
        "hepatitis C",
        "tuberculosis",
        "dengue",
        "HIV",
        "cytomegalovirus",
        "radiation therapy",
        "leukemia",
        "lupus",
        "rheumatoid arthritis",
        "Crohn disease",
        "vancomycin",
        "quinidine",
        "procainamide",
        "ganciclovir",
        "propylthiouracil",
        "chlorpromazine",
        "sulfasalazine",
        "filgrastim",
        "Neulasta",
        "sargramostim",
    ],
)
def test_what_the_seed_documents_name_is_in_the_graph(kb, phrase):
    assert kb.concept_index.spot(phrase), phrase


def test_drug_brand_names_resolve(kb):
    from graph.workup.resolve import resolve_drug

    for brand, generic in [
        ("Clozaril", "clozapine"),
        ("Tapazole", "methimazole"),
        ("Bactrim", None),
        ("Valcyte", "valganciclovir"),
        ("Neulasta", "pegfilgrastim"),
    ]:
        labels = [kb.label(a) for a in resolve_drug(kb, brand).agents]
        assert labels and (generic is None or generic in labels), brand


def test_vocab_mirrors_the_schema():
    schema = Graph().parse(ROOT / "ontology" / "schema.ttl")
    declared = {str(s)[len(str(NKG._NS)) :] for s in schema.subjects() if str(s).startswith(str(NKG._NS))}
    assert declared == set(NKG.__annotations__)


LAYERS = {
    "rdflib": {"ontology.py", "bridge.py", "vocab.py", "sparql.py", "shacl.py", "hpo_import.py", "graph_export.py"},
    "streamlit": set(),
    "pyvis": {"render.py"},
}


@pytest.mark.parametrize("library", sorted(LAYERS))
def test_layers_import_downwards_only(library):
    offenders = []
    for path in sorted((ROOT / "graph").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] == library for n in names) and path.name not in LAYERS[library]:
                offenders.append(path.name)
    assert offenders == []
