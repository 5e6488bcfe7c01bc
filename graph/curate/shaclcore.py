"""Core SHACL over pyoxigraph triples: the constraints ``ontology/shapes.ttl`` uses, tens of times faster than pyshacl.

pyshacl runs every shape through rdflib (about 10 s on the bundled ontology); this module reads the
shapes once into plain objects and checks them over dictionaries of the data's triples (a fraction
of a second).  It covers the targets and constraint components the shapes use (``sh:targetClass``,
``sh:targetSubjectsOf``, property shapes with a predicate or ``sh:inversePath``, ``sh:minCount``,
``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:pattern``, ``sh:in``, the four
value ranges, ``sh:or`` and ``sh:not``) with pyshacl's own semantics: literal values, ill-typed
literals and comparisons follow rdflib, as pyshacl does.  A shapes file that uses anything else
makes :func:`compile_shapes` raise :class:`Unsupported`, and :mod:`graph.curate.shacl` runs pyshacl
instead.  ``tests/test_shacl_core.py`` checks that both give the same results on the bundled
ontology and on every broken fixture.

Examples
--------
>>> import pyoxigraph as ox
>>> def triples(text):
...     prefixes = '''@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
...                   @prefix code: <https://w3id.org/neutropenia-kg/shapes#> .'''
...     return [q.triple for q in ox.parse(input=prefixes + text, format=ox.RdfFormat.TURTLE)]
>>> shapes = compile_shapes(triples('''ex:S a sh:NodeShape ; sh:targetClass ex:Drug ;
...     sh:property [ sh:path ex:xref ; sh:minCount 1 ; code:code "missing-xref" ; sh:message "add an xref" ] .'''))
>>> check_core(triples("ex:a a ex:Drug . ex:b a ex:Drug ; ex:xref 'DB1' ."), shapes)
[ShapeResult(level='error', code='missing-xref', subject='http://x/a', message='add an xref')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox

__all__ = ["ShapeResult", "Unsupported", "CoreShapes", "compile_shapes", "check_core", "sorted_results"]

SH = "http://www.w3.org/ns/shacl#"
_CODE = "https://w3id.org/neutropenia-kg/shapes#code"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_TYPE = _RDF + "type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_CLASS_TYPES = ("http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_LEVELS = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "warning"}

#: constraint parameter -> its component's name (the fallback code is ``shacl-`` and this name)
_COMPONENTS = {
    "minCount": "minCount",
    "maxCount": "maxCount",
    "class": "class",
    "datatype": "datatype",
    "nodeKind": "nodeKind",
    "pattern": "pattern",
    "in": "in",
    "minExclusive": "minExclusive",
    "minInclusive": "minInclusive",
    "maxExclusive": "maxExclusive",
    "maxInclusive": "maxInclusive",
    "or": "or",
    "not": "not",
}
#: what a shape may also say that changes no result
_DESCRIPTIVE = {"message", "severity", "path", "property", "targetClass", "targetSubjectsOf", "name", "description"}
_DESCRIPTIVE |= {"order", "group"}
_NODE_KINDS = {
    "IRI": (ox.NamedNode,),
    "Literal": (ox.Literal,),
    "BlankNode": (ox.BlankNode,),
    "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode),
    "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
    "IRIOrLiteral": (ox.NamedNode, ox.Literal),
}


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, in the words of the shape that failed."""

    level: str
    code: str
    subject: str
    message: str


def sorted_results(results: Iterable[ShapeResult]) -> list[ShapeResult]:
    """Errors first, then by code, node and message."""
    return sorted(results, key=lambda r: (r.level != "error", r.code, r.subject, r.message))


class Unsupported(Exception):
    """The shapes use a SHACL feature this module does not implement (pyshacl checks them instead)."""


@dataclass
class _Shape:
    """One shape: its path (None for a node shape), its constraints, and what a result of it says."""

    node: Any
    path: tuple[str, bool] | None = None  # (predicate IRI, inverse)
    constraints: list[tuple[str, Any]] = field(default_factory=list)
    properties: list[_Shape] = field(default_factory=list)
    code: str | None = None
    message: str | None = None
    level: str = "error"
    target_classes: list[str] = field(default_factory=list)
    target_subjects_of: list[str] = field(default_factory=list)


@dataclass
class CoreShapes:
    """The shapes graph read into :class:`_Shape` objects: those with targets are checked."""

    targeted: list[_Shape]
    #: the predicates the shapes read forwards (with rdf:type) and backwards (``sh:inversePath``)
    predicates: tuple[frozenset[str], frozenset[str]]


