"""Patterns met in real patients, each a general rule of the model or the data: a context stands for a drug
exposure only when the curator says so, a cause without any of its defining features is weighed down, a
sign of a known condition or of another finding is not counted twice, and an annotation counts once."""

import math

import pytest

from graph.model.ids import expand
from graph.workup.pipeline import workup_case

CLOZAPINE = expand("cause:clozapine-agranulocytosis")
CHEMO = expand("cause:chemotherapy-induced-neutropenia")
SEPSIS = expand("cause:sepsis-associated-neutropenia")
IDIOSYNCRATIC = expand("cause:idiosyncratic-drug-agranulocytosis")


def candidates(kb, **fields):
    case = {"id": "t", "anc": fields.pop("anc", 400), "patient": {"age_years": 50, "sex": "female"}, **fields}
    return {c.cause: c for c in workup_case(kb, case, explain_top=None).candidates}


def kinds(candidate, kind):
    return [e for e in candidate.evidence if e.kind == kind]


def test_schizophrenia_with_a_drug_list_without_clozapine_counts_against_clozapine(kb):
    result = candidates(kb, conditions=["schizophrenia"], medications=[{"name": "risperidone", "started_days_ago": 60}])
    clozapine = result[CLOZAPINE]
    assert kinds(clozapine, "no-agent"), "a condition that only makes clozapine likelier is not an exposure"
    assert kinds(clozapine, "context")  # schizophrenia still raises the odds
    assert result[IDIOSYNCRATIC].rank < clozapine.rank  # risperidone itself is a (weak) known cause


def test_on_chemotherapy_stands_for_the_exposure_without_named_agents(kb):
    result = candidates(kb, exposures=[{"name": "chemotherapy"}], medications=[{"name": "omeprazole"}])
    assert not kinds(result[CHEMO], "no-agent")
    assert result[CHEMO].rank == 1


def test_sepsis_cause_without_any_defining_finding_is_weighed_down(kb):
    unstated = candidates(kb, findings=["Fever"], medications=[{"name": "metamizole", "started_days_ago": 7}])[SEPSIS]
    (term,) = kinds(unstated, "no-defining-feature")
    assert term.log_lr == pytest.approx(math.log(kb.param("unstated_defining_feature_lr")))
    assert "Bacteremia" in term.label and "Sepsis" in term.label


@pytest.mark.parametrize("finding", ["Bacteremia", "Septic shock", "Hypotension"])
def test_a_defining_finding_or_a_more_specific_one_lifts_the_weight(kb, finding):
    shown = candidates(kb, findings=["Fever", finding])[SEPSIS]
    assert not kinds(shown, "no-defining-feature")


def test_sepsis_named_as_a_known_diagnosis_is_not_weighed_down(kb):
    known = candidates(kb, conditions=["septic shock"])[SEPSIS]
    assert kinds(known, "known-diagnosis")
    assert not kinds(known, "no-defining-feature")


def test_febrile_agranulocytosis_on_a_culprit_drug_ranks_the_drug_above_sepsis(kb):
    result = candidates(
        kb,
        anc=100,
        findings=["Fever", "Pharyngitis"],
        duration_days=3,
        medications=[{"name": "metamizole", "started_days_ago": 10}],
    )
    assert result[IDIOSYNCRATIC].rank < result[SEPSIS].rank


def test_ascites_in_a_known_cirrhotic_adds_nothing_beyond_the_cirrhosis(kb):
    hypersplenism = expand("cause:hypersplenism")
    with_cirrhosis = candidates(kb, anc=900, findings=["Ascites"], conditions=["liver cirrhosis"])[hypersplenism]
    alone = candidates(kb, anc=900, findings=["Ascites"])[hypersplenism]
    (given,) = [e for e in with_cirrhosis.evidence if e.kind == "finding" and "Ascites" in e.label]
    (plain,) = [e for e in alone.evidence if e.kind == "finding" and "Ascites" in e.label]
    assert abs(given.log_lr) < 0.5 < plain.log_lr  # the cirrhosis context carries the liver disease once
    assert kinds(with_cirrhosis, "context")


