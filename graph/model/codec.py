"""Type-driven JSON encoding of plain data: dataclasses, tuples, dicts, frozensets, literals (stdlib only).

The compiled knowledge base is stored as JSON that this module writes and reads by walking the
type hints of the classes, so a new field on a frozen dataclass round-trips with no change here.
Nothing is ever executed on reading: every value is checked against its hint, and a mismatch
raises :class:`CodecError`.

Supported hints: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Literal[...]``, unions (``X | None``),
``tuple[X, ...]``, ``tuple[A, B]``, ``list[X]``, ``dict[K, V]``, ``frozenset[X]``, ``set[X]``,
dataclasses (nested ones included), classes that define ``to_data()`` and a classmethod
``from_data(data)``, and the types given to :class:`Codec` with their own pair of functions.

* A dataclass is a JSON list of its stored fields in declaration order.  A field declared with
  ``compare=False`` is a memo: it is not stored and comes back as its default.
* A frozen dataclass met a second time is written as the index of its first occurrence, so
  shared objects stay shared (and the file small).
* A dict with ``str`` keys is a JSON object; any other dict is a list of ``[key, value]`` pairs.
* A set is a list sorted by ``repr`` (same input, same bytes).

Examples
--------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Point:
...     name: str
...     xy: tuple[float, float]
...     tags: frozenset[str] = frozenset()
>>> codec = Codec()
>>> p = Point("a", (1.0, 2.5), frozenset({"y", "x"}))
>>> data = codec.encode({"p": p, "q": p}, dict[str, Point])
>>> data
{'p': ['a', [1.0, 2.5], ['x', 'y']], 'q': 0}
>>> back = codec.decode(data, dict[str, Point])
>>> back == {"p": p, "q": p}, back["p"] is back["q"]
(True, True)
>>> codec.decode({"p": ["a", [1.0, "2"], []]}, dict[str, Point])
Traceback (most recent call last):
...
graph.model.codec.CodecError: expected a number, got str
"""

from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Codec", "CodecError"]

Encoder = Callable[[Any, "_Memo"], Any]
Decoder = Callable[[Any, list[Any]], Any]


class CodecError(ValueError):
    """A value does not match its type hint (on writing) or the stored data is not what the hints say."""


