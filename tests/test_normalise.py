"""Normalisation on the mini ontology: findings, labs, severity, timing, drugs, tests, free text."""

import pytest

from graph.model.case import parse_case
from graph.model.ids import expand
from graph.workup.normalise import normalise_case
from graph.workup.resolve import first_number, resolve_drug

FEVER = expand("HP:0001945")


def observations(kb, **fields):
    case = parse_case({"id": "t", "anc": fields.pop("anc", 800), **fields})
    n = normalise_case(kb, case)
    return n, {kb.label(o.finding): o.present for o in n.observations}


@pytest.mark.parametrize(
    "written", ["HP:0001945", "Fever", "fever", "Pyrexia", "http://purl.obolibrary.org/obo/HP_0001945"]
)
def test_findings_resolve_by_curie_label_or_synonym(mini_kb, written):
    n, _ = observations(mini_kb, findings=[written])
    assert [o.finding for o in n.observations if not o.derived] == [FEVER]


def test_unknown_findings_are_reported_by_name(mini_kb):
    n, _ = observations(mini_kb, findings=["HP:9999999", "purple toes"], absent_findings=["Fevr"])
    assert [(u.field, u.text) for u in n.unrecognized] == [
        ("findings", "HP:9999999"),
        ("findings", "purple toes"),
        ("absent_findings", "Fevr"),
    ]


@pytest.mark.parametrize(
    ("labs", "sex", "age", "finding", "present"),
    [
        ({"mcv_fl": 112}, "female", 40, "Increased mean corpuscular volume", True),
        ({"mcv_fl": 95}, "female", 40, "Increased mean corpuscular volume", False),
        ({"platelets_per_ul": 85000}, "male", 40, "Thrombocytopenia", True),
        ({"platelets_per_ul": 150000}, "male", 40, "Thrombocytopenia", False),
        ({"hemoglobin_g_dl": 12.5}, "male", 40, "Anemia", True),
        ({"hemoglobin_g_dl": 12.5}, "female", 40, "Anemia", False),
        ({"hemoglobin_g_dl": 10.5}, "female", 3, "Anemia", True),
        ({"lymphocytes_per_ul": 900}, "female", 40, "Lymphopenia", True),
        ({"monocytes_per_ul": 150}, "female", 40, "Monocytopenia", True),
        ({"monocytes_per_ul": 1600}, "female", 40, "Monocytosis", True),
        ({"b12_pg_ml": 142}, "female", 70, "Decreased circulating vitamin B12 concentration", True),
        ({"folate_ng_ml": 2.1}, "female", 70, "Reduced blood folate concentration", True),
        ({"copper_ug_dl": 14}, "female", 46, "Decreased circulating copper concentration", True),
        ({"copper_ug_dl": 102}, "female", 46, "Decreased circulating copper concentration", False),
    ],
)
def test_each_lab_rule_turns_a_number_into_a_finding(mini_kb, labs, sex, age, finding, present):
    _, seen = observations(mini_kb, labs=labs, patient={"age_years": age, "sex": sex})
    assert seen[finding] is present


@pytest.mark.parametrize(
    ("anc", "age", "grade"),
    [
        (1400, 40, "mild"),
        (1000, 40, "mild"),
        (999, 40, "moderate"),
        (500, 40, "moderate"),
        (499, 40, "severe"),
        (100, 40, "severe"),
        (99, 40, "profound"),
        (1600, 40, "none"),
        (1200, 0.5, "none"),
        (900, 0.5, "moderate"),
        (1200, 3, "mild"),
    ],
)
def test_severity_grades_use_age_appropriate_thresholds(mini_kb, anc, age, grade):
    n, _ = observations(mini_kb, anc=anc, patient={"age_years": age})
    assert n.severity.grade == grade


def test_duration_tells_acute_from_chronic(mini_kb):
    _, acute = observations(mini_kb, duration_days=10)
    _, chronic = observations(mini_kb, duration_days=120)
    assert acute["Acute neutropenia (known for less than 3 months)"] and chronic["Chronic neutropenia"]
    # one fact, counted once: the course does not also state the other as absent
    assert "Chronic neutropenia" not in acute and "Acute neutropenia (known for less than 3 months)" not in chronic


def test_the_run_of_low_counts_in_the_history_sets_the_onset(mini_kb):
    n, seen = observations(
        mini_kb, anc=300, anc_history=[{"day": -200, "anc": 3000}, {"day": -100, "anc": 900}, {"day": -30, "anc": 600}]
    )
    assert n.severity.onset_days_ago == 100
    assert seen["Chronic neutropenia"] and seen["Previously normal neutrophil count"]


