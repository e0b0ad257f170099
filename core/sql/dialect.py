"""How one SQL engine differs from another, as far as the relay's storage cares: a few explicit values."""

from __future__ import annotations

from collections.abc import Callable

import attrs


def quoted(names: tuple[str, ...]) -> str:
    """Column names, quoted, for a column list."""
    return ", ".join(f'"{name}"' for name in names)


def replace_into(table: str, fields: tuple[str, ...], keys: tuple[str, ...], mark: str) -> str:
    """SQLite's upsert: the row with the same key is replaced as a whole."""
    marks = ", ".join(mark for _ in fields)
    return f'INSERT OR REPLACE INTO "{table}" ({quoted(fields)}) VALUES ({marks})'


def insert_on_conflict(table: str, fields: tuple[str, ...], keys: tuple[str, ...], mark: str) -> str:
    """Standard SQL's upsert (PostgreSQL): on a key conflict every other column is updated."""
    marks = ", ".join(mark for _ in fields)
    updates = ", ".join(f'"{name}" = EXCLUDED."{name}"' for name in fields if name not in keys)
    return (
        f'INSERT INTO "{table}" ({quoted(fields)}) VALUES ({marks}) '
        f"ON CONFLICT ({quoted(keys)}) DO UPDATE SET {updates}"
    )


@attrs.frozen
class Dialect:
    """One engine's spelling of the relay's statements and columns.

    The contract every backend keeps (tests/storage/test_contract.py): text compares byte by byte,
    and `find` puts NULLs first when ascending and last when descending (SQLite's own order), so
    an engine whose defaults differ says so here instead of in a copy of the query code.
    """

    name: str
    mark: str  # the parameter placeholder: "?" or "%s"
    upsert: Callable[[str, tuple[str, ...], tuple[str, ...], str], str]
    boolean_type: str  # the column type of a bool field
    integer_type: str  # the column type of an int field
    false: str  # a bool column's FALSE as a DDL default
    booleans_as_integers: bool  # the driver stores and returns 0/1, not bools
    text_order: str = ""  # appended to a text column in ORDER BY, e.g. ' COLLATE "C"'
    nulls_first: str = ""  # appended to an ascending ORDER BY term
    nulls_last: str = ""  # appended to a descending one
