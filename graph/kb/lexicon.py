"""The drug lexicon: names of drugs the ontology does not model, with their DrugBank ids (stdlib only).

A medication the ontology does not know is looked up here before it is reported as unrecognised:
the answer is "a drug, DrugBank:DB00709, not a known cause of neutropenia" (a drug without a DrugBank
id carries its MeSH or MedlinePlus id, or none).  The lexicon is the file ``imports/drug-lexicon.tsv``
beside the ontology (built by ``scripts/build_drug_lexicon.py`` from the dictionary of the
``drug-named-entity-recognition`` package); it is optional:
without the file every lookup answers ``None``.  It is plain text, read once per file.

This module also holds the one phrase the tool uses for a drug that no cause links.

Examples
--------
>>> drug = lookup_drug("lamivudine 150 mg twice daily")
>>> drug.label, drug.xref
('Lamivudine', 'DrugBank:DB00709')
>>> describe_not_a_cause(drug.xref)
'a drug, DrugBank:DB00709, not a known cause of neutropenia'
>>> lookup_drug("not a medicine at all") is None
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ..model.text import normalise

__all__ = ["NOT_A_KNOWN_CAUSE", "LexiconDrug", "describe_not_a_cause", "lexicon_path", "lookup_drug"]

#: the phrase for a recognised drug that no cause of the ontology links
NOT_A_KNOWN_CAUSE = "not a known cause of neutropenia"

#: the longest run of words looked up inside a longer medication text
_MAX_WORDS = 4


@dataclass(frozen=True)
class LexiconDrug:
    """A drug the lexicon knows: its preferred name and standard id (a CURIE)."""

    label: str
    xref: str | None  # None for a drug the dictionary gives no id


def describe_not_a_cause(xref: str | None) -> str:
    """How a recognised drug that no cause links is reported (one place for the phrase)."""
    return f"a drug, {xref}, {NOT_A_KNOWN_CAUSE}" if xref else f"a drug, {NOT_A_KNOWN_CAUSE}"


def lexicon_path() -> Path:
    """The bundled lexicon file (it may be absent: the lexicon is optional)."""
    from .paths import bundled_ontology_path

    return bundled_ontology_path().parent / "imports" / "drug-lexicon.tsv"


def _curie(written: str) -> str | None:
    """The id column as a CURIE: "MeSH:D007155" as written, a bare DrugBank id ("DB00709", the
    older form of the file) prefixed, an empty column None (the dictionary gives the drug no id)."""
    if not written:
        return None
    return written if ":" in written else f"DrugBank:{written}"


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, LexiconDrug]:
    names: dict[str, LexiconDrug] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return names
    for line in lines:
        if not line or line.startswith("#") or line.startswith("name\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        key = normalise(parts[0])
        # the file is sorted, so the first row for a name wins the same way on every run
        if key and key not in names:
            names[key] = LexiconDrug(parts[2], _curie(parts[1]))
    return names


def lookup_drug(written: str, path: Path | None = None) -> LexiconDrug | None:
    """The drug a medication text names: the whole text, else the longest run of its words
    (leftmost first) that the lexicon knows; ``None`` when it names none."""
    names = _load(path or lexicon_path())
    if not names:
        return None
    text = normalise(written)
    if text in names:
        return names[text]
    words = text.split()
    for size in range(min(_MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            found = names.get(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None
