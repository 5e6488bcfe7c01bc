"""The compiled-ontology cache: JSON keyed by content, never code; rebuilt after an edit, damage or a plant."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest
from conftest import ONTOLOGY, ROOT, copy_mini

from graph.kb.knowledge import _compile, _store, load_knowledge_base
from graph.model.case import read_case_file
from graph.model.codec import Codec, CodecError
from graph.workup.pipeline import workup_case

HOLDOUT = sorted((Path(__file__).parent / "data" / "holdout").glob("*.json"))


@pytest.fixture()
def cached_mini(mini_dir, tmp_path, monkeypatch):
    """(root, cache folder) of a fresh copy of the mini ontology, compiled once into an empty cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", str(cache))
    root = copy_mini(mini_dir, tmp_path / "onto")
    load_knowledge_base(root)
    return root, cache


def _cache_file(root: Path, cache: Path) -> Path:
    return _store(cache).path_for(root)


def test_an_edited_ontology_is_recompiled(cached_mini, capsys):
    root, cache = cached_mini
    assert [p.name for p in cache.iterdir()] == [_cache_file(root, cache).name]
    assert not list(cache.glob("*.pickle"))
    module = root.parent / "mini-causes.ttl"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace('rdfs:label "Mini viral infection"', 'rdfs:label "Edited virus"'), encoding="utf-8")
    assert "Edited virus" in {c.label for c in load_knowledge_base(root).causes.values()}
    assert capsys.readouterr().err == ""  # an out-of-date copy is rebuilt quietly


def _tamper_body(path: Path, change) -> None:
    """Rewrite the body with ``change`` applied and a matching digest (a forger who knows the format)."""
    head, body = path.read_bytes().split(b"\n", 1)
    header = json.loads(head)
    data = change(json.loads(body))
    new = json.dumps(data).encode()
    header.update(body_bytes=len(new), body_sha256=__import__("hashlib").sha256(new).hexdigest())
    path.write_bytes(json.dumps(header).encode() + b"\n" + new)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"not json at all"), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-100]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes().replace(b"Mini viral", b"Mini VIRAL")), id="edited-body"),
        pytest.param(lambda p: _tamper_body(p, lambda d: [*d[:2], 42, *d[3:]]), id="wrong-type"),
        pytest.param(lambda p: _tamper_body(p, lambda d: d[:-1]), id="missing-field"),
        pytest.param(lambda p: _tamper_body(p, lambda d: "[" * 100000), id="deep-nesting"),
        pytest.param(lambda p: p.write_bytes(b"[" * 100000 + b"\n"), id="deep-header"),
    ],
)
def test_a_damaged_cache_is_rebuilt_with_a_one_line_note(cached_mini, capsys, damage):
    root, cache = cached_mini
    capsys.readouterr()
    damage(_cache_file(root, cache))
    kb = load_knowledge_base(root)
    assert "Mini viral infection" in {c.label for c in kb.causes.values()}
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("neutropenia-kg: note: compiled cache not used, rebuilding")
    assert "Traceback" not in err
    load_knowledge_base(root)  # the rebuilt copy is good again
    assert capsys.readouterr().err == ""


