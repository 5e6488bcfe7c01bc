"""Results written in other words than a test's rules expect (ontology/modules/result-reading.ttl):
canonical result words, a value read against the reference range written beside it, and the marrow
and blood-film phrasings of case reports."""

import math

import pytest
from conftest import normalised_case

from graph.model.case import parse_case
from graph.model.reference import reference_reading
from graph.workup.pipeline import workup_case
from graph.workup.resolve import result_words

RANGE_WORDS = ("reference", "normal", "ref", "reference range")


@pytest.mark.parametrize(
    ("result", "reading"),
    [
        ("64 pmol/L (reference 10-24)", "high"),
        ("6.5 IU/L (reference <0.4)", "high"),
        ("0.2 (ref. 0.4 to 4.0)", "low"),
        ("150 ng/mL [30-300]", "normal"),
        ("IgG 2,500 mg/dL (normal 700-1,600)", "high"),  # thousands separators
        ("2,5 (ref 3,0-5,0)", "low"),  # decimal commas
        ("12 (normal value >20)", "low"),
        ("positive", None),
        ("(normal 10-24) 64", None),  # the value comes first
        ("day 10-14 after the dose", None),  # a span of days is no range
    ],
)
def test_a_value_is_read_against_the_range_written_after_it(result, reading):
    assert reference_reading(result, RANGE_WORDS) == reading


def _read(kb, name, result):
    n = normalised_case(kb, anc=800, tests=[{"name": name, "result": result}])
    return {(kb.label(o.finding), o.present) for o in n.observations if o.origin.startswith("tests:")}


@pytest.mark.parametrize(
    ("name", "result", "finding", "present"),
    [
        ("TSH-receptor antibodies", "6.5 IU/L (reference <0.4)", "TSH-receptor antibody positivity", True),
        ("free T4", "64 pmol/L (reference 10-24)", "Hyperthyroidism", True),
        ("ceruloplasmin", "subnormal", "Decreased circulating ceruloplasmin concentration", True),
        ("serum folic acid", "severely deficient", "Reduced blood folate concentration", True),
        ("vitamin B12", "98 pg/mL (normal 200-900)", "Decreased circulating vitamin B12 concentration", True),
        ("vitamin B12", "450 pg/mL (normal 200-900)", "Decreased circulating vitamin B12 concentration", False),
        ("anti-neutrophil IgG antibodies by flow cytometry", "positive", "Antineutrophil antibody positivity", True),
        ("bone marrow biopsy", "bone marrow aplasia", "Bone marrow hypocellularity", True),
        ("bone marrow", "marrow devoid of almost all cellular elements", "Bone marrow hypocellularity", True),
        ("bone marrow aspirate", "decreased granulocyte proliferation", "Granulocytic hypoplasia", True),
        ("bone marrow biopsy", "pure granulocytic aplasia", "Granulocytic hypoplasia", True),
        ("bone marrow", "granulocyte precursors absent beyond the myelocyte stage", "Myeloid maturation arrest", True),
        ("blood film", "toxic neutrophils", "Abnormal neutrophil morphology", True),
        ("bone marrow examination", "hypoplasia", "Bone marrow hypocellularity", True),
        ("TSH", "0.00 uIU/mL", "Hyperthyroidism", True),
        ("bone marrow aspirate and biopsy", "non-revealing", "Increased bone marrow blasts (5% or more)", False),
        ("blood film", "pancytopenia without abnormal cells", "Increased peripheral blast count", False),
    ],
)
def test_results_in_the_words_of_case_reports_are_read(kb, name, result, finding, present):
    assert (finding, present) in _read(kb, name, result)


def test_a_left_shift_in_the_marrow_is_not_band_cells_in_the_blood(kb):
    read = _read(kb, "bone marrow aspiration", "trilineage hyperplasia with left shift")
    assert ("Bone marrow hypercellularity", True) in read
    assert ("Increased circulating band cell count", True) not in read


