"""How SQLite spells the relay's statements (core/sql): `?` parameters, INSERT OR REPLACE,
booleans as INTEGER 0/1. Its defaults already are the storage contract's order: text compares
byte by byte, NULLs come first ascending and last descending."""

from __future__ import annotations

from mobile_codex.core.sql.dialect import Dialect, replace_into

SQLITE = Dialect(
    name="sqlite",
    mark="?",
    upsert=replace_into,
    boolean_type="INTEGER",
    integer_type="INTEGER",
    false="0",
    booleans_as_integers=True,
)
