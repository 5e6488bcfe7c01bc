"""How the results that settle a congenital neutropenia are read: a gene variant named in a genetic test
result, and a trial of G-CSF (issue 8, real patients).

A child of 15 months with recurrent fever, neutropenia and raised aminotransferases, without pancreatic
insufficiency or skeletal changes (the shape of a published Shwachman-Diamond case, PMID:39252295), is
ranked first as autoimmune neutropenia of infancy on its phenotype alone; the genetic result decides it.
"""

import math

import pytest
from conftest import normalised_case

from graph.model.case import parse_case
from graph.workup.pipeline import workup_case


def _child(tests: list[dict]) -> dict:
    return {
        "id": "child",
        "patient": {"age_years": 1.25, "sex": "female"},
        "findings": ["HP:0001954", "HP:0001875", "HP:0002910"],
        "absent_findings": ["HP:0001738", "HP:0002652"],
        "tests": tests,
    }


def _ranked(kb, case: dict):
    return workup_case(kb, parse_case(case, kb.case_rules), explain_top=None).candidates


@pytest.mark.parametrize(
    ("name", "result", "cause"),
    [
        ("whole-exome sequencing", "compound heterozygous SBDS variants c.258+2T>C and c.96C>G", "shwachman-diamond"),
        ("genetic testing", "homozygous HAX1 c.430dupG", "hax1-kostmann"),
        ("next-generation sequencing panel", "pathogenic variant in CSF3R (compound heterozygous)", "csf3r"),
        ("VPS13B sequencing", "compound heterozygous variants", "cohen"),
    ],
)
def test_a_reported_variant_puts_its_gene_s_disease_first(kb, name, result, cause):
    before = _ranked(kb, _child([]))
    after = _ranked(kb, _child([{"name": name, "result": result}]))
    assert cause not in before[0].cause
    assert cause in after[0].cause
    (term,) = [e for e in after[1].evidence if e.kind == "genotype"]
    assert abs(term.log_lr - math.log(kb.param("unlinked_gene_lr"))) < 1e-9


def test_a_variant_a_rule_reads_as_a_finding_is_weighed_once(kb):
    """The panel rule states "Pathogenic SBDS variant" and names the gene: the finding weighs it for the
    causes that list it, and the gene's own ratio is not added a second time."""
    tests = [{"name": "genetic testing", "result": "compound heterozygous SBDS variants c.258+2T>C and c.96C>G"}]
    first = _ranked(kb, _child(tests))[0]
    found = [e for e in first.evidence if e.kind == "finding" and "SBDS" in e.label]
    agent = [e for e in first.evidence if e.kind == "agent"]
    assert len(found) == 1 and found[0].log_lr > 3
    assert len(agent) == 1 and agent[0].log_lr == 0.0 and "weighed once" in agent[0].detail


def test_a_gene_named_without_a_variant_is_not_evidence(kb):
    n = normalised_case(kb, tests=[{"name": "genetic testing", "result": "no pathogenic variant in SBDS"}])
    assert not n.agents
    assert any(o.finding.endswith("sbds-pathogenic-variant") and not o.present for o in n.observations)


@pytest.mark.parametrize("result", ["sent", "pending", "awaited"])
def test_a_gene_test_sent_or_pending_is_not_a_variant(kb, result):
    n = normalised_case(kb, tests=[{"name": "SBDS gene sequencing", "result": result}])
    assert not n.agents
    assert not any("sbds" in o.finding for o in n.observations)


@pytest.mark.parametrize(
    ("result", "present"),
    [("ineffective", True), ("no response", True), ("refractory", True), ("responded, ANC rose to 2.1", False)],
)
def test_a_trial_of_g_csf_is_read_and_not_as_cerebrospinal_fluid(kb, result, present):
    n = normalised_case(kb, tests=[{"name": "response to G-CSF", "result": result}])
    read = [o for o in n.observations if o.finding.endswith("g-csf-unresponsive")]
    assert [o.present for o in read] == [present]
    assert not any("Cerebrospinal" in b.reason for b in n.no_bearing)


def test_a_count_that_does_not_rise_on_g_csf_speaks_for_a_receptor_defect(kb):
    case = {
        "id": "girl",
        "patient": {"age_years": 2, "sex": "female"},
        "anc": {"value": 0.4, "unit": "10^9/L"},
        "findings": ["HP:0002719"],
    }

    def rank_of(cases):
        return next(c.rank for c in _ranked(kb, cases) if "csf3r" in c.cause)

    trial = {**case, "tests": [{"name": "response to G-CSF", "result": "ineffective"}]}
    assert rank_of(trial) < rank_of(case) and rank_of(trial) <= 5


@pytest.mark.parametrize(
    "result",
    ["pathogenic homozygous c.79G>C in AK2", "AK2 c.79G>C, homozygous, pathogenic", "pathogenic p.Ala27Pro in AK2"],
)
def test_a_variant_written_before_its_gene_turns_on_the_gene_s_finding(kb, result):
    """A genetics report (and the phenopacket reader) writes the HGVS variant first: its period ("c.79")
    does not end the clause, so the curated "Pathogenic AK2 variant" is read whichever comes first."""
    infant = {
        "id": "infant",
        "patient": {"age_years": 0.1, "sex": "male"},
        "findings": ["HP:0012234", "HP:0001888", "HP:0002719"],
        "tests": [{"name": "genetic testing", "result": result}],
    }
    first = _ranked(kb, infant)[0]
    assert "reticular-dysgenesis" in first.cause
    assert [e for e in first.evidence if e.kind == "finding" and "Pathogenic AK2 variant" in e.label]


def test_a_vus_written_before_its_gene_turns_on_nothing(kb):
    from graph.workup.resolve import read_result

    panel = "https://w3id.org/neutropenia-kg/resource/test/neutropenia-gene-panel"
    assert read_result(kb, panel, "variant of uncertain significance c.79G>C in AK2", "genetic testing") == []


def test_a_variant_in_an_imported_disease_s_gene_weighs_as_a_curated_one(kb):
    """A child with pancytopenia, a hypocellular marrow and myelodysplasia and a pathogenic SAMD9L variant:
    the SAMD9L syndrome (imported from HPO) comes first, ahead of Fanconi anaemia and aplastic anaemia,
    and its gene weighs as much as a curated cause's pathogenic-variant finding (0.95 / 0.002)."""
    child = {
        "id": "samd9l",
        "patient": {"age_years": 7, "sex": "female"},
        "findings": ["HP:0001876", "HP:0005528", "HP:0002863", "HP:0001875"],
        "tests": [{"name": "genetic testing", "result": "pathogenic heterozygous c.4534G>A in SAMD9L"}],
    }
    ranked = _ranked(kb, child)
    assert ranked[0].cause.endswith("omim-159550")
    (agent,) = [e for e in ranked[0].evidence if e.kind == "agent"]
    assert agent.log_lr == pytest.approx(math.log(kb.param("hpo_import_gene_lr")))
    assert kb.param("hpo_import_gene_lr") >= 0.95 / 0.002
    marrow = [e for e in ranked[0].evidence if e.kind == "finding" and "hypocellularity" in e.label]
    assert marrow and marrow[0].log_lr > 0