def test_a_lineage_aplasia_is_not_an_empty_marrow(kb):
    assert ("Bone marrow hypocellularity", True) not in _read(kb, "bone marrow biopsy", "pure red cell aplasia")
    assert ("Bone marrow hypocellularity", True) not in _read(kb, "bone marrow biopsy", "pure granulocytic aplasia")


def test_a_negated_result_word_says_nothing(kb):
    assert result_words(kb, "not deficient") == ("normal",)
    assert ("Reduced blood folate concentration", True) not in _read(kb, "serum folate", "not deficient")


def test_the_result_words_are_data(kb):
    assert {word for _, word in kb.result_words} >= {"low", "high", "positive", "negative", "normal"}
    assert "reference range" in kb.reference_range_words


def test_a_selective_loss_of_the_granulocytic_line_speaks_for_the_drug(kb):
    case = {
        "id": "drug-marrow",
        "patient": {"age_years": 58, "sex": "female"},
        "anc": 100,
        "findings": ["Fever"],
        "medications": [{"name": "metamizole", "started_days_ago": 12}],
    }
    marrow = {**case, "tests": [{"name": "bone marrow aspirate", "result": "decreased granulocyte proliferation"}]}

    def drug_score(c):
        ranked = workup_case(kb, parse_case(c), explain_top=0).candidates
        return next(x.log_score for x in ranked if x.cause.endswith("idiosyncratic-drug-agranulocytosis"))

    assert drug_score(marrow) > drug_score(case)


def test_validate_reports_a_result_word_whose_pattern_is_broken(mini_copy):
    from graph.curate.validate import validate_ontology

    causes = mini_copy.parent / "mini-causes.ttl"
    word = (
        "\n<https://w3id.org/neutropenia-kg/resource/result-word/broken> a "
        '<https://w3id.org/neutropenia-kg/schema#ResultWord> ; <http://www.w3.org/2000/01/rdf-schema#label> "low" ; '
        '<https://w3id.org/neutropenia-kg/schema#pattern> "subnormal(" .\n'
    )
    causes.write_text(causes.read_text(encoding="utf-8") + word, encoding="utf-8")
    problems = validate_ontology(mini_copy).problems
    assert any(p.code == "bad-pattern" and "subnormal(" in p.message for p in problems), problems


def test_a_panel_written_as_one_name_is_read_by_every_test_it_names(kb):
    both = _read(kb, "vitamin B12 and folate levels", "severely deficient")
    assert ("Decreased circulating vitamin B12 concentration", True) in both
    assert ("Reduced blood folate concentration", True) in both
    screen = _read(kb, "hepatitis panel, CMV, EBV and HIV testing", "negative")
    assert ("Positive HIV test (antigen/antibody or HIV RNA)", False) in screen
    assert ("Cytomegalovirus detected (CMV IgM or CMV DNA in blood)", False) in screen


def test_a_restricted_diet_speaks_for_the_deficiencies(kb):
    case = {
        "id": "diet",
        "patient": {"age_years": 24, "sex": "female"},
        "anc": 900,
        "findings": ["Pancytopenia", "Macrocytic anemia"],
        "exposures": [{"name": "strict vegan diet for six years"}],
    }
    ranked = workup_case(kb, parse_case(case), explain_top=None).candidates
    b12 = next(c for c in ranked if c.cause.endswith("/vitamin-b12-deficiency"))
    assert any(e.kind == "context" and e.label.startswith("vegan or restricted diet") for e in b12.evidence)


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("infectious work-up", "negative"),
        ("infection workup", "no evidence of infection"),
        ("search for a source of infection", "none identified"),
        ("microbiological investigations", "no microbial aetiology"),
    ],
)
def test_a_negative_infection_work_up_is_read(kb, name, result):
    assert ("Infection found by the infection work-up", False) in _read(kb, name, result)


