"""Every released schema version still makes exactly the schema it made when it was released.

The migrations of both SQL backends are rendered from shared declarations (core/sql/schema.py),
so an edit there could silently change a released version: a new database would then differ from
one an earlier release made and migrated. Each digest below was taken from the release's own
migrations; a new version adds its digest once it is released, and none is ever changed.
"""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from mobile_codex.plugins.storage.postgres.migrations import MIGRATIONS as POSTGRES_MIGRATIONS
from mobile_codex.plugins.storage.postgres.migrations import migrate as migrate_postgres
from mobile_codex.plugins.storage.sqlite.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from mobile_codex.plugins.storage.sqlite.migrations import migrate as migrate_sqlite

from .schema_digest import digest, postgres_schema, sqlite_schema

SQLITE_RELEASED = {
    1: "c293f2ef8fdc3b68",
    2: "5e6ac3adf4c4ef0a",
    3: "539af9dfb9db76f9",
    4: "cc39981b7e78b932",
    5: "15b52e988467f790",
    6: "5213987280366516",
    7: "e07214b038b71d33",
    8: "5478ac211cd28d3a",
    9: "156b1f66710120ea",
    10: "3c19abdd7de8c7f6",  # issue 21 (membership): users.last_sign_in_at
    11: "90bf68a300bfcfdd",  # issue 20 (signed intents): passkeys.revoked_at
    12: "a3dd5ecc087cd6eb",  # issue 21 (audit trail): audit_events
    13: "a16ede89bbc36df4",  # tasks.redactions (the redaction count outlives the volatile text)
}
POSTGRES_RELEASED = {
    1: "b0a32e6be8a1d610",
    2: "249948db435e6e40",
    3: "c345ae7dc3d6d0eb",  # issue 21 (membership): users.last_sign_in_at
    4: "6494af0bb589285b",  # issue 20 (signed intents): passkeys.revoked_at
    5: "e2da7ec4bd11e0ce",  # issue 21 (audit trail): audit_events
    6: "23c5c83f6f95b85a",  # tasks.redactions (the redaction count outlives the volatile text)
}


def test_every_version_is_pinned():
    assert sorted(SQLITE_RELEASED) == list(range(1, len(SQLITE_MIGRATIONS) + 1))
    assert sorted(POSTGRES_RELEASED) == list(range(1, len(POSTGRES_MIGRATIONS) + 1))


@pytest.mark.parametrize("version", sorted(SQLITE_RELEASED))
def test_sqlite_version_makes_its_released_schema(tmp_path, version):
    conn = sqlite3.connect(tmp_path / "relay.sqlite3", isolation_level=None)
    try:
        assert migrate_sqlite(conn, SQLITE_MIGRATIONS[:version]) == version
        assert digest(sqlite_schema(conn)) == SQLITE_RELEASED[version]
    finally:
        conn.close()


@pytest.mark.parametrize("version", sorted(POSTGRES_RELEASED))
def test_postgres_version_makes_its_released_schema(postgres_dsn, version):
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        assert migrate_postgres(conn, POSTGRES_MIGRATIONS[:version]) == version
        assert digest(postgres_schema(conn)) == POSTGRES_RELEASED[version]


def test_the_digest_sees_a_changed_column(tmp_path):
    """Control: one column's type changed in an otherwise equal schema gives another digest."""
    schemas = []
    for name, kind in (("a", "TEXT"), ("b", "INTEGER")):
        conn = sqlite3.connect(tmp_path / f"{name}.sqlite3", isolation_level=None)
        conn.execute(f"CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY, v {kind})")
        schemas.append(digest(sqlite_schema(conn)))
        conn.close()
    assert schemas[0] != schemas[1]
