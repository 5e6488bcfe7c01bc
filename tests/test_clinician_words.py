"""The words clinicians write in published case reports, by category, are recognised (real ontology).

Each list samples one category of what a case report names: blood count indices and chemistry,
coagulation, serologies and PCRs, imaging and marrow studies, genetics, comorbidities by common
name, signs in lay and clinical words, medications written with brand names and doses, and
ancestry by nationality.  A word the tool does not know is still reported as unrecognised.
"""

import dataclasses

import pytest
from conftest import normalised_case

from graph.curate.validate import validate_knowledge_base
from graph.kb.lexicon import lookup_drug
from graph.model.case import parse_case
from graph.model.ids import expand
from graph.model.text import states_nothing_found
from graph.workup.pipeline import workup_case


def _normalised(kb, **fields):
    return normalised_case(kb, anc=700, **fields)


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("MCV", "102 fL"),
        ("mean corpuscular haemoglobin concentration", "33 g/dL"),
        ("absolute monocyte count", "50/uL"),
        ("nucleated red blood cells", "present"),
        ("gamma-glutamyl transferase", "raised"),
        ("thrombin time", "normal"),
        ("von Willebrand factor", "normal"),
        ("vitamin B6", "normal"),
        ("serum osmolality", "280"),
        ("prolactin", "normal"),
        ("trephine", "normocellular"),
        ("myelogram", "maturation arrest"),
        ("TCR gamma", "clonal"),
        ("IgH rearrangement", "polyclonal"),
        ("trio exome sequencing", "negative"),
        ("serum gammaglobulin", "50 g/L (53%)"),
        ("viral markers", "negative"),
        ("anti-smooth muscle and anti-actin antibodies", "positive"),
        ("Helicobacter pylori stool antigen", "positive"),
        ("faecal calprotectin", "normal"),
        ("West Nile virus", "negative"),
        ("Clostridium difficile", "negative"),
        ("TORCH screen", "negative"),
        ("anti-HNA-1a", "positive"),
        ("Holter", "normal"),
        ("audiometry", "normal"),
        ("serum ACE", "raised"),
    ],
)
def test_common_tests_are_recognised(kb, name, result):
    assert not _normalised(kb, tests=[{"name": name, "result": result}]).unrecognized


def test_an_unknown_test_is_still_unrecognised(kb):
    unrecognized = _normalised(kb, tests=[{"name": "zorblax index", "result": "17"}]).unrecognized
    assert [(u.field, u.text) for u in unrecognized] == [("tests", "zorblax index: 17")]


def test_a_temperature_written_as_a_test_is_read_as_fever(kb):
    normalised = _normalised(kb, tests=[{"name": "Tmax", "result": "39.2 C"}])
    assert (expand("HP:0001945"), True) in {(o.finding, o.present) for o in normalised.observations}
    assert not normalised.unrecognized and not normalised.case.tests


@pytest.mark.parametrize(
    "written",
    [
        "depressive disorder",
        "spinal cord injury",
        "Behcet's disease",
        "antiphospholipid syndrome",
        "nonalcoholic steatohepatitis",
        "haematopoietic stem cell transplantation",
        "vegan diet",
        "small for gestational age",
        "melanoma",
        "nephrotic syndrome",
    ],
)
def test_comorbidities_by_common_name_are_recognised(kb, written):
    assert not _normalised(kb, conditions=[written]).unrecognized


@pytest.mark.parametrize(
    ("written", "term", "present"),
    [
        ("Bipolar affective disorder", "HP:0007302", True),  # an HPO label, no concept of ours
        ("open tibial fracture", "HP:0020110", True),  # an HPO term inside the text
        ("alveolar haemorrhage", "HP:0040223", True),
        ("no history of bipolar affective disorder", "HP:0007302", False),
    ],
)
def test_a_condition_that_names_an_hpo_phenotype_is_read_as_that_finding(kb, written, term, present):
    normalised = _normalised(kb, conditions=[written])
    assert (expand(term), present) in {(o.finding, o.present) for o in normalised.observations}
    assert not normalised.unrecognized


def test_an_unknown_condition_is_still_unrecognised(kb):
    assert [u.text for u in _normalised(kb, conditions=["zorblax syndrome"]).unrecognized] == ["zorblax syndrome"]


