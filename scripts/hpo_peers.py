"""Shared by the HPO measurement scripts: candidate diseases, pyhpo's Resnik scores, our ranking, top-k figures.

``scripts/simulate_phenomizer.py`` and ``scripts/phenopacket_store.py`` rank the same patients three
ways, over one candidate set:

* **ours**: the public ranking API (``graph.model.case.parse_case`` -> ``graph.workup.normalise.normalise_case`` ->
  ``graph.workup.rank.rank_causes``), so whatever model the package holds is what is measured;
* **pyhpo one-way Resnik**: for each query term the best Resnik similarity to any of the disease's
  terms, averaged over the query terms (query -> disease; the asymmetric similarity of the
  Phenomizer, Köhler et al. 2009, PMID:19800049);
* **pyhpo best-match average (BMA) Resnik**: pyhpo's ``HPOSet.similarity(kind="omim",
  method="resnik", combine="BMA")``, symmetric.

pyhpo 4.0.0 has no one-way combination, so both peer scores are computed here from pyhpo's own data
(its term hierarchy, its OMIM-based information content and its disease annotations), with the
definition of pyhpo's ``Resnik`` (the largest information content among the common ancestors of
two terms, each term counting as its own ancestor).  :func:`check_against_pyhpo` compares them with
pyhpo's own functions on sample pairs; it runs whenever pyhpo is loaded.  Loading pyhpo takes
about 15 s, so the data the scores need is kept in a JSON file (no pickle) in the project's cache
folder, keyed by the pyhpo version and the content of its data files.

Candidates are the diseases HPO annotates with neutropenia (``graph.curate.hpo_import.select_diseases``,
OMIM and Orphanet entries of one name merged as the import merges them) plus every OMIM/Orphanet
disease named by one of our causes.  Ids joined by one disease or by one of our causes form one
candidate, so a cause and the peers are judged at the same grain.  A cause names a disease by
``nkg:xref`` or by a ``skos:exactMatch``, ``closeMatch`` or ``narrowMatch`` of the HPO import.

Ties in a peer score are broken by the candidate's key (its first id in string order); ties between
our causes are left to ``rank_causes``.

Examples
--------
>>> figures([1, 2, None, 11])
{'n': 4, 'top1': 0.25, 'top3': 0.5, 'top10': 0.5}
>>> rank_of(["b", "a", "c"], {"a"})
2
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from graph.curate.hpo_import import ImportedDisease, ImportSettings, pyhpo_data_dir, read_annotations, select_diseases
from graph.kb.knowledge import KnowledgeBase
from graph.model.case import parse_case
from graph.workup.normalise import normalise_case
from graph.workup.rank import rank_causes

__all__ = [
    "ANSWER_LINKS",
    "Candidate",
    "PeerData",
    "ResnikScorer",
    "cause_ids",
    "import_settings",
    "neutropenia_diseases",
    "build_candidates",
    "load_peer_data",
    "check_against_pyhpo",
    "our_ranking",
    "restrict",
    "peer_ranking",
    "rank_of",
    "tied",
    "figures",
    "format_table",
]

#: node attributes by which a cause names a standard disease id
ANSWER_LINKS = ("xref", "exactMatch", "closeMatch", "narrowMatch")
_DISEASE_PREFIXES = ("OMIM:", "ORPHA:")
_CACHE_FORMAT = 2
#: decimals a peer score keeps before ties are judged, so float noise never orders two equal scores
_SCORE_DECIMALS = 9


@dataclass(frozen=True)
class Candidate:
    """One candidate disease: its ids (OMIM/ORPHA), the causes of ours that name it, and a label."""

    key: str
    ids: tuple[str, ...]
    causes: tuple[str, ...]
    label: str


def cause_ids(kb: KnowledgeBase) -> dict[str, frozenset[str]]:
    """Cause IRI -> every standard id it names (``nkg:xref`` and the import's SKOS links)."""
    result = {}
    for cause in sorted(kb.causes):
        data = kb.graph.nodes[cause]
        result[cause] = frozenset(str(x) for link in ANSWER_LINKS for x in data.get(link, ()))
    return result


def import_settings(kb: KnowledgeBase) -> ImportSettings:
    """The HPO import's numbers as the ontology holds them (a curator may have tuned them there)."""
    return ImportSettings(**{f.name: kb.param(f"hpo_import_{f.name}") for f in fields(ImportSettings)})


def neutropenia_diseases(kb: KnowledgeBase, cache: Path | None = None) -> dict[str, ImportedDisease]:
    """Every disease HPO annotates with neutropenia, read from the release pyhpo ships, as the import reads it.

    Reading the release takes seconds, so the annotation rows and genes of the diseases selected are
    cached as JSON (``cache`` as in :func:`load_peer_data`); selecting from them again gives the same
    diseases, with the frequencies the ontology's import parameters give today.
    """
    settings = import_settings(kb)

    def build() -> dict[str, Any]:
        _, annotations, genes = read_annotations(pyhpo_data_dir())
        chosen = select_diseases(annotations, genes, kb.hpo, settings)
        ids = {i for d in chosen.values() for i in (d.id, *d.also)}
        return {
            "rows": [row for row in annotations if row["database_id"] in ids],
            "genes": {i: sorted(genes[i]) for i in sorted(ids) if i in genes},
        }

    raw, _built = _cached_json(cache, f"hpoa-neutropenia-{kb.hpo.version.replace('/', '-')}", build)
    genes = {i: {tuple(g) for g in found} for i, found in raw["genes"].items()}
    return select_diseases(raw["rows"], genes, kb.hpo, settings)


def build_candidates(
    kb: KnowledgeBase, groups: Mapping[str, ImportedDisease], annotated: Iterable[str]
) -> list[Candidate]:
    """The candidate set (see module docstring), sorted by key.

    ``annotated`` holds the disease ids pyhpo has annotations for; a cause's id outside it cannot be
    scored by the peers and is left out.
    """
    annotated = set(annotated)
    ids_of = cause_ids(kb)
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def join(items: Sequence[str]) -> None:
        for item in items:
            parent.setdefault(item, item)
        roots = sorted({find(item) for item in items})
        for root in roots[1:]:
            parent[root] = roots[0]

    for disease in groups.values():
        join([i for i in (disease.id, *disease.also) if i in annotated])
    for ids in ids_of.values():
        join(sorted(i for i in ids if i.startswith(_DISEASE_PREFIXES) and i in annotated))
    members: dict[str, list[str]] = defaultdict(list)
    for item in sorted(parent):
        members[find(item)].append(item)
    names = {i: d.name for d in groups.values() for i in (d.id, *d.also)}
    candidates = []
    for ids in members.values():
        causes = tuple(sorted(c for c, names_of in ids_of.items() if names_of & set(ids)))
        label = next((names[i] for i in ids if i in names), "") or (kb.label(causes[0]) if causes else ids[0])
        candidates.append(Candidate(ids[0], tuple(ids), causes, label))
    return sorted(candidates, key=lambda c: c.key)


# ---------------------------------------------------------------- pyhpo's data and the Resnik scores


@dataclass(frozen=True)
class PeerData:
    """What the peer scores need from pyhpo: information content (OMIM), hierarchy, disease annotations."""

    version: str
    ic: Mapping[str, float]
    parents: Mapping[str, tuple[str, ...]]
    diseases: Mapping[str, tuple[str, ...]]

    def closure(self, term: str, memo: dict[str, frozenset[str]]) -> frozenset[str]:
        """The term and all its ancestors (``memo`` keeps what was computed)."""
        found = memo.get(term)
        if found is None:
            found = frozenset({term}).union(*(self.closure(p, memo) for p in self.parents.get(term, ())))
            memo[term] = found
        return found


@functools.lru_cache(maxsize=1)
def _data_key() -> str:
    import pyhpo

    digest = hashlib.sha256(pyhpo.__version__.encode())
    for name in ("hp.obo", "phenotype.hpoa"):
        digest.update((pyhpo_data_dir() / name).read_bytes())
    return f"{pyhpo.__version__}-{digest.hexdigest()[:16]}"


def _default_cache() -> Path | None:
    folder = os.environ.get("NEUTROPENIA_KG_CACHE")
    if folder == "":
        return None
    return Path(folder) if folder else Path.home() / ".cache" / "neutropenia-kg"


def _from_pyhpo() -> dict[str, Any]:
    from pyhpo import Ontology

    Ontology()
    by_index = {term.index: term.id for term in Ontology}
    diseases = {}
    for prefix, pool in (("OMIM", Ontology.omim_diseases), ("ORPHA", Ontology.orpha_diseases)):
        for disease in pool:
            diseases[f"{prefix}:{disease.id}"] = sorted(by_index[i] for i in disease.hpo if i in by_index)
    return {
        "ic": {term.id: float(term.information_content.omim) for term in Ontology},
        "parents": {term.id: sorted(p.id for p in term.parents) for term in Ontology},
        "diseases": dict(sorted(diseases.items())),
    }


def _cached_json(cache: Path | None, name: str, build: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], bool]:
    """A JSON document kept in the cache folder under a key of pyhpo's data; True when it was built now."""
    key = _data_key()
    folder = cache if cache is not None else _default_cache()
    path = folder / f"{name}-{key}.json" if folder else None
    if path is not None and path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raw = {}  # unreadable: built again below
        if isinstance(raw, dict) and raw.get("format") == _CACHE_FORMAT and raw.get("key") == key and "data" in raw:
            return raw["data"], False
    data = build()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(
            json.dumps({"format": _CACHE_FORMAT, "key": key, "data": data}, sort_keys=True), encoding="utf-8"
        )
        partial.replace(path)
    return data, True


