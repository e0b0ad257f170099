"""The sqlite schema: each version's statements, and the code that applies them.

`MIGRATIONS[n]` takes a database from version n to n + 1; the version lives in
`PRAGMA user_version`. Never edit a released migration: append a new one (one that every SQL
backend shares goes in core/sql/schema.py's SHARED_MIGRATIONS). The tables are declared in
core/sql/schema.py and spelled here for SQLite: booleans INTEGER 0/1, lists and dicts JSON text
(tests/storage/test_sqlite.py checks the columns match `records.py`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from mobile_codex.core.sql import schema
from mobile_codex.core.sql.ddl import AddColumn, CreateTable, Migration, pending, render

from .dialect import SQLITE

# Version 5 re-keys agents by workspace: SQLite cannot change a primary key in place, so the rows
# move to a new table, which then takes the old one's name.
_AGENTS_BY_ID = CreateTable("agents", ("agent_id",), schema.AGENT_COLUMNS)
_AGENTS_BY_WORKSPACE = schema.AGENTS.named("agents_by_workspace")
_AGENT_COLUMNS = _AGENTS_BY_WORKSPACE.column_names()

MIGRATIONS: tuple[Migration, ...] = render(SQLITE, (
    # 1: the relay's records (reference state.json v4 plus our fields) and relay-wide meta.
    (
        schema.USERS, schema.WORKSPACES, schema.MEMBERSHIPS, schema.INVITATIONS, schema.RECOVERY_CODES,
        schema.LOGIN_CODES, schema.PAIRINGS, schema.PAIR_REQUESTS, _AGENTS_BY_ID, schema.TASKS, schema.SESSIONS,
        schema.PASSKEYS, schema.META,
        "CREATE INDEX tasks_agent_status_created ON tasks (agent_id, status, created_at)",
        *schema.LOOKUP_INDEXES,
        "CREATE INDEX agents_workspace ON agents (workspace_id)",
    ),
    # 2: relay start turns every unfinished task into `interrupted`; find them without a scan.
    (schema.TASKS_STATUS,),
    # 3: who created a task.
    tuple(AddColumn("tasks", column) for column in schema.TASK_CREATED_BY),
    # 4: invitations by type and workspace.
    (schema.INVITATIONS_TYPE_WORKSPACE,),
    # 5: agent ids are unique per workspace, not relay-wide (issue 15); the new key's index also
    # serves the old agents_workspace lookups. An agent's tasks are looked up by workspace and
    # agent id together.
    (
        _AGENTS_BY_WORKSPACE,
        f"INSERT INTO agents_by_workspace ({_AGENT_COLUMNS}) SELECT {_AGENT_COLUMNS} FROM agents",
        "DROP TABLE agents",  # drops agents_workspace with it
        "ALTER TABLE agents_by_workspace RENAME TO agents",
        "DROP INDEX tasks_agent_status_created",
        schema.TASKS_AGENT_STATUS_CREATED,
    ),
    # 6: notification preferences (issue 17).
    (schema.NOTIFICATION_PREFERENCES,),
    # 7: Web Push subscriptions (issue 17).
    (schema.PUSH_SUBSCRIPTIONS, schema.PUSH_SUBSCRIPTIONS_USER),
    # 8: the two-person rule (issue 18).
    (AddColumn("workspaces", schema.TWO_PERSON_RULE),),
    *schema.SHARED_MIGRATIONS,
))  # fmt: skip


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the latest version in one transaction; return that version.

    The version is read after `BEGIN IMMEDIATE`, so two processes opening a new file at once
    cannot both apply the same migration. `conn` must be in autocommit mode
    (`isolation_level=None`) so no statement here commits on its own.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, statements in pending(version, migrations):
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")  # pragmas take no parameters
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(migrations)