@pytest.mark.parametrize(
    ("written", "term", "present"),
    [
        ("raised transaminases", "HP:0002910", True),
        ("elevated LDH", "HP:0025435", True),
        ("high ferritin", "HP:0003281", True),
        ("low complement", "HP:0004431", True),
        ("blood in the stool", "HP:0002573", True),
        ("umbilical stump infection", "HP:0032435", True),
        ("limping", "HP:0001288", True),
        ("thyroid storm", "HP:0011782", True),
        ("no organomegaly", "HP:0003271", False),
        ("impetigo", "HP:0000999", True),
    ],
)
def test_signs_in_clinical_and_lay_words_name_their_hpo_term(kb, written, term, present):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), present) in {(o.finding, o.present) for o in normalised.observations}
    assert not normalised.unrecognized


def test_a_finding_found_on_a_routine_count_states_nothing(kb):
    normalised = _normalised(kb, findings=["found on routine blood count"])
    assert not normalised.unrecognized
    assert [b.text for b in normalised.no_bearing] == ["found on routine blood count"]


def test_an_unknown_finding_is_still_unrecognised(kb):
    assert [u.text for u in _normalised(kb, findings=["zorblaxia of the elbow"]).unrecognized] == [
        "zorblaxia of the elbow"
    ]


@pytest.mark.parametrize(
    "written",
    ["metformin 500 mg twice daily", "Lipitor", "ferrous sulphate 200 mg", "Biktarvy", "IVIG", "Keppra 500 mg bd"],
)
def test_medications_with_brand_names_salts_and_doses_are_recognised(kb, written):
    assert not _normalised(kb, medications=[{"name": written, "started_days_ago": 30}]).unrecognized


def test_a_drug_known_only_by_mesh_carries_its_mesh_id(kb):
    # (intravenous immunoglobulin, the earlier example, is now a drug node: it delivers a treatment)
    normalised = _normalised(kb, medications=[{"name": "interferon", "started_days_ago": 5}])
    assert [(d.label, d.xref) for d in normalised.other_drugs] == [("Interferons", "MeSH:D000998")]


def test_a_brand_of_a_combination_names_the_drugs_it_contains(kb):
    # Trizivir is abacavir, lamivudine and zidovudine: zidovudine is a cause of neutropenia here
    normalised = _normalised(kb, medications=[{"name": "Trizivir", "started_days_ago": 60}])
    assert "zidovudine" in [kb.label(d.agent) for d in normalised.drugs]
    assert not normalised.unrecognized


def test_an_unknown_medication_is_still_unrecognised(kb):
    assert lookup_drug("zorblaxamab") is None
    assert [u.text for u in _normalised(kb, medications=[{"name": "zorblaxamab"}]).unrecognized] == ["zorblaxamab"]


@pytest.mark.parametrize(
    ("written", "group"),
    [
        ("Croatian", "european"),
        ("Malagasy", "african"),
        ("Druze", "middle-eastern"),
        ("Hmong", "east-asian"),
        ("Sinhalese", "south-asian"),
        ("Panamanian", "hispanic"),
        ("mixed race", "unspecified"),
        ("Canadian", "unspecified"),
    ],
)
def test_ancestry_by_nationality_and_population_maps_to_a_group(kb, written, group):
    normalised = _normalised(kb, patient={"ancestry": written})
    assert normalised.ancestry_group == expand(f"https://w3id.org/neutropenia-kg/resource/ancestry/{group}")
    assert not normalised.unrecognized


def test_an_ancestry_of_no_group_changes_no_ranking(kb):
    base = {"id": "a", "anc": 900, "patient": {"age_years": 30, "sex": "female"}, "findings": ["Fever"]}
    plain = workup_case(kb, parse_case(base, kb.case_rules))
    mixed = workup_case(kb, parse_case({**base, "patient": {**base["patient"], "ancestry": "mixed"}}, kb.case_rules))
    assert [(c.cause, round(c.score, 9)) for c in plain.candidates] == [
        (c.cause, round(c.score, 9)) for c in mixed.candidates
    ]


def test_an_unknown_ancestry_is_still_unrecognised(kb):
    assert [u.field for u in _normalised(kb, patient={"ancestry": "Zorblaxian"}).unrecognized] == ["patient.ancestry"]


