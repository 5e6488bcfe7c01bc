"""The example cases the app offers: the bundled ``examples/`` and, when present, the dev cases.

Examples
--------
>>> from pathlib import Path
>>> root = Path(__file__).resolve().parents[2]
>>> found, problems = find_example_cases([("example", root / "examples")])
>>> [case.key for case in found], problems
(['chronic-mild', 'febrile-agranulocytosis'], [])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.case import read_case_file
from ..model.errors import CaseError
from ..model.escape import one_line
from ..model.units import CaseRules

__all__ = ["ExampleCase", "example_directories", "find_example_cases", "load_example"]

_TITLE_NARRATIVE = 70


@dataclass(frozen=True)
class ExampleCase:
    """One example case file: a key for links (the file name), a title, its group and path."""

    key: str
    title: str
    group: str
    path: Path


def example_directories(checkout: Path) -> list[tuple[str, Path]]:
    """``examples/`` of the checkout and ``../shared/cases/dev`` beside it, when they exist.

    Examples
    --------
    >>> from pathlib import Path
    >>> [group for group, _ in example_directories(Path(__file__).resolve().parents[2])][0]
    'example'
    """
    candidates = [("example", checkout / "examples"), ("dev", checkout.parent / "shared" / "cases" / "dev")]
    return [(group, path) for group, path in candidates if path.is_dir()]


def _title(case_id: str, data: dict[str, Any]) -> str:
    narrative = one_line(data.get("narrative") or "")
    if len(narrative) > _TITLE_NARRATIVE:
        narrative = narrative[: _TITLE_NARRATIVE - 1].rstrip() + "…"
    return f"{case_id} — {narrative}" if narrative else case_id


def find_example_cases(
    directories: Iterable[tuple[str, Path]], rules: CaseRules | None = None
) -> tuple[list[ExampleCase], list[str]]:
    """Every readable ``*.json`` case under the directories, and one message per unreadable file.

    ``rules`` (``kb.case_rules``) read values given with units (case format version 2).

    Keys are file names without ``.json``; a name that repeats across directories is prefixed
    with its group (``dev/…``) so every key is unique.
    """
    found: list[ExampleCase] = []
    problems: list[str] = []
    keys: set[str] = set()
    for group, directory in directories:
        for path in sorted(directory.glob("*.json")):
            try:
                case, data = read_case_file(path, rules)
            except CaseError as error:
                problems.append(str(error))
                continue
            key = path.stem if path.stem not in keys else f"{group}/{path.stem}"
            keys.add(key)
            found.append(ExampleCase(key, _title(case.case_id, data), group, path))
    return found, problems


def load_example(example: ExampleCase, rules: CaseRules | None = None) -> dict[str, Any]:
    """The case dict of an example (as in the file, ``expected`` included; the ranker ignores it)."""
    return read_case_file(example.path, rules)[1]
