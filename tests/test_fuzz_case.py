"""A seeded, bounded fuzz of the case format: whatever the file holds, rank answers or says why in one line.

Hypothesis draws case objects (the format's keys with values of any JSON type, nested a few levels,
numbers at the edges of what floats hold, text with control characters and surrogates) and byte
mutations of a good case.  Every run is derandomised (the same examples each time) and capped in
count; the suite's per-test timeout catches a hang.
"""

from __future__ import annotations

import json

import pytest
from conftest import MINI_CASE

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from graph.cli.cli import main  # noqa: E402

KEYS = sorted(
    {
        *MINI_CASE,
        "patient",
        "anc_history",
        "exposures",
        "conditions",
        "tests",
        "family_history",
        "narrative",
        "absent_findings",
        "labs",
        "duration_days",
    }
)
EDGE_NUMBERS = st.sampled_from([0, -1, 1e308, -1e308, 10**309, 2**63, 1e-320, float("inf"), float("nan")])
TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40) | st.sampled_from(
    ["\x1b[2J", "\u202e", "\ud800", "no fever, " * 50, " " * 400, "((((((((((", "1e400 cells/uL"]
)
SCALARS = st.none() | st.booleans() | st.integers() | EDGE_NUMBERS | st.floats() | TEXT
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
CASE = st.fixed_dictionaries({"id": st.text(max_size=12) | st.integers(), "anc": SCALARS}) | st.dictionaries(
    st.sampled_from(KEYS), JSON, max_size=6
)
OUTCOMES: list[int] = []
FUZZ = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(path, ontology, capsys) -> None:
    code = main(["--ontology", ontology, "rank", str(path), "--format", "json"])
    captured = capsys.readouterr()
    assert code in (0, 2)
    OUTCOMES.append(code)
    if code == 2:
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and captured.err.startswith("neutropenia-kg: error: "), captured.err
    else:
        assert json.loads(captured.out)["case_id"] is not None


@FUZZ
@given(case=CASE)
def test_any_case_object_is_ranked_or_refused_in_one_line(case, mini_dir, tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**MINI_CASE, **case}, ensure_ascii=True), "utf-8")
    _check(path, str(mini_dir / "neutropenia.ttl"), capsys)


@FUZZ
@given(cuts=st.lists(st.tuples(st.integers(0, 400), st.binary(max_size=6)), min_size=1, max_size=5))
def test_a_mangled_case_file_is_ranked_or_refused_in_one_line(cuts, mini_dir, tmp_path, capsys):
    data = bytearray(json.dumps(MINI_CASE).encode())
    for at, insert in cuts:
        at = min(at, len(data))
        data[at : at + len(insert)] = insert
    path = tmp_path / "case.json"
    path.write_bytes(bytes(data))
    _check(path, str(mini_dir / "neutropenia.ttl"), capsys)


def test_the_fuzz_reached_both_ranking_and_refusal():
    """The fuzz tests above (run first, in file order) drew both outcomes; otherwise they test nothing."""
    if not OUTCOMES:
        pytest.skip("run with the fuzz tests above")
    assert OUTCOMES.count(0) >= 10 and OUTCOMES.count(2) >= 10