@pytest.mark.parametrize(
    "written",
    [
        "mother's neutrophil count normal",  # a relative's test
        "sister with autoimmune thyroid disease",
        "two healthy siblings",
        "adopted",
        "Yemenite Jewish family",  # an ancestry
        "maternal grandmother with psoriasis",  # an HPO phenotype in a relative
    ],
)
def test_family_history_items_are_recognised_without_being_read_as_the_patients(kb, written):
    normalised = _normalised(kb, family_history=[written])
    assert not normalised.unrecognized
    assert not normalised.contexts and not normalised.known_causes


def test_nonconsanguineous_parents_deny_consanguinity(kb):
    normalised = _normalised(kb, family_history=["fifth son of apparently nonconsanguineous parents"])
    consanguinity = "https://w3id.org/neutropenia-kg/resource/finding/parental-consanguinity"
    assert (consanguinity, False) in {(o.finding, o.present) for o in normalised.observations}
    assert not normalised.unrecognized


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("spleen not palpable", "HP:0001744"),
        ("liver not palpable", "HP:0002240"),
        ("no palpable lymph nodes", "HP:0002716"),
    ],
)
def test_an_examination_that_finds_no_enlargement_states_the_finding_absent(kb, written, term):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), False) in {(o.finding, o.present) for o in normalised.observations}


@pytest.mark.parametrize("written", ["chest clear", "soft abdomen", "examination unremarkable", "looks well"])
def test_a_normal_examination_states_nothing_found(kb, written):
    normalised = _normalised(kb, findings=[written])
    assert not normalised.unrecognized and [b.text for b in normalised.no_bearing] == [written]


@pytest.mark.parametrize(
    "written",
    ["farmer", "benzene exposure at work", "recent vaccination", "healthcare worker", "bird exposure", "refugee"],
)
def test_common_exposures_are_recognised(kb, written):
    assert not _normalised(kb, exposures=[{"name": written}]).unrecognized


def test_an_unknown_exposure_is_still_unrecognised(kb):
    assert [u.text for u in _normalised(kb, exposures=[{"name": "zorblax fumes"}]).unrecognized] == ["zorblax fumes"]


@pytest.mark.parametrize(
    ("written", "drug"), [("AZA", "azathioprine"), ("HCQ 200 mg bd", "hydroxychloroquine"), ("SSZ", "sulfasalazine")]
)
def test_drug_abbreviations_name_the_drug(kb, written, drug):
    normalised = _normalised(kb, medications=[{"name": written, "started_days_ago": 40}])
    assert [kb.label(d.agent) for d in normalised.drugs] == [drug]


@pytest.mark.parametrize("written", ["IV fluids", "packed red cells", "supportive care", "HRZE", "TKI", "anti-CD20"])
def test_treatments_and_classes_named_without_a_drug_are_recognised(kb, written):
    normalised = _normalised(kb, medications=[{"name": written}])
    assert not normalised.unrecognized and not normalised.drugs


def test_a_regimen_acronym_is_chemotherapy(kb):
    normalised = _normalised(kb, medications=[{"name": "Flu/Cy", "last_dose_days_ago": 6}])
    assert "https://w3id.org/neutropenia-kg/resource/finding/recent-myelosuppressive-chemotherapy" in {
        o.finding for o in normalised.observations
    }


@pytest.mark.parametrize(
    ("name", "result"),
    [("TLC", "2800/mm3"), ("segs", "10%"), ("KFT", "normal"), ("CBNAAT", "negative"), ("MP slide", "negative")],
)
def test_house_names_and_abbreviations_of_tests_are_recognised(kb, name, result):
    assert not _normalised(kb, tests=[{"name": name, "result": result}]).unrecognized


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("CRP 150 mg/L", "HP:0011227"),
        ("ferritin of 2500 ng/mL", "HP:0003281"),
        ("CD4 count 145 cells/uL", "HP:0005407"),
    ],
)
def test_a_test_and_its_value_written_as_a_finding_is_read_by_the_tests_rules(kb, written, term):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), True) in {(o.finding, o.present) for o in normalised.observations}
    assert not normalised.unrecognized


