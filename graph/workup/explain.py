"""Explanations beyond the score: the next tests that separate a candidate from its neighbours.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x", "anc": 900, "findings": ["Splenomegaly"]})
>>> all(kb.tests.get(test) for test, _ in w.candidates[0].next_tests)
True
"""

from __future__ import annotations

from dataclasses import replace

from ..kb.knowledge import KnowledgeBase
from ..model.results import Candidate, NormalisedCase
from .resolve import resolve_test

__all__ = ["add_next_tests", "reported_tests"]


def reported_tests(kb: KnowledgeBase, n: NormalisedCase) -> frozenset[str]:
    """The diagnostic tests the case already reports (each written test name resolved once)."""
    return frozenset(test for t in n.case.tests for test in resolve_test(kb, t.name))


def add_next_tests(
    kb: KnowledgeBase,
    n: NormalisedCase,
    candidates: list[Candidate],
    limit: int | None = None,
    done: frozenset[str] | None = None,
) -> list[Candidate]:
    """Attach to the first ``limit`` candidates (default: all) the tests that best separate each one.

    A test scores one point for every neighbouring candidate (within ``neighbour_window`` ranks)
    that it does not also test for; tests already in the case (``done``, by default
    :func:`reported_tests`) are skipped.
    """
    done = reported_tests(kb, n) if done is None else done
    window = int(kb.param("neighbour_window"))
    per_candidate = int(kb.param("next_tests_per_candidate"))
    count = len(candidates) if limit is None else min(limit, len(candidates))
    result = list(candidates)
    for index in range(count):
        candidate = candidates[index]
        cause = kb.causes[candidate.cause]
        neighbours = [c for c in candidates[max(0, index - window) : index + window + 1] if c is not candidate]
        scored = []
        for order, test in enumerate(cause.tests):
            if test in done or test not in kb.tests:
                continue
            shared = [c for c in neighbours if test in kb.causes[c.cause].tests]
            scored.append((len(shared) - len(neighbours), order, test, shared))
        scored.sort(key=lambda item: item[:2])  # the order is unique: no tie reaches the test or its phrase
        next_tests = tuple((test, _why(kb, neighbours, shared)) for _, _, test, shared in scored[:per_candidate])
        result[index] = replace(candidate, next_tests=next_tests)
    return result


def _why(kb: KnowledgeBase, neighbours: list[Candidate], shared: list[Candidate]) -> str:
    """Why a test is suggested: the neighbours it separates the candidate from, else those it also tests."""
    also = {c.cause for c in shared}  # each cause is one candidate
    separates = [c for c in neighbours if c.cause not in also]
    if separates:
        return "separates it from " + ", ".join(kb.label(c.cause) for c in separates[:3])
    return "also tests " + ", ".join(kb.label(c.cause) for c in shared[:3])