def test_an_annotation_is_counted_once_however_many_specific_findings_fall_under_it(kb):
    autoantibodies = [
        "Antinuclear antibody positivity",
        "Rheumatoid factor positive",
        "Anti-cyclic citrullinated peptide antibody positivity",
    ]
    result = candidates(kb, anc=400, findings=["Fever", "Splenomegaly", *autoantibodies], duration_days=60)
    shared_somewhere = False
    for candidate in result.values():
        by_annotation: dict[str, list] = {}
        for e in candidate.evidence:
            if e.kind == "finding" and "query more specific" in e.label:
                by_annotation.setdefault(e.path[1], []).append(e)
        for items in by_annotation.values():
            assert sum(1 for e in items if e.log_lr != 0) <= 1, [e.label for e in items]
            if len(items) > 1:
                shared_somewhere = True
                assert sum("already counted through" in e.label for e in items) == len(items) - 1
        assert math.isclose(sum(e.log_lr for e in candidate.evidence), candidate.log_score)
    assert shared_somewhere  # some cause annotates only "Autoimmunity", above all three


def test_chemotherapy_needs_a_cancer_a_chemotherapy_or_a_listed_cytotoxic_agent(kb):
    bare = candidates(kb, findings=["Fever", "Diarrhea"])[CHEMO]
    with_cancer = candidates(kb, findings=["Fever", "Diarrhea"], conditions=["breast cancer"])[CHEMO]
    with_agent = candidates(kb, findings=["Fever"], medications=[{"name": "cyclophosphamide", "started_days_ago": 10}])[
        CHEMO
    ]
    assert kinds(bare, "no-defining-feature")
    assert not kinds(with_cancer, "no-defining-feature")
    assert not kinds(with_agent, "no-defining-feature")
    assert with_cancer.log_score > bare.log_score


@pytest.mark.parametrize(
    ("cause", "bare", "defining"),
    [
        (
            "cause:haemophagocytic-lymphohistiocytosis",
            ["Fever", "Splenomegaly"],
            "Increased circulating ferritin concentration",
        ),
        ("cause:felty-syndrome", ["Splenomegaly"], "Rheumatoid factor positive"),
        ("cause:hypersplenism", ["Thrombocytopenia"], "Splenomegaly"),
        ("cause:post-viral-transient-neutropenia-of-childhood", ["Thrombocytopenia"], "Rhinorrhea"),
        ("cause:hiv-infection", ["Lymphopenia"], "Positive HIV test (antigen/antibody or HIV RNA)"),
    ],
)
def test_syndromes_defined_by_a_feature_are_weighed_down_without_it(kb, cause, bare, defining):
    without = candidates(kb, findings=bare, duration_days=200)[expand(cause)]
    with_it = candidates(kb, findings=[*bare, defining], duration_days=200)[expand(cause)]
    assert kinds(without, "no-defining-feature")
    assert not kinds(with_it, "no-defining-feature")


def test_a_tropical_infection_needs_travel_or_residence_where_it_is_transmitted(kb):
    malaria = expand("cause:malaria")
    febrile = {"findings": ["Fever", "Thrombocytopenia", "Splenomegaly"], "duration_days": 5}
    at_home = candidates(kb, **febrile)[malaria]
    travelled = candidates(kb, **febrile, exposures=[{"name": "returned from Ghana two weeks ago"}])[malaria]
    assert kinds(at_home, "no-defining-feature")
    assert not kinds(travelled, "no-defining-feature")
    assert travelled.rank < at_home.rank


