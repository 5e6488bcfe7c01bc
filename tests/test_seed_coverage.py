"""Every item the domain sources name has a node in the knowledge base.

The domain sources are the five seed documents in ``../shared/seeds/`` (cited in the ontology as
``seed:000`` ... ``seed:004``). ``tests/data/seed-coverage.tsv`` lists, for each seed, every cause,
infection, drug or drug class, gene, test, treatment and sign it names, with the node that covers
it and that node's kind. A missing or retyped node fails here, so a cause the seeds name cannot
quietly drop out of the ranking.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.model.ids import expand

COVERAGE = Path(__file__).resolve().parent / "data" / "seed-coverage.tsv"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _rows() -> list[tuple[str, str, str, str]]:
    lines = [line for line in COVERAGE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return [tuple(row) for row in csv.reader(lines, delimiter="\t")]  # type: ignore[misc]


ROWS = _rows()


@pytest.mark.parametrize(("seed", "item", "node", "kind"), ROWS, ids=[f"seed{r[0]}-{r[1][:40]}" for r in ROWS])
def test_a_seed_item_has_a_node_of_its_kind(kb, seed, item, node, kind):
    iri = expand(node)
    assert kb.kinds.get(iri) == kind, f"seed:{seed} names {item!r}; {node} is {kb.kinds.get(iri)!r}, not a {kind}"


def test_every_seed_document_is_covered():
    covered = {row[0] for row in ROWS}
    if SEEDS.is_dir():
        on_disk = {path.name.split("_", 1)[0] for path in SEEDS.glob("*.txt")}
        assert on_disk <= covered, f"seed documents without a coverage list: {sorted(on_disk - covered)}"
    assert covered == {"000", "001", "002", "003", "004"}


def test_the_seed_named_treatments_are_reachable_from_a_cause(kb):
    """Granulocyte transfusion and G-CSF are steps the seeds name: a cause must point to each."""
    treated = {t for cause in kb.causes.values() for t in cause.treatments}
    for node in ("tx:granulocyte-transfusion", "tx:g-csf"):
        assert expand(node) in treated, f"no cause is treated with {node}"
