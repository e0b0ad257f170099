"""The postgres schema, as explicit SQL per version, and the code that applies it once.

`MIGRATIONS[n]` takes a database from version n to n + 1. Each applied version is a row of
`schema_migrations`. Never edit a released migration: append a new one. Columns carry the record
fields' names like the sqlite schema; lists and dicts are JSON text (kept byte for byte, unlike
jsonb), booleans BOOLEAN, integers BIGINT.

Several relays may start at once on an empty database: `migrate` takes a transaction-level
advisory lock before it reads the version, so exactly one of them applies each migration and the
others wait, then find nothing left to do. DDL is transactional in PostgreSQL, so a migration that
fails leaves no half-made schema behind.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from mobile_codex.core.errors import StorageError

Migration = tuple[str, ...]  # statements, run in order inside the migrating transaction

# The advisory lock key `migrate` holds ("mcmigrat" as a number): any fixed bigint would do,
# it only has to differ from the write lock's (backend.WRITE_LOCK_KEY).
MIGRATION_LOCK_KEY = 0x6D636D6967726174

MIGRATIONS: tuple[Migration, ...] = (
    # 1: the relay's records as of issue 19 and relay-wide meta. Deliberately no
    # prompt/summary/output/diff/result/error columns on tasks: that text is volatile.
    (
        """CREATE TABLE users (
            user_id TEXT NOT NULL,
            user_handle TEXT,
            display_name TEXT,
            created_at TEXT,
            disabled_at TEXT,
            last_workspace_id TEXT,
            PRIMARY KEY (user_id)
        )""",
        """CREATE TABLE workspaces (
            workspace_id TEXT NOT NULL,
            name TEXT,
            created_at TEXT,
            archived_at TEXT,
            require_second_approver BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (workspace_id)
        )""",
        """CREATE TABLE memberships (
            membership_id TEXT NOT NULL,
            user_id TEXT,
            workspace_id TEXT,
            role TEXT,
            created_at TEXT,
            revoked_at TEXT,
            PRIMARY KEY (membership_id)
        )""",
        """CREATE TABLE invitations (
            invite_id TEXT NOT NULL,
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
            redeemed_by_user_id TEXT,
            PRIMARY KEY (invite_id)
        )""",
        """CREATE TABLE recovery_codes (
            recovery_id TEXT NOT NULL,
            user_id TEXT,
            note TEXT,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT,
            revoked_at TEXT,
            created_by_user_id TEXT,
            PRIMARY KEY (recovery_id)
        )""",
        """CREATE TABLE login_codes (
            login_code_id TEXT NOT NULL,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT,
            PRIMARY KEY (login_code_id)
        )""",
        """CREATE TABLE pairings (
            pairing_id TEXT NOT NULL,
            workspace_id TEXT,
            note TEXT,
            code_hash TEXT,
            created_at TEXT,
            expires_at TEXT,
            used_at TEXT,
            revoked_at TEXT,
            PRIMARY KEY (pairing_id)
        )""",
        """CREATE TABLE pair_requests (
            request_id TEXT NOT NULL,
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
            completed_at TEXT,
            PRIMARY KEY (request_id)
        )""",
        """CREATE TABLE agents (
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
            codex_available BOOLEAN,
            codex_version TEXT,
            exec_modes TEXT,
            PRIMARY KEY (workspace_id, agent_id)
        )""",
        """CREATE TABLE tasks (
            task_id TEXT NOT NULL,
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
            write_access BOOLEAN,
            needs_approval BOOLEAN,
            approved_at TEXT,
            rejected_at TEXT,
            exec_mode TEXT,
            cancel_requested_at TEXT,
            thread_id TEXT,
            created_by_user_id TEXT,
            created_by_display_name TEXT,
            PRIMARY KEY (task_id)
        )""",
        """CREATE TABLE sessions (
            session_id_hash TEXT NOT NULL,
            user_id TEXT,
            current_workspace_id TEXT,
            created_at TEXT,
            expires_at TEXT,
            recovery BOOLEAN,
            needs_passkey_enrollment BOOLEAN,
            passkey_id TEXT,
            PRIMARY KEY (session_id_hash)
        )""",
        """CREATE TABLE passkeys (
            passkey_id TEXT NOT NULL,
            credential_id TEXT,
            user_id TEXT,
            sign_count BIGINT,
            label TEXT,
            created_at TEXT,
            last_used_at TEXT,
            transports TEXT,
            public_key TEXT,
            public_key_spki TEXT,
            PRIMARY KEY (passkey_id)
        )""",
        """CREATE TABLE notification_preferences (
            user_id TEXT NOT NULL,
            kinds TEXT,
            updated_at TEXT,
            PRIMARY KEY (user_id)
        )""",
        """CREATE TABLE push_subscriptions (
            device_id TEXT NOT NULL,
            user_id TEXT,
            endpoint TEXT,
            endpoint_host TEXT,
            p256dh TEXT,
            auth TEXT,
            label TEXT,
            created_at TEXT,
            last_used_at TEXT,
            PRIMARY KEY (device_id)
        )""",
        """CREATE TABLE meta (
            id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            bootstrap_user_id TEXT,
            admin_user_ids TEXT
        )""",
        # The relay's lookups: agent polls, task lists, logins, code redemption, pairing.
        "CREATE INDEX tasks_agent_status_created ON tasks (workspace_id, agent_id, status, created_at)",
        "CREATE INDEX tasks_workspace_updated ON tasks (workspace_id, updated_at)",
        "CREATE INDEX tasks_status ON tasks (status)",
        "CREATE INDEX sessions_user ON sessions (user_id)",
        "CREATE INDEX passkeys_user ON passkeys (user_id)",
        "CREATE INDEX passkeys_credential ON passkeys (credential_id)",
        "CREATE INDEX memberships_user ON memberships (user_id)",
        "CREATE INDEX memberships_workspace ON memberships (workspace_id)",
        "CREATE INDEX invitations_code ON invitations (code_hash)",
        "CREATE INDEX invitations_type_workspace ON invitations (type, workspace_id)",
        "CREATE INDEX recovery_codes_code ON recovery_codes (code_hash)",
        "CREATE INDEX recovery_codes_user ON recovery_codes (user_id)",
        "CREATE INDEX login_codes_code ON login_codes (code_hash)",
        "CREATE INDEX pairings_code ON pairings (code_hash)",
        "CREATE INDEX pair_requests_workspace_status ON pair_requests (workspace_id, status)",
        "CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id)",
    ),
    # 2: the volatile store's epoch the unfinished tasks were last reconciled with (issue 19).
    ("ALTER TABLE meta ADD COLUMN volatile_epoch TEXT",),
)


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
        if version > len(migrations):
            raise StorageError(
                f"the database has schema version {version}, newer than this mobile-codex "
                f"knows ({len(migrations)}): upgrade mobile-codex"
            )
        for number, statements in enumerate(migrations[version:], start=version + 1):
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
        conn.execute("COMMIT")
    except BaseException:
        if not conn.closed:
            conn.execute("ROLLBACK")
        raise
    return len(migrations)
