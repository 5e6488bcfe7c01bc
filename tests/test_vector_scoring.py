"""Vectorised scoring: every cause is scored at once, and what a candidate's evidence says is what ranked it.

The score of a cause is the sum of its columns (graph/workup/rank.py); its evidence is built from the same
columns for the candidates shown.  If a column's explanation left out a term, or showed one the score
did not count, a clinician would read a number that did not rank the cause: these tests catch that on
every case the repository holds.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import math
from pathlib import Path

import pytest

from graph.caseio.phenopacket import is_phenopacket, phenopacket_to_case
from graph.kb.scoretables import score_tables
from graph.workup.pipeline import workup_case
from graph.workup.rank import rank_causes, score_columns

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("examples", "tests/data/holdout", "tests/data/phenopackets", "tests/data/real-dev")


def _case_files() -> list[Path]:
    return [path for folder in FOLDERS for path in sorted((ROOT / folder).glob("*.json"))]


def _case(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return phenopacket_to_case(data) if is_phenopacket(data) else data


def test_every_cause_evidence_sums_to_its_score(kb):
    """For every case and every cause (not only the first ten), the evidence adds up to the log score."""
    files = _case_files()
    assert len(files) > 150
    for path in files:
        workup = workup_case(kb, _case(path), explain_top=len(kb.causes))
        for candidate in workup.candidates:
            total = math.fsum(e.log_lr for e in candidate.evidence)
            assert total == pytest.approx(candidate.log_score, abs=1e-9), (path.name, candidate.cause)


def test_scores_are_the_sum_of_columns_and_rank_in_order(kb):
    """The ranking is the order of the summed columns, ties by label; probabilities sum to one."""
    workup = workup_case(kb, _case(ROOT / "examples" / sorted(p.name for p in (ROOT / "examples").glob("*.json"))[0]))
    columns, _ = score_columns(kb, workup.normalised)
    tables = score_tables(kb)
    summed = {tables.cause_ids[i]: math.fsum(float(c.values[i]) for c in columns) for i in range(len(tables.causes))}
    candidates = rank_causes(kb, workup.normalised, explain=0)
    for candidate in candidates:
        assert candidate.log_score == pytest.approx(summed[candidate.cause], abs=1e-9)
    keys = [(-round(c.log_score, 9), kb.causes[c.cause].label, c.cause) for c in candidates]
    assert keys == sorted(keys)
    assert math.fsum(c.score for c in candidates) == pytest.approx(1.0)


def test_explaining_more_candidates_changes_no_score(kb):
    """Building the evidence is separate from scoring: explaining all or none gives the same ranking."""
    workup = workup_case(kb, _case(ROOT / "tests" / "data" / "holdout" / "holdout-001.json"))
    none = rank_causes(kb, workup.normalised, explain=0)
    every = rank_causes(kb, workup.normalised, explain=None)
    assert [(c.cause, c.log_score, c.score) for c in none] == [(c.cause, c.log_score, c.score) for c in every]
    assert all(not c.evidence for c in none) and all(c.evidence for c in every)


def test_the_knowledge_base_cannot_be_changed_in_place(kb):
    """Sessions share one knowledge base: reassigning a field fails instead of changing everyone's answers."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.params = {}  # type: ignore[misc]
    changed = dataclasses.replace(kb, params={**kb.params, "posterior_temperature": 2.0})
    assert changed.params["posterior_temperature"] == 2.0 != kb.params["posterior_temperature"]
    assert score_tables(changed) is not score_tables(kb)


def test_score_tables_do_not_keep_a_knowledge_base_alive(kb):
    """Tables are compiled per knowledge base and dropped with it (a curator's reload frees the old one)."""
    import weakref

    copy = dataclasses.replace(kb)
    tables = score_tables(copy)
    assert tables.kb is copy and score_tables(copy) is tables
    ref = weakref.ref(copy)
    del copy
    gc.collect()
    assert ref() is None
    with pytest.raises(RuntimeError, match="score_tables"):
        _ = tables.kb


def test_a_candidate_built_in_place_is_an_ordinary_candidate():
    """The fast constructor of unexplained candidates makes the same object as Candidate(...)."""
    from graph.model.results import Candidate
    from graph.workup.rank import _unexplained

    fast, other = _unexplained(3, [1, 0], ("cause:w", "cause:x"), [0.5, 0.25], [-1.0, -1.5], {1: ("drug:y",)})
    assert fast == Candidate(3, "cause:x", 0.25, -1.5, (), ("drug:y",))
    assert other == Candidate(4, "cause:w", 0.5, -1.0, (), ())
    assert dataclasses.fields(Candidate) and len(fast.__dict__) == len(dataclasses.fields(Candidate))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.rank = 1  # type: ignore[misc]
