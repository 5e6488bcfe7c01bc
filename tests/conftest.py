"""Shared fixtures: the real knowledge base and a tiny hand-made one (tests/data/mini)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
MINI = Path(__file__).resolve().parent / "data" / "mini"
DEV_CASES = ROOT.parent / "shared" / "cases" / "dev"

#: A febrile clozapine case whose ranking on the mini ontology is worked out in tests/test_views.py;
#: lactulose is there to be reported back as an unrecognised drug.
MINI_CASE = {
    "id": "mini-1",
    "anc": 150,
    "findings": ["Fever", "Pharyngitis"],
    "absent_findings": ["Splenomegaly"],
    "duration_days": 2,
    "labs": {"platelets_per_ul": 250000},
    "medications": [{"name": "clozapine", "started_days_ago": 60}, {"name": "lactulose"}],
}


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the compiled-ontology cache of the test run out of the user's home."""
    os.environ["NEUTROPENIA_KG_CACHE"] = str(tmp_path_factory.mktemp("kg-cache"))
    os.environ.pop("NEUTROPENIA_KG_ONTOLOGY", None)


@pytest.fixture(scope="session")
def kb():
    """The bundled ontology."""
    from graph.kb.knowledge import load_knowledge_base

    return load_knowledge_base()


def _hpo_subset(terms: set[str]) -> list[str]:
    rows = {}
    header = []
    for line in (ONTOLOGY / "imports" / "hpo-terms.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            header.append(line)
            continue
        columns = line.split("\t")
        rows[columns[0]] = columns
    wanted: set[str] = set()
    stack = list(terms)
    while stack:
        term = stack.pop()
        if term in wanted or term not in rows:
            continue
        wanted.add(term)
        stack.extend(p for p in rows[term][3].split("|") if p)
    return header + ["\t".join(rows[t]) for t in sorted(wanted)]


@pytest.fixture(scope="session")
def mini_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the mini ontology, the real schema/model/findings and an HPO subset."""
    directory = tmp_path_factory.mktemp("mini-ontology")
    for name in ("schema.ttl", "model.ttl", "findings.ttl"):
        shutil.copy(ONTOLOGY / name, directory / name)
    for file in MINI.glob("*.ttl"):
        shutil.copy(file, directory / file.name)
    import re

    text = " ".join(p.read_text(encoding="utf-8") for p in directory.glob("*.ttl"))
    terms = {f"HP:{n}" for n in re.findall(r"HP:(\d{7})", text)}
    terms |= {
        "HP:0002716",
        "HP:0025289",
        "HP:0100721",
        "HP:0000988",
        "HP:0001880",
        "HP:0010280",
        "HP:0000155",
        "HP:0032154",
    }
    (directory / "imports").mkdir()
    (directory / "imports" / "hpo-terms.tsv").write_text("\n".join(_hpo_subset(terms)) + "\n", encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def mini_kb(mini_dir: Path):
    """The tiny hand-made knowledge base (see tests/data/mini/mini-causes.ttl)."""
    from graph.kb.knowledge import load_knowledge_base

    return load_knowledge_base(mini_dir / "neutropenia.ttl", use_cache=False)


def copy_mini(mini_dir: Path, target: Path, extra_imports: tuple[str, ...] = ()) -> Path:
    """Copy the mini ontology to ``target`` and import ``extra_imports`` (paths relative to it) from its root.

    Returns the root file of the copy.
    """
    shutil.copytree(mini_dir, target)
    root = target / "neutropenia.ttl"
    if extra_imports:
        more = "".join(f", <https://w3id.org/neutropenia-kg/ontology/{path}>" for path in extra_imports)
        text = root.read_text(encoding="utf-8").replace(
            "ontology/mini-causes.ttl> .", f"ontology/mini-causes.ttl>{more} ."
        )
        root.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def mini_copy(mini_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An editable copy of the mini ontology, uncached; its one module (beside its root, not in modules/)
    is the module the curation forms offer."""
    from graph.curate import edit as edit_module

    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", "")
    root = copy_mini(mini_dir, tmp_path / "onto")
    monkeypatch.setattr(edit_module, "curated_modules", lambda kb: [root.parent / "mini-causes.ttl"])
    return root


def normalised_case(kb, anc: float = 900, **fields):
    """A case of ``fields`` (with a count of ``anc``) read by the knowledge base, as the ranker reads it."""
    from graph.model.case import parse_case
    from graph.workup.normalise import normalise_case

    return normalise_case(kb, parse_case({"id": "words", "anc": anc, **fields}, kb.case_rules))


def dev_cases() -> list[Path]:
    """The worked cases with known answers (empty when shared/ is not beside the checkout)."""
    return sorted(DEV_CASES.glob("*.json")) if DEV_CASES.is_dir() else []


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def editable_ontology(mini_dir: Path, target: Path) -> Path:
    """A copy of the mini ontology at ``target`` with one module file (modules/curator.ttl, holding only
    the mini ontology's prefixes) that the curate forms offer; returns the root file of the copy."""
    root = copy_mini(mini_dir, target)
    (target / "modules").mkdir()
    prefixes = (target / "mini-causes.ttl").read_text(encoding="utf-8").split("\n\n")[0]
    (target / "modules" / "curator.ttl").write_text(prefixes + "\n", encoding="utf-8")
    text = root.read_text(encoding="utf-8").replace(
        "ontology/mini-causes.ttl> .",
        "ontology/mini-causes.ttl>, <https://w3id.org/neutropenia-kg/ontology/modules/curator.ttl> .",
    )
    root.write_text(text, encoding="utf-8")
    return root
