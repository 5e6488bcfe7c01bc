"""Where the ontology is: ``--ontology``, else ``$NEUTROPENIA_KG_ONTOLOGY``, else the bundled file.

Kept apart from :mod:`graph.kb.ontology` so that finding the file does not import rdflib (a warm
start reads the compiled cache and never needs it).

Examples
--------
>>> resolve_ontology_path().name
'neutropenia.ttl'
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model.errors import OntologyError

__all__ = ["ENV_VAR", "OUTSIDE_IMPORTS_VAR", "bundled_ontology_path", "resolve_ontology_path"]

ENV_VAR = "NEUTROPENIA_KG_ONTOLOGY"
#: set to 1 (``neutropenia-kg --allow-outside-imports``) to let an owl:imports leave the ontology's folder
OUTSIDE_IMPORTS_VAR = "NEUTROPENIA_KG_ALLOW_OUTSIDE_IMPORTS"


def bundled_ontology_path() -> Path:
    """The ontology shipped with the package (installed) or in the checkout."""
    here = Path(__file__).resolve().parent.parent  # the package folder (graph/)
    for candidate in (here.parent / "ontology" / "neutropenia.ttl", here / "data" / "neutropenia.ttl"):
        if candidate.is_file():
            return candidate
    raise OntologyError("the bundled ontology is missing; reinstall the package or pass --ontology PATH")


def resolve_ontology_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--ontology`` if given, else ``$NEUTROPENIA_KG_ONTOLOGY``, else the bundled ontology."""
    chosen = explicit or os.environ.get(ENV_VAR) or None
    if chosen is None:
        return bundled_ontology_path()
    path = Path(chosen).expanduser()
    if not path.is_file():
        origin = "--ontology" if explicit else ENV_VAR
        raise OntologyError(f"ontology file not found (from {origin}); check the path", path=str(path))
    return path
