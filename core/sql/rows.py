"""Records <-> rows: a record's fields in declaration order, as one engine's column values.

Lists and dicts are JSON text (kept byte for byte, unlike a JSON column type would); booleans are
what the engine stores (0/1 or bools). The conversions a record class needs are worked out once
per class and dialect, so reading a row touches only the fields that need converting.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import attrs

from ..record_codec import layout
from .dialect import Dialect


def _json_text(value: object) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(bool(value))


def _bool_or_none(value: object) -> bool | None:
    return None if value is None else bool(value)


@attrs.frozen
class RowCodec:
    """One record class's row shape for one dialect (get it with `row_codec`)."""

    cls: type
    fields: tuple[str, ...]
    encoders: dict[str, Callable[[object], object]]  # field -> to column value, where not as is
    decoders: tuple[tuple[int, Callable[[Any], object]], ...]  # (column index, to field value)

    def to_row(self, record: object) -> tuple:
        encoders = self.encoders
        return tuple(
            encoders[name](getattr(record, name)) if name in encoders else getattr(record, name)
            for name in self.fields
        )

    def from_row(self, row: tuple) -> Any:
        values = list(row)
        for index, decode in self.decoders:
            values[index] = decode(values[index])
        return self.cls(**dict(zip(self.fields, values)))

    def param(self, name: str, value: object) -> object:
        """A query value for the column of field `name` (never None: that is `IS NULL`)."""
        encode = self.encoders.get(name)
        return value if encode is None else encode(value)


@functools.cache
def row_codec(cls: type, dialect: Dialect) -> RowCodec:
    shape = layout(cls)
    encoders: dict[str, Callable[[object], object]] = {name: _json_text for name in shape.structured}
    decoders: dict[str, Callable[[Any], object]] = {name: json.loads for name in shape.structured}
    for name in shape.booleans:
        if dialect.booleans_as_integers:
            encoders[name] = _int_or_none
            decoders[name] = _bool_or_none
        else:
            encoders[name] = _bool_or_none
    return RowCodec(
        cls=cls,
        fields=shape.fields,
        encoders=encoders,
        decoders=tuple((index, decoders[name]) for index, name in enumerate(shape.fields) if name in decoders),
    )