def test_absent_dendritic_cells_on_flow_cytometry_point_to_gata2_deficiency(kb):
    gata2 = expand("cause:gata2-deficiency")
    case = {
        "findings": ["Pancytopenia", "Fatigue"],
        "tests": [{"name": "blood dendritic cells (flow cytometry)", "result": "not detectable"}],
    }
    result = candidates(kb, **case)
    shown = [e for e in result[gata2].evidence if "dendritic cells" in e.label]
    assert shown and shown[0].log_lr > 2
    assert result[gata2].rank <= 3


def test_the_two_neonatal_causes_are_weighed_on_one_age_scale(kb):
    sepsis, alloimmune = expand("cause:neonatal-sepsis"), expand("cause:neonatal-alloimmune-neutropenia")
    febrile_newborn = candidates(
        kb, anc=400, patient={"age_years": 0.02, "sex": "female"}, findings=["Fever", "Irritability"]
    )
    well_newborn = candidates(kb, anc=400, patient={"age_years": 0.02, "sex": "female"})
    assert febrile_newborn[sepsis].rank < febrile_newborn[alloimmune].rank
    assert kinds(well_newborn[sepsis], "no-defining-feature")  # a well baby has none of its signs
    assert well_newborn[alloimmune].rank < well_newborn[sepsis].rank


def test_the_duffy_null_pattern_needs_an_ancestry_where_it_is_common_or_a_duffy_null_result(kb):
    danc = expand("cause:duffy-null-associated-neutrophil-count")
    mild_chronic = {"anc": 1200, "duration_days": 900}
    unknown = candidates(kb, **mild_chronic, patient={"age_years": 30, "sex": "male"})[danc]
    african = candidates(kb, **mild_chronic, patient={"age_years": 30, "sex": "male", "ancestry": "Nigerian"})[danc]
    tested = candidates(
        kb, **mild_chronic, patient={"age_years": 30, "sex": "male"},
        tests=[{"name": "Duffy phenotype", "result": "Fy(a-b-)"}],
    )[danc]  # fmt: skip
    assert kinds(unknown, "no-defining-feature")
    assert not kinds(african, "no-defining-feature") and not kinds(tested, "no-defining-feature")
    assert african.rank == 1 and tested.rank == 1


ELANE = expand("cause:elane-severe-congenital-neutropenia")


def _newborn_or_child(kb, age_years):
    case = {
        "id": "t",
        "anc": 200,
        "patient": {"age_years": age_years, "sex": "female"},
        "findings": ["Severe neutropenia"],
        "absent_findings": ["Recurrent infections"],
    }
    return {c.cause: c for c in workup_case(kb, case, explain_top=None).candidates}


def test_no_recurrent_infections_in_a_newborn_is_not_evidence_against_congenital_neutropenia(kb):
    """Infections cannot yet have recurred a week after birth (nkg:observableFromAge): the absence is neutral
    and the evidence line says why; in a five-year-old the same absence counts against the cause."""
    newborn = _newborn_or_child(kb, 0.02)[ELANE]
    line = next(e for e in newborn.evidence if e.kind == "absent-finding" and "Recurrent infections" in e.label)
    assert line.log_lr == 0.0 and "not yet observable" in line.label
    child = _newborn_or_child(kb, 5)[ELANE]
    line = next(e for e in child.evidence if e.kind == "absent-finding" and "Recurrent infections" in e.label)
    assert line.log_lr < -2 and "not yet observable" not in line.label


THIOPURINE = expand("cause:thiopurine-myelotoxicity")
LUPUS = expand("cause:systemic-lupus-erythematosus")
GRAVES = expand("cause:hyperthyroidism-associated-neutropenia")
ANTITHYROID = expand("cause:antithyroid-drug-agranulocytosis")


