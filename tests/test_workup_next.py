"""What to do next for the whole case: useful tests by expected information gain, and expected situations.

The gain is checked on hand-made posteriors whose answers can be worked by hand (a result that tells
two equally likely causes apart is worth one bit, Shannon's unit); the ranking, the costs and the
situations on the mini ontology (tests/data/mini) and on the bundled one, end to end.
"""

from __future__ import annotations

import json
import math

import pytest

from graph.cli.cli import main
from graph.model.ids import expand
from graph.workup.phrases import situation_text, useful_test_text
from graph.workup.pipeline import workup_case
from graph.workup.usefultests import Posterior, expected_information_gain

EVEN = Posterior.of({"a": 0.5, "b": 0.5})


@pytest.mark.parametrize("temperature", [1.0, 1.5])
def test_a_test_that_separates_two_equally_likely_causes_gains_more_than_one_that_does_not(temperature):
    separates = expected_information_gain(EVEN, {"a": 0.9, "b": 0.1}, 0.5, temperature)
    shared = expected_information_gain(EVEN, {"a": 0.6, "b": 0.6}, 0.6, temperature)
    assert separates > 0.3 and shared == 0.0


def test_a_perfect_test_of_two_equal_causes_is_worth_one_bit_and_a_weaker_one_less():
    assert expected_information_gain(EVEN, {"a": 1.0, "b": 0.0}, 0.0) == pytest.approx(1.0)
    # sensitivity 0.9, specificity 0.9: 1 - H(0.1) bits
    weaker = 1 + 0.1 * math.log2(0.1) + 0.9 * math.log2(0.9)
    assert expected_information_gain(EVEN, {"a": 0.9, "b": 0.1}, 0.5) == pytest.approx(weaker)


def test_causes_not_listed_share_the_default_rate_exactly_as_if_listed():
    prior = Posterior.of({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1})
    sparse = expected_information_gain(prior, {"a": 0.8}, 0.1, 1.5)
    dense = expected_information_gain(prior, {"a": 0.8, "b": 0.1, "c": 0.1, "d": 0.1}, 0.1, 1.5)
    assert sparse == pytest.approx(dense, abs=1e-12)


def test_a_certain_differential_has_nothing_left_to_gain():
    assert expected_information_gain(Posterior.of({"a": 1.0}), {"a": 0.9}, 0.1) == 0.0


# ---------------------------------------------------------------- the ranked list on a real case

SPLENOMEGALY = {"id": "spleen", "anc": 900, "findings": ["Splenomegaly"]}


def _key(kb, useful):
    cost = kb.tests[useful.test].cost
    return (-useful.gain_bits, cost.band_rank, cost.invasiveness_rank, kb.label(useful.test), useful.test)


def test_useful_tests_come_most_informative_first_ties_to_the_cheaper_test(kb):
    shown = workup_case(kb, SPLENOMEGALY).useful_tests
    assert len(shown) == kb.param("useful_tests_shown")
    keys = [_key(kb, t) for t in shown]
    assert keys == sorted(keys)
    tied = [(a, b) for a, b in zip(shown, shown[1:], strict=False) if a.gain_bits == b.gain_bits]
    assert tied, "this case has tests that turn on the same result, so ties must be broken"
    # tests that read the same result gain the same: the cheaper, then the less invasive, comes first
    for a, b in tied:
        cost_a, cost_b = kb.tests[a.test].cost, kb.tests[b.test].cost
        assert (cost_a.band_rank, cost_a.invasiveness_rank) <= (cost_b.band_rank, cost_b.invasiveness_rank)


def test_the_list_is_the_same_every_time(kb):
    first = workup_case(kb, SPLENOMEGALY).useful_tests
    assert all(workup_case(kb, SPLENOMEGALY).useful_tests == first for _ in range(3))