def test_a_planted_pickle_never_runs(cached_mini, tmp_path):
    """A pickle that would create a file when unpickled, planted under the cache file's name."""
    root, cache = cached_mini
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    _cache_file(root, cache).write_bytes(pickle.dumps(Payload()))
    (cache / "kb-legacy.pickle").write_bytes(pickle.dumps(Payload()))
    run = subprocess.run(
        [sys.executable, "-m", "graph", "--ontology", str(root), "stats"],
        env={**os.environ, "NEUTROPENIA_KG_CACHE": str(cache)},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0 and not marker.exists()
    assert run.stderr.count("\n") == 1 and "not a compiled knowledge base" in run.stderr
    assert not (cache / "kb-legacy.pickle").exists()  # pickles of earlier versions are removed, never read


def test_a_symlink_in_the_cache_is_not_followed(cached_mini, tmp_path, capsys):
    root, cache = cached_mini
    target = _cache_file(root, cache)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    target.unlink()
    target.symlink_to(victim)
    capsys.readouterr()
    load_knowledge_base(root)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not target.is_symlink() and target.is_file()  # replaced by a real copy, the link itself gone
    assert "cannot be opened safely" in capsys.readouterr().err


def test_a_copy_of_another_ontology_is_not_taken(cached_mini, mini_dir, tmp_path, capsys):
    root, cache = cached_mini
    other = copy_mini(mini_dir, tmp_path / "other")
    load_knowledge_base(other)
    _cache_file(other, cache).replace(_cache_file(root, cache))
    capsys.readouterr()
    load_knowledge_base(root)
    assert "compiled from another ontology" in capsys.readouterr().err


def test_the_loaded_knowledge_base_equals_a_fresh_build_and_ranks_alike(kb):
    root = ONTOLOGY / "neutropenia.ttl"
    cached = load_knowledge_base(root)  # the session's `kb` fixture wrote the copy; this one reads it
    fresh, _ = _compile(root)
    for item in dataclasses.fields(fresh):
        if item.compare and item.name != "graph":
            assert getattr(cached, item.name) == getattr(fresh, item.name), item.name
    assert list(cached.graph.nodes(data=True)) == list(fresh.graph.nodes(data=True))
    assert list(cached.graph.edges(keys=True, data=True)) == list(fresh.graph.edges(keys=True, data=True))
    assert cached.graph.graph == fresh.graph.graph
    assert len(HOLDOUT) > 10
    for path in HOLDOUT:
        case, _ = read_case_file(path)
        ours = workup_case(cached, case, explain_top=3).candidates
        theirs = workup_case(fresh, case, explain_top=3).candidates
        assert [(c.cause, c.score) for c in ours] == [(c.cause, c.score) for c in theirs], path.name


# ------------------------------------------------------------------ the codec is driven by the type hints


@dataclass(frozen=True)
class _Inner:
    name: str
    weight: float | None = None


@dataclass(frozen=True)
class _Everything:
    text: str
    count: int
    ratio: float
    flag: bool
    nothing: None
    pair: tuple[str, int]
    many: tuple[_Inner, ...]
    table: dict[str, tuple[float, ...]]
    by_number: dict[int, frozenset[str]]
    polarity: Literal["supports", "opposes"]
    maybe: _Inner | None = None
    memo: dict[str, str] = field(default_factory=dict, compare=False)


def _sample() -> _Everything:
    shared = _Inner("shared", 0.5)
    return _Everything(
        "é ☃ \u2028",
        -3,
        1e-300,
        True,
        None,
        ("a", 2),
        (shared, _Inner("x"), shared),
        {"k": (1.0, 2.5)},
        {3: frozenset({"b", "a"})},
        "opposes",
        shared,
        {"not": "stored"},
    )


def test_every_supported_type_round_trips_and_shared_objects_stay_shared():
    codec = Codec()
    value = _sample()
    data = json.loads(json.dumps(codec.encode(value, _Everything)))
    back = codec.decode(data, _Everything)
    assert back == value and back.memo == {}
    assert back.many[0] is back.many[2] is back.maybe


def test_a_new_field_round_trips_without_changing_the_codec():
    grown = dataclasses.make_dataclass(
        "Grown", [("extra", tuple[_Inner, ...], dataclasses.field(default=()))], bases=(_Everything,), frozen=True
    )
    value = grown(
        **{f.name: getattr(_sample(), f.name) for f in dataclasses.fields(_Everything)}, extra=(_Inner("new", 1.0),)
    )
    codec = Codec()
    assert codec.decode(json.loads(json.dumps(codec.encode(value, grown))), grown) == value
    assert codec.schema(grown) != codec.schema(_Everything)  # an older copy is not read as the grown class


@pytest.mark.parametrize(
    "index, bad",
    [(0, 5), (1, "3"), (1, True), (2, "x"), (5, ["a"]), (6, [7]), (9, "neutral"), (8, [["3", []]]), (3, 1)],
)
def test_data_that_does_not_fit_its_hints_is_refused(index, bad):
    codec = Codec()
    data = json.loads(json.dumps(codec.encode(_sample(), _Everything)))
    data[index] = bad
    with pytest.raises(CodecError):
        codec.decode(data, _Everything)


@pytest.mark.parametrize("first_use", ["in", "len", "iter", "getitem", "str", "attribute", "isinstance"])
def test_the_stored_graph_is_built_by_whatever_touches_it_first(cached_mini, first_use):
    import networkx as nx

    root, _ = cached_mini
    graph = load_knowledge_base(root).graph
    node = next(iter(_compile(root)[0].graph))
    touch = {
        "in": lambda g: node in g,
        "len": len,
        "iter": lambda g: list(g),
        "getitem": lambda g: g[node],
        "str": str,
        "attribute": lambda g: g.nodes[node],
        "isinstance": lambda g: isinstance(g, nx.MultiDiGraph),
    }[first_use]
    assert touch(graph) is not None
    assert type(graph) is nx.MultiDiGraph and nx.is_frozen(graph) and node in graph


def test_memo_tables_are_safe_to_share_between_sessions(mini_kb):
    """Threads asking for the same finding get one shared answer; unknown ids are not remembered."""
    from concurrent.futures import ThreadPoolExecutor

    from graph.kb.scoretables import score_tables

    fever = mini_kb.hpo.resolve("Fever")
    with ThreadPoolExecutor(max_workers=8) as pool:
        tables = list(pool.map(lambda _: score_tables(mini_kb), range(64)))
        answers = list(pool.map(lambda _: tables[0].finding(fever), range(64)))
        ancestries = list(pool.map(lambda _: mini_kb.hpo.ancestors(fever), range(64)))
    assert all(t is tables[0] for t in tables)
    assert all(a is answers[0] for a in answers) and all(a is ancestries[0] for a in ancestries)
    for junk in (f"http://example.org/junk/{i}" for i in range(100)):
        assert len(tables[0].finding(junk).above) == 0 and mini_kb.hpo.ancestors(junk) == frozenset({junk})
    assert not any("example.org/junk" in key for key in tables[0]._findings)
    assert not any("example.org/junk" in key for key in mini_kb.hpo._ancestors)