def _infection_work_up_case(result: str | None) -> dict:
    case = {
        "id": "work-up",
        "anc": 300,
        "patient": {"age_years": 60, "sex": "male"},
        "temperature_c": 38.5,
        "medications": [{"name": "clopidogrel", "started_days_ago": 30}],
    }
    if result is not None:
        case["tests"] = [{"name": "infectious work-up", "result": result}]
    return case


def test_a_negative_infection_work_up_lowers_every_infection_but_not_the_drug(kb):
    def scores(result):
        w = workup_case(kb, _infection_work_up_case(result), explain_top=None)
        return {c.cause: c.log_score for c in w.candidates}, w

    before, _ = scores(None)
    after, w = scores("negative")
    infections = [c for c in kb.causes.values() if c.category == "infection"]
    assert len(infections) > 30
    assert all(after[c.id] <= before[c.id] for c in infections)
    assert sum(after[c.id] < before[c.id] for c in infections) >= len(infections) - 1  # post-viral: rarely found
    drug = next(c for c in kb.causes if c.endswith("/idiosyncratic-drug-agranulocytosis"))
    assert math.isclose(after[drug], before[drug])
    # each infection's term comes from the one category association, unless the cause states its own
    sepsis = next(c for c in w.candidates if c.cause.endswith("/sepsis-associated-neutropenia"))
    (term,) = [e for e in sepsis.evidence if "infection work-up" in e.label]
    assert "PMID:27615024" in term.sources and "expected in 53%" in term.label
    dengue = next(c for c in w.candidates if c.cause.endswith("/dengue"))
    (term,) = [e for e in dengue.evidence if "infection work-up" in e.label]
    assert "expected in 70%" in term.label
    assert kb.graph.nodes[term.path[1]]["kind"] == "FindingAssociation"
    assert any(key == "derivedFrom" for _, _, key in kb.graph.out_edges(term.path[1], keys=True))


@pytest.mark.parametrize(
    ("name", "result", "absent"),
    [
        ("autoimmune screen", "negative", {"Antinuclear antibody positivity", "Rheumatoid factor positive"}),
        ("autoantibody panel", "no autoantibodies detected", {"Antinuclear antibody positivity"}),
        (
            "vitamin levels",
            "no deficiency confirmed",
            {"Decreased circulating vitamin B12 concentration", "Reduced blood folate concentration"},
        ),
        (
            "investigations for common causes of neutropenia",
            "negative",
            {
                "Decreased circulating vitamin B12 concentration",
                "Antinuclear antibody positivity",
                "Infection found by the infection work-up",
            },
        ),
        (
            "Epstein-Barr virus test",
            "negative",
            {"Serology of acute Epstein-Barr virus infection (VCA IgM positive, EBNA negative)"},
        ),
    ],
)
def test_a_negative_screen_reported_as_a_whole_makes_its_parts_absent(kb, name, result, absent):
    read = _read(kb, name, result)
    assert {(label, False) for label in absent} <= read
    assert not any(present for _, present in read)  # a negative screen finds nothing


def test_a_positive_screen_is_not_read_as_negative(kb):
    # only a negative verdict is read: "positive" must say what was found, which the free text then reads
    assert not any(not present for _, present in _read(kb, "autoimmune screen", "positive ANA 1:640"))


def test_a_panel_joined_by_a_slash_reads_each_of_its_tests(kb):
    read = _read(kb, "ANA / anti-dsDNA", "negative")
    assert ("Antinuclear antibody positivity", False) in read
    assert any(label.startswith("Anti-dsDNA") or "double-stranded" in label.lower() for label, _ in read)


