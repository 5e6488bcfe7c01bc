"""The code stays as a newcomer can read it: lint clean, formatted, and `mypy graph` clean (issue 7).

Runs the pinned tools of the test extras; each failure prints what the tool said, so the fix is one
command away (`ruff check --fix`, `ruff format`, or the type the message names)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ["graph", "ui", "app.py", "scripts", "tests"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [["ruff", "check", *CODE], ["ruff", "format", "--check", *CODE]])
def test_ruff_is_clean(command):
    pytest.importorskip("ruff")
    done = _run(*command)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_mypy_graph_is_clean():
    pytest.importorskip("mypy")
    done = _run("mypy", "graph")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
