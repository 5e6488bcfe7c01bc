"""Scoring on the mini ontology: each component of the score, the explanation, alerts, next tests."""

import math

import pytest

from graph.model.case import parse_case
from graph.model.ids import expand
from graph.model.results import DrugExposure
from graph.workup.normalise import normalise_case
from graph.workup.pipeline import workup_case
from graph.workup.rank import rank_causes, timing_factor

DRUG, CHEMO, VIRAL = (expand(f"cause:{s}") for s in ("mini-drug", "mini-chemo", "mini-viral"))
DANC = expand("cause:duffy-null-associated-neutrophil-count")


def ranked(kb, **fields):
    case = parse_case({"id": "t", "anc": fields.pop("anc", 800), **fields})
    return {c.cause: c for c in rank_causes(kb, normalise_case(kb, case))}


def terms(candidate, kind):
    return [e for e in candidate.evidence if e.kind == kind]


def test_scores_are_posteriors_and_the_explanation_adds_up(mini_kb):
    result = ranked(mini_kb, findings=["Fever"], medications=[])
    assert math.isclose(sum(c.score for c in result.values()), 1.0)
    for candidate in result.values():
        assert math.isclose(sum(e.log_lr for e in candidate.evidence), candidate.log_score)


def test_prior_modifier_applies_to_the_matching_ancestry_only(mini_kb):
    african = ranked(mini_kb, patient={"ancestry": "African American"})[DANC]
    european = ranked(mini_kb, patient={"ancestry": "European"})[DANC]
    assert african.log_score - european.log_score == pytest.approx(math.log(20))
    assert "African ancestry" in terms(african, "prior")[1].label


def test_a_present_finding_gives_frequency_over_background(mini_kb):
    viral = ranked(mini_kb, findings=["Lymphadenopathy"])[VIRAL]
    (term,) = terms(viral, "finding")
    assert term.log_lr == pytest.approx(math.log(0.6 / 0.10))
    assert term.sources == ("test",) and term.path[-1] == VIRAL


def test_a_more_specific_finding_counts_for_its_ancestor_once(mini_kb):
    viral = ranked(mini_kb, findings=["Cervical lymphadenopathy", "Lymphadenopathy"])[VIRAL]
    (term,) = terms(viral, "finding")
    assert "counts as Lymphadenopathy" in term.label
    # the annotation's LR, plus the chance that the 40% without lymphadenopathy show it as an unrelated
    # finding would (unlinked_present_lr): a match through a vaguer term never scores below none
    unrelated = mini_kb.param("unlinked_present_lr")
    assert term.log_lr == pytest.approx(math.log(0.6 / 0.10 + 0.4 * unrelated))
    assert term.log_lr > math.log(0.6 / 0.10)


def test_an_absent_finding_gives_one_minus_frequency(mini_kb):
    danc = ranked(mini_kb, absent_findings=["Fever"])[DANC]
    (term,) = terms(danc, "absent-finding")
    assert term.log_lr == pytest.approx(math.log(0.98 / 0.70))


def test_an_absent_ancestor_counts_against_linked_descendants(mini_kb):
    viral = ranked(mini_kb, absent_findings=["Abnormal lymph node morphology"])[VIRAL]
    assert [t.label for t in terms(viral, "absent-finding")]


def test_an_unexplained_present_finding_counts_against(mini_kb):
    danc = ranked(mini_kb, findings=["Lymphadenopathy"])[DANC]
    (term,) = terms(danc, "unexplained-finding")
    assert term.log_lr == pytest.approx(math.log(mini_kb.param("unlinked_present_lr"))) and term.direction == "against"
    assert term.log_lr < 0


def test_a_finding_that_opposes_lowers_the_score(mini_kb):
    with_platelets = ranked(mini_kb, labs={"platelets_per_ul": 60000}, medications=[{"name": "clozapine"}])
    without = ranked(mini_kb, labs={"platelets_per_ul": 260000}, medications=[{"name": "clozapine"}])
    assert with_platelets[DRUG].log_score < without[DRUG].log_score - 2


def _association(kb, cause):
    return next(a for assocs in kb.agent_assocs.values() for a in assocs if a.cause == cause)


