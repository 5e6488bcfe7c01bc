"""Load the knowledge base: resolve the path, compile the Turtle once, and cache the result.

:func:`load_knowledge_base` is the entry point.  It reads the Turtle with :mod:`graph.kb.ontology`
(pyoxigraph; no rdflib graph is built), builds the knowledge base with :mod:`graph.kb.build`, and
keeps the compiled copy as JSON in the cache of :mod:`graph.kb.kbcache`, keyed by the content of
every ontology file, so later starts skip parsing (and never import rdflib).  Nothing read from the cache can run code.

Examples
--------
>>> kb = load_knowledge_base()
>>> kb.causes[expand("cause:chemotherapy-induced-neutropenia")].mechanism
'decreased production'
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..model.codec import Codec, CodecError
from ..model.ids import expand  # noqa: F401  (used in the doctest)
from ..model.version import __version__
from .hpo import HpoIndex, load_hpo_index
from .kbase import KnowledgeBase
from .kbcache import CacheProblem, CacheStore, code_digest, default_cache_dir

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from .build import build_knowledge_base

__all__ = [
    "KnowledgeBase",
    "build_knowledge_base",
    "load_knowledge_base",
    "kb_codec",
    "graph_to_data",
    "graph_from_data",
    "LazyGraph",
    "without_gc",
]

PROG = "neutropenia-kg"


# ---------------------------------------------------------------- the graph as node-link data

#: node attribute values that JSON has no type for, tagged as {"decimal": "0.05"} and so on
#: each with its Python type, how it is written and how it is read back
_TAGGED: dict[str, tuple[type, Callable[[Any], str], Callable[[str], Any]]] = {
    "decimal": (Decimal, str, Decimal),
    "datetime": (datetime, datetime.isoformat, datetime.fromisoformat),
    "date": (date, date.isoformat, date.fromisoformat),
}


def _value_to_data(value: Any) -> Any:
    """A value JSON has no type for (called by the JSON encoder): tagged, as {"decimal": "0.05"}."""
    for tag, (kind, write, _) in _TAGGED.items():  # datetime before date: a datetime is a date
        if isinstance(value, kind):
            return {tag: write(value)}
    raise CodecError(f"cannot store a graph attribute of type {type(value).__name__}")


def _named(values: dict[Any, Any]) -> dict[str, Any]:
    """An attribute table with its names as text (they are already, for every graph the bridge builds)."""
    if all(type(name) is str for name in values):
        return values
    return {str(name): value for name, value in values.items()}


def _value_from_data(data: Any) -> Any:
    if data is None or type(data) in (str, bool, int, float):
        return data
    if type(data) is list:
        return [_value_from_data(v) for v in data]
    if type(data) is dict and len(data) == 1:
        ((tag, text),) = data.items()
        if tag in _TAGGED and type(text) is str:
            return _TAGGED[tag][2](text)
    raise CodecError("damaged graph attribute")


def graph_to_data(G: nx.MultiDiGraph) -> str:
    """The compiled graph as node-link JSON text: ``{"graph", "nodes": [[id, attrs]], "edges": [[u, v, key, attrs]]}``.

    Stored as one JSON string inside the cache, so loading the knowledge base only copies it;
    it is parsed when the graph is first used (:class:`LazyGraph`).
    """

    # the graph's own tables, written by the JSON encoder at C speed (node attributes are lists of
    # literal values; the encoder asks _value_to_data for a Decimal or a date); nodes and edges in
    # the order G.nodes(data=True) and G.edges(keys=True, data=True) give them
    data = {
        "graph": _named(G.graph),
        "nodes": [[node, _named(values)] for node, values in G._node.items()],
        "edges": [
            [u, v, key, _named(values)]
            for u, targets in G._adj.items()
            for v, keys in targets.items()
            for key, values in keys.items()
        ],
    }
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False, default=_value_to_data)


def graph_from_data(text: Any) -> nx.MultiDiGraph:
    """The frozen graph :func:`graph_to_data` wrote, built now; CodecError when ``text`` is not such a graph."""
    if type(text) is not str:
        raise CodecError("damaged graph (not node-link JSON text)")
    import networkx as nx

    try:
        data = json.loads(text)
        G = nx.MultiDiGraph(**_attrs(data["graph"]))
        for node, values in data["nodes"]:
            if type(node) is not str:
                raise CodecError("damaged graph node")
            G.add_node(node, **_attrs(values))
        for u, v, key, values in data["edges"]:
            if type(u) is not str or type(v) is not str or type(key) is not str or u not in G or v not in G:
                raise CodecError("damaged graph edge")
            G.add_edge(u, v, key=key, **_attrs(values))
    except (ValueError, TypeError, KeyError, RecursionError) as error:
        raise CodecError(f"damaged graph ({error})") from None
    return nx.freeze(G)


def _attrs(values: Any) -> dict[str, Any]:
    if type(values) is not dict:
        raise CodecError("damaged graph attributes")
    return {k: _value_from_data(v) for k, v in values.items()}


class LazyGraph:
    """The compiled graph, built from its node-link JSON on first use (ranking a case never needs it).

    The first attribute read (or ``in``, ``len``, iteration, indexing) imports networkx, builds the
    frozen ``MultiDiGraph`` once under a lock, and turns this object into it (its class is
    switched), so from then on it is an ordinary ``nx.MultiDiGraph`` at no extra cost;
    ``isinstance(graph, nx.MultiDiGraph)`` holds before and after.
    """

    _lock = threading.Lock()

    def __init__(self, text: str) -> None:
        self.__dict__["_pending"] = text

    def _build(self) -> None:
        state = object.__getattribute__(self, "__dict__")
        with LazyGraph._lock:
            text = state.get("_pending")
            if text is not None:
                built = graph_from_data(text)
                state.update(built.__dict__)
                del state["_pending"]
                object.__setattr__(self, "__class__", type(built))

    def __getattribute__(self, name: str) -> Any:
        if name != "__dict__" and "_pending" in object.__getattribute__(self, "__dict__"):
            LazyGraph._build(self)
        return object.__getattribute__(self, name)

    # special methods are looked up on the class, past __getattribute__: each builds, then asks again
    def __contains__(self, node: object) -> bool:
        LazyGraph._build(self)
        return node in self

    def __iter__(self) -> Any:
        LazyGraph._build(self)
        return iter(self)

    def __len__(self) -> int:
        LazyGraph._build(self)
        return len(self)

    def __getitem__(self, node: str) -> Any:
        LazyGraph._build(self)
        return self[node]

    def __str__(self) -> str:
        LazyGraph._build(self)
        return str(self)


def _store_graph(graph: Any) -> str:
    import networkx as nx

    if not isinstance(graph, nx.MultiDiGraph):
        raise CodecError(f"expected a networkx MultiDiGraph, got {type(graph).__name__}")
    return graph_to_data(graph)


def _lazy_graph(text: Any) -> LazyGraph:
    if type(text) is not str:
        raise CodecError("damaged graph (not node-link JSON text)")
    return LazyGraph(text)


class _StoredGraph:
    """Stands for ``nx.MultiDiGraph`` in the knowledge base's type hints when the cache is read."""


