"""End to end: the CLI ranks the worked cases in one process and meets the accuracy bar."""

import json
import subprocess
import sys

import pytest
from conftest import DEV_CASES, dev_cases

pytestmark = pytest.mark.skipif(not dev_cases(), reason="shared/cases/dev is not beside the checkout")


def cli(*args):
    return subprocess.run([sys.executable, "-m", "graph", *args], capture_output=True, text=True, timeout=600)


def test_evaluate_meets_the_accuracy_bar():
    done = cli("evaluate", str(DEV_CASES), "--format", "json")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["overall"]
    assert figures["n"] == len(dev_cases())
    assert figures["top3"] >= 0.90, figures
    assert figures["top1"] >= 0.70, figures


def test_evaluate_text_reports_mechanisms_difficulty_and_misses():
    done = cli("evaluate", str(DEV_CASES))
    assert done.returncode == 0
    assert "by mechanism:" in done.stdout and "by difficulty:" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("top-1:")


def test_rank_reads_a_whole_directory_in_one_call():
    done = cli("rank", str(DEV_CASES), "--format", "jsonl", "--top", "3")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == len(dev_cases())
    for row in rows:
        assert row["severity"]["grade"] in {"none", "mild", "moderate", "severe", "profound"}
        assert len(row["candidates"]) == 3
        assert all(c["evidence"] for c in row["candidates"])
