"""What the speed work must not change: the compiled copy is the same under any hash seed, the HPO
index reads back exactly as it was written (order included), and a crafted copy is refused, not wrapped."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, copy_mini

from graph.kb.hpo import HpoIndex
from graph.kb.knowledge import _store, load_knowledge_base
from graph.model.text import normalise

_COMPILE = "import sys; from graph.kb.knowledge import load_knowledge_base; load_knowledge_base(sys.argv[1])"


def test_the_compiled_copy_is_the_same_under_any_hash_seed(mini_dir, tmp_path):
    root = copy_mini(mini_dir, tmp_path / "onto")
    bodies = []
    for seed in ("1", "2"):
        cache = tmp_path / f"cache-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "NEUTROPENIA_KG_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-c", _COMPILE, str(root)], env=env, check=True, cwd=ROOT)
        bodies.append(_store(cache).path_for(root).read_bytes().split(b"\n", 1)[1])
    assert bodies[0] == bodies[1]


def test_the_hpo_index_reads_back_as_written_in_the_same_order(mini_kb):
    hpo = mini_kb.hpo
    back = HpoIndex.from_data(json.loads(json.dumps(hpo.to_data())))
    assert back == hpo
    for table in ("labels", "parents", "replaced_by", "_names"):
        assert list(getattr(back, table).items()) == list(getattr(hpo, table).items()), table
    fever = hpo.resolve("Fever")
    assert back.resolve("fever") == fever and back.ancestors(fever) == hpo.ancestors(fever)


def test_an_obsolete_term_still_leads_to_its_replacement_after_a_round_trip():
    index = HpoIndex("v")
    index.add_term("http://purl.obolibrary.org/obo/HP_0000001", "All", (), ())
    index.obsolete.add("http://purl.obolibrary.org/obo/HP_0000002")
    index.labels["http://purl.obolibrary.org/obo/HP_0000002"] = "Old"
    index.replaced_by["http://purl.obolibrary.org/obo/HP_0000002"] = "http://purl.obolibrary.org/obo/HP_0000001"
    back = HpoIndex.from_data(json.loads(json.dumps(index.to_data())))
    assert back.resolve("HP:0000002") == "http://purl.obolibrary.org/obo/HP_0000001"


@pytest.mark.parametrize(
    "field, bad",
    [("named", [-1]), ("named", [10**6]), ("parents", [True]), ("terms", [1]), ("parent_counts", [99])],
)
def test_a_crafted_hpo_index_is_refused_not_read_around(mini_kb, field, bad):
    data = json.loads(json.dumps(mini_kb.hpo.to_data()))
    data[field] = bad if field != "named" else bad * len(data["named"])
    with pytest.raises((TypeError, ValueError)):
        HpoIndex.from_data(data)


def test_a_crafted_hpo_index_in_the_cache_is_rebuilt_with_a_note(mini_dir, tmp_path, monkeypatch, capsys):
    import hashlib

    cache = tmp_path / "cache"
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", str(cache))
    root = copy_mini(mini_dir, tmp_path / "onto")
    load_knowledge_base(root)
    capsys.readouterr()
    path = _store(cache).path_for(root)
    head, body = path.read_bytes().split(b"\n", 1)
    data = json.loads(body)
    data[1]["named"] = [-1] * len(data[1]["named"])  # every name would point at the last term
    new = json.dumps(data).encode()
    header = json.loads(head)
    header.update(body_bytes=len(new), body_sha256=hashlib.sha256(new).hexdigest())
    path.write_bytes(json.dumps(header).encode() + b"\n" + new)
    kb = load_knowledge_base(root)
    assert kb.hpo.resolve("Fever") == "http://purl.obolibrary.org/obo/HP_0001945"
    assert capsys.readouterr().err.startswith("neutropenia-kg: note: compiled cache not used, rebuilding")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Anaemia, β-lactam–induced (Haemolytic)", "anemia beta lactam induced hemolytic"),
        ("LEUCOPAENIA", "leukopenia"),
        ("Behaviour of the tumour", "behavior of the tumor"),
        ("grey platelets; sulphonamide", "gray platelets sulfonamide"),
        ("Café-au-lait macules", "cafe au lait macules"),
        ("organise, organised", "organize organized"),
    ],
)
def test_names_are_normalised_as_before(text, expected):
    assert normalise(text) == expected
