"""Records <-> plain camelCase dicts, the shape of the reference's `state.json` and of the API.

Used by the `json` storage backend (and the state importer) to read and write records, and by
the SQL backends (core/sql/rows.py) to learn which fields are booleans or structured (stored as JSON text).
Reading is forgiving in the ways a file written by the reference needs: unknown keys are
ignored, missing optional fields take the record's default, and volatile task text is dropped.
Both directions copy nested lists and dicts, so a record never shares mutable state with the
dict it came from or went to.
"""

from __future__ import annotations

import copy
import functools
import typing
from collections.abc import Mapping

import attrs

from .casing import to_camel, to_snake
from .records import VOLATILE_TASK_FIELDS, Task

__all__ = [
    "to_camel", "to_snake", "layout", "key_fields", "key_of", "dict_key", "check_key", "record_to_dict",
    "record_from_dict", "check_query",
]

Key = str | tuple[str, ...]  # one field's value, or the values of a compound key's fields in order


@attrs.frozen
class RecordLayout:
    """What a backend needs to know about a record class's fields."""

    fields: tuple[str, ...]  # snake_case, in declaration order
    by_camel: Mapping[str, str]  # camelCase key -> field name
    required: frozenset[str]  # fields without a default
    booleans: frozenset[str]
    structured: frozenset[str]  # lists, dicts and tuples: JSON values


@functools.cache
def layout(cls: type) -> RecordLayout:
    """The field layout of an attrs record class (computed once per class)."""
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    names = tuple(field.name for field in fields)
    kinds = {name: typing.get_origin(hints[name]) or hints[name] for name in names}
    return RecordLayout(
        fields=names,
        by_camel={to_camel(name): name for name in names},
        required=frozenset(field.name for field in fields if field.default is attrs.NOTHING),
        booleans=frozenset(name for name, kind in kinds.items() if kind is bool),
        structured=frozenset(name for name, kind in kinds.items() if kind in (list, dict, tuple)),
    )


def key_fields(cls: type) -> tuple[str, ...]:
    """The fields that make up the key of `cls`, in order (one for most records)."""
    return (cls.KEY,) if isinstance(cls.KEY, str) else tuple(cls.KEY)


def key_of(record: object) -> Key:
    """The record's key, as `Table.get` takes it: a str, or a tuple for a compound key."""
    values = tuple(getattr(record, name) for name in key_fields(type(record)))
    return values[0] if isinstance(type(record).KEY, str) else values


def dict_key(cls: type, mapping: Mapping[str, object]) -> Key:
    """The key of the record a camelCase dict of `cls` holds (as `key_of` gives it)."""
    values = tuple(mapping[to_camel(name)] for name in key_fields(cls))
    return values[0] if isinstance(cls.KEY, str) else values  # type: ignore[return-value]


def check_key(cls: type, key: object) -> tuple[str, ...]:
    """The key's field values as a tuple; TypeError when a compound key is not one.

    Strict on purpose: looking an agent up by its bare id (without its workspace) would be the
    cross-workspace lookup issue 15 removed, so it fails loudly instead of finding nothing.
    """
    if isinstance(cls.KEY, str):
        return (key,)  # type: ignore[return-value]
    names = key_fields(cls)
    if not isinstance(key, tuple) or len(key) != len(names) or not all(isinstance(v, str) for v in key):
        raise TypeError(f"a {cls.__name__} key is a tuple ({', '.join(names)}), not {key!r}")
    return key


def record_to_dict(record: object) -> dict[str, object]:
    """A JSON-ready camelCase dict of every field (tuples become lists)."""
    shape = layout(type(record))
    result: dict[str, object] = {}
    for name in shape.fields:
        value = getattr(record, name)
        if name in shape.structured:
            value = copy.deepcopy(list(value) if isinstance(value, tuple) else value)
        result[to_camel(name)] = value
    return result


def record_from_dict(cls: type, mapping: Mapping[str, object]) -> typing.Any:
    """A record of `cls` from a camelCase mapping.

    Unknown keys are ignored; a task's volatile keys are dropped even if a field of that name
    ever existed; missing optional fields take the record's default, and so do null booleans and
    collections; booleans stored as 0/1 become bools. A missing required field raises ValueError naming it.
    """
    shape = layout(cls)
    dropped = VOLATILE_TASK_FIELDS if cls is Task else ()
    values: dict[str, object] = {}
    for key, value in mapping.items():
        name = shape.by_camel.get(key)
        if name is None or key in dropped:
            continue
        if value is None and name in shape.structured | shape.booleans:
            continue  # null where null is not a value: take the default
        if name in shape.structured:
            value = copy.deepcopy(value)
        elif name in shape.booleans:
            value = bool(value)
        values[name] = value
    missing = shape.required - values.keys()
    if missing:
        keys = ", ".join(sorted(to_camel(name) for name in missing))
        raise ValueError(f"{cls.__name__} record lacks {keys}")
    return cls(**values)


def check_query(cls: type, equals: Mapping[str, object], order_by: str | None, limit: int | None) -> tuple[str | None, bool]:
    """Validate a `Table.find`/`count` query; return the order field and whether it descends.

    Every name must be a scalar field of `cls`: backends put these names into SQL, so an unknown
    one is a ValueError, never text to interpolate. Structured (JSON) fields cannot be queried.
    """
    shape = layout(cls)
    descending = order_by is not None and order_by.startswith("-")
    order_field = order_by[1:] if descending else order_by
    names = [*equals, *([order_field] if order_field is not None else [])]
    for name in names:
        if name not in shape.fields:
            raise ValueError(f"{cls.__name__} has no field {name!r}")
        if name in shape.structured:
            raise ValueError(f"{cls.__name__}.{name} holds JSON and cannot be queried")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative int, not {limit!r}")
    return order_field, descending
