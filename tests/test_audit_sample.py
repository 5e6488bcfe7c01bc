"""scripts/audit_sample.py: a fresh audit leaves out the assertions an earlier audit judged.

The script is run as a curator runs it (a subprocess from the repository root), on the real ontology.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _draw(*args: str) -> tuple[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "scripts/audit_sample.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return result.stdout, re.findall(r"^\s*\d+\. (\S+)", result.stdout, re.M)


def test_the_excluded_assertions_are_left_out_of_the_draw(tmp_path):
    _, first = _draw("--size", "5", "--seed", "7")
    listed = tmp_path / "audited.txt"
    listed.write_text("# an earlier sample\n" + "\n".join(first) + "\n", encoding="utf-8")
    text, again = _draw("--size", "5", "--seed", "7", "--exclude", str(listed))
    assert len(again) == 5 and not set(again) & set(first)
    assert f"{len(set(first))} ids excluded" in text


def test_the_committed_list_of_earlier_samples_is_excluded():
    """docs/audited-assertions.txt holds the nine earlier samples (390 draws, 389 distinct assertions)."""
    text, drawn = _draw("--size", "50", "--seed", "2026120306", "--exclude", "docs/audited-assertions.txt")
    listed = (ROOT / "docs" / "audited-assertions.txt").read_text(encoding="utf-8")
    assert "389 ids excluded" in text
    assert len(drawn) == 50 and not [a for a in drawn if a in listed]
