"""Exceptions of the neutropenia knowledge graph: one hierarchy, messages that say what to do.

Every error the tool raises on bad input derives from :class:`NeutropeniaKGError`, so the CLI and
the app can catch one type and show its message without a traceback.

Examples
--------
>>> try:
...     raise CaseError("'anc' must be a number, got 'low'", source="case.json")
... except NeutropeniaKGError as error:
...     print(error)
case.json: 'anc' must be a number, got 'low'
"""

from __future__ import annotations

__all__ = ["NeutropeniaKGError", "OntologyError", "CaseError", "NodeNotFound", "UsageError"]


class NeutropeniaKGError(Exception):
    """Base class of every error this package raises on purpose."""


class OntologyError(NeutropeniaKGError):
    """The ontology cannot be read: a missing file, a Turtle syntax error, a broken import.

    ``path`` and ``line`` (1-based) locate the problem when they are known.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = path or ""
        if path and line:
            where = f"{path}, line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class CaseError(NeutropeniaKGError):
    """A patient case is malformed: bad JSON, a missing or impossible value."""

    def __init__(self, message: str, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class NodeNotFound(NeutropeniaKGError, KeyError):
    """A node id or name was looked up and is not in the knowledge graph."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "node not found"


class UsageError(NeutropeniaKGError):
    """A command was called with an option value it cannot use."""