@pytest.mark.parametrize("written", ["ANC 200/uL", "HbA1c 7%", "WBC: 1.2"])
def test_a_count_written_as_a_finding_is_recognised(kb, written):
    normalised = _normalised(kb, findings=[written])
    assert not normalised.unrecognized and [b.text for b in normalised.no_bearing] == [written]


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("maturation arrest at the promyelocyte stage", "HP:0410253"),
        ("hypocellular marrow", "HP:0005528"),
        ("toxic granulation", "HP:0011992"),
        ("pseudo-Pelger-Huet cells", "https://w3id.org/neutropenia-kg/resource/finding/dysplastic-neutrophils"),
        ("positive ANA", "HP:0003493"),
    ],
)
def test_film_and_marrow_findings_written_as_findings_name_their_term(kb, written, term):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), True) in {(o.finding, o.present) for o in normalised.observations}


def test_an_unknown_name_with_a_value_is_still_unrecognised(kb):
    assert [u.text for u in _normalised(kb, findings=["zorblax 5"]).unrecognized] == ["zorblax 5"]


def test_latent_tuberculosis_is_not_read_as_disseminated_tuberculosis(kb):
    normalised = _normalised(kb, conditions=["latent tuberculosis"])
    assert not normalised.known_causes and not normalised.unrecognized


@pytest.mark.parametrize("written", ["NSCLC", "MGUS", "HbSS", "chronic granulomatous disease", "schistosomiasis"])
def test_more_conditions_by_common_name_are_recognised(kb, written):
    assert not _normalised(kb, conditions=[written]).unrecognized


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("CMV IgG", "positive"),  # past infection, in most adults
        ("parvovirus B19 IgG", "positive"),
        ("anti-HBs", "positive"),  # vaccinated or recovered, not HBsAg positive
        ("anti-HBc", "positive"),
    ],
)
def test_an_antibody_of_past_infection_reads_no_current_infection(kb, name, result):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert not normalised.agents and not [o for o in normalised.observations if o.present and "tests" in o.origin]
    assert not normalised.unrecognized and [b.text for b in normalised.no_bearing] == [f"{name}: {result}"]


def test_an_igm_of_the_current_infection_is_still_read(kb):
    normalised = _normalised(kb, tests=[{"name": "anti-HBc IgM", "result": "positive"}])
    assert [o.present for o in normalised.observations if "tests" in o.origin] == [True]


@pytest.mark.parametrize(("name", "result"), [("SBDS gene sequencing", "sent"), ("CXCR4 sequencing", "pending")])
def test_a_gene_test_sent_or_pending_finds_no_variant(kb, name, result):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert not normalised.agents and not normalised.unrecognized


def test_a_known_test_named_after_a_fever_says_nothing_of_fever(kb):
    normalised = _normalised(kb, tests=[{"name": "Q fever serology", "result": "negative"}])
    assert expand("HP:0001945") not in {o.finding for o in normalised.observations}


def test_a_test_named_after_its_finding_reads_absent_as_absent(kb):
    normalised = _normalised(kb, tests=[{"name": "proteinuria", "result": "absent"}])
    assert (expand("HP:0000093"), False) in {(o.finding, o.present) for o in normalised.observations}


@pytest.mark.parametrize(
    ("written", "drugs"),
    [
        ("3TC", ["lamivudine"]),
        ("TDF/3TC/EFV", ["tenofovir disoproxil", "lamivudine", "efavirenz"]),
        ("AZT/3TC/NVP", ["zidovudine", "lamivudine", "nevirapine"]),
        ("Descovy", ["emtricitabine", "tenofovir alafenamide"]),  # a brand of a combination
        ("DTG 50 mg daily", ["dolutegravir"]),
        ("SXT", ["trimethoprim-sulfamethoxazole"]),
        ("INH", ["isoniazid"]),
        ("VPA", ["valproic acid"]),
        ("GCSF", ["filgrastim"]),
    ],
)
def test_medication_abbreviations_name_their_drugs(kb, written, drugs):
    normalised = _normalised(kb, medications=[{"name": written, "started_days_ago": 40}])
    assert [kb.label(d.agent) for d in normalised.drugs] == drugs
    assert not normalised.unrecognized


def test_an_antiretroviral_that_no_cause_links_is_reported_as_not_a_known_cause(kb):
    normalised = _normalised(kb, medications=[{"name": "3TC", "started_days_ago": 40}])
    assert [(d.label, d.xref) for d in normalised.other_drugs] == [("lamivudine", "DrugBank:DB00709")]


