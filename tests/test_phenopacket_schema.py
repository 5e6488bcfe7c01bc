"""GA4GH conformance: every export parses with the official `phenopackets` protobuf classes, and real
phenopackets in the Phenopacket Store layout (no neutrophil count, hand-made) are ranked."""

import json
from pathlib import Path

import pytest

from graph.caseio.phenopacket import is_phenopacket
from graph.cli.cli import main

phenopackets = pytest.importorskip("phenopackets", reason="the test extra installs the GA4GH phenopackets package")
json_format = pytest.importorskip("google.protobuf.json_format")

ROOT = Path(__file__).resolve().parent.parent
EXPORTED = sorted((ROOT / "tests" / "data" / "holdout").glob("*.json")) + sorted(
    (ROOT.parent / "shared" / "cases" / "dev").glob("*.json")
)
STORE = sorted((ROOT / "tests" / "data" / "phenopackets").glob("*.json"))


def test_there_are_cases_and_store_packets_to_check():
    assert len([p for p in EXPORTED if "holdout" in str(p)]) >= 30 and len(STORE) == 3


@pytest.mark.parametrize("path", EXPORTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_exported_case_parses_as_a_v2_phenopacket(path, tmp_path, capsys):
    out = tmp_path / "packet.json"
    command = ["export-case", "--format", "phenopacket", str(path), "--output", str(out), "--date", "2025-01-31"]
    assert main(command) == 0
    text = out.read_text(encoding="utf-8")
    packet = json_format.Parse(text, phenopackets.Phenopacket())  # raises on any field the schema lacks
    assert packet.id and packet.meta_data.phenopacket_schema_version == "2.0"
    assert all(m.HasField("time_observed") for m in packet.measurements[:-1] if m.assay.id == "LOINC:751-8")
    capsys.readouterr()


@pytest.mark.parametrize("path", STORE, ids=lambda p: p.name)
def test_store_phenopackets_parse_and_rank_without_a_count(path, capsys):
    text = path.read_text(encoding="utf-8")
    json_format.Parse(text, phenopackets.Phenopacket())
    data = json.loads(text)
    assert is_phenopacket(data) and not data.get("measurements")
    assert main(["rank", str(path), "--format", "json", "--top", "10"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["severity"]["grade"] == "count not given" and result["severity"]["anc"] is None
    assert len(result["candidates"]) == 10 and result["candidates"][0]["score"] > 0
    assert main(["rank", str(path)]) == 0
    text_out = capsys.readouterr().out
    assert "ANC not given - neutropenia (count not given)" in text_out and "None" not in text_out
