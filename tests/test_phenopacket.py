"""GA4GH Phenopacket v2: a case goes out and comes back the same; `rank` reads a phenopacket as a case."""

import json
import math
from pathlib import Path

import pytest

from graph.caseio.phenopacket import phenopacket_to_case
from graph.cli.cli import main
from graph.model.case import parse_case
from graph.model.errors import CaseError
from graph.workup.normalise import normalise_case

CASE = {
    "id": "pp-1",
    "patient": {"age_years": 38.5, "sex": "female"},
    "anc": 700,
    "anc_history": [{"day": -21, "anc": 2400}, {"day": -7, "anc": 900}],
    "duration_days": 14,
    "findings": ["HP:0001945", "HP:0025439"],
    "absent_findings": ["HP:0001744"],
    "labs": {"wbc_per_ul": 2600, "hemoglobin_g_dl": 12.1, "mcv_fl": 88, "platelets_per_ul": 210000},
    "medications": [
        {"name": "clozapine", "started_days_ago": 70},
        {"name": "doxorubicin", "last_dose_days_ago": 10},
        {"name": "methimazole", "started_days_ago": 90, "stopped_days_ago": 5},
    ],
}


def export(mini_dir, tmp_path, case, capsys) -> dict:
    source = tmp_path / "case.json"
    source.write_text(json.dumps(case), encoding="utf-8")
    ontology = str(mini_dir / "neutropenia.ttl")
    code = main(["--ontology", ontology, "export-case", "--format", "phenopacket", str(source), "--date", "2025-01-31"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_a_case_round_trips_through_a_phenopacket(mini_dir, tmp_path, capsys, kb):
    packet = export(mini_dir, tmp_path, CASE, capsys)
    assert packet["metaData"]["phenopacketSchemaVersion"] == "2.0"
    assert {"type": {"id": "HP:0001744", "label": "Splenomegaly"}, "excluded": True} in packet["phenotypicFeatures"]
    assert packet["subject"]["sex"] == "FEMALE"
    drug = packet["medicalActions"][0]["treatment"]["agent"]
    assert drug == {"id": "DrugBank:DB00363", "label": "clozapine"}
    back = phenopacket_to_case(packet)
    assert parse_case(back, kb.case_rules) == parse_case(CASE, kb.case_rules)
    timed = [m for m in packet["measurements"] if "timeObserved" in m]  # the v2 schema's field name
    assert len(timed) == len(CASE["anc_history"]) + 1 and "timeObservation" not in json.dumps(packet)


def test_rank_reads_a_phenopacket_like_the_case_it_came_from(mini_dir, tmp_path, capsys):
    packet = export(mini_dir, tmp_path, CASE, capsys)
    path = tmp_path / "case.phenopacket.json"
    path.write_text(json.dumps(packet), encoding="utf-8")
    ontology = str(mini_dir / "neutropenia.ttl")
    assert main(["--ontology", ontology, "rank", str(path), "--format", "json"]) == 0
    from_packet = json.loads(capsys.readouterr().out)
    assert main(["--ontology", ontology, "rank", str(tmp_path / "case.json"), "--format", "json"]) == 0
    from_case = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in from_packet["candidates"]] == [c["id"] for c in from_case["candidates"]]
    assert from_packet["candidates"][0]["label"] == "Mini drug agranulocytosis"


def test_measurements_in_other_units_are_converted(kb):
    packet = {
        "id": "u",
        "measurements": [
            {"assay": {"id": "LOINC:751-8"}, "value": {"quantity": {"unit": {"id": "UCUM:10*9/L"}, "value": 0.45}}},
            {"assay": {"id": "LOINC:718-7"}, "value": {"quantity": {"unit": {"id": "UCUM:g/L"}, "value": 95}}},
            {"assay": {"id": "LOINC:2132-9"}, "value": {"quantity": {"unit": {"id": "UCUM:pmol/L"}, "value": 100}}},
        ],
    }
    case = parse_case(phenopacket_to_case(packet), kb.case_rules)
    assert case.anc == 450 and case.labs["hemoglobin_g_dl"] == pytest.approx(9.5)
    assert case.labs["b12_pg_ml"] == pytest.approx(135.54)  # 1 pmol/L = 1.3554 pg/mL (model.ttl)


@pytest.mark.parametrize(
    ("packet", "words"),
    [
        ({"id": "x", "phenotypicFeatures": [{"type": {"id": "HP:0001945"}}]}, "no finding states the neutropenia"),
        (
            {"id": "x", "measurements": [{"assay": {"id": "LOINC:751-8"}, "value": {"quantity": {"value": "low"}}}]},
            "'measurements[0].value.quantity.value' must be a number",
        ),
        (
            {
                "id": "x",
                "measurements": [
                    {"assay": {"id": "LOINC:751-8"}, "value": {"quantity": {"unit": {"id": "UCUM:mg"}, "value": 1}}}
                ],
            },
            "unit 'mg' is not one this tool converts",
        ),
    ],
)
def test_a_bad_phenopacket_is_one_line_naming_the_field(tmp_path, capsys, mini_dir, packet, words, kb):
    with pytest.raises(CaseError, match=words.replace("[", r"\[").replace("]", r"\]")):
        normalise_case(kb, parse_case(phenopacket_to_case(packet), kb.case_rules))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(packet), encoding="utf-8")
    assert main(["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words.split("'")[0] in err and "Traceback" not in err


def test_export_case_says_what_a_phenopacket_cannot_hold(mini_dir, tmp_path, capsys):
    source = tmp_path / "c.json"
    source.write_text(
        json.dumps({"id": "c", "anc": 900, "findings": ["no such finding"], "conditions": ["rheumatoid arthritis"]}),
        encoding="utf-8",
    )
    out = tmp_path / "c.phenopacket.json"
    code = main(["--ontology", str(mini_dir / "neutropenia.ttl"), "export-case", str(source), "--output", str(out)])
    assert code == 0 and json.loads(Path(out).read_text(encoding="utf-8"))["id"] == "c"
    err = capsys.readouterr().err
    assert "'no such finding' (not an HPO term)" in err and "'conditions'" in err


def _genetic_packet(status: str = "CAUSATIVE", acmg: str = "PATHOGENIC") -> dict:
    """A genetics-clinic phenopacket: features, no count, and one interpreted AK2 variant."""
    return {
        "id": "rd-1",
        "subject": {"id": "rd-1", "sex": "FEMALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P0Y1M"}}},
        "phenotypicFeatures": [
            {"type": {"id": "HP:0001875", "label": "Neutropenia"}},
            {"type": {"id": "HP:0000405", "label": "Conductive hearing impairment"}},
        ],
        "interpretations": [
            {
                "id": "i1",
                "progressStatus": "SOLVED",
                "diagnosis": {
                    "disease": {"id": "OMIM:267500", "label": "Reticular dysgenesis"},
                    "genomicInterpretations": [
                        {
                            "subjectOrBiosampleId": "rd-1",
                            "interpretationStatus": status,
                            "variantInterpretation": {
                                "acmgPathogenicityClassification": acmg,
                                "variationDescriptor": {
                                    "id": "v1",
                                    "geneContext": {"valueId": "HGNC:362", "symbol": "AK2"},
                                    "expressions": [{"syntax": "hgvs.c", "value": "NM_001625.4:c.1A>G"}],
                                    "allelicState": {"id": "GENO:0000136", "label": "homozygous"},
                                },
                            },
                        }
                    ],
                },
            }
        ],
        "metaData": {"created": "2025-01-31T00:00:00Z", "phenopacketSchemaVersion": "2.0"},
    }


