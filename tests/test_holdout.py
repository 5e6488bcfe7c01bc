"""The held-out vignettes (tests/data/holdout, in the repository) stay above their bar on every checkout.

Unlike tests/test_dev_cases.py, which needs the worked cases beside the checkout, this runs on a fresh
clone and in CI."""

import json
import subprocess
import sys
from pathlib import Path

HOLDOUT = Path(__file__).resolve().parent / "data" / "holdout"


def test_the_held_out_vignettes_stay_above_their_bar():
    """36 vignettes written independently of the ontology. First measured, before any change prompted by
    them: top-1 0.861, top-3 0.972; the floor is top-1 0.90 (issue 8) and top-3 0.90."""
    done = subprocess.run(
        [sys.executable, "-m", "graph", "evaluate", str(HOLDOUT), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)["overall"]
    assert figures["n"] == 36
    assert figures["top3"] >= 0.90 and figures["top1"] >= 0.90, figures
