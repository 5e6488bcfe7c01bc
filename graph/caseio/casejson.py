"""Case JSON from a paste, an upload or a link: read and checked, with errors that say where; and back to text.

Stdlib only; the checks are those of :func:`graph.model.case.parse_case` (with the ontology's unit rules when given).

Examples
--------
>>> case_from_json_text('{"id": "x", "anc": 500}')["anc"]
500
>>> print(case_to_json({"id": "x", "anc": 500}).strip())
{
  "id": "x",
  "anc": 500
}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..model.case import MAX_CASE_BYTES, decode_json, json_error, parse_case
from ..model.errors import CaseError
from ..model.units import CaseRules

__all__ = ["MAX_CASE_BYTES", "case_from_json_text", "case_to_json"]


def case_from_json_text(
    text: str | bytes, source: str = "pasted JSON", rules: CaseRules | None = None
) -> dict[str, Any]:
    """A case dict from JSON text (a paste or an upload), checked; errors name the line and column.

    Examples
    --------
    >>> case_from_json_text('{"id": "x", "anc": }', source="case.json")
    Traceback (most recent call last):
    ...
    graph.model.errors.CaseError: case.json: invalid JSON at line 1, column 20: Expecting value
    """
    if isinstance(text, bytes):
        if len(text) > MAX_CASE_BYTES:
            raise CaseError(
                f"the file is larger than {MAX_CASE_BYTES // 1000} kB; a case is a small JSON object", source=source
            )
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CaseError("the file is not UTF-8 text", source=source) from None
    if len(text) > MAX_CASE_BYTES:
        raise CaseError(
            f"the text is longer than {MAX_CASE_BYTES // 1000} kB; a case is a small JSON object", source=source
        )
    if not text.strip():
        raise CaseError("nothing to read; paste or upload a case JSON object", source=source)
    try:
        data = decode_json(text)
    except ValueError as error:
        raise CaseError(json_error(error), source=source) from None
    try:
        parse_case(data, rules)
    except CaseError as error:
        raise CaseError(str(error), source=source) from None
    return data


def case_to_json(case: Mapping[str, Any]) -> str:
    """The case as indented JSON text (for download), keys in the case format's order."""
    return json.dumps(dict(case), indent=2, ensure_ascii=False) + "\n"
