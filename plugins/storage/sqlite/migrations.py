"""The sqlite schema, as explicit SQL per version, and the code that applies it.

`MIGRATIONS[n]` takes a database from version n to n + 1; the version lives in
`PRAGMA user_version`. Never edit a released migration: append a new one. Columns carry the
record fields' names (tests/storage/test_sqlite.py checks they match `records.py`); lists and
dicts are JSON text, booleans INTEGER 0/1.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from mobile_codex.core.errors import StorageError

Migration = tuple[str, ...]  # statements, run in order inside the migration's transaction

MIGRATIONS: tuple[Migration, ...] = (
    # 1: the relay's records (reference state.json v4 plus our fields) and relay-wide meta.
    (
        """CREATE TABLE users (
            user_id TEXT NOT NULL PRIMARY KEY,
            user_handle TEXT,
            display_name TEXT,
            created_at TEXT,
            disabled_at TEXT,
            last_workspace_id TEXT
        )""",
        """CREATE TABLE workspaces (
            workspace_id TEXT NOT NULL PRIMARY KEY,
            name TEXT,
            created_at TEXT,
            archived_at TEXT
        )""",
        """CREATE TABLE memberships (
            membership_id TEXT NOT NULL PRIMARY KEY,
            user_id TEXT,
            workspace_id TEXT,
            role TEXT,
            created_at TEXT,
            revoked_at TEXT
        )""",
        """CREATE TABLE invitations (
            invite_id TEXT NOT NULL PRIMARY KEY,
            type TEXT,
            workspace_id TEXT,
            role TEXT,
            note TEXT,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT,
            revoked_at TEXT,
            created_by_user_id TEXT,
            redeemed_by_user_id TEXT
        )""",
        """CREATE TABLE recovery_codes (
            recovery_id TEXT NOT NULL PRIMARY KEY,
            user_id TEXT,
            note TEXT,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT,
            revoked_at TEXT,
            created_by_user_id TEXT
        )""",
        """CREATE TABLE login_codes (
            login_code_id TEXT NOT NULL PRIMARY KEY,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT
        )""",
        """CREATE TABLE pairings (
            pairing_id TEXT NOT NULL PRIMARY KEY,
            workspace_id TEXT,
            note TEXT,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT,
            revoked_at TEXT
        )""",
        """CREATE TABLE pair_requests (
            request_id TEXT NOT NULL PRIMARY KEY,
            pairing_id TEXT,
            workspace_id TEXT,
            status TEXT,
            access_hash TEXT,
            note TEXT,
            agent_id TEXT,
            label TEXT,
            hostname TEXT,
            workspace_root_name TEXT,
            created_at TEXT,
            expires_at TEXT,
            approved_at TEXT,
            rejected_at TEXT,
            completed_at TEXT
        )""",
        """CREATE TABLE agents (
            agent_id TEXT NOT NULL PRIMARY KEY,
            workspace_id TEXT,
            label TEXT,
            created_at TEXT,
            token_hash TEXT,
            last_seen_at TEXT,
            revoked_at TEXT,
            features TEXT,
            actions TEXT,
            log_sources TEXT,
            workspace_root_name TEXT,
            next_token_hash TEXT,
            codex_available INTEGER,
            codex_version TEXT,
            exec_modes TEXT
        )""",
        # Deliberately no prompt/summary/output/diff/result/error columns: that text is volatile.
        """CREATE TABLE tasks (
            task_id TEXT NOT NULL PRIMARY KEY,
            workspace_id TEXT,
            agent_id TEXT,
            type TEXT,
            title TEXT,
            status TEXT,
            created_at TEXT,
            updated_at TEXT,
            action_id TEXT,
            log_source_id TEXT,
            resume_session_id TEXT,
            session_id TEXT,
            cwd TEXT,
            write_access INTEGER,
            needs_approval INTEGER,
            approved_at TEXT,
            rejected_at TEXT,
            exec_mode TEXT,
            cancel_requested_at TEXT,
            thread_id TEXT
        )""",
        """CREATE TABLE sessions (
            session_id_hash TEXT NOT NULL PRIMARY KEY,
            user_id TEXT,
            current_workspace_id TEXT,
            created_at TEXT,
            expires_at TEXT,
            recovery INTEGER,
            needs_passkey_enrollment INTEGER,
            passkey_id TEXT
        )""",
        """CREATE TABLE passkeys (
            passkey_id TEXT NOT NULL PRIMARY KEY,
            credential_id TEXT,
            user_id TEXT,
            sign_count INTEGER,
            label TEXT,
            created_at TEXT,
            last_used_at TEXT,
            transports TEXT,
            public_key TEXT,
            public_key_spki TEXT
        )""",
        # RelayMeta: a single row.
        """CREATE TABLE meta (
            id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            bootstrap_user_id TEXT,
            admin_user_ids TEXT
        )""",
        # The relay's lookups: agent polls, task lists, logins, code redemption, pairing.
        "CREATE INDEX tasks_agent_status_created ON tasks (agent_id, status, created_at)",
        "CREATE INDEX tasks_workspace_updated ON tasks (workspace_id, updated_at)",
        "CREATE INDEX sessions_user ON sessions (user_id)",
        "CREATE INDEX passkeys_user ON passkeys (user_id)",
        "CREATE INDEX passkeys_credential ON passkeys (credential_id)",
        "CREATE INDEX memberships_user ON memberships (user_id)",
        "CREATE INDEX memberships_workspace ON memberships (workspace_id)",
        "CREATE INDEX invitations_code ON invitations (code_hash)",
        "CREATE INDEX recovery_codes_code ON recovery_codes (code_hash)",
        "CREATE INDEX recovery_codes_user ON recovery_codes (user_id)",
        "CREATE INDEX login_codes_code ON login_codes (code_hash)",
        "CREATE INDEX pairings_code ON pairings (code_hash)",
        "CREATE INDEX pair_requests_workspace_status ON pair_requests (workspace_id, status)",
        "CREATE INDEX agents_workspace ON agents (workspace_id)",
    ),
    # 2: relay start turns every unfinished task into `interrupted`; find them without a scan.
    ("CREATE INDEX tasks_status ON tasks (status)",),
    # 3: who created a task (API.md `createdBy`); NULL for tasks created before.
    (
        "ALTER TABLE tasks ADD COLUMN created_by_user_id TEXT",
        "ALTER TABLE tasks ADD COLUMN created_by_display_name TEXT",
    ),
    # 4: the state view and invite quotas look invitations up by type and workspace (issue 15).
    ("CREATE INDEX invitations_type_workspace ON invitations (type, workspace_id)",),
    # 5: agent ids are unique per workspace, not relay-wide (issue 15): the key becomes
    # (workspace_id, agent_id). SQLite cannot change a primary key in place, so the table is
    # copied into a new one; its key's index also serves the old agents_workspace lookups. An
    # agent's tasks are looked up by workspace and agent id together.
    (
        """CREATE TABLE agents_by_workspace (
            agent_id TEXT NOT NULL,
            workspace_id TEXT NOT NULL,
            label TEXT,
            created_at TEXT,
            token_hash TEXT,
            last_seen_at TEXT,
            revoked_at TEXT,
            features TEXT,
            actions TEXT,
            log_sources TEXT,
            workspace_root_name TEXT,
            next_token_hash TEXT,
            codex_available INTEGER,
            codex_version TEXT,
            exec_modes TEXT,
            PRIMARY KEY (workspace_id, agent_id)
        )""",
        """INSERT INTO agents_by_workspace (
            agent_id, workspace_id, label, created_at, token_hash, last_seen_at, revoked_at, features, actions,
            log_sources, workspace_root_name, next_token_hash, codex_available, codex_version, exec_modes
        ) SELECT
            agent_id, workspace_id, label, created_at, token_hash, last_seen_at, revoked_at, features, actions,
            log_sources, workspace_root_name, next_token_hash, codex_available, codex_version, exec_modes
        FROM agents""",
        "DROP TABLE agents",  # drops agents_workspace with it
        "ALTER TABLE agents_by_workspace RENAME TO agents",
        "DROP INDEX tasks_agent_status_created",
        "CREATE INDEX tasks_agent_status_created ON tasks (workspace_id, agent_id, status, created_at)",
    ),
    # 6: what each person wants to be notified of (issue 17); kinds is JSON text.
    (
        """CREATE TABLE notification_preferences (
            user_id TEXT NOT NULL PRIMARY KEY,
            kinds TEXT,
            updated_at TEXT
        )""",
    ),
    # 7: Web Push subscriptions: a user's devices (issue 17).
    (
        """CREATE TABLE push_subscriptions (
            device_id TEXT NOT NULL PRIMARY KEY,
            user_id TEXT,
            endpoint TEXT,
            endpoint_host TEXT,
            p256dh TEXT,
            auth TEXT,
            label TEXT,
            created_at TEXT,
            last_used_at TEXT
        )""",
        "CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id)",
    ),
    # 8: the two-person rule, a workspace setting (issue 18); existing workspaces have it off.
    ("ALTER TABLE workspaces ADD COLUMN require_second_approver INTEGER NOT NULL DEFAULT 0",),
    # 9: the volatile store's epoch the unfinished tasks were last reconciled with (issue 19).
    ("ALTER TABLE meta ADD COLUMN volatile_epoch TEXT",),
)


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database up to the latest version in one transaction; return that version.

    The version is read after `BEGIN IMMEDIATE`, so two processes opening a new file at once
    cannot both apply the same migration. `conn` must be in autocommit mode
    (`isolation_level=None`) so no statement here commits on its own.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise StorageError(
                f"the database has schema version {version}, newer than this mobile-codex "
                f"knows ({len(migrations)}): upgrade mobile-codex"
            )
        for number, statements in enumerate(migrations[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")  # pragmas take no parameters
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(migrations)
