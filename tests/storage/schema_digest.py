"""A database schema as a digest of what it does, not of the SQL text that made it.

The sqlite and postgres migrations are written from shared table declarations (core/sql/schema.py);
a released migration must keep doing exactly what it did, or databases made by earlier releases
and new ones would differ. These digests pin each released version's schema: columns (order,
type, nullability, default), keys, constraints and indexes, read from the database's catalog.
"""

from __future__ import annotations

import hashlib
import sqlite3


def sqlite_schema(conn: sqlite3.Connection) -> list[tuple]:
    """Every table's columns and primary key, every index's columns and uniqueness, the version."""
    rows: list[tuple] = [("version", conn.execute("PRAGMA user_version").fetchone()[0])]
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    for table in tables:
        rows += [("column", table, *row) for row in conn.execute(f'PRAGMA table_xinfo("{table}")')]
        for _, index, unique, origin, partial in conn.execute(f'PRAGMA index_list("{table}")'):
            columns = tuple(row[2] for row in conn.execute(f'PRAGMA index_info("{index}")'))
            rows.append(("index", table, index, unique, origin, partial, columns))
    return sorted(rows, key=repr)


POSTGRES_CATALOG = (
    """SELECT table_name, ordinal_position, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public'""",
    """SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
       FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
       JOIN pg_namespace ns ON ns.oid = rel.relnamespace WHERE ns.nspname = 'public'""",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "SELECT version FROM schema_migrations",
)


def postgres_schema(conn) -> list[tuple]:
    """The same for a PostgreSQL database (a psycopg connection), from its catalog."""
    rows = [(number, *row) for number, sql in enumerate(POSTGRES_CATALOG) for row in conn.execute(sql).fetchall()]
    return sorted(rows, key=repr)


def digest(schema: list[tuple]) -> str:
    return hashlib.sha256(repr(schema).encode()).hexdigest()[:16]