@lru_cache(maxsize=1)
def kb_codec() -> Codec:
    """The codec of :class:`KnowledgeBase` (its dataclasses by their hints; the graph as node-link data)."""
    return Codec(
        custom={_StoredGraph: (_store_graph, _lazy_graph)}, names={"nx": SimpleNamespace(MultiDiGraph=_StoredGraph)}
    )


def __getattr__(name: str) -> Any:
    """``build_knowledge_base`` is re-exported without importing networkx until it is asked for."""
    if name == "build_knowledge_base":
        from .build import build_knowledge_base

        return build_knowledge_base
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- loading with a cache


@contextmanager
def without_gc() -> Iterator[None]:
    """Building many small objects is much faster without the cyclic garbage collector.

    Compiling, encoding and decoding the knowledge base make about a million small objects that
    live as long as the process (no cycles to collect); with the collector on, each of its
    generation-2 passes walks them all.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _note(message: str) -> None:
    sys.stderr.write(f"{PROG}: note: {message}\n")


def _store(folder: Path) -> CacheStore:
    codec = kb_codec()
    return CacheStore(folder, {"package": __version__, "code": code_digest(), "schema": codec.schema(KnowledgeBase)})


def load_knowledge_base(
    path: str | os.PathLike[str] | None = None, use_cache: bool = True, endpoint: str | None = None
) -> KnowledgeBase:
    """Load the ontology at ``path`` (or the default, see :func:`graph.kb.ontology.resolve_ontology_path`).

    The compiled knowledge base is cached in ``$NEUTROPENIA_KG_CACHE`` (default
    ``~/.cache/neutropenia-kg``; set the variable to an empty string to disable the cache).  A
    damaged or foreign cache file is rebuilt with a one-line note on standard error.  The loaded
    objects are moved out of the garbage collector's sight (``gc.freeze``): they live as long as
    the process.  With ``endpoint`` (a SPARQL store's URL, :mod:`graph.kb.endpoint`) the knowledge base
    is compiled from what the store holds, each time (the store may change under it), with the HPO
    table of the ontology at ``path``.
    """
    from .paths import resolve_ontology_path

    root = resolve_ontology_path(path)
    if endpoint is not None:
        from .endpoint import endpoint_triples

        triples = endpoint_triples(endpoint)
        with without_gc():
            remote, _ = _compile(root, triples, [endpoint])
        gc.freeze()
        return remote
    folder = default_cache_dir() if use_cache else None
    store = _store(folder) if folder is not None else None
    kb = None
    if store is not None:
        try:
            with without_gc():
                kb = store.load(root, lambda data: kb_codec().decode(data, KnowledgeBase))
        except (CacheProblem, CodecError) as problem:
            _note(f"compiled cache not used, rebuilding: {problem}")
        except OSError as error:
            _note(f"compiled cache not readable, rebuilding: {error}")
    if kb is None:
        with without_gc():
            kb, sources = _compile(root)
        if store is not None:
            try:
                with without_gc():
                    data = kb_codec().encode(kb, KnowledgeBase)
                store.save(root, data, sources)
            except (CodecError, ValueError) as error:  # ValueError: a NaN, which JSON cannot hold
                _note(f"compiled knowledge base not cached: {error}")
            except OSError as error:
                _note(f"compiled knowledge base not cached ({error}); the next start compiles again")
    gc.freeze()
    return kb


def _compile(
    root: Path, triples: list[ox.Triple] | None = None, origin: list[str] | None = None
) -> tuple[KnowledgeBase, list[Path]]:
    """The knowledge base compiled from the Turtle at ``root`` (or from ``triples`` read elsewhere, named by
    ``origin``), and every file it was compiled from."""
    from .bridge import triples_to_networkx
    from .build import build_knowledge_base
    from .ontology import load_triples

    files: list[Path] = []
    if triples is None:
        triples, files = load_triples(root)
    hpo_table = root.resolve().parent / "imports" / "hpo-terms.tsv"
    hpo = load_hpo_index(hpo_table) if hpo_table.is_file() else HpoIndex("none")
    kb = build_knowledge_base(triples_to_networkx(triples), hpo, origin or [str(f) for f in files])
    return kb, [*files, hpo_table]