def load_peer_data(cache: Path | None = None) -> tuple[PeerData, bool]:
    """pyhpo's data, from the JSON cache when it is there; True as second value when pyhpo was loaded.

    ``cache`` is a folder (default: ``$NEUTROPENIA_KG_CACHE`` or ``~/.cache/neutropenia-kg``; the
    empty variable disables the cache).
    """
    raw, loaded = _cached_json(cache, "pyhpo-peers", _from_pyhpo)
    return PeerData(
        _data_key(),
        raw["ic"],
        {t: tuple(p) for t, p in raw["parents"].items()},
        {d: tuple(t) for d, t in raw["diseases"].items()},
    ), loaded


class ResnikScorer:
    """One-way and best-match-average Resnik of a query against every candidate (pyhpo's definitions)."""

    def __init__(self, data: PeerData, candidates: Sequence[Candidate]) -> None:
        self.data = data
        self.candidates = tuple(candidates)
        self._memo: dict[str, frozenset[str]] = {}
        self._by_ic: dict[str, tuple[tuple[float, str], ...]] = {}
        self._diseases = {
            i: (terms, frozenset().union(*(self._closure(t) for t in terms)))
            for c in self.candidates
            for i in c.ids
            for terms in [data.diseases.get(i, ())]
        }

    def _closure(self, term: str) -> frozenset[str]:
        return self.data.closure(term, self._memo)

    def _ranked(self, term: str) -> tuple[tuple[float, str], ...]:
        """The term's ancestors (itself included) with their information content, most informative first."""
        found = self._by_ic.get(term)
        if found is None:
            pairs = ((self.data.ic.get(a, 0.0), a) for a in self._closure(term))
            found = tuple(sorted(pairs, key=lambda pair: (-pair[0], pair[1])))
            self._by_ic[term] = found
        return found

    def _best(self, term: str, pool: frozenset[str]) -> float:
        return next((ic for ic, ancestor in self._ranked(term) if ancestor in pool), 0.0)

    def known(self, query: Iterable[str]) -> tuple[str, ...]:
        """The query terms pyhpo knows, sorted and without repeats (pyhpo's HPOSet is a set too)."""
        return tuple(sorted({t for t in query if t in self.data.ic}))

    def pair(self, query: Sequence[str], disease: str) -> tuple[float, float]:
        """(one-way, BMA) Resnik between a known query and one disease id."""
        terms, pool = self._diseases[disease]
        if not query or not terms:
            return 0.0, 0.0
        query_pool = frozenset().union(*(self._closure(t) for t in query))
        rows = [self._best(q, pool) for q in query]
        columns = [self._best(d, query_pool) for d in terms]
        return sum(rows) / len(rows), (sum(rows) + sum(columns)) / (len(rows) + len(columns))

    def scores(self, query: Iterable[str]) -> tuple[list[float], list[float]]:
        """Per candidate (in order): its best one-way score and its best BMA score over its ids."""
        known = self.known(query)
        one_way, bma = [], []
        for candidate in self.candidates:
            pairs = [self.pair(known, i) for i in candidate.ids]
            one_way.append(max(p[0] for p in pairs))
            bma.append(max(p[1] for p in pairs))
        return one_way, bma