@pytest.mark.parametrize("written", ["OCP", "iron", "cannabis"])
def test_classes_and_agents_named_without_a_drug_are_recognised(kb, written):
    normalised = _normalised(kb, medications=[{"name": written}])
    assert not normalised.unrecognized and not normalised.drugs


@pytest.mark.parametrize(
    ("written", "term", "present"),
    [
        ("non-palpable spleen", "HP:0001744", False),  # once read as splenomegaly
        ("impalpable liver", "HP:0002240", False),
        ("circulating blasts", "HP:0032372", True),
        ("haemophagocytes in the marrow", "HP:0012156", True),
        ("mucosal haemorrhagic bullae", "HP:0001892", True),
        ("altered level of consciousness", "HP:0004372", True),
        ("delayed separation of the umbilical cord", "HP:0032434", True),
        ("perianal fistula", "HP:0010447", True),
        ("no B symptoms", "HP:0025142", False),
        ("delayed wound healing", "HP:0001058", True),
    ],
)
def test_more_findings_in_clinical_words_name_their_hpo_term(kb, written, term, present):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), present) in {(o.finding, o.present) for o in normalised.observations}
    assert not normalised.unrecognized


@pytest.mark.parametrize("written", ["history of rheumatic fever", "scarlet fever", "familial Mediterranean fever"])
def test_a_disease_named_after_fever_is_not_a_fever_now(kb, written):
    normalised = _normalised(kb, findings=[written])
    assert expand("HP:0001945") not in {o.finding for o in normalised.observations}
    assert not normalised.unrecognized


@pytest.mark.parametrize(
    "written",
    ["HTN", "T2D", "AFib", "HFrEF", "CVA", "OSA", "Gilbert syndrome", "shingles", "herpes zoster", "GPA", "PBC", "UC"],
)
def test_comorbidities_by_abbreviation_are_recognised(kb, written):
    normalised = _normalised(kb, conditions=[written])
    assert not normalised.unrecognized and not normalised.known_causes


@pytest.mark.parametrize(
    ("written", "cause"),
    [("PLWH", "hiv-infection"), ("mononucleosis", "ebv-infectious-mononucleosis"), ("XLA", "orpha-47")],
)
def test_a_condition_abbreviation_that_is_a_cause_names_the_cause(kb, written, cause):
    normalised = _normalised(kb, conditions=[written])
    assert [h.node for h in normalised.known_causes] == [f"https://w3id.org/neutropenia-kg/resource/cause/{cause}"]


@pytest.mark.parametrize(
    ("name", "result", "term", "present"),
    [
        ("DAT", "positive", "HP:0032366", True),
        ("parvovirus IgM", "negative", None, False),
        ("ENA", "negative", None, False),
        ("USG abdomen", "splenomegaly", "HP:0001744", True),
        ("BMAT", "hypocellular", "HP:0005528", True),
        ("UA", "protein 2+", "HP:0000093", True),
    ],
)
def test_test_abbreviations_are_read_by_their_tests_rules(kb, name, result, term, present):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    read = {(o.finding, o.present) for o in normalised.observations if "tests" in o.origin}
    assert read and not normalised.unrecognized
    if term:
        assert (expand(term), present) in read
    else:
        assert {p for _, p in read} == {present}


@pytest.mark.parametrize(("name", "result"), [("BioFire", "negative"), ("CT TAP", "normal"), ("ECG", "normal")])
def test_tests_that_bear_on_no_cause_are_recognised_with_no_bearing(kb, name, result):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert not normalised.unrecognized and [b.text for b in normalised.no_bearing] == [f"{name}: {result}"]


def test_the_phrases_that_state_nothing_found_are_data_of_the_knowledge_base(kb):
    assert "unremarkable" in kb.nothing_found_phrases
    assert states_nothing_found("Examination unremarkable", kb.nothing_found_phrases)
    assert not states_nothing_found("Examination unremarkable")  # without the phrases only a negative result
    assert states_nothing_found("negative")


