"""How PostgreSQL spells the relay's statements (core/sql): `%s` parameters, INSERT ... ON CONFLICT,
BOOLEAN and BIGINT columns. Where its defaults differ from the storage contract's order (SQLite's),
the dialect says so: text ordered byte by byte ("C") whatever collation the database was made
with, NULLs first ascending and last descending."""

from __future__ import annotations

from mobile_codex.core.sql.dialect import Dialect, insert_on_conflict

POSTGRES = Dialect(
    name="postgres",
    mark="%s",
    upsert=insert_on_conflict,
    boolean_type="BOOLEAN",
    integer_type="BIGINT",
    false="FALSE",
    booleans_as_integers=False,
    text_order=' COLLATE "C"',
    nulls_first=" NULLS FIRST",
    nulls_last=" NULLS LAST",
)