def test_a_causative_variant_is_read_as_a_genetic_result_and_never_the_diagnosis():
    case = phenopacket_to_case(_genetic_packet())
    assert case["tests"] == [{"name": "genetic testing", "result": "pathogenic homozygous c.1A>G in AK2"}]
    assert "267500" not in json.dumps(case) and "dysgenesis" not in json.dumps(case).lower()
    assert "tests" not in phenopacket_to_case(_genetic_packet(status="REJECTED", acmg="BENIGN"))


def test_the_reported_gene_counts_against_every_cause_it_does_not_link(kb):
    from graph.workup.pipeline import workup_case

    with_gene = workup_case(kb, phenopacket_to_case(_genetic_packet()), explain_top=None)
    without = workup_case(kb, phenopacket_to_case(_genetic_packet(status="REJECTED", acmg="BENIGN")), explain_top=None)
    first = with_gene.candidates[0]
    assert kb.label(first.cause).startswith("Reticular dysgenesis") and "AK2" in {kb.label(a) for a in first.agents}
    rank_without = next(c.rank for c in without.candidates if c.cause == first.cause)
    assert rank_without > 1
    other = with_gene.candidates[1]
    (term,) = [e for e in other.evidence if e.kind == "genotype"]
    assert "AK2" in term.label and abs(term.log_lr - math.log(kb.param("unlinked_gene_lr"))) < 1e-9


def test_a_somatic_variant_does_not_count_against_other_causes(kb):
    from conftest import normalised_case

    from graph.kb.scoretables import score_tables
    from graph.workup.rank import genotype_column

    tests = [{"name": "genetic testing", "result": "somatic AK2 variant, VAF 12%"}]
    column = genotype_column(score_tables(kb), normalised_case(kb, tests=tests))
    assert not column.values.any()
