"""Export the whole knowledge graph: JSON-LD (the RDF), GraphML or CSV (the networkx graph).

* ``jsonld``: every triple of the ontology and its imports, with the project's prefixes as context;
  any JSON-LD processor (rdflib, pyld) reads it back to the same RDF graph.
* ``graphml``: the compiled networkx graph (what the ranker walks): one node per resource with its
  kind and attributes (lists joined by ``" | "``), one edge per IRI-valued property, keyed by name.
* ``csv``: the same graph as two tables, ``nodes.csv`` and ``edges.csv``, for spreadsheets and graph
  databases.

Examples
--------
>>> import io
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> nodes, edges = io.StringIO(), io.StringIO()
>>> write_csv(kb.graph, nodes, edges)
>>> nodes.getvalue().splitlines()[0].split(",")[:4]
['id', 'iri', 'kind', 'label']
>>> edges.getvalue().splitlines()[0]
'subject,predicate,object'
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO, get_args

from ..model.errors import UsageError
from ..model.ids import PREFIXES, curie

if TYPE_CHECKING:  # imported where used: the command line imports this module on every start
    import networkx as nx

__all__ = ["ExportFormat", "FORMATS", "to_jsonld", "to_graphml", "write_csv", "export_graph", "SEPARATOR"]

ExportFormat = Literal["jsonld", "graphml", "csv"]
FORMATS: tuple[str, ...] = get_args(ExportFormat)
#: joins the values of a many-valued attribute in GraphML and CSV cells
SEPARATOR = " | "
_FIRST_COLUMNS = ("label", "altLabel", "definition", "xref", "source")


def _text(values: object) -> str:
    if isinstance(values, (list, tuple)):
        return SEPARATOR.join(str(v) for v in values)
    return "" if values is None else str(values)


def to_jsonld(ontology_root: Path) -> str:
    """The ontology (root and imports) as JSON-LD text with the project's prefixes as its context."""
    from ..kb.ontology import load_rdf

    rdf, _ = load_rdf(ontology_root)
    context = {prefix: namespace for prefix, namespace in PREFIXES.items()}
    context.update(
        {
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "dcterms": "http://purl.org/dc/terms/",
            "owl": "http://www.w3.org/2002/07/owl#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        }
    )
    return rdf.serialize(format="json-ld", context=context, indent=1, sort_keys=True)


def _plain(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are strings (GraphML holds scalars only)."""
    import networkx as nx

    H = nx.MultiDiGraph()
    for node, data in G.nodes(data=True):
        H.add_node(node, **{"curie": curie(node), **{k: _text(v) for k, v in data.items()}})
    for subject, obj, key in G.edges(keys=True):
        H.add_edge(subject, obj, key=key, property=key)
    return H


def to_graphml(G: nx.MultiDiGraph) -> str:
    """The networkx graph as GraphML text (see module docstring)."""
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(_plain(G), buffer, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buffer.getvalue().decode("utf-8")


def write_csv(G: nx.MultiDiGraph, nodes: TextIO, edges: TextIO) -> None:
    """Write ``nodes.csv`` (one row per node, one column per attribute) and ``edges.csv``."""
    attributes = sorted({key for _, data in G.nodes(data=True) for key in data} - {"kind", *_FIRST_COLUMNS})
    columns = ["id", "iri", "kind", *_FIRST_COLUMNS, *attributes]
    writer = csv.writer(nodes, lineterminator="\n")
    writer.writerow(columns)
    for node in sorted(G):
        data = G.nodes[node]
        writer.writerow([curie(node), node, data.get("kind", ""), *(_text(data.get(c)) for c in columns[3:])])
    writer = csv.writer(edges, lineterminator="\n")
    writer.writerow(["subject", "predicate", "object"])
    for subject, obj, key in sorted(G.edges(keys=True)):
        writer.writerow([curie(subject), key, curie(obj)])


def export_graph(G: nx.MultiDiGraph, ontology_root: Path, fmt: str, output: Path | None, out: TextIO) -> list[Path]:
    """Write the export in ``fmt`` to ``output`` (a file; for csv a directory) or to ``out``.

    Returns the files written (empty when writing to ``out``).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "csv":
        if output is None:
            raise UsageError("--format csv writes nodes.csv and edges.csv: give the directory with --output DIR")
        if output.exists() and not output.is_dir():
            raise UsageError(f"{output}: --format csv needs a directory for --output, not a file")
        output.mkdir(parents=True, exist_ok=True)
        with (
            (output / "nodes.csv").open("w", encoding="utf-8", newline="") as nodes,
            (output / "edges.csv").open("w", encoding="utf-8", newline="") as edges,
        ):
            write_csv(G, nodes, edges)
        return [output / "nodes.csv", output / "edges.csv"]
    if output is not None and output.is_dir():
        raise UsageError(f"{output}: is a directory; give a file name for --format {fmt}")
    text = to_jsonld(ontology_root) if fmt == "jsonld" else to_graphml(G)
    if output is None:
        out.write(text if text.endswith("\n") else text + "\n")
        return []
    output.write_text(text, encoding="utf-8")
    return [output]