def test_a_negative_autoimmune_screen_lowers_lupus_not_the_drug(kb):
    def scores(tests):
        case = {
            "id": "screen",
            "anc": 900,
            "patient": {"age_years": 35, "sex": "female"},
            "findings": ["HP:0001369"],  # arthritis
            "medications": [{"name": "methimazole", "started_days_ago": 40}],
            "tests": tests,
        }
        return {c.cause: c.log_score for c in workup_case(kb, case, explain_top=0).candidates}

    before = scores([])
    after = scores([{"name": "autoimmune screen", "result": "negative"}])
    lupus = next(c for c in kb.causes if c.endswith("/systemic-lupus-erythematosus"))
    drug = next(c for c in kb.causes if c.endswith("/antithyroid-drug-agranulocytosis"))
    assert after[lupus] < before[lupus] - 1.0  # ANA is found in nearly every patient with lupus
    assert math.isclose(after[drug], before[drug], abs_tol=0.05)


def test_an_earlier_normal_blood_count_states_a_previously_normal_count(kb):
    read = _read(kb, "complete blood count 2 and 4 months before admission", "no abnormalities")
    assert read == {("Previously normal neutrophil count", True)}
    assert _read(kb, "complete blood count", "no abnormalities") == set()  # no time said: nothing to read


@pytest.mark.parametrize(
    ("name", "result", "finding"),
    [
        ("influenza A PCR", "positive", "Influenza virus detected"),
        ("influenza B RT-PCR", "detected", "Influenza virus detected"),
        ("SFTSV RT-PCR", "positive", "SFTS virus detected (RT-PCR or seroconversion)"),
        ("serum SFTS virus RNA", "detected", "SFTS virus detected (RT-PCR or seroconversion)"),
        ("Plasmodium PCR", "positive", "Malaria parasites detected (blood film or rapid antigen test)"),
        ("ICT malaria", "Pf positive", "Malaria parasites detected (blood film or rapid antigen test)"),
        ("dengue NS1Ag", "positive", "Positive dengue NS1 antigen"),
        ("PVB19 PCR", "positive", "Parvovirus B19 detected (IgM or DNA)"),
        ("OXK", "1:640", "Positive scrub typhus test (Orientia tsutsugamushi IgM or PCR)"),
    ],
)
def test_a_positive_test_for_the_agent_itself_is_read_under_any_name(kb, name, result, finding):
    # a PCR, an antigen or an IgM named after the infection finds it, as a negative one excludes it
    assert (finding, True) in _read(kb, name, result)


@pytest.mark.parametrize(("name", "result"), [("CMV IgG", "positive"), ("parvovirus B19 IgG", "positive")])
def test_a_positive_antibody_of_a_past_infection_is_not_a_current_infection(kb, name, result):
    assert not any(present for _, present in _read(kb, name, result))


def test_influenza_found_by_a_pcr_under_its_own_name_leads_the_differential(kb):
    case = {
        "id": "flu-pcr",
        "anc": 900,
        "patient": {"age_years": 34, "sex": "female"},
        "temperature_c": 38.9,
        "findings": ["cough", "myalgia"],
        "tests": [{"name": "influenza A PCR", "result": "positive"}],
    }
    first = workup_case(kb, case, explain_top=1).candidates[0]
    assert kb.label(first.cause) == "Influenza"
    assert any("Influenza virus detected" in e.label for e in first.evidence)


@pytest.mark.parametrize(
    ("field", "text", "read"),
    [
        ("findings", "pulse-temperature dissociation", "Bradycardia"),
        ("findings", "relative bradycardia", "Bradycardia"),
        ("findings", "retro-orbital pain", "Ocular pain"),
        ("findings", "haemoconcentration", "Increased hematocrit"),
        ("findings", "leukocytopenia", "Leukopenia"),
        ("findings", "tonsillar exudate", "Pharyngitis"),
        ("exposures", "consumption of unpasteurised goat milk", "Unpasteurised dairy products"),
    ],
)
def test_signs_and_exposures_of_the_febrile_infections_are_read(kb, field, text, read):
    item = {"name": text} if field == "exposures" else text
    n = normalised_case(kb, anc=800, **{field: [item]})
    labels = {kb.label(o.finding) for o in n.observations if o.present} | {kb.label(c.node) for c in n.contexts}
    assert read in labels
    assert not n.unrecognized