def test_a_test_the_case_reports_is_not_suggested_again(kb):
    before = {t.test for t in workup_case(kb, SPLENOMEGALY).useful_tests}
    ebv = expand("test:ebv-serology")
    assert ebv in before
    done = {**SPLENOMEGALY, "tests": [{"name": "EBV serology", "result": "VCA IgM negative"}]}
    assert ebv not in {t.test for t in workup_case(kb, done).useful_tests}


def test_every_test_has_an_estimated_cost_band_and_invasiveness_with_a_rationale(kb):
    for test in kb.tests.values():
        assert test.cost is not None, test.id
        assert test.cost.estimate and test.cost.rationale.startswith("Estimate:"), test.id
    marrow = kb.tests[expand("test:bone-marrow-biopsy")].cost
    assert (marrow.band, marrow.invasiveness) == ("high cost", "invasive procedure")


def test_each_useful_test_reads_with_its_gain_cost_and_the_result_it_turns_on(kb):
    useful = workup_case(kb, SPLENOMEGALY).useful_tests[0]
    text = useful_test_text(kb, useful)
    assert text.startswith(kb.label(useful.test) + ": expected gain ")
    assert "(estimate)" in text and f"turns on {kb.label(useful.finding)}" in text


# ---------------------------------------------------------------- expected situations


def _chemo(day: float) -> dict:
    return {
        "id": f"chemo-day-{day:g}",
        "anc": 300,
        "patient": {"age_years": 55, "sex": "female"},
        "medications": [{"name": "cyclophosphamide", "last_dose_days_ago": day}],
    }


def test_the_mini_nadir_situation_is_raised_inside_its_window_only(mini_kb):
    case = {"id": "m", "anc": 400, "medications": [{"name": "doxorubicin", "last_dose_days_ago": 9}]}
    (situation,) = workup_case(mini_kb, case).situations
    assert situation_text(situation) == "Day 9 after doxorubicin: the expected nadir. What to do: Check for fever."
    case["medications"][0]["last_dose_days_ago"] = 20
    assert workup_case(mini_kb, case).situations == ()


def test_day_10_after_chemotherapy_is_said_plainly_as_the_expected_nadir_with_what_to_do(tmp_path, capsys):
    path = tmp_path / "chemo.json"
    path.write_text(json.dumps(_chemo(10)), encoding="utf-8")
    assert main(["rank", str(path), "--top", "3"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "[EXPECTED] Day 10 after myelosuppressive chemotherapy (cyclophosphamide): the expected nadir." in out
    assert "What to do: Check for fever at every contact" in out
    assert "Useful tests for the whole case" in out and "expected gain" in out and "bits; " in out
    assert main(["rank", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (situation,) = data["situations"]
    assert situation["code"] == "chemotherapy-nadir" and situation["day"] == 10
    assert "PMID:26169616" in situation["sources"]
    assert data["useful_tests"] and all(t["cost_band"] and t["invasiveness"] for t in data["useful_tests"])


def test_a_count_long_after_the_last_cycle_is_not_called_the_nadir(kb):
    assert workup_case(kb, _chemo(30)).situations == ()


def test_each_useful_test_gains_what_its_best_result_gains_alone(kb):
    """The list is computed for every test's results at once; each shown test's gain is the one its most
    informative result, not settled by the case, gains on its own (``expected_information_gain``)."""
    from graph.kb.scoretables import score_tables
    from graph.workup.usefultests import finding_rates

    workup = workup_case(kb, SPLENOMEGALY)
    tables = score_tables(kb)
    prior = Posterior.of({tables.cause_ids[tables.position[c.cause]]: c.score for c in workup.candidates})
    settled = {o.finding for o in workup.normalised.observations}
    temperature = kb.param("posterior_temperature")
    for useful in workup.useful_tests:
        alone = {}
        for rule in kb.tests[useful.test].rules:
            if rule.finding and rule.finding not in settled:
                rates, other = finding_rates(kb, rule.finding)
                alone[rule.finding] = round(expected_information_gain(prior, rates, other, temperature), 9)
        assert useful.gain_bits == max(alone.values()) == alone[useful.finding], useful.test
