"""Curators change an existing item: the frequency or source of a finding association, the likelihood
ratio, timing window or source of a drug link, the label, definition or source of a curated cause.

The change is the smallest Turtle diff that does it: only the objects of the changed predicates in the
statement that defines the item are rewritten, in the module file that holds that statement; every
other byte of the file stays.  The preview carries the file's digest, and :func:`graph.curate.edit.save_edit`
validates the whole ontology with the change and refuses it when the file changed since the preview.

Examples
--------
>>> from graph.kb.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> assoc = kb.finding_assocs[expand("cause:felty-syndrome")][0]
>>> amendment_problems(kb, Amendment(curie(assoc.id), frequency=1.5))[0]
'frequency 1.5 must be above 0 and at most 1 (a share of the patients of the cause)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from ..kb.knowledge import KnowledgeBase
from ..model.errors import NeutropeniaKGError
from ..model.ids import curie, expand, is_imported_cause
from .edit import SOURCE, EditPreview, _digest, _literal, module_diff, timing_windows

__all__ = ["Amendment", "FIELDS", "amendment_problems", "current_values", "preview_amendment"]

#: the kinds of item a curator may change, and the fields of each, with the predicate each writes
FIELDS: dict[str, dict[str, str]] = {
    "FindingAssociation": {"frequency": "nkg:frequency", "sources": "dcterms:source"},
    "AgentAssociation": {
        "likelihood_ratio": "nkg:likelihoodRatio",
        "window": "nkg:timingWindow",
        "sources": "dcterms:source",
    },
    "Cause": {"label": "rdfs:label", "definition": "skos:definition", "sources": "dcterms:source"},
}


@dataclass(frozen=True)
class Amendment:
    """A change to one existing item (CURIE or IRI): the fields given (not None) get the new values."""

    subject: str
    frequency: float | None = None
    likelihood_ratio: float | None = None
    window: str | None = None
    label: str | None = None
    definition: str | None = None
    sources: tuple[str, ...] | None = None

    def changes(self) -> dict[str, object]:
        """The fields this amendment sets, by name, in declaration order."""
        return {f.name: getattr(self, f.name) for f in fields(self)[1:] if getattr(self, f.name) is not None}


def current_values(kb: KnowledgeBase, subject: str) -> dict[str, object]:
    """The item's fields as the knowledge base holds them now (what a form starts from)."""
    iri = expand(subject)
    for assocs in kb.finding_assocs.values():
        for f in assocs:
            if f.id == iri:
                return {"frequency": f.frequency, "sources": f.sources}
    for links in kb.agent_assocs.values():
        for a in links:
            if a.id == iri:
                return {
                    "likelihood_ratio": a.likelihood_ratio,
                    "window": a.window.id if a.window else "",
                    "sources": a.sources,
                }
    if iri in kb.causes:
        info = kb.causes[iri].info
        return {"label": info.label, "definition": info.definition, "sources": info.sources}
    return {}


def _value_problems(kb: KnowledgeBase, name: str, value: object) -> list[str]:
    if name == "frequency" and not (isinstance(value, float | int) and 0 < value <= 1):
        return [f"frequency {value:g} must be above 0 and at most 1 (a share of the patients of the cause)"]
    if name == "likelihood_ratio" and not (isinstance(value, float | int) and value > 0):
        return [f"likelihood ratio {value:g} must be above 0 (1 says nothing)"]
    if name == "window" and expand(str(value)) not in timing_windows(kb):
        return [f"{value} is not a timing window of the ontology; choose one from the list"]
    if name == "label" and not re.search(r"[A-Za-z]{3}", str(value)):
        return ["the cause needs a label of at least one word"]
    if name == "definition" and len(str(value).split()) < 5:
        return ["give a definition of a sentence or more: what the cause is and how it lowers the count"]
    if name == "sources":
        sources = [s.strip() for s in value if s.strip()] if isinstance(value, tuple) else []
        if not sources or not all(SOURCE.fullmatch(s) for s in sources):
            return ["each source must be a PMID (PMID:12345678), a DOI (DOI:10.1000/xyz) or a PMCID (PMCID:PMC123)"]
    return []


