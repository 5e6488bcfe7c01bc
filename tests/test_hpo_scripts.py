"""The HPO measurement scripts on a tiny sample: their output's shape, and the same figures under two hash seeds.

``scripts/simulate_phenomizer.py`` simulates three diseases; ``scripts/phenopacket_store.py`` selects
from, and ranks, a small git repository laid out like the GA4GH Phenopacket Store (hand-made
phenopackets: two that qualify, one whose neutropenia is excluded, one whose disease is none of
ours, one JSON file that is no phenopacket).  pyhpo's data is loaded once for the module (about 15 s,
beside the reading of HPO's annotations) and cached as JSON for the script runs; the peer scores are
checked against pyhpo's own functions on the way.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyhpo", reason="the measurement scripts compare with pyhpo (the test or curate extra)")

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
RANKERS = {"ours_all_causes", "ours_same_candidates", "pyhpo_resnik_one_way", "pyhpo_resnik_bma"}


def _feature(term: str, label: str, excluded: bool = False) -> dict:
    feature: dict = {"type": {"id": term, "label": label}}
    if excluded:
        feature["excluded"] = True
    return feature


def _packet(name: str, disease: str, features: list[dict], anc: float | None = None) -> dict:
    packet = {
        "id": name,
        "subject": {"id": name, "sex": "FEMALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P4Y"}}},
        "phenotypicFeatures": features,
        "diseases": [{"term": {"id": disease, "label": "as the store names it"}}],
        "interpretations": [
            {
                "id": f"{name}-i",
                "progressStatus": "SOLVED",
                "diagnosis": {"disease": {"id": disease, "label": "as the store names it"}},
            }
        ],
        "metaData": {"created": "2024-05-01T00:00:00Z", "phenopacketSchemaVersion": "2.0"},
    }
    if anc is not None:
        packet["measurements"] = [
            {
                "assay": {"id": "LOINC:751-8", "label": "Neutrophils"},
                "value": {"quantity": {"unit": {"id": "UCUM:10*3/uL"}, "value": anc}},
            }
        ]
    return packet


NEUTROPENIA = _feature("HP:0001875", "Neutropenia")
STORE = {
    "notebooks/SBDS/phenopackets/PMID_1_case_a.json": _packet(
        "case_a",
        "OMIM:260400",
        [
            NEUTROPENIA,
            _feature("HP:0001738", "Exocrine pancreatic insufficiency"),
            _feature("HP:0004322", "Short stature"),
        ],
        anc=0.6,
    ),
    "notebooks/VPS13B/phenopackets/PMID_2_case_b.json": _packet(
        "case_b",
        "OMIM:216550",
        [NEUTROPENIA, _feature("HP:0000252", "Microcephaly"), _feature("HP:0001249", "Intellectual disability")],
    ),
    "notebooks/SBDS/phenopackets/PMID_3_case_c.json": _packet(
        "case_c",
        "OMIM:260400",
        [_feature("HP:0001875", "Neutropenia", excluded=True), _feature("HP:0004322", "Short stature")],
    ),
    "notebooks/OTHER/phenopackets/PMID_4_case_d.json": _packet(
        "case_d", "OMIM:100070", [NEUTROPENIA, _feature("HP:0004942", "Aortic aneurysm")]
    ),
    "notebooks/SBDS/cohort.json": {"cohort": "SBDS", "members": 3},
}


def _run(script: str, *args: str, hash_seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args], capture_output=True, text=True, env=env, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def peer_cache(tmp_path_factory, kb) -> Path:
    """pyhpo's data and the neutropenia diseases cached once (in parallel); the peer scores checked against pyhpo's."""
    folder = tmp_path_factory.mktemp("peers")
    pyhpo_side = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "hpo_peers.py"), "--peer-cache", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    sys.path.insert(0, str(SCRIPTS))
    try:
        import hpo_peers

        hpo_peers.neutropenia_diseases(kb, folder)
    finally:
        sys.path.remove(str(SCRIPTS))
        out, err = pyhpo_side.communicate(timeout=300)
    assert pyhpo_side.returncode == 0, err
    assert json.loads(out) == {"pyhpo_loaded": True, "checked_pairs": 12}
    return folder


def _check_figures(rankers: dict, n: int) -> None:
    assert set(rankers) == RANKERS
    for figures in rankers.values():
        assert figures["n"] == n
        assert 0 <= figures["top1"] <= figures["top3"] <= figures["top10"] <= 1


def test_simulated_patients_give_the_same_figures_under_two_hash_seeds(peer_cache):
    args = ("--limit", "3", "--format", "json", "--details", "--peer-cache", str(peer_cache))
    first = _run("simulate_phenomizer.py", *args, hash_seed="0")
    second = _run("simulate_phenomizer.py", *args, hash_seed="1")
    assert first == second
    assert first["patients"] == first["diseases"] == 3
    _check_figures(first["rankers"], 3)
    for row in first["details"]:
        assert row["terms"][0] == "HP:0001875" and 5 <= len(row["terms"]) <= 9  # neutropenia, 3-6 drawn, 1-2 noise
        assert set(row["ranks"]) == RANKERS


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A git repository laid out like the Phenopacket Store; its git directory."""
    root = tmp_path_factory.mktemp("store")
    for path, content in STORE.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(json.dumps(content, indent=2), encoding="utf-8")
    git = ["git", "-C", str(root), "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "store sample"]):
        subprocess.run(git + command, check=True, capture_output=True)
    return root / ".git"


def test_the_store_script_selects_copies_and_ranks_the_same_way_twice(store, peer_cache, tmp_path):
    out = tmp_path / "selected"
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "phenopacket_store.py"), "select", "--store", str(store), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    with (out / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    commit = subprocess.run(
        ["git", "--git-dir", str(store), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert [(r["file"], r["disease"], r["commit"]) for r in rows] == [
        ("PMID_1_case_a.json", "OMIM:260400", commit),
        ("PMID_2_case_b.json", "OMIM:216550", commit),
    ]
    for row in rows:  # copied byte for byte, into the part the manifest names
        original = subprocess.run(
            ["git", "--git-dir", str(store), "show", f"HEAD:{row['store_path']}"], capture_output=True, check=True
        ).stdout
        assert (out / row["part"] / row["file"]).read_bytes() == original

    args = ("rank", "--out", str(out), "--format", "json", "--peer-cache", str(peer_cache))
    first = _run("phenopacket_store.py", *args, hash_seed="0")
    second = _run("phenopacket_store.py", *args, hash_seed="1")
    assert first == second
    parts = first["parts"]
    assert set(parts) == {"dev", "test"}
    for name, figures in parts.items():
        n = sum(r["part"] == name for r in rows)
        _check_figures(figures["rankers"], n)
        assert figures["read_by_our_reader"] + sum(figures["refusals"].values()) == n
    # the phenopacket with a neutrophil count is read today; the other one once counts are optional
    assert sum(p["read_by_our_reader"] for p in parts.values()) >= 1


def test_the_store_script_says_what_is_missing_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "phenopacket_store.py"), "rank", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode != 0
    expected = f"{tmp_path / 'MANIFEST.tsv'}: no manifest; run 'select --store DIR' first"
    assert done.stderr.strip().splitlines() == [expected]
