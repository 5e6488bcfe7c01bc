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

__all__ = ["SCHEMA", "RESOURCE", "HPO_PREFIX", "PREFIXES", "curie", "expand", "is_hpo", "local_name"]

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
    return re.split(r"[#/]", iri)[-1]