@pytest.mark.parametrize(
    ("exposure", "onset", "expected_lr", "phrase"),
    [
        (DrugExposure("x", "clozapine", "exact", started_days_ago=63), 7, 40, "within the typical window"),
        # at the plausible edge (365 days) half the log LR is kept; years later the late tail still keeps 0.3
        (DrugExposure("x", "clozapine", "exact", started_days_ago=372), 7, 40**0.5, "later than typical"),
        (DrugExposure("x", "clozapine", "exact", started_days_ago=3657), 7, 40**0.3, "later than typical"),
        (DrugExposure("x", "clozapine", "exact", started_days_ago=10), 3, 40**0.5, "earlier than typical"),
        (DrugExposure("x", "clozapine", "exact", started_days_ago=42), 2700, 0.05, "after the neutropenia began"),
        (DrugExposure("x", "clozapine", "exact"), 7, None, "timing not given"),
        (DrugExposure("x", "clozapine", "exact", started_days_ago=90, stopped_days_ago=60), 7, 0.1, "stopped"),
    ],
)
def test_idiosyncratic_drug_timing(mini_kb, exposure, onset, expected_lr, phrase):
    lr, why = timing_factor(mini_kb, _association(mini_kb, DRUG), exposure, onset)
    if expected_lr is None:  # no dates: the LR keeps the model's share of its weight, but less than all of it
        expected_lr = 40 ** mini_kb.param("unknown_timing_exponent")
        assert 1 < lr < 40
    assert lr == pytest.approx(expected_lr) and phrase in why


def test_drug_timing_falls_off_smoothly_and_late_reactions_stay_plausible(mini_kb):
    assoc = _association(mini_kb, DRUG)
    lrs = [
        timing_factor(mini_kb, assoc, DrugExposure("x", "clozapine", "exact", started_days_ago=d), 0)[0]
        for d in (100, 150, 250, 400, 800, 2000, 5000)
    ]
    assert lrs == sorted(lrs, reverse=True) and len(set(lrs)) > 4  # no step: every day later counts a little less
    assert min(lrs) == pytest.approx(40**0.3) and min(lrs) > 1  # never an exclusion


# a nadir window states a negative late tail: weeks after the last cycle the marrow has recovered
@pytest.mark.parametrize(("last_dose", "expected_lr"), [(10, 50), (2, 1.0), (22, 50**0.5), (60, 50**-0.6)])
def test_chemotherapy_nadir_window(mini_kb, last_dose, expected_lr):
    exposure = DrugExposure("x", "doxorubicin", "exact", last_dose_days_ago=last_dose)
    lr, _ = timing_factor(mini_kb, _association(mini_kb, CHEMO), exposure, 1)
    assert lr == pytest.approx(expected_lr)


def test_the_best_agent_counts_and_is_named_as_implicated(mini_kb):
    drug = ranked(
        mini_kb,
        duration_days=7,
        medications=[{"name": "clozapine", "started_days_ago": 63}, {"name": "dipyrone", "started_days_ago": 900}],
    )[DRUG]
    (term,) = terms(drug, "agent")
    assert term.log_lr == pytest.approx(math.log(40))
    assert [a.rsplit("/", 1)[1] for a in drug.agents] == ["clozapine"]


def test_a_drug_cause_without_exposure_is_penalised(mini_kb):
    listed = ranked(mini_kb, medications=[{"name": "lactulose"}])[DRUG]
    unknown = ranked(mini_kb)[DRUG]
    assert terms(listed, "no-agent")[0].log_lr == pytest.approx(math.log(mini_kb.param("no_exposure_lr")))
    assert terms(unknown, "no-agent")[0].log_lr == pytest.approx(math.log(mini_kb.param("unknown_medications_lr")))
    # a listed drug that is not the cause's agent counts more against it than no list at all
    assert terms(listed, "no-agent")[0].log_lr < terms(unknown, "no-agent")[0].log_lr < 0