def test_a_condition_the_listed_drug_is_given_for_counts_for_the_drug_too(kb):
    lupus_on_azathioprine = {"conditions": ["systemic lupus erythematosus"]}
    drug = {"medications": [{"name": "azathioprine", "started_days_ago": 30}]}
    result = candidates(kb, **lupus_on_azathioprine, **drug)
    (indication,) = kinds(result[THIOPURINE], "indication")
    assert "usual indication of azathioprine" in indication.label and indication.log_lr > 0
    assert result[THIOPURINE].rank < result[LUPUS].rank
    # without the drug the lupus itself leads, and no cause claims an indication
    alone = candidates(kb, **lupus_on_azathioprine, medications=[{"name": "omeprazole"}])
    assert alone[LUPUS].rank < alone[THIOPURINE].rank
    assert not any(kinds(c, "indication") for c in alone.values())


def test_a_named_sepsis_is_the_indication_of_the_antibiotic_given_for_it(kb):
    sepsis_on_vancomycin = {"conditions": ["MRSA sepsis"], "findings": ["Leukopenia"]}
    drug = {"medications": [{"name": "vancomycin", "started_days_ago": 16}]}
    result = candidates(kb, **sepsis_on_vancomycin, **drug)
    (indication,) = kinds(result[IDIOSYNCRATIC], "indication")
    assert "usual indication of vancomycin" in indication.label and indication.log_lr > 0
    # a drug not given for sepsis claims no indication
    other = candidates(kb, **sepsis_on_vancomycin, medications=[{"name": "clozapine", "started_days_ago": 16}])
    assert not any(kinds(c, "indication") for c in other.values())


CHEMOTHERAPY = expand("cause:chemotherapy-induced-neutropenia")


def test_chemotherapy_named_with_its_days_ago_counts_within_its_nadir_window_only(kb):
    drug = {"medications": [{"name": "lamotrigine", "started_days_ago": 98}]}
    recent = candidates(kb, exposures=[{"name": "chemotherapy", "days_ago": 10}], **drug)
    long_ago = candidates(kb, exposures=[{"name": "chemotherapy", "days_ago": 730}], **drug)
    (near,) = kinds(recent[CHEMOTHERAPY], "context")
    (far,) = kinds(long_ago[CHEMOTHERAPY], "context")
    assert near.log_lr > 2 and far.log_lr < 0
    assert "days since last dose" in far.detail
    assert recent[CHEMOTHERAPY].rank == 1
    assert long_ago[IDIOSYNCRATIC].rank < long_ago[CHEMOTHERAPY].rank


def test_signs_of_thyrotoxicosis_add_nothing_beyond_the_hyperthyroidism(kb):
    signs = ["HP:0000836", "HP:0001962", "HP:0002046", "HP:0001337"]
    result = candidates(kb, findings=signs, medications=[{"name": "carbimazole", "started_days_ago": 40}])
    palpitations = [e for e in result[GRAVES].evidence if e.label.startswith("Palpitations")]
    assert palpitations and all(abs(e.log_lr) < 0.05 for e in palpitations)
    assert result[ANTITHYROID].rank < result[GRAVES].rank
    # palpitations alone, without a stated hyperthyroidism, still point to it
    bare = candidates(kb, findings=["HP:0001962", "HP:0002046"], medications=[{"name": "omeprazole"}])
    (alone,) = [e for e in bare[GRAVES].evidence if e.label.startswith("Palpitations")]
    assert alone.log_lr > 1


COVID = expand("cause:covid-19")


def test_a_past_acute_infection_says_nothing_of_the_present_illness(kb):
    drug = {"medications": [{"name": "hydroxychloroquine"}], "conditions": ["rheumatoid arthritis"]}
    history = {**drug, "conditions": [*drug["conditions"], "previous severe Pseudomonas pneumonia requiring ICU"]}
    case = {"id": "t", "anc": 200, "patient": {"age_years": 70, "sex": "female"}, **history}
    w = workup_case(kb, case, explain_top=None)
    assert any("a past episode (Pneumonia)" in item.reason for item in w.normalised.no_bearing)
    sepsis = next(c for c in w.candidates if c.cause == SEPSIS)
    assert not kinds(sepsis, "agent"), "Pseudomonas of a past pneumonia is no agent of the present illness"
    # the same infection written as current still counts
    now = candidates(kb, **{**drug, "conditions": [*drug["conditions"], "severe Pseudomonas pneumonia"]})
    assert kinds(now[SEPSIS], "agent")
    assert now[SEPSIS].log_score > sepsis.log_score