def test_a_phrase_of_nothing_found_that_backtracks_is_reported_by_validation(kb):
    slow = dataclasses.replace(kb, nothing_found_phrases=(*kb.nothing_found_phrases, "(?:a+)+ well"))
    assert "slow-pattern" in {p.code for p in validate_knowledge_base(slow) if p.subject == "nkg:NothingFound"}


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("spider naevi", "HP:0012522"),
        ("ringed sideroblasts", "HP:0001924"),
        ("pulmonary nodules", "HP:0033608"),
        ("rheumatoid nodules", "HP:0001482"),
        ("pain in both knees", "HP:0030839"),
        (
            "vacuolated marrow precursors",
            "https://w3id.org/neutropenia-kg/resource/finding/vacuolated-myeloid-precursors",
        ),
    ],
)
def test_examination_and_marrow_words_name_their_term(kb, written, term):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), True) in {(o.finding, o.present) for o in normalised.observations}


@pytest.mark.parametrize(
    "written",
    ["heart sounds normal", "vesicular breath sounds", "no focal neurology", "no signs of infection", "HR 120"],
)
def test_a_normal_examination_or_a_vital_sign_has_no_bearing(kb, written):
    normalised = _normalised(kb, findings=[written])
    assert not normalised.unrecognized and [b.text for b in normalised.no_bearing] == [written]
    assert not [o for o in normalised.observations if "findings" in o.origin]


def test_a_dairy_product_written_as_an_exposure_is_unpasteurised_dairy(kb):
    normalised = _normalised(kb, exposures=[{"name": "goat cheese"}])
    assert [h.node for h in normalised.contexts] == [
        "https://w3id.org/neutropenia-kg/resource/exposure/unpasteurised-dairy"
    ]


@pytest.mark.parametrize("written", ["hepatoprotective agents", "steroid pulse", "immunosuppressive drugs", "khat"])
def test_more_treatments_and_agents_named_without_a_drug_are_recognised(kb, written):
    normalised = _normalised(kb, medications=[{"name": written}])
    assert not normalised.unrecognized and not normalised.drugs


def test_leishmania_immunofluorescence_is_read_as_the_leishmania_test(kb):
    normalised = _normalised(kb, tests=[{"name": "Leishmania IFAT", "result": "positive 1:640"}])
    assert [o.present for o in normalised.observations if "tests" in o.origin] == [True]


@pytest.mark.parametrize(
    ("written", "term", "present"),
    [
        ("raised D-dimer", "HP:0033106", True),
        ("elevated procalcitonin", "HP:0032308", True),
        ("immature granulocytes", "HP:0032236", True),
        ("megaloblastic changes", "HP:0001980", True),
        ("normocellular marrow", "HP:0005528", False),
    ],
)
def test_laboratory_and_marrow_findings_written_as_findings_name_their_term(kb, written, term, present):
    normalised = _normalised(kb, findings=[written])
    assert (expand(term), present) in {(o.finding, o.present) for o in normalised.observations}


@pytest.mark.parametrize(
    ("name", "result"),
    [("group and save", "O Rh+"), ("platelet antibodies", "negative"), ("CD18", "normal"), ("VRE screen", "negative")],
)
def test_more_tests_that_bear_on_no_cause_are_recognised(kb, name, result):
    normalised = _normalised(kb, tests=[{"name": name, "result": result}])
    assert not normalised.unrecognized and [b.text for b in normalised.no_bearing] == [f"{name}: {result}"]


@pytest.mark.parametrize("written", ["GVHD", "ASCT", "allogeneic transplant"])
def test_a_transplant_by_its_abbreviation_is_a_transplant_recipient(kb, written):
    normalised = _normalised(kb, conditions=[written])
    assert [h.node for h in normalised.contexts] == [
        "https://w3id.org/neutropenia-kg/resource/condition/transplant-recipient"
    ]


@pytest.mark.parametrize(
    ("result", "present"),
    [("<10 mg/dL", True), ("0.1 g/L", True), ("undetectable", True), ("120 mg/dL", False), ("normal", False)],
)
def test_haptoglobin_reads_haemolysis(kb, result, present):
    # 25 mg/dL or less: sensitivity 83%, specificity 96% for haemolysis (Marchand et al. 1980, PMID:7365971)
    normalised = _normalised(kb, tests=[{"name": "haptoglobin", "result": result}])
    assert (expand("HP:0001878"), present) in {(o.finding, o.present) for o in normalised.observations}