def check_against_pyhpo(scorer: ResnikScorer, queries: Sequence[Sequence[str]], per_query: int = 4) -> int:
    """Compare the scores with pyhpo's own functions on sample pairs; the number of pairs checked.

    BMA against ``HPOSet.similarity(..., combine="BMA")``; one-way against the mean of the row maxima
    of ``HPOTerm.similarity_score(kind="omim", method="resnik")``.  A difference raises ValueError.
    """
    from pyhpo import HPOSet, Ontology

    checked = 0
    ids = [i for c in scorer.candidates for i in c.ids if scorer.data.diseases.get(i)]
    for number, query in enumerate(queries):
        known = scorer.known(query)
        if not known:
            continue
        patient = HPOSet.from_queries(list(known))
        for disease_id in ids[number * per_query % len(ids) :][:per_query]:
            prefix, _, code = disease_id.partition(":")
            pool = Ontology.omim_diseases if prefix == "OMIM" else Ontology.orpha_diseases
            disease = next(d for d in pool if d.id == int(code))
            other = disease.hpo_set()
            bma = patient.similarity(other, kind="omim", method="resnik", combine="BMA")
            rows = [max(q.similarity_score(d, kind="omim", method="resnik") for d in other) for q in patient]
            mine = scorer.pair(known, disease_id)
            if abs(mine[0] - sum(rows) / len(rows)) > 1e-9 or abs(mine[1] - bma) > 1e-9:
                raise ValueError(
                    f"Resnik scores differ from pyhpo's for {disease_id} and {list(known)}: "
                    f"{mine} != ({sum(rows) / len(rows)}, {bma})"
                )
            checked += 1
    return checked


