"""Drug causality: the WHO-UMC category and Naranjo score each listed drug gets from the case's timeline.

Pinned to the published scales: the Naranjo questions, points and bands (Naranjo et al., Clin Pharmacol
Ther 1981, PMID:7249508) and the WHO-UMC categories (Uppsala Monitoring Centre), on the real ontology.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from test_reports import _pdf_text

from graph.present.export import workup_to_html, workup_to_markdown
from graph.present.pdf import PDF_AVAILABLE, workup_to_pdf
from graph.present.report import workup_to_dict, workup_to_text
from graph.workup.causality import answer_of, assess_drug, naranjo_category, who_umc_category
from graph.workup.phrases import causality_reason_text
from graph.workup.pipeline import workup_case


def assessed(kb, case: dict, index: int = 0):
    workup = workup_case(kb, {"id": "c", **case})
    return workup, workup.causality[index]


def item(assessment, question: str):
    return next(i for i in assessment.items if i.question == question)


# ---------------------------------------------------------------- the scales are the published ones


def test_the_ontology_holds_the_ten_naranjo_questions_with_their_published_points(kb):
    questions = kb.causality.questions
    assert [q.rank for q in questions] == list(range(1, 11))
    points = [(q.points_yes, q.points_no, q.points_unknown) for q in questions]
    assert points == [(1, 0, 0), (2, -1, 0), (1, 0, 0), (2, -1, 0), (-1, 2, 0),
                      (-1, 1, 0), (1, 0, 0), (1, 0, 0), (1, 0, 0), (1, 0, 0)]  # fmt: skip
    # the scale runs from -4 to +13 (Naranjo et al. 1981)
    assert sum(min(p) for p in points) == -4 and sum(max(p) for p in points) == 13
    assert all("PMID:7249508" in q.sources for q in questions)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (13, "definite"),
        (9, "definite"),
        (8, "probable"),
        (5, "probable"),
        (4, "possible"),
        (1, "possible"),
        (0, "doubtful"),
        (-4, "doubtful"),
    ],  # fmt: skip
)
def test_the_naranjo_total_falls_in_its_published_band(kb, score, band):
    assert naranjo_category(kb, score) == band


def test_a_published_worked_example_scores_six_probable(kb):
    """Table 1 of DOI:10.2147/TCRM.S169868: no earlier report, after the drug, better on withdrawal, no
    rechallenge, no alternative cause, objective evidence: 0 + 2 + 1 + 0 + 2 + 1 = 6, probable."""
    answers = {"previous-reports": "no", "temporal": "yes", "dechallenge": "yes", "alternative-causes": "no",
               "objective-evidence": "yes"}  # fmt: skip
    score = sum(q.points(answers.get(q.code, "unknown")) for q in kb.causality.questions)
    assert score == 6 and naranjo_category(kb, score) == "probable"


@pytest.mark.parametrize(
    ("answers", "category"),
    [
        (
            {
                "temporal": "yes",
                "alternative-causes": "no",
                "dechallenge": "yes",
                "rechallenge": "yes",
                "objective-evidence": "yes",
            },
            "certain",
        ),  # fmt: skip
        (
            {"temporal": "yes", "alternative-causes": "no", "dechallenge": "yes", "objective-evidence": "yes"},
            "probable",
        ),
        ({"temporal": "yes", "alternative-causes": "no", "dechallenge": "no"}, "possible"),
        ({"temporal": "yes", "alternative-causes": "yes", "dechallenge": "yes"}, "possible"),
        ({"temporal": "no", "alternative-causes": "yes"}, "unlikely"),
        ({"alternative-causes": "no", "dechallenge": "yes"}, "conditional"),
        ({"temporal": "unknown", "dechallenge": "yes"}, "unassessable"),
    ],
)
def test_answers_map_to_the_who_umc_category(kb, answers, category):
    assert who_umc_category(kb, answers) == category


# ---------------------------------------------------------------- items read from the case


def test_a_drug_started_after_the_neutropenia_began_fails_the_time_relationship(kb):
    _, a = assessed(
        kb, {"anc": 300, "duration_days": 30, "medications": [{"name": "clozapine", "started_days_ago": 5}]}
    )
    temporal = item(a, "temporal")
    assert (temporal.answer, temporal.points, temporal.origin) == ("no", -1, "case")
    assert causality_reason_text(temporal) == "started 5 days ago, after the neutropenia began (30 days ago)"
    assert a.who_umc == "unlikely"


def test_a_drug_started_inside_its_window_meets_the_time_relationship(kb):
    _, a = assessed(
        kb, {"anc": 300, "duration_days": 3, "medications": [{"name": "methimazole", "started_days_ago": 40}]}
    )
    temporal = item(a, "temporal")
    assert (temporal.answer, temporal.points) == ("yes", 2)
    assert "37 days from the first dose to the onset" in causality_reason_text(temporal)
    assert a.who_umc == "possible"  # nothing says the drug was stopped


def test_a_drug_started_years_before_is_later_than_its_window_allows(kb):
    _, a = assessed(
        kb, {"anc": 300, "duration_days": 3, "medications": [{"name": "methimazole", "started_days_ago": 4000}]}
    )
    temporal = item(a, "temporal")
    assert temporal.answer == "no" and temporal.reason == "later-than-plausible"


def test_a_drug_without_dates_leaves_the_time_relationship_open_and_the_category_conditional(kb):
    _, a = assessed(kb, {"anc": 300, "medications": [{"name": "methimazole"}]})
    assert (item(a, "temporal").answer, item(a, "temporal").origin) == ("unanswered", "open")
    assert a.who_umc == "conditional"


def test_a_count_recovered_after_stopping_is_a_positive_dechallenge(kb):
    case = {
        "anc": 1900,
        "anc_history": [{"day": -30, "anc": 2500}, {"day": -14, "anc": 200}, {"day": -10, "anc": 300}],
        "medications": [{"name": "clozapine", "started_days_ago": 80, "stopped_days_ago": 12}],
    }
    _, a = assessed(kb, case)
    dechallenge = item(a, "dechallenge")
    assert (dechallenge.answer, dechallenge.points) == ("yes", 1)
    assert causality_reason_text(dechallenge) == "ANC 1900/µL 12 days after stopping, at or above the limit of 1500/µL"
    # the onset is that of the episode on record (14 days ago), though today's count is normal again
    assert "66 days from the first dose to the onset" in causality_reason_text(item(a, "temporal"))
    assert item(a, "objective-evidence").answer == "yes"  # the lowest count, 200/µL


def test_counts_still_low_a_month_after_stopping_are_a_negative_dechallenge_and_earlier_say_nothing(kb):
    low = {"anc": 300, "anc_history": [{"day": -50, "anc": 250}],
           "medications": [{"name": "clozapine", "started_days_ago": 120, "stopped_days_ago": 45}]}  # fmt: skip
    assert answer_of(assessed(kb, low)[1], "dechallenge") == "no"
    low["medications"][0]["stopped_days_ago"] = 5
    _, a = assessed(kb, low)
    assert (item(a, "dechallenge").answer, item(a, "dechallenge").reason) == ("unanswered", "too-early")


def test_an_alternative_cause_in_the_differential_is_scored_and_named(kb):
    case = {"anc": 300, "medications": [{"name": "cyclophosphamide", "last_dose_days_ago": 10},
                                        {"name": "trimethoprim-sulfamethoxazole"}]}  # fmt: skip
    workup = workup_case(kb, {"id": "c", **case})
    by_drug = {kb.label(a.drug): a for a in workup.causality}
    other = item(by_drug["trimethoprim-sulfamethoxazole"], "alternative-causes")
    assert (other.answer, other.points) == ("yes", -1)
    assert "Chemotherapy-induced neutropenia" in causality_reason_text(other)
    alone = item(by_drug["cyclophosphamide"], "alternative-causes")
    assert (alone.answer, alone.points) == ("no", 2)


def test_earlier_reports_are_the_publications_the_link_cites(kb):
    _, a = assessed(
        kb, {"anc": 300, "duration_days": 3, "medications": [{"name": "methimazole", "started_days_ago": 40}]}
    )
    reports = item(a, "previous-reports")
    assert (reports.answer, reports.points) == ("yes", 1)
    assert "citing DOI:" in causality_reason_text(reports) or "citing PMID:" in causality_reason_text(reports)


# ---------------------------------------------------------------- the user's answers


def test_answers_fill_only_the_questions_the_case_leaves_open(kb):
    workup, a = assessed(kb, {"anc": 300, "duration_days": 3,
                              "medications": [{"name": "methimazole", "started_days_ago": 40}]})  # fmt: skip
    answered = assess_drug(kb, workup, a.drug, {"rechallenge": "yes", "temporal": "no", "placebo": "maybe"})
    assert item(answered, "rechallenge").origin == "user" and answered.naranjo_score == a.naranjo_score + 2
    assert item(answered, "temporal").answer == "yes", "what the case records is not overwritten"
    assert item(answered, "placebo").answer == "unanswered", "an answer that is not one of the choices is ignored"
    assert assess_drug(kb, workup, "http://example.org/not-listed") is None


# ---------------------------------------------------------------- exports


def test_the_reports_carry_the_causality_useful_tests_and_expected_situations(kb):
    case = {"id": "chemo", "anc": 300, "medications": [{"name": "cyclophosphamide", "last_dose_days_ago": 10}]}
    workup = workup_case(kb, case)
    markdown = workup_to_markdown(kb, workup, generated=date(2026, 1, 2))
    assert "## Drug causality (WHO-UMC and Naranjo)" in markdown
    assert "**cyclophosphamide (for Chemotherapy-induced neutropenia): WHO-UMC possible; Naranjo 6 (probable)**" in (
        markdown
    )
    assert "Did the neutropenia come back when the drug was given again?" in markdown
    assert "## Expected situations" in markdown and "Day 10 after myelosuppressive chemotherapy" in markdown
    assert "## Useful tests for the whole case" in markdown
    data = json.loads(json.dumps(workup_to_dict(kb, workup)))
    assert data["causality"][0]["who_umc"] == "possible" and data["causality"][0]["naranjo_score"] == 6
    assert "[CAUSALITY] cyclophosphamide" in workup_to_text(kb, workup)
    if PDF_AVAILABLE:
        text = _pdf_text(workup_to_pdf(kb, workup, generated=date(2026, 1, 2)))
        for heading in (
            "Drug causality (WHO-UMC and Naranjo)",
            "Expected situations",
            "Useful tests for the whole case",
        ):
            assert heading in text, heading


def test_a_drug_written_as_markup_reaches_the_html_report_only_as_text(kb):
    case = {"id": "x", "anc": 300, "duration_days": 3,
            "medications": [{"name": "methimazole <script>alert(1)</script>", "started_days_ago": 40}]}  # fmt: skip
    workup = workup_case(kb, case)
    assert workup.causality, "the drug is read inside the longer text"
    page = workup_to_html(kb, workup)
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; (for" in page


def test_an_answer_given_in_the_app_reaches_the_report(kb):
    workup, a = assessed(kb, {"anc": 300, "duration_days": 3,
                              "medications": [{"name": "methimazole", "started_days_ago": 40}]})  # fmt: skip
    after = assess_drug(kb, workup, a.drug, {"rechallenge": "yes"})
    assert after.naranjo_score == a.naranjo_score + 2  # a positive rechallenge scores +2
    answered = replace(workup, causality=(after,))
    markdown = workup_to_markdown(kb, answered)
    assert f"Naranjo {after.naranjo_score:g} ({after.naranjo})" in markdown
    assert "| Did the neutropenia come back when the drug was given again? | yes | +2 | answered by you:" in markdown