def test_organisms_contexts_and_known_diagnoses_add_evidence(mini_kb):
    viral = ranked(
        mini_kb,
        tests=[{"name": "Monospot", "result": "positive"}],
        exposures=[{"name": "tick bite"}],
        conditions=["mini virus"],
    )[VIRAL]
    assert terms(viral, "agent")[0].log_lr == pytest.approx(math.log(50))
    assert terms(viral, "context")[0].log_lr == pytest.approx(math.log(5))
    # the named diagnosis and its detected organism are one fact: the larger LR (the organism's 50) counts
    (known,) = terms(viral, "known-diagnosis")
    assert known.log_lr == pytest.approx(0.0) and "counted once" in known.label
    assert viral.agents == (expand("org:ebv"),)
    named_only = ranked(mini_kb, conditions=["mini virus"])[VIRAL]
    assert terms(named_only, "known-diagnosis")[0].log_lr == pytest.approx(math.log(30))


def test_workup_ranks_mechanisms_and_suggests_separating_tests(mini_kb):
    workup = workup_case(
        mini_kb,
        {
            "id": "t",
            "anc": 150,
            "findings": ["Fever", "Pharyngitis"],
            "duration_days": 2,
            "medications": [{"name": "clozapine", "started_days_ago": 60}],
        },
    )
    assert workup.candidates[0].cause == DRUG
    assert workup.mechanisms[0].mechanism == "increased destruction"
    tests = [t for t, _ in workup.candidates[0].next_tests]
    assert tests[0] == expand("test:withdrawal")  # no neighbour shares it
    assert "separates it from" in workup.candidates[0].next_tests[0][1]


def test_tests_already_done_are_not_suggested_again(mini_kb):
    workup = workup_case(mini_kb, {"id": "t", "anc": 900, "tests": [{"name": "Duffy phenotype", "result": "pending"}]})
    danc = next(c for c in workup.candidates if c.cause == DANC)
    assert expand("test:duffy") not in [t for t, _ in danc.next_tests]


@pytest.mark.parametrize(
    ("case", "codes"),
    [
        ({"anc": 300, "findings": ["Fever"]}, ["febrile-neutropenia", "agranulocytosis-drug"]),
        (
            {"anc": 800, "findings": ["Fever"], "anc_history": [{"day": -5, "anc": 2000}]},
            ["febrile-neutropenia-expected-fall", "agranulocytosis-drug"],
        ),
        ({"anc": 800, "findings": ["Fever"]}, ["agranulocytosis-drug"]),
        ({"anc": 150}, ["agranulocytosis-drug", "anc-below-200"]),
    ],
)
def test_alerts(mini_kb, case, codes):
    workup = workup_case(mini_kb, {"id": "t", **case, "medications": [{"name": "Clozaril", "started_days_ago": 30}]})
    assert [a.code for a in workup.alerts] == codes
    assert workup.alerts[0].level == ("emergency" if "febrile" in codes[0] else "warning")


def test_benign_pattern_alert_says_no_further_workup(mini_kb):
    workup = workup_case(
        mini_kb,
        {
            "id": "t",
            "anc": 1100,
            "duration_days": 1460,
            "medications": [],
            "patient": {"age_years": 34, "ancestry": "African"},
        },
    )
    assert workup.candidates[0].cause == DANC
    (alert,) = workup.alerts
    assert alert.code == "benign-pattern" and "not needed" in alert.message


def test_a_drug_stopped_long_before_onset_does_not_count_even_without_a_start_date(mini_kb):
    exposure = DrugExposure("x", "clozapine", "exact", stopped_days_ago=60)
    lr, why = timing_factor(mini_kb, _association(mini_kb, DRUG), exposure, 7)
    assert lr == pytest.approx(0.1) and "stopped 53 days before" in why


def test_a_consequence_of_a_linked_cytopenia_is_explained(mini_kb):
    anaemic = {"hemoglobin_g_dl": 9.0}
    result = ranked(mini_kb, findings=["Fatigue"], labs=anaemic, patient={"age_years": 40, "sex": "female"})
    assert not any("Fatigue" in e.label for e in terms(result[CHEMO], "unexplained-finding"))  # links anaemia
    assert any("Fatigue" in e.label for e in terms(result[VIRAL], "unexplained-finding"))
    not_anaemic = ranked(
        mini_kb, findings=["Fatigue"], labs={"hemoglobin_g_dl": 14.0}, patient={"age_years": 40, "sex": "female"}
    )
    assert any("Fatigue" in e.label for e in terms(not_anaemic[CHEMO], "unexplained-finding"))


