"""The finding matrix (patient findings x top causes): the numbers of the explanation, cell by cell."""

from __future__ import annotations

import math

import pytest
from conftest import MINI_CASE

from graph.model.errors import UsageError
from graph.present.matrix import MATCHES, cell_colour, finding_matrix
from graph.workup.pipeline import workup_case

#: the febrile clozapine case of tests/test_views.py, with a finding reported absent (splenomegaly)
CASE = {**MINI_CASE, "id": "matrix-1"}


@pytest.fixture(scope="module")
def workup(mini_kb):
    return workup_case(mini_kb, CASE)


def test_each_cell_is_the_log_lr_the_explanation_shows(mini_kb, workup):
    matrix = finding_matrix(mini_kb, workup, top=3)
    assert matrix.causes == tuple(c.cause for c in workup.candidates[:3])
    checked = 0
    for row, line in zip(matrix.rows, matrix.cells, strict=True):
        for candidate, cell in zip(workup.candidates, line, strict=False):
            terms = [
                e
                for e in candidate.evidence
                if e.path
                and e.path[0] == row.finding
                and e.kind in ("finding", "absent-finding", "unexplained-finding")
                and (e.kind == "absent-finding") != row.present
            ]
            assert math.isclose(cell.log_lr, sum(e.log_lr for e in terms))
            assert cell.labels == tuple(e.label for e in terms)
            assert (cell.match == "not scored") == (not terms)
            checked += bool(terms)
    assert checked >= 4
    assert all(any(c.match != "not scored" for c in line) for line in matrix.cells)  # no empty row


def test_match_kinds_follow_the_evidence_labels(mini_kb, workup):
    matrix = finding_matrix(mini_kb, workup, top=3)
    seen = {cell.match for line in matrix.cells for cell in line}
    assert seen <= set(MATCHES)
    by_label = {row.label: (row, line) for row, line in zip(matrix.rows, matrix.cells, strict=True)}
    fever_row, fever = by_label["Fever"]
    assert fever_row.present and fever[0].match == "exact" and "(exact)" in fever[0].labels[0]
    for row, line in by_label.values():
        for cell in line:
            if cell.match == "absent":
                assert not row.present and "absent (excluded" in cell.labels[0]
            if cell.match == "unrelated":
                assert "(unrelated" in cell.labels[0]
            if cell.match == "more specific":
                assert "(query more specific" in cell.labels[0]


def test_the_matrix_checks_its_size_and_colours_by_direction(mini_kb, workup):
    with pytest.raises(UsageError, match="top must be a whole number from 1 to 20, got 0"):
        finding_matrix(mini_kb, workup, top=0)
    assert cell_colour(0.0) == "#ffffff"
    assert cell_colour(1.0) != cell_colour(-1.0)
    assert cell_colour(3.0) == cell_colour(9.0)  # saturates
