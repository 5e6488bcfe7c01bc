"""Read the ontology's Turtle files with rdflib, following its owl:imports offline.

This is the only module that parses RDF.  An import IRI under
``https://w3id.org/neutropenia-kg/ontology/`` names a file relative to the directory of the root
file; any other import is refused (nothing is fetched).  rdflib's errors are wrapped once, here,
into :class:`~graph.model.errors.OntologyError` naming the file and the 1-based line.

Examples
--------
>>> from pathlib import Path
>>> graph, files = load_rdf(bundled_ontology_path())
>>> files[0].name
'neutropenia.ttl'
"""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import OWL, Graph, URIRef

from ..model.errors import OntologyError
from ..model.ids import ONTOLOGY_BASE
from .paths import ENV_VAR, OUTSIDE_IMPORTS_VAR, bundled_ontology_path, resolve_ontology_path

__all__ = [
    "ENV_VAR",
    "OUTSIDE_IMPORTS_VAR",
    "bundled_ontology_path",
    "resolve_ontology_path",
    "load_rdf",
    "import_targets",
]


def import_targets(graph: Graph, base_dir: Path, source: Path) -> list[Path]:
    """Local files named by the owl:imports of ``graph``; an import from elsewhere is an error.

    A local import must stay inside ``base_dir`` (after following ``..`` and symbolic links) unless
    ``$NEUTROPENIA_KG_ALLOW_OUTSIDE_IMPORTS`` is 1.
    """
    confined = os.environ.get(OUTSIDE_IMPORTS_VAR) != "1"
    root = base_dir.resolve()
    targets: list[Path] = []
    for iri in sorted({str(target) for target in graph.objects(None, OWL.imports)}):
        if not iri.startswith(ONTOLOGY_BASE):
            raise OntologyError(
                f"owl:imports <{iri}> is not a local module; only {ONTOLOGY_BASE}... is allowed", path=str(source)
            )
        target = base_dir / iri[len(ONTOLOGY_BASE) :]
        if confined and not target.resolve().is_relative_to(root):
            raise OntologyError(
                f"owl:imports <{iri}> leads outside the ontology folder {root}; move the module into it "
                "(or pass --allow-outside-imports)",
                path=str(source),
            )
        targets.append(target)
    return targets


def _parse_file(path: Path, into: Graph) -> Graph:
    """Parse one Turtle file into ``into`` and return the file's own graph (for its imports)."""
    own = Graph()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise OntologyError(f"cannot read ontology file ({error.strerror or error})", path=str(path)) from error
    except UnicodeDecodeError as error:
        raise OntologyError("ontology file is not UTF-8 text", path=str(path)) from error
    try:
        own.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except SyntaxError as error:  # rdflib's BadSyntax subclasses SyntaxError; its `lines` is 0-based
        line = getattr(error, "lines", None)
        why = getattr(error, "_why", None) or error.msg or "invalid Turtle"
        raise OntologyError(
            f"Turtle syntax error: {why}", path=str(path), line=line + 1 if isinstance(line, int) else None
        ) from error
    except Exception as error:  # noqa: BLE001 - any other parser failure is still a broken file
        raise OntologyError(f"cannot parse Turtle: {error}", path=str(path)) from error
    for triple in own:
        into.add(triple)
    return own


def load_rdf(path: Path) -> tuple[Graph, list[Path]]:
    """Parse ``path`` and every module it imports (transitively) into one graph.

    Returns the merged graph and the files read, root first.
    """
    merged = Graph()
    base_dir = path.resolve().parent
    files: list[Path] = []
    queue = [path.resolve()]
    while queue:
        current = queue.pop(0)
        if current in files:
            continue
        if not current.is_file():
            raise OntologyError("imported module not found", path=str(current))
        own = _parse_file(current, merged)
        files.append(current)
        queue.extend(t.resolve() for t in import_targets(own, base_dir, current))
    merged.remove((None, OWL.imports, None))
    for file in files:
        merged.remove((URIRef(file.as_uri()), None, None))
    return merged, files