class _ShapesGraph:
    """The shapes' triples by subject and predicate, and the shapes read so far."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.by_subject: dict[Any, dict[str, list[Any]]] = {}
        for t in triples:
            self.by_subject.setdefault(t.subject, {}).setdefault(t.predicate.value, []).append(t.object)
        self.read: dict[Any, _Shape] = {}

    def values(self, node: Any, predicate: str) -> list[Any]:
        return self.by_subject.get(node, {}).get(predicate, [])

    def one(self, node: Any, predicate: str) -> Any:
        found = self.values(node, predicate)
        if len(found) > 1:
            raise Unsupported(f"{node} has {len(found)} values of <{predicate}>")
        return found[0] if found else None

    def items(self, head: Any) -> list[Any]:
        """The members of an RDF list."""
        out, seen = [], set()
        while head != ox.NamedNode(_RDF + "nil"):
            if head in seen or head not in self.by_subject:
                raise Unsupported(f"malformed RDF list at {head}")
            seen.add(head)
            out.append(self.one(head, _RDF + "first"))
            head = self.one(head, _RDF + "rest")
        return out

    def shape(self, node: Any) -> _Shape:
        if node not in self.read:
            self.read[node] = _Shape(node)  # placed first: a shape that refers to itself ends here
            _fill(self, self.read[node])
        return self.read[node]


def _fill(sg: _ShapesGraph, shape: _Shape) -> None:
    """Read ``shape``'s targets, path, constraints, property shapes and words from the shapes graph."""
    node = shape.node
    if any(t.value in _CLASS_TYPES for t in sg.values(node, _RDF_TYPE) if isinstance(t, ox.NamedNode)):
        raise Unsupported(f"{node} is a class (implicit class targets)")
    for predicate, objects in sorted(sg.by_subject.get(node, {}).items()):
        if not predicate.startswith(SH):
            continue
        name = predicate[len(SH) :]
        if name not in _COMPONENTS and name not in _DESCRIPTIVE:
            raise Unsupported(f"sh:{name} on {node}")
        if name in _COMPONENTS:
            shape.constraints += [(name, _parameter(sg, name, value)) for value in objects]
    shape.path = _path(sg, sg.one(node, SH + "path"))
    shape.properties = [sg.shape(p) for p in sg.values(node, SH + "property")]
    if shape.path is not None and shape.properties:
        raise Unsupported(f"property shape {node} with property shapes of its own")
    shape.target_classes = [_iri(c) for c in sg.values(node, SH + "targetClass")]
    shape.target_subjects_of = [_iri(c) for c in sg.values(node, SH + "targetSubjectsOf")]
    code, message, severity = (sg.one(node, p) for p in (_CODE, SH + "message", SH + "severity"))
    shape.code = None if code is None else str(code.value)
    shape.message = None if message is None else str(message.value)
    if severity is not None:
        shape.level = _LEVELS.get(_iri(severity), "error")


def _iri(term: Any) -> str:
    if not isinstance(term, ox.NamedNode):
        raise Unsupported(f"expected an IRI, found {term}")
    return term.value


def _path(sg: _ShapesGraph, term: Any) -> tuple[str, bool] | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value, False
    inverse = sg.one(term, SH + "inversePath")
    if len(sg.by_subject.get(term, {})) != 1 or not isinstance(inverse, ox.NamedNode):
        raise Unsupported(f"path {term} (only a predicate or sh:inversePath of one)")
    return inverse.value, True


def _parameter(sg: _ShapesGraph, name: str, value: Any) -> Any:
    """A constraint's parameter, ready to apply: a number, a compiled pattern, a set, shapes..."""
    if name in ("minCount", "maxCount"):
        return int(value.value)
    if name in ("class", "datatype"):
        return _iri(value)
    if name == "nodeKind":
        kind = _iri(value).removeprefix(SH)
        if kind not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {value}")
        return _NODE_KINDS[kind]
    if name == "pattern":
        return re.compile(str(value.value))
    if name == "in":
        return frozenset(_canonical(v) if isinstance(v, ox.Literal) else v for v in sg.items(value))
    if name == "or":
        return [sg.shape(item) for item in sg.items(value)]
    if name == "not":
        return sg.shape(value)
    return _to_rdflib(value)  # the value ranges compare rdflib literals, as pyshacl does


