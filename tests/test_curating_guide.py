"""docs/curating.md: its worked example, replayed on a copy of the mini ontology, does what the guide says."""

import json
import re
from pathlib import Path

import pytest
from conftest import copy_mini

from graph.curate.validate import validate_ontology
from graph.kb.knowledge import load_knowledge_base
from graph.workup.pipeline import workup_case

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "curating.md").read_text(encoding="utf-8")


def block(marker: str, language: str) -> str:
    """The fenced block of ``language`` that follows ``<!-- marker -->`` in the guide."""
    match = re.search(rf"<!-- {marker} -->\s*```{language}\n(.*?)```", GUIDE, re.S)
    assert match, f"the guide lost its {marker} block"
    return match.group(1)


@pytest.fixture()
def extended(mini_dir, tmp_path) -> Path:
    """The mini ontology plus the guide's module, imported from its root as the guide says."""
    root = copy_mini(mini_dir, tmp_path / "onto", ("copper.ttl",))
    (root.parent / "copper.ttl").write_text(block("worked-example-turtle", "turtle"), encoding="utf-8")
    return root


def test_before_the_addition_the_guide_names_the_top_cause(mini_kb):
    case = json.loads(block("worked-example-case", "json"))
    top = workup_case(mini_kb, case).candidates[0]
    assert f"**{mini_kb.label(top.cause)}** ranks first" in GUIDE


def test_the_example_module_validates_without_errors(extended):
    report = validate_ontology(extended)
    assert [str(p) for p in report.problems if p.level == "error"] == []


def test_after_the_addition_copper_deficiency_ranks_first_with_the_guides_terms(extended):
    kb = load_knowledge_base(extended, use_cache=False)
    case = json.loads(block("worked-example-case", "json"))
    top = workup_case(kb, case).candidates[0]
    assert kb.label(top.cause) == "Copper deficiency" and "**Copper deficiency** comes first" in GUIDE
    table = GUIDE[GUIDE.index("| term | value | log LR |") :]
    table = table[: table.index("\n\n")]
    stated = [float(v.replace("−", "-")) for v in re.findall(r"([+−]\d+\.\d\d) \|", table)]  # last column
    assert sorted(stated) == sorted(round(e.log_lr, 2) for e in top.evidence)
