"""Load the knowledge base: resolve the path, compile the Turtle once, and cache the result.

:func:`load_knowledge_base` is the entry point.  It reads the Turtle with :mod:`graph.ontology`,
builds the knowledge base with :mod:`graph.build`, and keeps the compiled copy in a cache keyed by
every ontology file's name, size and modification time, so later starts skip parsing (and never
import rdflib).

Examples
--------
>>> kb = load_knowledge_base()
>>> kb.causes[expand("cause:chemotherapy-induced-neutropenia")].mechanism
'decreased production'
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .build import build_knowledge_base
from .hpo import HpoIndex, load_hpo_index
from .ids import expand  # noqa: F401  (used in the doctest)
from .kbase import KnowledgeBase

__all__ = ["KnowledgeBase", "build_knowledge_base", "load_knowledge_base", "CACHE_VERSION"]

CACHE_VERSION = "11"


# ---------------------------------------------------------------- loading with a cache


def _cache_dir() -> Path | None:
    root = os.environ.get("NEUTROPENIA_KG_CACHE")
    if root == "":
        return None
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "neutropenia-kg"


def _fingerprint(path: Path) -> str:
    """Identity of every ontology file under the root's directory (name, size, modification time),
    plus the cache format and Python versions: like a .pyc, any edit makes a new compiled copy."""
    root = path.resolve().parent
    digest = hashlib.sha256(f"{CACHE_VERSION}|{sys.version_info[:2]}|{path.resolve()}".encode())
    for file in sorted(root.rglob("*")):
        if file.suffix in (".ttl", ".tsv") and file.is_file():
            stat = file.stat()
            digest.update(f"{file.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@contextmanager
def _no_gc() -> Iterator[None]:
    """Unpickling a large graph is three times faster without the cyclic garbage collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prune(cache_dir: Path, keep: Path, most: int = 4) -> None:
    """Keep the ``most`` newest compiled ontologies (each edit of the ontology makes a new one)."""
    files = sorted(cache_dir.glob("kb-*.pickle"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[most:]:
        if old != keep:
            old.unlink(missing_ok=True)


def load_knowledge_base(path: str | os.PathLike[str] | None = None, use_cache: bool = True) -> KnowledgeBase:
    """Load the ontology at ``path`` (or the default, see :func:`graph.ontology.resolve_ontology_path`).

    The compiled knowledge base is cached in ``$NEUTROPENIA_KG_CACHE`` (default
    ``~/.cache/neutropenia-kg``; set the variable to an empty string to disable the cache).
    """
    from .paths import resolve_ontology_path

    root = resolve_ontology_path(path)
    cache_dir = _cache_dir() if use_cache else None
    cache_file = None
    if cache_dir is not None:
        cache_file = cache_dir / f"kb-{_fingerprint(root)}.pickle"
        if cache_file.is_file():
            try:
                with cache_file.open("rb") as handle, _no_gc():
                    cached = pickle.load(handle)
                if isinstance(cached, KnowledgeBase):
                    return cached
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                pass  # a stale or damaged cache is rebuilt below
    kb = _compile(root)
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(f".{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
            temporary.replace(cache_file)
            _prune(cache_dir, keep=cache_file)
        except OSError:
            pass  # an unwritable cache only costs speed
    return kb


def _compile(root: Path) -> KnowledgeBase:
    from .bridge import rdf_to_networkx
    from .ontology import load_rdf

    rdf, files = load_rdf(root)
    hpo_table = root.resolve().parent / "imports" / "hpo-terms.tsv"
    hpo = load_hpo_index(hpo_table) if hpo_table.is_file() else HpoIndex("none")
    return build_knowledge_base(rdf_to_networkx(rdf), hpo, [str(f) for f in files])