def test_a_21_day_cycle_is_detected_but_two_chemotherapy_nadirs_are_not(mini_kb):
    cycling = [(-42, 40), (-35, 1600), (-31, 2700), (-21, 60), (-14, 1700), (-10, 2500), (-3, 500)]
    n, seen = observations(mini_kb, anc=60, anc_history=[{"day": d, "anc": a} for d, a in cycling])
    assert n.severity.cyclic and seen["Cyclic neutropenia"]
    chemo = [(-31, 4100), (-21, 600), (-10, 3600)]
    n, seen = observations(mini_kb, anc=300, anc_history=[{"day": d, "anc": a} for d, a in chemo])
    assert not n.severity.cyclic and "Cyclic neutropenia" not in seen


def test_falling_and_stable_patterns(mini_kb):
    _, falling = observations(mini_kb, anc=200, anc_history=[{"day": -14, "anc": 2200}, {"day": -7, "anc": 1300}])
    assert falling["Falling neutrophil count"]
    _, stable = observations(
        mini_kb, anc=1100, duration_days=1460, anc_history=[{"day": -1460, "anc": 1200}, {"day": -730, "anc": 1350}]
    )
    assert stable["Stable chronic neutrophil count"] and not stable["Previously normal neutrophil count"]


def test_onset_age_becomes_an_hpo_onset_term(mini_kb):
    _, infant = observations(mini_kb, anc=90, patient={"age_years": 0.33}, duration_days=110)
    assert infant["Neonatal onset"]
    _, adult = observations(mini_kb, anc=900, patient={"age_years": 40}, duration_days=3)
    assert adult["Adult onset"]


@pytest.mark.parametrize(
    ("written", "label", "match"),
    [
        ("clozapine", "clozapine", "exact"),
        ("Clozaril", "clozapine", "exact"),
        ("CLOZAPINE 300 mg daily", "clozapine", "exact"),
        ("clozapin", "clozapine", "fuzzy (1 edit)"),
        ("thiamazole", "methimazole", "exact"),
        ("dipyrone", "metamizole", "exact"),
        ("metamizol", "metamizole", "fuzzy (1 edit)"),
    ],
)
def test_drug_names_brand_names_and_misspellings(mini_kb, written, label, match):
    found = resolve_drug(mini_kb, written)
    assert [mini_kb.label(a) for a in found.agents] == [label]
    assert found.match == match


@pytest.mark.parametrize("written", ["methamizole", "metimazole"])
def test_a_misspelling_between_methimazole_and_metamizole_is_refused(mini_kb, written):
    found = resolve_drug(mini_kb, written)
    assert found.agents == () and "methimazole" in found.reason and "metamizole" in found.reason


def test_unknown_drugs_are_reported_not_guessed(mini_kb):
    n, _ = observations(mini_kb, medications=[{"name": "zorblaxin"}, {"name": "clozapine", "started_days_ago": 9}])
    assert [mini_kb.label(d.agent) for d in n.drugs] == ["clozapine"]
    assert [(u.field, u.text) for u in n.unrecognized] == [("medications", "zorblaxin")]


def test_a_drug_the_ontology_lacks_is_recognised_by_the_lexicon_not_unrecognised(mini_kb):
    n, _ = observations(mini_kb, medications=[{"name": "lactulose"}])
    assert [(d.written, d.xref) for d in n.other_drugs] == [("lactulose", "DrugBank:DB00581")]
    assert n.unrecognized == ()


def test_test_results_are_read_by_pattern_negation_and_number(mini_kb):
    n, seen = observations(
        mini_kb,
        tests=[
            {"name": "Monospot", "result": "Positive"},
            {"name": "Duffy phenotype", "result": "Fy(a-b-)"},
            {"name": "manual platelet count", "result": "42,000/uL"},
        ],
    )
    assert [mini_kb.label(a.agent) for a in n.agents] == ["Epstein-Barr virus"]
    assert seen["Mild neutropenia (ANC 1000-1499/uL)"] and seen["Thrombocytopenia"]
    n, seen = observations(mini_kb, tests=[{"name": "heterophile antibody", "result": "negative"}])
    assert n.agents == () and seen["Lymphadenopathy"] is False


def test_unknown_tests_and_uninterpreted_results_are_reported(mini_kb):
    n, _ = observations(
        mini_kb, tests=[{"name": "zinc level", "result": "88"}, {"name": "Duffy phenotype", "result": "pending"}]
    )
    reasons = {u.text: u.reason for u in n.unrecognized}
    assert "not in the ontology" in reasons["zinc level: 88"]
    # a known test whose result its rules do not read is recognised, with no bearing: reported, not dropped
    assert "Duffy phenotype: pending" not in reasons
    assert [(u.field, u.text) for u in n.no_bearing] == [("tests", "Duffy phenotype: pending")]
    assert "do not read this result" in n.no_bearing[0].reason


