"""The postgres schema: each version's statements, and the code that applies them once.

`MIGRATIONS[n]` takes a database from version n to n + 1. Each applied version is a row of
`schema_migrations`. Never edit a released migration: append a new one (one that every SQL
backend shares goes in core/sql/schema.py's SHARED_MIGRATIONS). The tables are declared in
core/sql/schema.py and spelled here for PostgreSQL: lists and dicts JSON text (kept byte for
byte, unlike jsonb), booleans BOOLEAN, integers BIGINT.

Several relays may start at once on an empty database: `migrate` takes a transaction-level
advisory lock before it reads the version, so exactly one of them applies each migration and the
others wait, then find nothing left to do. DDL is transactional in PostgreSQL, so a migration that
fails leaves no half-made schema behind.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from mobile_codex.core.sql import schema
from mobile_codex.core.sql.ddl import Migration, pending, render

from .dialect import POSTGRES

# The advisory lock key `migrate` holds ("mcmigrat" as a number): any fixed bigint would do,
# it only has to differ from the write lock's (backend.WRITE_LOCK_KEY).
MIGRATION_LOCK_KEY = 0x6D636D6967726174

MIGRATIONS: tuple[Migration, ...] = render(POSTGRES, (
    # 1: the relay's records as of issue 19 (sqlite's version 8) and relay-wide meta.
    (
        schema.USERS, schema.WORKSPACES.plus(schema.TWO_PERSON_RULE), schema.MEMBERSHIPS, schema.INVITATIONS,
        schema.RECOVERY_CODES, schema.LOGIN_CODES, schema.PAIRINGS, schema.PAIR_REQUESTS, schema.AGENTS,
        schema.TASKS.plus(*schema.TASK_CREATED_BY), schema.SESSIONS, schema.PASSKEYS,
        schema.NOTIFICATION_PREFERENCES, schema.PUSH_SUBSCRIPTIONS, schema.META,
        schema.TASKS_AGENT_STATUS_CREATED, *schema.LOOKUP_INDEXES, schema.TASKS_STATUS,
        schema.INVITATIONS_TYPE_WORKSPACE, schema.PUSH_SUBSCRIPTIONS_USER,
    ),
    *schema.SHARED_MIGRATIONS,
))  # fmt: skip


def migrate(conn: psycopg.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the latest version in one transaction; return that version.

    `conn` must be in autocommit mode: this issues BEGIN and COMMIT itself.
    """
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER NOT NULL PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        version = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]
        for number, statements in pending(version, migrations):
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
        conn.execute("COMMIT")
    except BaseException:
        if not conn.closed:
            conn.execute("ROLLBACK")
        raise
    return len(migrations)