def test_bleeding_given_thrombocytopenia_is_not_counted_twice(mini_kb):
    with_bleeding = ranked(mini_kb, findings=["Petechiae"], labs={"platelets_per_ul": 60000})
    without = ranked(mini_kb, labs={"platelets_per_ul": 60000})
    for cause in with_bleeding:
        assert with_bleeding[cause].log_score == pytest.approx(without[cause].log_score)
    normal_platelets = ranked(mini_kb, findings=["Petechiae"], labs={"platelets_per_ul": 260000})
    assert terms(normal_platelets[CHEMO], "unexplained-finding")


def test_a_risk_factor_drug_with_poor_timing_is_neutral_not_against(kb):
    from graph.model.ids import expand

    b12 = expand("cause:vitamin-b12-deficiency")
    fresh = {
        c.cause: c
        for c in workup_case(
            kb,
            {"id": "t", "anc": 900, "medications": [{"name": "metformin", "started_days_ago": 30}]},
            explain_top=None,
        ).candidates
    }[b12]
    (term,) = [e for e in fresh.evidence if e.kind == "agent"]
    assert term.log_lr == 0 and "earlier than typical" in term.detail
    long_term = {
        c.cause: c
        for c in workup_case(
            kb,
            {"id": "t", "anc": 900, "medications": [{"name": "Glucophage", "started_days_ago": 3000}]},
            explain_top=None,
        ).candidates
    }[b12]
    assert [e.log_lr for e in long_term.evidence if e.kind == "agent"] == [pytest.approx(math.log(2))]


def test_a_test_result_never_adds_a_medication(kb):
    workup = workup_case(kb, {"id": "t", "anc": 900, "tests": [{"name": "vitamin B12", "result": "borderline 250"}]})
    assert workup.normalised.drugs == () and not workup.normalised.medications_given


def test_chemotherapy_named_as_an_exposure_means_the_count_is_expected_to_fall(kb):
    case = {
        "id": "t",
        "anc": 800,
        "findings": ["Fever"],
        "medications": [],
        "exposures": [{"name": "chemotherapy (FOLFOX)", "days_ago": 9}],
    }
    assert [a.code for a in workup_case(kb, case).alerts][0] == "febrile-neutropenia-expected-fall"
    late = {**case, "exposures": [{"name": "chemotherapy (FOLFOX)", "days_ago": 60}]}
    assert "febrile-neutropenia-expected-fall" not in [a.code for a in workup_case(kb, late).alerts]


BENIGN = {"id": "t", "anc": 1100, "duration_days": 1460, "medications": [], "patient": {"age_years": 34}}


@pytest.mark.parametrize(
    ("extra", "raised"),
    [
        ({"patient": {"age_years": 34}}, False),  # no ancestry and no Duffy test: never "stop investigating"
        ({"patient": {"age_years": 34}, "tests": [{"name": "Duffy phenotype", "result": "Fy(a-b-)"}]}, True),
        ({"patient": {"age_years": 34, "ancestry": "Yemeni"}}, True),
        (  # a Duffy-positive result rules the benign conclusion out, whatever the ancestry
            {
                "patient": {"age_years": 34, "ancestry": "African"},
                "tests": [{"name": "Duffy phenotype", "result": "Fy(a+b+)"}],
            },
            False,
        ),
    ],
)
def test_the_benign_duffy_null_conclusion_needs_ancestry_or_the_phenotype(kb, extra, raised):
    workup = workup_case(kb, {**BENIGN, **extra})
    assert ("benign-pattern" in [a.code for a in workup.alerts]) is raised


@pytest.mark.parametrize(
    "fever",
    [
        {"temperature_c": 38.6},
        {"findings": ["febrile"]},
        {"findings": ["pyrexia"]},
        {"findings": ["temperature 101.3 F"]},
    ],
)
def test_fever_from_a_temperature_or_its_words_raises_the_emergency(kb, fever):
    workup = workup_case(kb, {"id": "t", "anc": 300, **fever})
    assert workup.alerts[0].level == "emergency" and "FEBRILE NEUTROPENIA" in workup.alerts[0].message
