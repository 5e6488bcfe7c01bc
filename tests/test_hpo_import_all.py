"""``import-hpo --all``: every other disease HPO annotates, in a module of its own that the ranker loads
through the root file the import writes beside the ontology.

The release is that of test_hpo_import.py plus a genetic disease without neutropenia:

    OMIM:600010  "Test rash syndrome": Skin rash very frequent, Lymphadenopathy, autosomal recessive, gene TESTG2
"""

from pathlib import Path

import pytest
from test_hpo_import import run_import, write_release

from graph.cli.cli import main
from graph.curate.hpo_import import import_all_hpo
from graph.curate.validate import validate_ontology
from graph.kb.knowledge import load_knowledge_base
from graph.model.errors import UsageError
from graph.workup.pipeline import workup_case

EXTRA = [
    ("OMIM:600010", "Test rash syndrome", "", "HP:0000988", "PMID:5", "HP:0040281", "P"),
    ("OMIM:600010", "Test rash syndrome", "", "HP:0002716", "PMID:5", "", "P"),
    ("OMIM:600010", "Test rash syndrome", "", "HP:0000007", "OMIM:600010", "", "I"),
]


def write_full_release(directory: Path) -> Path:
    write_release(directory)
    with (directory / "phenotype.hpoa").open("a", encoding="utf-8") as handle:
        for database_id, name, qualifier, term, reference, frequency, aspect in EXTRA:
            fields = [database_id, name, qualifier, term, reference, "PCS", "", frequency, "", "", aspect, "HPO:t"]
            handle.write("\t".join(fields) + "\n")
    with (directory / "genes_to_phenotype.txt").open("a", encoding="utf-8") as handle:
        handle.write("5678\tTESTG2\tHP:0000988\tSkin rash\t-\tOMIM:600010\n")
    return directory


@pytest.fixture()
def onto(mini_dir, tmp_path) -> Path:
    from conftest import copy_mini

    return copy_mini(mini_dir, tmp_path / "onto", ("imports/hpo-neutropenia.ttl",))


RASH_CASE = {
    "id": "rash",
    "anc": 900,
    "patient": {"age_years": 4},
    "findings": ["Skin rash", "Lymphadenopathy"],
    "conditions": ["homozygous TESTG2 pathogenic variant"],
}


def test_all_imports_the_diseases_without_neutropenia_with_the_bundled_priors(onto, tmp_path):
    release = write_full_release(tmp_path / "release")
    bundled, _ = run_import(onto, release)
    bundled_file = onto.parent / "imports" / "hpo-neutropenia.ttl"
    bundled_file.write_text(bundled.replace("nkg:value 0.0003 ;", "nkg:value 0.002 ;"), encoding="utf-8")
    summary, root = import_all_hpo(onto, onto.parent / "imports" / "hpo-all.ttl", release)
    text = summary.output.read_text(encoding="utf-8")
    assert summary.imported == 1 and root == onto.parent / "neutropenia-hpo-all.ttl"
    assert "cause:omim-600010 a nkg:Cause" in text and "nkg:prevalence 0.002 ;" in text
    assert "nkg:finding HP:0000988 ;\n    nkg:frequency 0.9 ;" in text
    assert "omim-600001" not in text and "ORPHA:99" not in text  # the bundled import holds it
    assert "nkg:ModelParameter" not in text  # one set of parameters: the bundled import's
    assert "# OMIM:600002 Unrelated disease" in text  # no gene, no inheritance: listed only
    # rerunning the bundled import ignores the root --all wrote beside the ontology
    again, _ = run_import(onto, release)
    assert again == bundled_file.read_text(encoding="utf-8")


def test_the_ranker_finds_an_extra_disease_only_through_the_all_root(onto, tmp_path):
    release = write_full_release(tmp_path / "release")
    run_import(onto, release)
    _, root = import_all_hpo(onto, onto.parent / "imports" / "hpo-all.ttl", release)
    assert [str(p) for p in validate_ontology(root).problems if p.level == "error"] == []
    everything = load_knowledge_base(root, use_cache=False)
    top = workup_case(everything, RASH_CASE).candidates[0]
    assert everything.label(top.cause) == "Test rash syndrome"
    bundled = load_knowledge_base(onto, use_cache=False)
    assert "Test rash syndrome" not in {bundled.label(c.cause) for c in workup_case(bundled, RASH_CASE).candidates}
    # the diseases of the bundled import rank as before
    shared = {"id": "n", "anc": 400, "findings": ["Splenomegaly", "Thrombocytopenia"]}
    assert [bundled.label(c.cause) for c in workup_case(bundled, shared).candidates[:1]] == [
        everything.label(c.cause) for c in workup_case(everything, shared).candidates[:1]
    ]


def test_the_command_names_the_root_and_refuses_a_module_outside_the_ontology(onto, tmp_path, capsys):
    release = write_full_release(tmp_path / "release")
    run_import(onto, release)
    assert main(["--ontology", str(onto), "import-hpo", "--all", "--data-dir", str(release)]) == 0
    out = capsys.readouterr().out
    assert "1 more diseases imported" in out and f"--ontology {onto.parent / 'neutropenia-hpo-all.ttl'}" in out
    with pytest.raises(UsageError, match="inside the ontology folder"):
        import_all_hpo(onto, tmp_path / "elsewhere.ttl", release)
    assert main(["--ontology", str(onto), "import-hpo", "--all", "--output", str(tmp_path / "x.ttl")]) == 2
    assert "inside the ontology folder" in capsys.readouterr().err


def test_what_import_hpo_all_writes_stays_out_of_the_sdist_and_wheel(monkeypatch):
    """setuptools' own selection of package data, read from pyproject.toml: the bundled ontology files go
    into a build, the module and root that ``import-hpo --all`` writes beside them (55 MB) do not."""
    import warnings

    from setuptools.command.build_py import build_py
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    from graph.curate.hpo_import import ALL_ROOT_SUFFIX

    repo = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(repo)
    distribution = Distribution()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # setuptools calls [tool.setuptools] beta
        apply_configuration(distribution, repo / "pyproject.toml")
    command = build_py(distribution)
    command.ensure_finalized()
    bundled = ["ontology/neutropenia.ttl", "ontology/imports/hpo-neutropenia.ttl", "ontology/modules/drugs.ttl"]
    written = [f"ontology/neutropenia{ALL_ROOT_SUFFIX}", "ontology/imports/hpo-all.ttl"]
    assert command.exclude_data_files("graph.data", "ontology", bundled + written) == bundled