def test_free_text_names_exposures_conditions_and_negated_findings(mini_kb):
    n, seen = observations(
        mini_kb,
        exposures=[{"name": "tick bite while hiking", "days_ago": 10}],
        conditions=["rheumatoid arthritis", "glandular fever last year"],
        family_history=["no family history of neutropenia", "parents are first cousins"],
    )
    assert {mini_kb.label(c.node) for c in n.contexts} == {"tick bite", "rheumatoid arthritis"}
    assert [mini_kb.label(c.node) for c in n.known_causes] == ["Mini viral infection"]
    assert seen["Family history of neutropenia"] is False and seen["Parental consanguinity"] is True


def test_findings_of_relatives_are_not_taken_as_the_patients_own(mini_kb):
    _, seen = observations(mini_kb, family_history=["mother has had fever and lymphadenopathy"])
    assert "Fever" not in seen and "Lymphadenopathy" not in seen
    _, seen = observations(mini_kb, conditions=["recurrent pyrexia since March"])
    assert seen["Fever"] is True  # HPO synonyms of declared findings are spotted in the patient's own text


def test_a_constitutional_trait_is_not_held_against_causes_that_do_not_link_it(mini_kb):
    from graph.workup.pipeline import workup_case

    workup = workup_case(mini_kb, {"id": "t", "anc": 900, "family_history": ["parents are first cousins"]})
    assert not any(e.kind == "unexplained-finding" for c in workup.candidates for e in c.evidence)


def test_unknown_ancestry_and_lab_keys_are_reported(mini_kb):
    n, _ = observations(mini_kb, patient={"ancestry": "Martian"}, labs={"ferritin": 12})
    assert {(u.field, u.text) for u in n.unrecognized} == {("patient.ancestry", "Martian"), ("labs", "ferritin")}


def test_first_number_reads_thousands_separators_and_bounds():
    assert first_number("9,000/uL") == 9000
    assert first_number("<0.01 mIU/L") == 0.01
    assert first_number("pending") is None


def test_a_test_name_shared_by_two_tests_is_read_by_both(mini_kb):
    from graph.workup.resolve import resolve_test

    assert len(resolve_test(mini_kb, "blood film")) == 2
    _, seen = observations(mini_kb, tests=[{"name": "Blood film", "result": "many large granular lymphocytes"}])
    assert seen["Lymphocytosis"] is True


def test_a_panel_rule_can_read_the_analyte_from_the_test_name(mini_kb):
    _, seen = observations(mini_kb, tests=[{"name": "fibrinogen", "result": "92 mg/dL"}])
    assert seen["Hypofibrinogenemia"] is True
    _, seen = observations(mini_kb, tests=[{"name": "coagulation screen", "result": "fibrinogen 92 mg/dL, INR 1.6"}])
    assert seen["Hypofibrinogenemia"] is True


def test_a_relatives_disease_is_not_the_patients_known_diagnosis(mini_kb):
    n, _ = observations(mini_kb, family_history=["brother had glandular fever", "sister on clozapine"])
    assert n.known_causes == () and n.drugs == ()
    # recognised, and said to have no bearing: the tool read the words but ranks nothing on them
    assert n.unrecognized == ()
    assert [u.reason for u in n.no_bearing] == [
        "only neutropenia in relatives and consanguinity are read from a family history"
    ] * 2


def test_an_exposure_written_as_a_medication_is_read_as_the_exposure(mini_kb):
    n, _ = observations(mini_kb, medications=[{"name": "tick bite prophylaxis"}, {"name": "methamizole"}])
    assert [mini_kb.label(c.node) for c in n.contexts] == ["tick bite"]
    assert [(u.field, u.text) for u in n.unrecognized] == [("medications", "methamizole")]


@pytest.mark.parametrize("written", ["clozapinne", "carbamazepin", "metamizol", "levetiracetem", "azathiprine"])
def test_the_character_count_never_hides_a_drug_name_within_reach(kb, written):
    """Drug names are aligned with a misspelling only when their characters leave them within the edit
    limit; every name that is within it (by the edit distance itself) must still be considered."""
    from graph.model.text import edit_distance
    from graph.workup.resolve import _Letters

    letters = _Letters.of(kb)
    for bound in (1, 2, 3):
        near = set(letters.near(written, range(0, len(written) + bound + 1), bound))
        within = {name for name in letters.names if edit_distance(written, name, limit=bound) <= bound}
        assert within <= near, sorted(within - near)
        assert within or bound < 2, f"{written}: no drug name within {bound} edits"
