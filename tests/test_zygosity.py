"""Zygosity against the mode of inheritance (issue 8, real patients): one heterozygous variant in a gene
whose disease is autosomal recessive is the carrier state, as LIRICAL scores it (Robinson et al., AJHG 2020),
and two different heterozygous variants in one gene are read as compound heterozygous.

The patient is a boy of 6 months with profound neutropenia, recurrent bacterial infections and omphalitis.
"""

import math

import pytest
from conftest import normalised_case

from graph.model.case import parse_case
from graph.workup.normalise import zygosity
from graph.workup.pipeline import workup_case


def _infant(*results: str) -> dict:
    return {
        "id": "infant",
        "anc": 200,
        "patient": {"age_years": 0.5, "sex": "male"},
        "findings": ["recurrent bacterial infections", "omphalitis"],
        "tests": [{"name": "genetic testing", "result": r} for r in results],
    }


def _ranked(kb, case: dict):
    return workup_case(kb, parse_case(case, kb.case_rules), explain_top=None).candidates


def _kostmann(candidates):
    return next(c for c in candidates if c.cause.endswith("hax1-kostmann-syndrome"))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("pathogenic heterozygous c.256C>T in HAX1", "monoallelic"),
        ("homozygous HAX1 c.430dupG", "biallelic"),
        ("compound heterozygous SBDS variants c.258+2T>C and c.96C>G", "biallelic"),
        ("hemizygous CD40LG c.1A>G", "hemizygous"),
        ("pathogenic variant in HAX1", None),
    ],
)
def test_the_zygosity_a_result_states_is_read_the_longest_words_first(kb, text, said):
    assert zygosity(kb, text) == said


def test_one_heterozygous_variant_in_a_recessive_gene_is_a_carrier_not_the_disease(kb):
    carrier = _ranked(kb, _infant("pathogenic heterozygous c.256C>T in HAX1"))
    affected = _ranked(kb, _infant("pathogenic homozygous c.256C>T in HAX1"))
    assert affected[0].cause.endswith("hax1-kostmann-syndrome")
    kostmann = _kostmann(carrier)
    (agent,) = [e for e in kostmann.evidence if e.kind == "agent"]
    assert abs(agent.log_lr - math.log(kb.param("carrier_variant_lr"))) < 1e-9
    assert "carrier" in agent.detail
    assert kostmann.score < _kostmann(affected).score
    # a carrier's variant explains nothing, so it counts against no other cause
    assert not [e for c in carrier for e in c.evidence if e.kind == "genotype"]


def test_two_heterozygous_variants_in_one_gene_are_read_as_compound_heterozygous(kb):
    case = _infant("pathogenic heterozygous c.256C>T in HAX1", "pathogenic heterozygous c.91delG in HAX1")
    n = normalised_case(kb, patient=case["patient"], tests=case["tests"])
    assert {hit.zygosity for hit in n.agents} == {"biallelic"}
    assert _ranked(kb, case)[0].cause.endswith("hax1-kostmann-syndrome")


def test_one_heterozygous_variant_in_a_dominant_gene_still_decides(kb):
    ranked = _ranked(kb, _infant("pathogenic heterozygous c.597+1G>A in ELANE"))
    assert "elane" in ranked[0].cause
    assert [e for e in _kostmann(ranked).evidence if e.kind == "genotype"]


def test_every_curated_congenital_cause_of_a_gene_states_its_mode_of_inheritance(kb):
    """The sex prior and the carrier rule need it (an imported disease, ``cause:omim-*``, takes it from HPO)."""
    genes = {a.cause for gene, assocs in kb.agent_assocs.items() if kb.kinds.get(gene) == "Gene" for a in assocs}
    missing = sorted(
        kb.label(c.id)
        for c in kb.causes.values()
        if c.id in genes
        and c.category == kb.congenital_category
        and not c.inheritance
        and not c.id.rsplit("/", 1)[1].startswith(("omim-", "orpha-"))
    )
    assert missing == []