# ---------------------------------------------------------------- rankings and figures


def our_ranking(kb: KnowledgeBase, case: Mapping[str, Any]) -> list[str]:
    """Our causes best first for a case dict (public API only); CaseError when the case cannot be read."""
    normalised = normalise_case(kb, parse_case(dict(case)))
    return [candidate.cause for candidate in rank_causes(kb, normalised, explain=0)]


def restrict(order: Sequence[str], candidates: Sequence[Candidate]) -> list[str]:
    """Our cause order as candidate keys: causes naming no candidate dropped, each candidate once."""
    key_of: dict[str, list[str]] = defaultdict(list)
    for candidate in candidates:
        for cause in candidate.causes:
            key_of[cause].append(candidate.key)
    result: list[str] = []
    for cause in order:
        for key in key_of.get(cause, ()):
            if key not in result:
                result.append(key)
    return result


def peer_ranking(candidates: Sequence[Candidate], scores: Sequence[float]) -> list[tuple[str, float]]:
    """Candidate keys with their scores, best first; ties broken by the key."""
    rounded = [(round(s, _SCORE_DECIMALS), c.key) for c, s in zip(candidates, scores, strict=True)]
    return [(key, score) for score, key in sorted(rounded, key=lambda item: (-item[0], item[1]))]


def rank_of(ordered: Sequence[str], wanted: set[str] | frozenset[str]) -> int | None:
    """1-based position of the first item of ``ordered`` in ``wanted``; None when none is."""
    return next((rank for rank, item in enumerate(ordered, start=1) if item in wanted), None)


def tied(ranking: Sequence[tuple[str, float]], wanted: set[str] | frozenset[str]) -> bool:
    """True when the first wanted candidate shares its score with a candidate ranked above it."""
    position = rank_of([key for key, _ in ranking], wanted)
    return position is not None and position > 1 and ranking[position - 2][1] == ranking[position - 1][1]


def figures(ranks: Sequence[int | None]) -> dict[str, float]:
    """n and the fractions ranked first, in the top three and in the top ten (None: not ranked)."""
    n = len(ranks)

    def share(k: int) -> float:
        return round(sum(r is not None and r <= k for r in ranks) / n, 3) if n else 0.0

    return {"n": n, "top1": share(1), "top3": share(3), "top10": share(10)}


def format_table(rows: Mapping[str, Mapping[str, float]]) -> str:
    """Rankers side by side: one line each with n, top-1, top-3 and top-10."""
    width = max(len(name) for name in rows)
    lines = [f"{'':<{width}}  {'n':>5}  {'top-1':>6}  {'top-3':>6}  {'top-10':>6}"]
    for name, row in rows.items():
        lines.append(f"{name:<{width}}  {row['n']:>5}  {row['top1']:>6.3f}  {row['top3']:>6.3f}  {row['top10']:>6.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Fill the cache of pyhpo's data and check the peer scores against pyhpo's own on sample pairs."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--peer-cache", type=Path, default=None, help="folder of the pyhpo data cache")
    args = parser.parse_args(argv)
    data, loaded = load_peer_data(args.peer_cache)
    sample = [i for i, terms in data.diseases.items() if i.startswith("OMIM:") and len(terms) >= 3][:8]
    scorer = ResnikScorer(data, [Candidate(i, (i,), (), i) for i in sample])
    queries = [["HP:0001875", *data.diseases[i][:2]] for i in sample[:3]]
    print(json.dumps({"pyhpo_loaded": loaded, "checked_pairs": check_against_pyhpo(scorer, queries)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
