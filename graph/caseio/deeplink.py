"""Deep links: the app's view, case, selected cause, explored node and comparison as URL parameters.

Parameters: ``view`` (workup, explore, compare, curate), ``case`` (an example's key), ``c`` (a
case of one's own, as compressed JSON), ``cause`` (CURIE of the selected candidate), ``node``
(CURIE of the explored node), ``compare`` (two or three cause CURIEs, comma-separated).  A value
that does not name something known is dropped with a message, never trusted.

Examples
--------
>>> link, problems = parse_link({"view": "compare", "compare": "cause:a,cause:b"}, is_cause=lambda c: True)
>>> link.view, [c.rsplit("/", 1)[1] for c in link.compare], problems
('compare', ['a', 'b'], [])
>>> link_params(DeepLink(view="explore", node="https://w3id.org/neutropenia-kg/resource/drug/clozapine"))
{'view': 'explore', 'node': 'drug:clozapine'}
>>> decode_case(encode_case({"id": "x", "anc": 700}))
{'id': 'x', 'anc': 700}
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urlencode

from ..model.errors import CaseError
from ..model.ids import curie, expand
from ..model.units import CaseRules
from .casejson import case_from_json_text

__all__ = [
    "View",
    "VIEWS",
    "DeepLink",
    "MAX_LINK_CHARS",
    "parse_link",
    "link_params",
    "merge_link",
    "node_page_url",
    "encode_case",
    "decode_case",
]

View = Literal["workup", "explore", "compare", "curate"]
VIEWS: tuple[View, ...] = ("workup", "explore", "compare", "curate")
MAX_LINK_CHARS = 6000
_MAX_CASE_BYTES = 200_000
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
#: The fields of a link that each view sets; the others keep what the session last showed.
_OWNED: dict[str, tuple[str, ...]] = {
    "workup": ("case", "custom", "cause"),
    "explore": ("node",),
    "compare": ("compare",),
    "curate": (),
}


@dataclass(frozen=True)
class DeepLink:
    """What a URL selects; ids are full IRIs."""

    view: View = "workup"
    case: str | None = None
    custom: dict[str, Any] | None = None
    cause: str | None = None
    node: str | None = None
    compare: tuple[str, ...] = ()


def encode_case(case: Mapping[str, Any]) -> str | None:
    """A case as URL-safe compressed JSON, or None when it would make the link too long."""
    raw = json.dumps(dict(case), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    token = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    return token if len(token) <= MAX_LINK_CHARS else None


def decode_case(token: str, rules: CaseRules | None = None) -> dict[str, Any]:
    """The case in a ``c`` parameter; a :class:`~graph.model.errors.CaseError` when it is damaged or too large.

    ``rules`` (``kb.case_rules``) read values given with units, as for a pasted case.

    Examples
    --------
    >>> decode_case("not a case")
    Traceback (most recent call last):
    ...
    graph.model.errors.CaseError: link: the case in the link is damaged; ask for the link again
    """
    if len(token) > MAX_LINK_CHARS or not _TOKEN.fullmatch(token):
        raise CaseError("the case in the link is damaged; ask for the link again", source="link")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, _MAX_CASE_BYTES)
        if inflater.unconsumed_tail:
            raise CaseError("the case in the link is too large", source="link")
        json.loads(raw, parse_int=float)  # a cut or altered link is not JSON: "damaged" says more than a column
    except RecursionError:
        pass  # valid JSON nested too deeply: case_from_json_text says so
    except (binascii.Error, zlib.error, ValueError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CaseError("the case in the link is damaged; ask for the link again", source="link") from None
    return case_from_json_text(raw, source="link", rules=rules)


def _one(params: Mapping[str, str | list[str]], key: str) -> str | None:
    value = params.get(key)
    if isinstance(value, list):
        value = value[-1] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_link(
    params: Mapping[str, str | list[str]],
    *,
    is_case: Callable[[str], bool] = lambda key: False,
    is_cause: Callable[[str], bool] = lambda iri: False,
    is_node: Callable[[str], bool] = lambda iri: False,
    rules: CaseRules | None = None,
) -> tuple[DeepLink, list[str]]:
    """Read URL parameters; ``is_case``/``is_cause``/``is_node`` say which values are known.

    ``rules`` (``kb.case_rules``) read the units of a case in the link.

    Returns the link and a message for every value that was dropped.
    """
    problems: list[str] = []
    view_text = _one(params, "view") or "workup"
    view: View = "workup"
    if view_text in VIEWS:
        view = view_text  # type: ignore[assignment]
    else:
        problems.append(f"unknown view {view_text!r} in the link; showing the case workup")
    case = _one(params, "case")
    if case is not None and not is_case(case):
        problems.append(f"no example case {case!r}; showing the default case")
        case = None
    custom = None
    token = _one(params, "c")
    if token is not None:
        try:
            custom = decode_case(token, rules)
        except CaseError as error:
            problems.append(str(error))

    def node_of(text: str | None, check: Callable[[str], bool], what: str) -> str | None:
        if text is None:
            return None
        iri = expand(text)
        if check(iri):
            return iri
        problems.append(f"{text!r} in the link is not a known {what}; it was ignored")
        return None

    cause = node_of(_one(params, "cause"), is_cause, "cause")
    node = node_of(_one(params, "node"), lambda iri: is_node(iri) or is_cause(iri), "node")
    compare: list[str] = []
    for text in (_one(params, "compare") or "").split(","):
        found = node_of(text.strip() or None, is_cause, "cause")
        if found and found not in compare:
            compare.append(found)
    if len(compare) > 3:
        problems.append("a comparison holds at most three causes; the first three are shown")
        compare = compare[:3]
    return DeepLink(view, case, custom, cause, node, tuple(compare)), problems


def link_params(link: DeepLink) -> dict[str, str]:
    """The URL parameters of a link (defaults left out; a custom case too large for a URL is left out)."""
    params: dict[str, str] = {}
    if link.view != "workup":
        params["view"] = link.view
    if link.custom is not None:
        token = encode_case(link.custom)
        if token is not None:
            params["c"] = token
    elif link.case:
        params["case"] = link.case
    if link.cause:
        params["cause"] = curie(link.cause)
    if link.node:
        params["node"] = curie(link.node)
    if link.compare:
        params["compare"] = ",".join(curie(c) for c in link.compare)
    return params


def merge_link(previous: DeepLink, shown: DeepLink) -> DeepLink:
    """``previous`` updated with what the view of ``shown`` owns, so a link keeps the whole session.

    Examples
    --------
    >>> before = DeepLink(case="dev-001", cause="https://w3id.org/neutropenia-kg/resource/cause/x")
    >>> after = merge_link(before, DeepLink(view="explore", node="http://purl.obolibrary.org/obo/HP_0001945"))
    >>> after.view, after.case, after.node.rsplit("/", 1)[1]
    ('explore', 'dev-001', 'HP_0001945')
    """
    return replace(previous, view=shown.view, **{name: getattr(shown, name) for name in _OWNED[shown.view]})


def node_page_url(node: str) -> str:
    """The app-relative URL of a node's page in the explore view (a query string, percent-encoded).

    It starts with ``?``, so it can only lead to the app itself; a browser resolves it against the app's
    address.  The explore view checks the node again when the link is opened (see :func:`parse_link`).

    Examples
    --------
    >>> node_page_url("https://w3id.org/neutropenia-kg/resource/drug/clozapine")
    '?view=explore&node=drug%3Aclozapine'
    >>> node_page_url("x<script>")
    '?view=explore&node=x%3Cscript%3E'
    """
    return "?" + urlencode(link_params(DeepLink(view="explore", node=node)))