class _Memo:
    """Indexes of the frozen dataclass objects already written (by identity)."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}
        self.keep: list[Any] = []  # holds each object so its id cannot be reused while writing


def _stored_fields(cls: type, names: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls, localns=dict(names) if names else None)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.compare]


def _type_name(hint: Any) -> str:
    return getattr(hint, "__qualname__", None) or str(hint)


class Codec:
    """Encoders and decoders compiled once per type hint.

    ``custom`` maps a class that is neither a dataclass nor defines ``to_data``/``from_data`` (a
    third-party class such as a networkx graph) to its ``(to_data, from_data)`` functions.
    ``names`` resolves names in string annotations that the classes' modules import only for type
    checking (``{"nx": ...}``), so reading needs no import of that library.
    """

    def __init__(
        self,
        custom: Mapping[type, tuple[Callable[[Any], Any], Callable[[Any], Any]]] | None = None,
        names: Mapping[str, Any] | None = None,
    ):
        self._custom = dict(custom or {})
        self._names = dict(names or {})
        self._encoders: dict[Any, Encoder] = {}
        self._decoders: dict[Any, Decoder] = {}

    # ------------------------------------------------------------------ public

    def encode(self, value: Any, hint: Any) -> Any:
        """``value`` as JSON-ready data (lists, dicts, str, numbers, bools, None)."""
        return self._encoder(hint)(value, _Memo())

    def decode(self, data: Any, hint: Any) -> Any:
        """The value of type ``hint`` that :meth:`encode` wrote as ``data``; CodecError on any mismatch."""
        try:
            return self._decoder(hint)(data, [])
        except (TypeError, KeyError, IndexError, AttributeError) as error:
            raise CodecError(f"stored data does not fit {_type_name(hint)} ({type(error).__name__}: {error})") from None

    def schema(self, hint: Any) -> str:
        """A SHA-256 of the layout ``hint`` is stored in (field names and hints, recursively).

        Two versions of the classes that store data differently have different schemas.
        """
        seen: dict[Any, None] = {}
        parts: list[str] = []

        def describe(h: Any) -> str:
            if isinstance(h, type) and dataclasses.is_dataclass(h):
                name = f"{h.__module__}.{h.__qualname__}"
                if h not in seen:
                    seen[h] = None
                    layout = ",".join(f"{n}:{describe(t)}" for n, t in _stored_fields(h, self._names))
                    parts.append(f"{name}({layout})")
                return name
            args = typing.get_args(h)
            if args:
                origin = typing.get_origin(h)
                return f"{_type_name(origin)}[{','.join(describe(a) for a in args)}]"
            if isinstance(h, type):
                version = getattr(h, "DATA_VERSION", "")
                return f"{h.__module__}.{h.__qualname__}{'@' + str(version) if version else ''}"
            return repr(h)

        parts.insert(0, describe(hint))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    # ------------------------------------------------------------------ compiling

    def _encoder(self, hint: Any) -> Encoder:
        found = self._encoders.get(hint)
        if found is None:
            cell: list[Encoder] = []
            self._encoders[hint] = lambda v, m: cell[0](v, m)  # a type may (indirectly) hold itself
            found = self._make_encoder(hint)
            cell.append(found)
            self._encoders[hint] = found
        return found

    def _decoder(self, hint: Any) -> Decoder:
        found = self._decoders.get(hint)
        if found is None:
            cell: list[Decoder] = []
            self._decoders[hint] = lambda d, s: cell[0](d, s)
            found = self._make_decoder(hint)
            cell.append(found)
            self._decoders[hint] = found
        return found

    def _make_encoder(self, hint: Any) -> Encoder:
        """The encoder of values of ``hint``, by the kind of hint."""
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is type(None) or hint is None:
            return _check_encode(lambda v: v is None, "None")
        if hint in (str, int, bool):
            return _check_encode(_exact(hint), hint.__name__)
        if hint is float:
            return _check_encode(_is_number, "a number")
        if origin is typing.Literal:
            allowed = frozenset(args)
            return _check_encode(lambda v: v in allowed, f"one of {sorted(map(repr, args))}")
        if origin in (typing.Union, types.UnionType):
            return self._union_encoder(hint, args)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return self._fixed_tuple_encoder(args)
        if origin is tuple or origin is list:
            return self._sequence_encoder(origin, args)
        if origin in (frozenset, set):
            return self._unordered_encoder(origin, args)
        if origin is dict:
            return self._mapping_encoder(args)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._dataclass_encoder(hint)
        if isinstance(hint, type):
            return self._class_encoder(hint)
        raise CodecError(f"cannot store values of type {hint!r}")

    def _union_encoder(self, hint: Any, args: tuple[Any, ...]) -> Encoder:
        """Encode by the first member of the union that accepts the value."""
        members = [(self._checker(a), self._encoder(a)) for a in args]

        def union(value: Any, memo: _Memo) -> Any:
            for accepts, encode in members:
                if accepts(value):
                    return encode(value, memo)
            raise CodecError(f"{type(value).__name__} is none of {_type_name(hint)}")

        return union

    def _fixed_tuple_encoder(self, args: tuple[Any, ...]) -> Encoder:
        """Encode a tuple of fixed length, each item by its own hint."""
        items = [self._encoder(a) for a in args]

        def fixed(value: Any, memo: _Memo) -> Any:
            if not isinstance(value, tuple) or len(value) != len(items):
                raise CodecError(f"expected a tuple of {len(items)}, got {type(value).__name__}")
            return [encode(v, memo) for encode, v in zip(items, value, strict=False)]

        scalars = [_scalar_types(a) for a in args]
        if not all(kinds is not None for kinds in scalars):
            return fixed

        def plain(value: Any, memo: _Memo) -> Any:
            if isinstance(value, tuple) and len(value) == len(scalars):
                if all(type(v) in kinds for v, kinds in zip(value, scalars, strict=True)):  # type: ignore[operator]
                    return list(value)
            return fixed(value, memo)  # says what does not fit

        return plain

    def _sequence_encoder(self, kind: Any, args: tuple[Any, ...]) -> Encoder:
        """Encode a list or a tuple of any length, in order."""
        item = self._encoder(args[0]) if args else self._encoder(Any)

        def sequence(value: Any, memo: _Memo) -> Any:
            if not isinstance(value, kind):
                raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
            return [item(v, memo) for v in value]

        kinds = _scalar_types(args[0]) if args else None
        if kinds is None:
            return sequence

        def plain(value: Any, memo: _Memo) -> Any:
            if isinstance(value, kind) and set(map(type, value)) <= kinds:  # every item's type, at C speed
                return list(value)
            return sequence(value, memo)  # says what does not fit

        return plain

    def _unordered_encoder(self, kind: Any, args: tuple[Any, ...]) -> Encoder:
        """Encode a set or frozenset as a list sorted by ``repr`` (the same under any hash seed)."""
        item = self._encoder(args[0])

        def unordered(value: Any, memo: _Memo) -> Any:
            if not isinstance(value, kind):
                raise CodecError(f"expected {kind.__name__}, got {type(value).__name__}")
            return [item(v, memo) for v in sorted(value, key=repr)]

        kinds = _scalar_types(args[0])
        if kinds is None:
            return unordered

        def plain(value: Any, memo: _Memo) -> Any:
            if isinstance(value, kind) and set(map(type, value)) <= kinds:
                return sorted(value, key=repr)
            return unordered(value, memo)  # says what does not fit

        return plain

    def _mapping_encoder(self, args: tuple[Any, ...]) -> Encoder:
        """Encode a dict: an object when its keys are strings, else a list of [key, value] pairs."""
        key_hint, value_hint = args
        encode_key, encode_value = self._encoder(key_hint), self._encoder(value_hint)

        def mapping(value: Any, memo: _Memo) -> Any:
            if not isinstance(value, dict):
                raise CodecError(f"expected dict, got {type(value).__name__}")
            if key_hint is str:
                return {encode_key(k, memo): encode_value(v, memo) for k, v in value.items()}
            return [[encode_key(k, memo), encode_value(v, memo)] for k, v in value.items()]

        kinds = _scalar_types(value_hint)
        if key_hint is not str or kinds is None:
            return mapping

        def plain(value: Any, memo: _Memo) -> Any:
            if isinstance(value, dict) and set(map(type, value)) <= {str} and set(map(type, value.values())) <= kinds:
                return dict(value)
            return mapping(value, memo)  # says what does not fit

        return plain

    def _class_encoder(self, hint: type) -> Encoder:
        """Encode a class by the codec's custom function for it, else by its ``to_data()``."""
        if hint in self._custom:
            to_custom = self._custom[hint][0]

            def custom(value: Any, memo: _Memo) -> Any:
                return to_custom(value)  # checks its own input

            return custom
        to_data = getattr(hint, "to_data", None)
        if to_data is None:
            raise CodecError(f"cannot store {_type_name(hint)}: not a dataclass and no to_data()")
        cls = hint

        def checked(value: Any, memo: _Memo) -> Any:
            if not isinstance(value, cls):
                raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
            return to_data(value)

        return checked

    def _dataclass_encoder(self, cls: type) -> Encoder:
        # scalar fields (str, int, float, bool, None and their unions) are checked in line, by type
        fields = [(name, self._encoder(h), _scalar_types(h)) for name, h in _stored_fields(cls, self._names)]
        shared = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]

        def encode(value: Any, memo: _Memo) -> Any:
            if type(value) is not cls:
                raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
            if shared:
                index = memo.index.get(id(value))
                if index is not None:
                    return index
            data = []
            for name, enc, kinds in fields:
                item = getattr(value, name)
                data.append(item if kinds is not None and type(item) in kinds else enc(item, memo))
            if shared:
                memo.index[id(value)] = len(memo.keep)
                memo.keep.append(value)
            return data

        return encode

    def _checker(self, hint: Any) -> Callable[[Any], bool]:
        """Whether a Python value belongs to a union member (picks the member's encoder)."""
        origin = typing.get_origin(hint) or hint
        if hint is type(None) or hint is None:
            return lambda v: v is None
        if hint is float:
            return _is_number
        if hint in (str, int, bool):
            return _exact(hint)
        if origin is typing.Literal:
            allowed = frozenset(typing.get_args(hint))
            return lambda v: v in allowed
        if isinstance(origin, type):
            return lambda v: isinstance(v, origin)
        raise CodecError(f"cannot store a union member {hint!r}")

    def _make_decoder(self, hint: Any) -> Decoder:
        """The decoder of stored values of ``hint``, by the kind of hint."""
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is type(None) or hint is None:
            return _check_decode(lambda v: v is None, "null")
        if hint is str:
            return _check_decode(_exact(str), "a string")
        if hint is bool:
            return _check_decode(_exact(bool), "true or false")
        if hint is int:
            return _check_decode(_exact(int), "an integer")
        if hint is float:
            return _check_decode(_is_number, "a number")
        if origin is typing.Literal:
            allowed = frozenset(args)
            return _check_decode(lambda v: type(v) in (str, int, bool) and v in allowed, f"one of {args}")
        if origin in (typing.Union, types.UnionType):
            return self._union_decoder(hint, args)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return self._fixed_tuple_decoder(args)
        if origin in (tuple, list, frozenset, set):
            return self._sequence_decoder(origin, args)
        if origin is dict:
            return self._mapping_decoder(args)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._dataclass_decoder(hint)
        if isinstance(hint, type):
            return self._class_decoder(hint)
        raise CodecError(f"cannot read values of type {hint!r}")

    def _union_decoder(self, hint: Any, args: tuple[Any, ...]) -> Decoder:
        """Decode by the first member of the union that reads the data (``None`` for null if allowed)."""
        nullable = type(None) in args
        rest = [self._decoder(a) for a in args if a is not type(None)]
        if len(rest) == 1:
            only = rest[0]

            def optional(data: Any, shared: list[Any]) -> Any:
                return None if data is None and nullable else only(data, shared)

            return optional

        def union(data: Any, shared: list[Any]) -> Any:
            if data is None and nullable:
                return None
            for decode in rest:
                mark = len(shared)
                try:
                    return decode(data, shared)
                except CodecError:
                    del shared[mark:]
            raise CodecError(f"stored value fits none of {_type_name(hint)}")

        return union

    def _fixed_tuple_decoder(self, args: tuple[Any, ...]) -> Decoder:
        """Decode a tuple of fixed length, each item by its own hint (scalars checked by type, in line)."""
        items = [self._decoder(a) for a in args]

        def fixed(data: Any, shared: list[Any]) -> Any:
            if type(data) is not list or len(data) != len(items):
                raise CodecError(f"expected a list of {len(items)}")
            return tuple(decode(v, shared) for decode, v in zip(items, data, strict=False))

        scalars = [_scalar_types(a) for a in args]
        if not all(kinds is not None for kinds in scalars):
            return fixed

        def plain(data: Any, shared: list[Any]) -> Any:
            if type(data) is list and len(data) == len(scalars):
                if all(type(item) in kinds for item, kinds in zip(data, scalars, strict=True)):  # type: ignore[operator]
                    return tuple(data)
            return fixed(data, shared)  # says what does not fit

        return plain

    def _sequence_decoder(self, origin: Any, args: tuple[Any, ...]) -> Decoder:
        """Decode a list into ``origin`` (tuple, list, frozenset, set); scalars are checked in one pass."""
        build: Callable[[Any], Any] = origin
        item = self._decoder(args[0]) if args else _any

        def sequence(data: Any, shared: list[Any]) -> Any:
            if type(data) is not list:
                raise CodecError(f"expected a list, got {type(data).__name__}")
            return build([item(v, shared) for v in data])

        kinds = _scalar_types(args[0]) if args else None
        if kinds is None:
            return sequence

        def plain(data: Any, shared: list[Any]) -> Any:
            if type(data) is list and set(map(type, data)) <= kinds:  # every item's type, at C speed
                return build(data)
            return sequence(data, shared)  # says what does not fit

        return plain

    def _mapping_decoder(self, args: tuple[Any, ...]) -> Decoder:
        """Decode a dict from an object (string keys) or from a list of [key, value] pairs."""
        key_hint, value_hint = args
        decode_key, decode_value = self._decoder(key_hint), self._decoder(value_hint)
        if key_hint is not str:
            return _pairs_decoder(decode_key, decode_value)

        def mapping(data: Any, shared: list[Any]) -> Any:
            if type(data) is not dict:
                raise CodecError(f"expected an object, got {type(data).__name__}")
            return {k: decode_value(v, shared) for k, v in data.items()}

        kinds = _scalar_types(value_hint)
        if kinds is None:
            return mapping

        def plain(data: Any, shared: list[Any]) -> Any:
            if type(data) is dict and set(map(type, data.values())) <= kinds:  # a JSON object's keys are strings
                return dict(data)
            return mapping(data, shared)  # says what does not fit

        return plain

    def _class_decoder(self, hint: type) -> Decoder:
        """Decode a class by the codec's custom function for it, else by its ``from_data()``."""
        from_data = self._custom[hint][1] if hint in self._custom else getattr(hint, "from_data", None)
        if from_data is None:
            raise CodecError(f"cannot read {_type_name(hint)}: not a dataclass and no from_data()")

        def custom(data: Any, shared: list[Any]) -> Any:
            return from_data(data)

        return custom

    def _dataclass_decoder(self, cls: type) -> Decoder:
        fields = _stored_fields(cls, self._names)
        decoders = [self._decoder(h) for _, h in fields]
        names = [name for name, _ in fields]
        count = len(fields)
        shared_class = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        memos = [(f.name, f.default_factory) for f in dataclasses.fields(cls) if not f.compare]
        # a plain dataclass (no __post_init__, no slots, memo fields with a factory) is filled in
        # directly: several times faster than calling its __init__ for every object
        direct = (
            not hasattr(cls, "__post_init__")
            and "__slots__" not in vars(cls)
            and all(factory is not dataclasses.MISSING for _, factory in memos)
        )
        factories = [(name, factory) for name, factory in memos if callable(factory)]
        new = object.__new__

        def build(values: list[Any]) -> Any:
            if not direct:
                return cls(**dict(zip(names, values, strict=True)))
            value: Any = new(cls)
            state = value.__dict__
            state.update(zip(names, values, strict=True))
            for name, factory in factories:
                state[name] = factory()
            return value

        # scalar fields (str, int, float, bool, None and their unions) are checked in line, by type
        scalars = [_scalar_types(h) for _, h in fields]
        plan = list(zip(decoders, scalars, names, strict=True))

        def decode(data: Any, shared: list[Any]) -> Any:
            if type(data) is int and shared_class:
                if not 0 <= data < len(shared) or type(shared[data]) is not cls:
                    raise CodecError(f"bad reference {data} to a {cls.__name__}")
                return shared[data]
            if type(data) is not list or len(data) != count:
                raise CodecError(f"expected {count} fields of {cls.__name__}")
            values = []
            for (dec, types_ok, name), item in zip(plan, data, strict=True):
                if types_ok is None:
                    values.append(dec(item, shared))
                elif type(item) in types_ok:
                    values.append(item)
                else:
                    raise CodecError(f"{cls.__name__}.{name}: unexpected {type(item).__name__}")
            value = build(values)
            if shared_class:
                shared.append(value)
            return value

        return decode