def compile_shapes(triples: Iterable[ox.Triple]) -> CoreShapes:
    """The shapes of a shapes graph; :class:`Unsupported` when it uses what this module does not check.

    Every shape that can give a result must carry its own ``sh:message`` (pyshacl's generic messages
    are not reproduced here).
    """
    sg = _ShapesGraph(triples)
    targets = (SH + "targetClass", SH + "targetSubjectsOf")
    for other in ("targetNode", "targetObjectsOf", "sparql", "deactivated", "flags"):
        if any(SH + other in predicates for predicates in sg.by_subject.values()):
            raise Unsupported(f"sh:{other}")
    nodes = sorted((s for s, p in sg.by_subject.items() if any(t in p for t in targets)), key=str)
    targeted = [sg.shape(node) for node in nodes]
    for shape in targeted:
        for reporting in [shape, *shape.properties]:
            if reporting.constraints and reporting.message is None:
                raise Unsupported(f"shape {reporting.node} has no sh:message")
    paths = [shape.path for shape in sg.read.values() if shape.path is not None]
    forward = {p for p, inverse in paths if not inverse} | {p for s in targeted for p in s.target_subjects_of}
    inverse = {p for p, inverse in paths if inverse}
    return CoreShapes(targeted, (frozenset(forward | {_RDF_TYPE}), frozenset(inverse)))


# ---------------------------------------------------------------- the data


class _Data:
    """The data graph's triples by subject and by object, and each class's superclasses."""

    def __init__(self, triples: Iterable[ox.Triple], shapes: CoreShapes) -> None:
        #: subject -> predicate -> {the value as rdflib would hold it: the value as read}
        self.out: dict[Any, dict[str, dict[Any, Any]]] = {}
        self.into: dict[Any, dict[str, dict[Any, Any]]] = {}
        self.instances: dict[str, list[Any]] = {}
        self.supers: dict[str, list[str]] = {}
        forward, inverse = shapes.predicates
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if p in forward:
                values = self.out.setdefault(s, {}).setdefault(p, {})
                key = _canonical(o) if isinstance(o, ox.Literal) else o
                if key not in values:  # rdflib's graph keeps the first of two values it reads as one
                    values[key] = o
            if p in inverse:
                self.into.setdefault(o, {}).setdefault(p, {})[s] = s
            if p == _RDF_TYPE and isinstance(o, ox.NamedNode):
                self.instances.setdefault(o.value, []).append(s)
            elif p == _SUBCLASS and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                self.supers.setdefault(s.value, []).append(o.value)
        self._closure: dict[str, frozenset[str]] = {}

    def values(self, focus: Any, path: tuple[str, bool] | None) -> list[Any]:
        if path is None:
            return [focus]
        table = self.into if path[1] else self.out
        return list(table.get(focus, {}).get(path[0], {}).values())

    def superclasses(self, cls: str) -> frozenset[str]:
        """``cls`` and every class it is (transitively) a subclass of."""
        found = self._closure.get(cls)
        if found is None:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.supers.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            found = self._closure[cls] = frozenset(seen)
        return found

    def is_instance(self, node: Any, cls: str) -> bool:
        types = self.out.get(node, {}).get(_RDF_TYPE, ())
        return any(isinstance(t, ox.NamedNode) and cls in self.superclasses(t.value) for t in types)

    def focus_nodes(self, shape: _Shape) -> list[Any]:
        found: dict[Any, None] = {}
        for cls in shape.target_classes:
            subclasses = [c for c in self.instances if cls in self.superclasses(c)]
            for sub in sorted(subclasses):
                found.update(dict.fromkeys(self.instances[sub]))
        for predicate in shape.target_subjects_of:
            found.update(dict.fromkeys(s for s, p in self.out.items() if predicate in p))
        return list(found)


# ---------------------------------------------------------------- the constraints


@cache
def _to_rdflib(term: Any) -> Any:
    from ..kb.ontology import to_rdflib

    return to_rdflib(term)


_PLAIN = (_XSD + "string", _RDF + "langString")


@cache
def _canonical(literal: ox.Literal) -> ox.Literal:
    """A literal as rdflib holds it: a typed value in its canonical form ("maybe"^^xsd:boolean is "false")."""
    if literal.datatype.value in _PLAIN:
        return literal
    return ox.Literal(str(_to_rdflib(literal)), datatype=literal.datatype)


def _text(term: Any) -> str:
    """``str`` of the rdflib term pyshacl sees (a literal's canonical form)."""
    return _canonical(term).value if isinstance(term, ox.Literal) else str(term.value)


def _datatype_ok(value: Any, datatype: str) -> bool:
    """pyshacl's sh:datatype: the literal's datatype and, for the types it knows, a well-typed value."""
    if not isinstance(value, ox.Literal):
        return False
    literal = _to_rdflib(value)
    given = "" if literal.datatype is None else str(literal.datatype)
    if given == datatype:
        return getattr(literal, "ill_typed", None) is not True and _actual(literal.value, datatype)
    if datatype == "http://www.w3.org/2000/01/rdf-schema#Literal":
        return True
    if datatype == "http://www.w3.org/2000/01/rdf-schema#Datatype":
        return bool(given)
    if not given and literal.language is None and datatype == _XSD + "string":
        return _actual(literal.value, datatype)
    return datatype == _RDF + "langString" and bool(literal.language) and _actual(literal.value, datatype)