def amendment_problems(kb: KnowledgeBase, amendment: Amendment) -> list[str]:
    """What is wrong with the change, in plain words (empty when it can be previewed)."""
    subject = expand(amendment.subject)
    kind = kb.kinds.get(subject, "")
    if kind not in FIELDS:
        return [f"{amendment.subject} is not a cause, finding association or drug link of the ontology"]
    cause = (
        subject
        if kind == "Cause"
        else next(
            (
                a.cause
                for table in (kb.finding_assocs, kb.agent_assocs)
                for assocs in table.values()
                for a in assocs
                if a.id == subject
            ),
            "",
        )
    )
    if is_imported_cause(cause):
        return ["imported causes are regenerated by `neutropenia-kg import-hpo`; curate a cause of a module"]
    changes = amendment.changes()
    wrong = sorted(set(changes) - set(FIELDS[kind]))
    if wrong:
        return [f"a {kind} has no field {', '.join(wrong)}; it has {', '.join(FIELDS[kind])}"]
    problems = [p for name, value in changes.items() for p in _value_problems(kb, name, value)]
    now = current_values(kb, subject)
    if not problems and all(_same(now.get(name), value) for name, value in changes.items()):
        problems.append("nothing changes: every value given is the one the ontology holds")
    return problems


def _same(old: object, new: object) -> bool:
    if isinstance(new, tuple) and isinstance(old, tuple):
        return sorted(s.strip() for s in new if s.strip()) == sorted(old)
    if isinstance(new, str) and isinstance(old, str):
        return " ".join(new.split()) == " ".join(old.split()) or expand(new) == old
    return old == new


#: a string literal (with escapes), an IRI, or any other term up to whitespace, `;`, `,` or a final `.`
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:@[A-Za-z-]+|\^\^\S+)?')


def _masked(text: str) -> str:
    """The text with every string literal's content blanked, so punctuation inside strings is not read."""
    return _STRING.sub(lambda m: '"' + "x" * (len(m.group()) - 2) + '"', text)


def _defining(subject: str, kind: str) -> re.Pattern[str]:
    """The start of the statement that types ``subject`` as ``nkg:kind`` (with its prefix or full IRI)."""
    return re.compile(rf"^(?:{re.escape(curie(subject))}|<{re.escape(subject)}>) a nkg:{kind}\b", re.M)


def _statement(text: str, subject: str, kind: str) -> tuple[int, int]:
    """Start and end (just before the closing `.`) of the statement that defines ``subject``."""
    masked = _masked(text)
    start = _defining(subject, kind).search(masked)
    if start is None:
        raise NeutropeniaKGError(f"no statement starts with {curie(subject)} in its module; change it by hand")
    end = re.compile(r"<[^>\s]*>|\.(?=\s|$)").finditer(masked, start.start())
    for token in end:
        if token.group() == ".":
            return start.start(), token.start()
    raise NeutropeniaKGError(f"the statement of {curie(subject)} has no closing `.`; fix the module by hand")


_OBJECTS = r'(?:"x*"(?:@[A-Za-z-]+|\^\^\S+)?|<[^>\s]*>|[^\s;,<"]+?)(?=\s*[;,]|\s*$)'


def _object_span(statement: str, predicate: str) -> tuple[int, int] | None:
    """Where the objects of ``predicate`` stand in the (masked) statement, or None when it has none."""
    found = re.search(rf"(?:^|[\s;]){re.escape(predicate)}\s+({_OBJECTS}(?:\s*,\s*{_OBJECTS})*)", statement)
    return found.span(1) if found else None


def _render(name: str, value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(_literal(s.strip()) for s in value if s.strip())
    if name == "window":
        return f"<{expand(str(value))}>"
    if isinstance(value, float | int):
        return f"{value:g}"
    return _literal(str(value))


def _module_defining(subject: str, kind: str, files: tuple[str, ...]) -> Path:
    pattern = _defining(subject, kind)
    for file in files:
        path = Path(file)
        if path.suffix == ".ttl" and path.is_file() and pattern.search(_masked(path.read_text(encoding="utf-8"))):
            return path
    raise NeutropeniaKGError(
        f"no module file defines {curie(subject)} as `{curie(subject)} a nkg:{kind}`; change it by hand"
    )


def preview_amendment(kb: KnowledgeBase, amendment: Amendment) -> EditPreview:
    """The module that defines the item, its digest as read now, and the minimal diff of the change."""
    problems = amendment_problems(kb, amendment)
    if problems:
        raise NeutropeniaKGError("; ".join(problems))
    subject = expand(amendment.subject)
    kind = kb.kinds[subject]
    path = _module_defining(subject, kind, kb.files)
    old = path.read_text(encoding="utf-8")
    start, end = _statement(old, subject, kind)
    statement = old[start:end]
    now = current_values(kb, subject)
    for name, value in amendment.changes().items():
        if _same(now.get(name), value):
            continue
        span = _object_span(_masked(statement), FIELDS[kind][name])
        if span is None:  # the predicate is new to the item: added before the closing `.`
            statement = statement.rstrip() + f" ;\n    {FIELDS[kind][name]} {_render(name, value)} "
        else:
            statement = statement[: span[0]] + _render(name, value) + statement[span[1] :]
    new = old[:start] + statement + old[end:]
    return EditPreview(path, _digest(old), new, module_diff(path, old, new, context=0))
