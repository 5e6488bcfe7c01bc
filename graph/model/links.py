"""Sources and standard identifiers to the web pages that resolve them (stdlib only).

A link is made only for an identifier whose whole text matches its registry's format, so text
from the ontology can never become a ``javascript:`` or other unexpected URL; everything else is
kept as plain text.  Links are for the reader to open; the app never fetches them.

Examples
--------
>>> source_link("PMID:12345").url
'https://pubmed.ncbi.nlm.nih.gov/12345/'
>>> source_link("DOI:10.1056/NEJMcp1113996").url
'https://doi.org/10.1056/NEJMcp1113996'
>>> source_link("curator judgement").url is None
True
>>> xref_link("HGNC:3309").url
'https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:3309'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from .ids import HPO_PREFIX, curie

__all__ = ["Link", "source_link", "xref_link", "node_link"]


@dataclass(frozen=True)
class Link:
    """A text to show and, when the text is a recognised identifier, the URL that resolves it."""

    text: str
    url: str | None = None


#: prefix -> (full-match pattern of the local part, URL template with ``{id}`` (local part) or ``{curie}``)
_RESOLVERS: dict[str, tuple[str, str]] = {
    "PMID": (r"\d{1,9}", "https://pubmed.ncbi.nlm.nih.gov/{id}/"),
    "PMCID": (r"PMC\d{1,9}", "https://www.ncbi.nlm.nih.gov/pmc/articles/{id}/"),
    "HP": (r"\d{7}", "https://hpo.jax.org/browse/term/HP:{id}"),
    "MONDO": (r"\d{7}", "https://monarchinitiative.org/MONDO:{id}"),
    "OMIM": (r"\d{6}", "https://omim.org/entry/{id}"),
    "ORPHA": (r"\d{1,7}", "https://www.orpha.net/en/disease/detail/{id}"),
    "HGNC": (r"\d{1,7}", "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:{id}"),
    "NCBIGene": (r"\d{1,10}", "https://www.ncbi.nlm.nih.gov/gene/{id}"),
    "NCBITaxon": (r"\d{1,10}", "https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id={id}"),
    "DrugBank": (r"DB\d{5}", "https://go.drugbank.com/drugs/{id}"),
    "CHEBI": (r"\d{1,8}", "https://www.ebi.ac.uk/chebi/searchId.do?chebiId=CHEBI:{id}"),
    "LOINC": (r"\d{1,8}-\d", "https://loinc.org/{id}"),
    "MESH": (r"[CD]\d{6,9}", "https://meshb.nlm.nih.gov/record/ui?ui={id}"),
    "DOID": (r"\d{1,8}", "https://disease-ontology.org/?id=DOID:{id}"),
}
_DOI = re.compile(r"DOI:(10\.\d{4,9}/[^\s]+)", re.IGNORECASE)


def _resolve(text: str) -> str | None:
    prefix, sep, local = text.partition(":")
    if not sep or prefix not in _RESOLVERS:
        return None
    pattern, template = _RESOLVERS[prefix]
    if not re.fullmatch(pattern, local):
        return None
    return template.format(id=local)


def source_link(source: str) -> Link:
    """A source string (``PMID:…``, ``DOI:…``, ``seed:…``, free text) with its URL when it has one.

    Examples
    --------
    >>> source_link("DOI:10.1000/a b").url is None  # a space is not part of a DOI
    True
    >>> source_link("PMID:1; DROP TABLE").url is None
    True
    """
    text = source.strip()
    doi = _DOI.fullmatch(text)
    if doi:
        return Link(text, "https://doi.org/" + quote(doi.group(1), safe="/.-_;:"))
    return Link(text, _resolve(text))


def xref_link(xref: str) -> Link:
    """A standard identifier (``OMIM:202700``, ``DrugBank:DB00363``…) with its registry URL.

    Examples
    --------
    >>> xref_link("OMIM:202700").url
    'https://omim.org/entry/202700'
    >>> xref_link("UMLS:C0027947").url is None
    True
    """
    return Link(xref.strip(), _resolve(xref.strip()))


def node_link(node: str) -> Link:
    """A node's CURIE, linked to HPO when the node is an HPO term.

    Examples
    --------
    >>> node_link("http://purl.obolibrary.org/obo/HP_0001945").url
    'https://hpo.jax.org/browse/term/HP:0001945'
    >>> node_link("https://w3id.org/neutropenia-kg/resource/cause/sepsis")
    Link(text='cause:sepsis', url=None)
    """
    compact = curie(node)
    return Link(compact, _resolve(compact) if node.startswith(HPO_PREFIX) else None)