def _pairs_decoder(decode_key: Decoder, decode_value: Decoder) -> Decoder:
    """Decode a dict from a list of [key, value] pairs (keys that are not strings)."""

    def pairs(data: Any, shared: list[Any]) -> Any:
        if type(data) is not list:
            raise CodecError(f"expected a list of pairs, got {type(data).__name__}")
        out = {}
        for pair in data:
            if type(pair) is not list or len(pair) != 2:
                raise CodecError("expected a [key, value] pair")
            out[decode_key(pair[0], shared)] = decode_value(pair[1], shared)
        return out

    return pairs


_SCALAR_TYPES: dict[Any, frozenset[type]] = {
    str: frozenset({str}),
    int: frozenset({int}),
    bool: frozenset({bool}),
    float: frozenset({float, int}),
    type(None): frozenset({type(None)}),
}


def _scalar_types(hint: Any) -> frozenset[type] | None:
    """The JSON value types a scalar hint (or a union of scalars) accepts; None for any other hint."""
    if hint in _SCALAR_TYPES:
        return _SCALAR_TYPES[hint]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        members = [_scalar_types(a) for a in typing.get_args(hint)]
        if all(m is not None for m in members):
            return frozenset().union(*members)  # type: ignore[arg-type]
    return None


def _exact(kind: type) -> Callable[[Any], bool]:
    return lambda v: type(v) is kind


def _is_number(value: Any) -> bool:
    return type(value) is float or type(value) is int


def _any(data: Any, shared: list[Any]) -> Any:
    return data


def _check_encode(accepts: Callable[[Any], bool], expected: str) -> Encoder:
    def encode(value: Any, memo: _Memo) -> Any:
        if not accepts(value):
            raise CodecError(f"expected {expected}, got {type(value).__name__}")
        return value

    return encode


def _check_decode(accepts: Callable[[Any], bool], expected: str) -> Decoder:
    def decode(data: Any, shared: list[Any]) -> Any:
        if not accepts(data):
            raise CodecError(f"expected {expected}, got {type(data).__name__}")
        return data

    return decode