def test_a_named_diagnosis_and_its_detected_organism_count_once(kb):
    named = candidates(kb, conditions=["COVID-19"], anc=800)
    both = candidates(kb, conditions=["COVID-19 (SARS-CoV-2 pneumonia)"], anc=800)
    (known,) = kinds(both[COVID], "known-diagnosis")
    assert "counted once" in known.label
    agent = sum(e.log_lr for e in kinds(both[COVID], "agent"))
    assert math.isclose(known.log_lr + agent, max(agent, kinds(named[COVID], "known-diagnosis")[0].log_lr))


def test_an_infection_named_in_an_exposure_counts_less_than_a_diagnosis(kb):
    # "household contact with COVID-19" says the patient was exposed, not that the patient has it
    contact = candidates(kb, exposures=[{"name": "household contact with COVID-19"}], anc=800)
    diagnosis = candidates(kb, conditions=["COVID-19"], anc=800)
    (exposed,) = kinds(contact[COVID], "known-diagnosis")
    (stated,) = kinds(diagnosis[COVID], "known-diagnosis")
    assert "named in an exposure" in exposed.label and "known diagnosis" in stated.label
    assert math.isclose(exposed.log_lr, math.log(kb.param("named_exposure_lr")))
    assert exposed.log_lr < stated.log_lr
    # the same cause stated as a diagnosis as well counts as the diagnosis
    both = candidates(kb, exposures=[{"name": "household contact with COVID-19"}], conditions=["COVID-19"], anc=800)
    (known,) = kinds(both[COVID], "known-diagnosis")
    assert math.isclose(known.log_lr, stated.log_lr)


FAMILY = expand("find:family-history-neutropenia")


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("mother with the same findings (congenital neutropenia)", True),
        ("maternal grandmother with agranulocytosis", True),
        ("mother with systemic lupus erythematosus", False),  # a relative's lupus is not her neutropenia
        ("no neutropenia in the family", False),
    ],
)
def test_a_relative_with_congenital_neutropenia_is_a_family_history_of_neutropenia(kb, written, read):
    case = {"id": "t", "anc": 300, "patient": {"age_years": 0.1, "sex": "female"}, "family_history": [written]}
    present = workup_case(kb, case, explain_top=0).normalised.present
    assert (FAMILY in present) is read


def test_an_infection_of_the_neutropenia_is_explained_by_every_cause_even_without_a_count(kb):
    # agranulocytosis written as a finding, no ANC: the abscess it brings counts against no cause
    case = {"id": "t", "patient": {"age_years": 1, "sex": "male"}, "findings": ["Agranulocytosis", "skin abscess"]}
    for candidate in workup_case(kb, case, explain_top=None).candidates:
        assert not [e for e in kinds(candidate, "unexplained-finding") if "abscess" in e.label.lower()]


@pytest.mark.parametrize("written", ["within normal limits", "unremarkable, no abnormalities", "normal bone marrow"])
def test_a_normal_marrow_report_makes_infiltration_and_dysplasia_absent(kb, written):
    case = {"id": "t", "anc": 400, "tests": [{"name": "bone marrow aspirate and biopsy", "result": written}]}
    seen = {o.finding: o.present for o in workup_case(kb, case, explain_top=0).normalised.observations}
    assert seen.get(expand("find:marrow-infiltration")) is False and seen.get(expand("HP:0002863")) is False


def test_a_thick_blood_film_is_read_as_the_malaria_test(kb):
    case = {"id": "t", "anc": 400, "tests": [{"name": "thick blood smear", "result": "negative"}]}
    seen = {o.finding: o.present for o in workup_case(kb, case, explain_top=0).normalised.observations}
    assert seen.get(expand("find:malaria-parasites-detected")) is False
