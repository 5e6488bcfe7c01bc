"""A held-out set is opened only to measure: its report gives figures, never which cases failed."""

from graph.curate.evaluate import CaseOutcome, Evaluation, summarise


def _evaluation() -> Evaluation:
    evaluation = Evaluation()
    evaluation.outcomes.append(
        CaseOutcome(
            case_id="held-1",
            expected="Cause A",
            mechanism="",
            difficulty="",
            rank=2,
            top=("Cause B", "Cause A"),
            confidence=0.6,
        )
    )
    evaluation.outcomes.append(
        CaseOutcome(
            case_id="held-2", expected="Cause C", mechanism="", difficulty="", rank=1, top=("Cause C",), confidence=0.9
        )
    )
    return evaluation


def test_a_held_out_report_gives_the_figures_without_naming_a_miss():
    text = summarise(_evaluation(), with_misses=False)
    assert "top-1: 0.500" in text
    assert "held-1" not in text and "Cause B" not in text
    assert "held-1" not in str(_evaluation().to_dict(with_misses=False))


def test_a_development_report_names_its_misses():
    assert "held-1: expected 'Cause A', rank 2" in summarise(_evaluation())
    assert _evaluation().to_dict()["misses"][0]["case_id"] == "held-1"
