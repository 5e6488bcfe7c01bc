"""Identifiers: the namespaces of the graph and conversion between IRIs and CURIEs.

IRIs are built and compacted here and nowhere else.

Examples
--------
>>> curie("http://purl.obolibrary.org/obo/HP_0001945")
'HP:0001945'
>>> expand("HP:0001945")
'http://purl.obolibrary.org/obo/HP_0001945'
>>> curie("https://w3id.org/neutropenia-kg/resource/cause/sepsis")
'cause:sepsis'
"""

from __future__ import annotations

import re

__all__ = [
    "SCHEMA",
    "RESOURCE",
    "HPO_PREFIX",
    "PREFIXES",
    "IMPORTED_DISEASE_PREFIXES",
    "curie",
    "expand",
    "is_hpo",
    "local_name",
    "imported_cause_curie",
    "is_imported_cause",
]

SCHEMA = "https://w3id.org/neutropenia-kg/schema#"
RESOURCE = "https://w3id.org/neutropenia-kg/resource/"
HPO_PREFIX = "http://purl.obolibrary.org/obo/HP_"
ONTOLOGY_BASE = "https://w3id.org/neutropenia-kg/ontology/"

#: CURIE prefix -> IRI namespace, longest namespaces first so compaction picks the most specific.
PREFIXES: dict[str, str] = {
    "HP": HPO_PREFIX,
    "nkg": SCHEMA,
    **{
        kind: f"{RESOURCE}{folder}/"
        for kind, folder in [
            ("cause", "cause"),
            ("drug", "drug"),
            ("org", "organism"),
            ("gene", "gene"),
            ("test", "test"),
            ("tx", "treatment"),
            ("cond", "condition"),
            ("expo", "exposure"),
            ("find", "finding"),
            ("assoc", "assoc"),
            ("win", "window"),
            ("prior", "prior"),
            ("rule", "rule"),
            ("anc", "ancestry"),
            ("param", "parameter"),
        ]
    },
}
_HPO_CURIE = re.compile(r"^HP:\d{7}$")
#: The disease databases whose entries ``neutropenia-kg import-hpo`` turns into causes (see graph/curate/hpo_import.py).
IMPORTED_DISEASE_PREFIXES: tuple[str, ...] = ("OMIM", "ORPHA")
_IMPORTED_CAUSE = re.compile(
    "^" + re.escape(PREFIXES["cause"]) + "(?:" + "|".join(p.lower() for p in IMPORTED_DISEASE_PREFIXES) + r")-\d+$"
)


def curie(iri: str) -> str:
    """Compact an IRI to a CURIE for display; unknown namespaces are returned unchanged."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand(text: str) -> str:
    """Expand a CURIE with a known prefix to its IRI; anything else is returned unchanged."""
    prefix, sep, rest = text.partition(":")
    if sep and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return text


def is_hpo(text: str) -> bool:
    """True for an HPO CURIE such as ``HP:0001945`` (seven digits)."""
    return bool(_HPO_CURIE.match(text.strip()))


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    return iri[max(iri.rfind("#"), iri.rfind("/")) + 1 :]


def imported_cause_curie(disease_id: str) -> str:
    """The CURIE of the cause that the HPO import makes of a disease: ``OMIM:162700`` -> ``cause:omim-162700``.

    Curated causes are named after the disease in words, so this name also tells an imported cause apart
    (:func:`is_imported_cause`).

    Examples
    --------
    >>> imported_cause_curie("ORPHA:2688")
    'cause:orpha-2688'
    """
    prefix, _, local = disease_id.partition(":")
    return f"cause:{prefix.lower()}-{local}"


def is_imported_cause(iri: str) -> bool:
    """True for a cause imported from the HPO annotations (named by :func:`imported_cause_curie`), not curated.

    Examples
    --------
    >>> is_imported_cause(expand("cause:omim-162700")), is_imported_cause(expand("cause:cohen-syndrome"))
    (True, False)
    """
    return bool(_IMPORTED_CAUSE.match(iri))
