"""The compiled-ontology cache: JSON that cannot run code, keyed by content, written atomically (stdlib only).

One cache file per ontology root, ``kb-<name>.json`` in the cache folder, holds a one-line JSON
header and then the knowledge base as JSON (:mod:`graph.model.codec`).  The header records

* the format and its version, the package version, a SHA-256 of the package's own source and of
  the stored classes' layout (so a new field or a changed compiler makes a new copy);
* the SHA-256 of the content of every file the copy was compiled from (the root, every module it
  imports, the HPO table): the key proper, checked on every load;
* the SHA-256 and length of the body.

Loading opens the file without following a symlink, takes it only when it is a regular file
owned by this user, and checks everything above before decoding; the decoder checks every value
against its type hint.  Anything that does not fit is a :class:`CacheProblem` (the caller rebuilds
and says so in one line).  An out-of-date copy (an edited ontology) is simply rebuilt.  Writing
goes to a temporary file created with ``O_EXCL | O_NOFOLLOW`` in the cache folder, is flushed with
``fsync`` and renamed over the old copy with ``os.replace``.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "root.ttl").write_text("# a one-file ontology")
21
>>> store = CacheStore(folder / "cache")
>>> store.load(folder / "root.ttl", lambda data: data) is None  # nothing stored yet
True
>>> store.save(folder / "root.ttl", {"answer": 42}, [folder / "root.ttl"])
>>> store.load(folder / "root.ttl", lambda data: data)
{'answer': 42}
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..model.errors import NeutropeniaKGError

__all__ = ["CacheStore", "CacheProblem", "FORMAT", "FORMAT_VERSION", "default_cache_dir", "code_digest"]

FORMAT = "neutropenia-kg compiled knowledge base"
FORMAT_VERSION = 1
_KEEP = 8  # compiled copies kept (one per ontology root; tests and curators make many)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class CacheProblem(NeutropeniaKGError):
    """A cache file exists but cannot be trusted: damaged, foreign, or not a regular file of this user."""


def default_cache_dir() -> Path | None:
    """``$NEUTROPENIA_KG_CACHE`` (empty: no cache), else ``$XDG_CACHE_HOME`` or ``~/.cache``, + ``neutropenia-kg``."""
    root = os.environ.get("NEUTROPENIA_KG_CACHE")
    if root == "":
        return None
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "neutropenia-kg"


def code_digest() -> str:
    """SHA-256 of the package's Python source: a changed compiler never reads an older compiled copy."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


class CacheStore:
    """Compiled copies in one folder; ``identity`` names what else a copy depends on (versions, schema)."""

    def __init__(self, folder: Path, identity: dict[str, str] | None = None, keep: int = _KEEP) -> None:
        self.folder = folder
        self.keep = keep
        self.identity = {"format": FORMAT, "format_version": FORMAT_VERSION, **(identity or {})}

    def path_for(self, root: Path) -> Path:
        """The cache file of an ontology root (its name depends on the root's path and the identity)."""
        key = json.dumps([str(root.resolve()), self.identity], sort_keys=True)
        return self.folder / f"kb-{hashlib.sha256(key.encode()).hexdigest()[:40]}.json"

    # ------------------------------------------------------------------ reading

    def load(self, root: Path, decode: Callable[[Any], Any]) -> Any | None:
        """The decoded body of the root's copy; None when there is none or it is out of date.

        Raises :class:`CacheProblem` when a copy exists but is damaged or foreign.
        """
        target = self.path_for(root)
        parts = self._read(target)
        if parts is None:
            return None
        head, body = parts
        try:
            header = json.loads(head)
        except (ValueError, RecursionError):
            raise CacheProblem(f"{target}: not a compiled knowledge base (unreadable header)") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise CacheProblem(f"{target}: not a compiled knowledge base")
        if any(header.get(k) != v for k, v in self.identity.items()):
            return None  # written by another version of the package: rebuild quietly
        if header.get("root") != str(root.resolve()):
            raise CacheProblem(f"{target}: compiled from another ontology")
        sources = header.get("sources")
        if not isinstance(sources, list) or not all(
            isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) for s in sources
        ):
            raise CacheProblem(f"{target}: damaged header (sources)")
        for name, digest in sources:
            if _file_digest(Path(name)) != digest:
                return None  # an ontology file changed: rebuild quietly
        if header.get("body_bytes") != len(body) or (header.get("body_sha256") != hashlib.sha256(body).hexdigest()):
            raise CacheProblem(f"{target}: damaged (its content does not match its digest)")
        try:
            data = json.loads(body)
            del body, parts  # the decoded objects replace the bytes (lower peak memory)
            return decode(data)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as error:
            raise CacheProblem(f"{target}: damaged ({error})") from None

    def _read(self, target: Path) -> tuple[bytes, bytes] | None:
        """(header line, body) of a regular file of this user, opened without following a symlink."""
        try:
            fd = os.open(target, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as error:  # ELOOP: a symlink planted in its place
            raise CacheProblem(f"{target}: cannot be opened safely ({error.strerror})") from None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise CacheProblem(f"{target}: not a regular file")
            if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
                raise CacheProblem(f"{target}: owned by another user")
            head = handle.readline(1 << 20)
            if not head.endswith(b"\n"):
                raise CacheProblem(f"{target}: not a compiled knowledge base (no header line)")
            return head, handle.read()

    # ------------------------------------------------------------------ writing

    def save(self, root: Path, data: Any, sources: Iterable[Path]) -> None:
        """Write ``data`` (JSON-ready) as the root's copy, atomically; OSError when the folder is unusable."""
        # ASCII (non-ASCII as \u escapes): decoding pure ASCII bytes is several times faster than UTF-8
        body = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")
        header = {
            **self.identity,
            "root": str(root.resolve()),
            "sources": [[str(Path(s).resolve()), _file_digest(Path(s))] for s in sources],
            "body_bytes": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        head = json.dumps(header, ensure_ascii=True, sort_keys=True).encode("ascii")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = os.open(self.folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _CLOEXEC)
        try:
            info = os.fstat(folder)
            if hasattr(os, "geteuid") and (info.st_uid != os.geteuid() or info.st_mode & 0o022):
                raise OSError(f"{self.folder} is writable by other users; not caching there")
            final = self.path_for(root).name
            temporary = f".{final}.{secrets.token_hex(8)}.tmp"
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(head + b"\n" + body)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temporary, final, src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                os.unlink(temporary, dir_fd=folder)
                raise
            os.fsync(folder)
        finally:
            os.close(folder)
        self._prune(keep=final)

    def _prune(self, keep: str) -> None:
        """Keep the newest few copies; remove pickles written by earlier versions (never read)."""
        for legacy in self.folder.glob("kb-*.pickle"):
            legacy.unlink(missing_ok=True)
        copies = []
        for file in self.folder.glob("kb-*.json"):
            try:
                copies.append((file.lstat().st_mtime, file))
            except FileNotFoundError:
                continue
        for _, old in sorted(copies, reverse=True)[self.keep :]:
            if old.name != keep:
                old.unlink(missing_ok=True)