def _actual(value: Any, datatype: str) -> bool:
    """Whether rdflib's Python value fits the datatype (pyshacl's ``_assert_actual_datatype``)."""
    from datetime import date, datetime, time
    from decimal import Decimal

    kinds: dict[str, type | tuple[type, ...]] = {
        _XSD + "string": (str, bytes),
        _RDF + "langString": (str, bytes),
        _XSD + "integer": int,
        _XSD + "float": float,
        _XSD + "decimal": Decimal,
        _XSD + "boolean": bool,
        _XSD + "date": date,
        _XSD + "time": time,
        _XSD + "dateTime": datetime,
    }
    kind = kinds.get(datatype)
    return kind is None or isinstance(value, kind)


def _compare(value: Any, bound: Any) -> int | None:
    """pyshacl's ``compare_literal`` of a value node with a range's bound; None where it cannot compare."""
    from datetime import datetime, time

    if not isinstance(value, ox.Literal):
        return None
    literal = _to_rdflib(value)
    if isinstance(bound.value, str) != isinstance(literal.value, str):
        return None
    try:
        if literal.eq(bound):
            return 0
        if literal.value.__class__ in (datetime, time):
            return 0 if literal.value == bound.value else 1 if literal.value > bound.value else -1
        return 1 if literal > bound else -1
    except (TypeError, NotImplementedError):
        return None


_RANGES: dict[str, Callable[[int], bool]] = {
    "minExclusive": lambda order: order > 0,
    "minInclusive": lambda order: order >= 0,
    "maxExclusive": lambda order: order < 0,
    "maxInclusive": lambda order: order <= 0,
}


def _value_ok(data: _Data, name: str, parameter: Any, value: Any) -> bool:
    """Whether one value node meets one value constraint."""
    if name == "class":
        return not isinstance(value, ox.Literal) and data.is_instance(value, parameter)
    if name == "datatype":
        return _datatype_ok(value, parameter)
    if name == "nodeKind":
        return isinstance(value, parameter)
    if name == "pattern":
        return not isinstance(value, ox.BlankNode) and parameter.search(_text(value)) is not None
    if name == "in":
        return (_canonical(value) if isinstance(value, ox.Literal) else value) in parameter
    if name == "or":
        return any(_conforms(data, shape, value) for shape in parameter)
    if name == "not":
        return not _conforms(data, parameter, value)
    order = _compare(value, parameter)
    return order is not None and _RANGES[name](order)


def _violations(data: _Data, shape: _Shape, focus: Any) -> Iterable[tuple[str, Any]]:
    """(component, value node or None) for each result of ``shape``'s own constraints at ``focus``."""
    values = data.values(focus, shape.path)
    for name, parameter in shape.constraints:
        if name == "minCount":
            if len(values) < parameter:
                yield name, None
        elif name == "maxCount":
            if len(values) > parameter:
                yield name, None
        else:
            yield from ((name, v) for v in values if not _value_ok(data, name, parameter, v))


def _conforms(data: _Data, shape: _Shape, focus: Any) -> bool:
    if next(iter(_violations(data, shape, focus)), None) is not None:
        return False
    return all(_conforms(data, p, focus) for p in shape.properties)


def _result(shape: _Shape, component: str, focus: ox.NamedNode, value: Any) -> ShapeResult:
    """A result in the words :func:`graph.curate.shacl.check_shapes` gives pyshacl's."""
    text = shape.message or "violates its shape"
    if isinstance(value, ox.NamedNode):
        if value.value not in text:
            text = f"{text} (found <{value.value}>)"
    elif value is not None and "{" not in text and _text(value) not in text:
        text = f"{text} (found {_text(value)!r})"
    return ShapeResult(shape.level, shape.code or f"shacl-{_COMPONENTS[component]}", focus.value, text)


def check_core(triples: Iterable[ox.Triple], shapes: CoreShapes) -> list[ShapeResult]:
    """Every result of ``shapes`` on the data ``triples`` (named focus nodes only), sorted."""
    data = _Data(triples, shapes)
    results: set[ShapeResult] = set()
    for shape in shapes.targeted:
        for focus in data.focus_nodes(shape):
            if not isinstance(focus, ox.NamedNode):
                continue
            for reporting in [shape, *shape.properties]:
                for component, value in _violations(data, reporting, focus):
                    results.add(_result(reporting, component, focus, value))
    return sorted_results(results)
