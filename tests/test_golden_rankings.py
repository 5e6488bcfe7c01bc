"""Behaviour is unchanged unless a change means it to be: every case in the repository ranks as
``tests/data/golden-rankings.json`` records (regenerate with ``python scripts/golden_rankings.py write``
when a change is meant to move rankings, and say so in the commit)."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("golden_rankings", ROOT / "scripts" / "golden_rankings.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


def test_every_case_ranks_as_the_golden_file_records(kb):
    stored = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    now = golden.current(kb)
    moved = golden.changed(stored, now)
    assert not moved, (
        f"{len(moved)} rankings changed (first: {moved[:5]}); if the change is meant to move rankings, "
        "run `python scripts/golden_rankings.py write` and say so in the commit"
    )


def test_the_golden_file_covers_every_case_folder_and_hides_the_test_part():
    stored = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    for folder in golden.FOLDERS:
        files = sorted((ROOT / folder).glob("*.json"))
        assert files and all(f"{folder}/{f.name}" in stored for f in files), folder
    hidden = [v for k, v in stored.items() if k.startswith(golden.DIGEST_ONLY)]
    assert hidden and all(isinstance(v, str) and len(v) == 16 for v in hidden)


def test_a_changed_score_is_caught():
    stored = {"a.json": [["cause:x", -1.0]], "b.json": "0123456789abcdef"}
    assert golden.changed(stored, {"a.json": [["cause:x", -1.0001]], "b.json": "0123456789abcdef"}) == ["a.json"]
    assert golden.changed(stored, {"a.json": [["cause:x", -1.0]]}) == ["b.json"]
