"""Read-only SPARQL in a worker process under a wall-clock limit, a memory guard and a row limit.

A query that runs too long (a cross product, a nested-quantifier ``REGEX``) or grows too large
cannot be interrupted inside rdflib, so it runs in a separate process that holds its own parsed
copy of the ontology.  The parent waits for the answer and watches the clock and the worker's
resident memory; at either limit it kills the worker and raises :class:`QueryStopped`, whose
message says what to change.  The next query starts a new worker.  A worker is also killed when
its :class:`SparqlWorker` is garbage collected (in the app: when the session ends, see
``ui/curate.py``), when the interpreter exits, or, from inside, when its parent disappears.

Answers come back as JSON (no pickle), and at most :data:`graph.curate.sparql.MAX_LIMIT` rows.

Parsing the ontology takes a new worker a second or two, so a process keeps one spare worker per
ontology that has read it already: :func:`take_worker` hands a new user the spare and starts the next
one, and :func:`keep_spare` starts one before anyone asks (the app calls it on every page);
:func:`drop_spares` forgets them when the ontology changes.

Examples
--------
>>> from graph.kb.paths import bundled_ontology_path
>>> with SparqlWorker(bundled_ontology_path(), timeout=60) as worker:  # doctest: +SKIP
...     worker.run("ASK { ?s ?p ?o }").rows
(('true',),)
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
import weakref
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..model.errors import NeutropeniaKGError

__all__ = [
    "SparqlWorker",
    "QueryStopped",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MEMORY_MB",
    "limits_from_environment",
    "take_worker",
    "keep_spare",
    "drop_spares",
]

DEFAULT_TIMEOUT = 10.0  # seconds of wall-clock time per query
DEFAULT_MEMORY_MB = 512  # growth of the worker's resident memory allowed while a query runs
_POLL = 0.05  # seconds between checks of the clock and the memory
_START_TIMEOUT = 120.0  # parsing the ontology in a new worker


def limits_from_environment() -> tuple[float, float]:
    """(timeout s, memory MB): ``$NEUTROPENIA_KG_SPARQL_TIMEOUT`` and ``$NEUTROPENIA_KG_SPARQL_MEMORY_MB``, else the
    defaults; a value that is not a positive number is ignored."""
    limits = []
    for name, default in (
        ("NEUTROPENIA_KG_SPARQL_TIMEOUT", DEFAULT_TIMEOUT),
        ("NEUTROPENIA_KG_SPARQL_MEMORY_MB", float(DEFAULT_MEMORY_MB)),
    ):
        try:
            value = float(os.environ.get(name, default))
        except ValueError:
            value = default
        limits.append(value if 0 < value < float("inf") else default)
    return limits[0], limits[1]


class QueryStopped(NeutropeniaKGError):
    """A query was stopped at a limit (time or memory), or its worker died."""


def _resident_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (Linux ``/proc``); None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _serve(root: str, connection: Connection, parent: int) -> None:
    """The worker: parse the ontology once, then answer queries until told to stop or orphaned."""
    from ..kb.ontology import load_rdf
    from .sparql import QueryRejected, run_query

    try:
        rdf = load_rdf(Path(root))[0]
    except NeutropeniaKGError as error:
        connection.send_bytes(json.dumps({"error": str(error)}).encode())
        return
    connection.send_bytes(json.dumps({"ready": True}).encode())
    while True:
        if not connection.poll(1.0):
            if os.getppid() != parent:
                return  # the app is gone: do not linger
            continue
        try:
            request = json.loads(connection.recv_bytes())
        except EOFError:
            return
        if request.get("stop"):
            return
        try:
            result = run_query(rdf, request["text"], limit=request["limit"])
            reply: dict[str, Any] = {
                "form": result.form,
                "columns": list(result.columns),
                "rows": [list(row) for row in result.rows],
                "truncated": result.truncated,
                "limit": result.limit,
            }
        except QueryRejected as error:
            reply = {"refused": str(error)}
        except MemoryError:
            reply = {"stopped": "the query ran out of memory"}
        connection.send_bytes(json.dumps(reply).encode())


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(5)


class SparqlWorker:
    """One worker process for the SPARQL queries of one user (see module docstring).

    ``timeout`` is in seconds of wall-clock time per query, ``memory_mb`` the growth of the
    worker's resident memory allowed while one query runs.
    """

    def __init__(self, root: Path | str, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB):
        self.root = str(root)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._finalizer: weakref.finalize | None = None
        self._ready = False  # the worker has said it has read the ontology

    # ------------------------------------------------------------------ lifetime

    def warm(self) -> None:
        """Start the worker reading the ontology now, without waiting for it: a view that will offer
        queries calls this when it is drawn, so the first query finds the ontology already read."""
        if not self.alive:
            self._spawn()

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a multi-threaded server
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(self.root, theirs, os.getpid()), daemon=True)
        process.start()
        theirs.close()
        self._process, self._connection, self._ready = process, ours, False
        self._finalizer = weakref.finalize(self, _kill, process)

    def _start(self) -> Connection:
        """The connection to a worker that has read the ontology (spawned now if none is running)."""
        if not self.alive:
            self._spawn()
        ours = self._connection
        assert ours is not None
        if self._ready:
            return ours
        if not ours.poll(_START_TIMEOUT):
            self.stop()
            raise QueryStopped("the SPARQL worker did not start (reading the ontology took too long)")
        try:
            hello = json.loads(ours.recv_bytes())
        except (EOFError, OSError):
            self.stop()
            raise QueryStopped("the SPARQL worker stopped while reading the ontology") from None
        if "error" in hello:
            self.stop()
            raise QueryStopped(f"the SPARQL worker could not read the ontology: {hello['error']}")
        self._ready = True
        return ours

    def stop(self) -> None:
        """Kill the worker now (a running query ends with it)."""
        if self._finalizer is not None:
            self._finalizer()
        self._process = self._connection = self._finalizer = None
        self._ready = False

    @property
    def alive(self) -> bool:
        """Whether a worker process is running."""
        return self._process is not None and self._process.is_alive()

    def __enter__(self) -> SparqlWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ queries

    def run(self, text: str, limit: int = 100) -> Any:
        """Run one query; a :class:`graph.curate.sparql.QueryResult`, or QueryRejected / QueryStopped."""
        from .sparql import MAX_LIMIT, QueryRejected, QueryResult, check_query

        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise QueryRejected(f"the row limit must be a whole number from 1 to {MAX_LIMIT}, got {limit!r}")
        check_query(text)  # a refused query never reaches the worker
        connection = self._start()
        assert self._process is not None
        pid = self._process.pid or 0
        baseline = _resident_mb(pid)
        connection.send_bytes(json.dumps({"text": text, "limit": limit}).encode())
        started = time.monotonic()
        while not connection.poll(_POLL):
            elapsed = time.monotonic() - started
            if elapsed > self.timeout:
                self.stop()
                raise QueryStopped(
                    f"the query was stopped after {self.timeout:g} s, the time limit; narrow it (a LIMIT, "
                    "fewer unconnected patterns, no ORDER BY over a cross product, simpler REGEX)"
                )
            resident = _resident_mb(pid)
            if baseline is not None and resident is not None and resident - baseline > self.memory_mb:
                self.stop()
                raise QueryStopped(
                    f"the query was stopped when it had used {resident - baseline:.0f} MB, over the limit of "
                    f"{self.memory_mb:g} MB; narrow it (a LIMIT, fewer unconnected patterns)"
                )
            if not self.alive:
                self.stop()
                raise QueryStopped("the SPARQL worker stopped unexpectedly; run the query again")
        try:
            reply = json.loads(connection.recv_bytes())
        except (EOFError, OSError):
            self.stop()
            raise QueryStopped("the SPARQL worker stopped unexpectedly; run the query again") from None
        if "refused" in reply:
            raise QueryRejected(reply["refused"])
        if "stopped" in reply:
            self.stop()
            raise QueryStopped(reply["stopped"])
        return QueryResult(
            reply["form"],
            tuple(reply["columns"]),
            tuple(tuple(row) for row in reply["rows"]),
            reply["truncated"],
            reply["limit"],
        )


#: the spare worker, by (ontology, time limit, memory limit): at most one, reading or holding the ontology
_SPARES: dict[tuple[str, float, float], SparqlWorker] = {}
_SPARES_LOCK = threading.Lock()


def _new_spare(key: tuple[str, float, float]) -> None:
    for other in _SPARES.values():  # one spare at a time: another ontology's is stopped
        other.stop()
    _SPARES.clear()
    spare = SparqlWorker(key[0], timeout=key[1], memory_mb=key[2])
    spare.warm()
    _SPARES[key] = spare


def keep_spare(root: Path | str, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB) -> None:
    """Start a spare worker reading ``root`` unless one is running (cheap when one is: nothing waits)."""
    key = (str(root), timeout, memory_mb)
    with _SPARES_LOCK:
        if key not in _SPARES or not _SPARES[key].alive:
            _new_spare(key)


def take_worker(
    root: Path | str, timeout: float = DEFAULT_TIMEOUT, memory_mb: float = DEFAULT_MEMORY_MB
) -> SparqlWorker:
    """A worker of one's own for a new user: the spare, which has been reading the ontology meanwhile
    (a new one when there is none), and a new spare started for the next user."""
    key = (str(root), timeout, memory_mb)
    with _SPARES_LOCK:
        worker = _SPARES.pop(key, None)
        if worker is None or not worker.alive:
            worker = SparqlWorker(root, timeout=timeout, memory_mb=memory_mb)
            worker.warm()
        _new_spare(key)
    return worker


def drop_spares() -> None:
    """Stop every spare worker (the ontology changed: the next user's worker reads it anew)."""
    with _SPARES_LOCK:
        for spare in _SPARES.values():
            spare.stop()
        _SPARES.clear()
