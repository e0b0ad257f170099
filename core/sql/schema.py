"""The relay's tables as the SQL backends' migrations create them, declared once for every engine.

Each declaration is frozen history: the table as the migration that first created it made it
(sqlite's schema grew over eight versions; postgres starts at that final shape, with `plus`).
Never edit one a released migration uses; declare what changes and append a migration.
tests/storage/test_schema_history.py pins the schema every released version makes.
Columns carry the record fields' names; lists and dicts are JSON text.
"""

from __future__ import annotations

from .ddl import BOOL, INT, AddColumn, Column, CreateTable, columns

USERS = CreateTable("users", ("user_id",), columns(
    "user_id user_handle display_name created_at disabled_at last_workspace_id"
))
WORKSPACES = CreateTable("workspaces", ("workspace_id",), columns("workspace_id name created_at archived_at"))
MEMBERSHIPS = CreateTable("memberships", ("membership_id",), columns(
    "membership_id user_id workspace_id role created_at revoked_at"
))
INVITATIONS = CreateTable("invitations", ("invite_id",), columns(
    "invite_id type workspace_id role note code_hash created_at expires_at used_at revoked_at created_by_user_id"
    " redeemed_by_user_id"
))
RECOVERY_CODES = CreateTable("recovery_codes", ("recovery_id",), columns(
    "recovery_id user_id note code_hash created_at expires_at used_at revoked_at created_by_user_id"
))
LOGIN_CODES = CreateTable("login_codes", ("login_code_id",), columns(
    "login_code_id code_hash created_at expires_at used_at"
))
PAIRINGS = CreateTable("pairings", ("pairing_id",), columns(
    "pairing_id workspace_id note code_hash created_at expires_at used_at revoked_at"
))
PAIR_REQUESTS = CreateTable("pair_requests", ("request_id",), columns(
    "request_id pairing_id workspace_id status access_hash note agent_id label hostname workspace_root_name"
    " created_at expires_at approved_at rejected_at completed_at"
))
AGENT_COLUMNS = columns(
    "agent_id workspace_id label created_at token_hash last_seen_at revoked_at features actions log_sources"
    " workspace_root_name next_token_hash codex_available:bool codex_version exec_modes"
)
# Agent ids are unique per workspace (issue 15); sqlite's first schema keyed them by agent_id alone.
AGENTS = CreateTable("agents", ("workspace_id", "agent_id"), AGENT_COLUMNS)
# Deliberately no prompt/summary/output/diff/result/error columns: that text is volatile.
TASKS = CreateTable("tasks", ("task_id",), columns(
    "task_id workspace_id agent_id type title status created_at updated_at action_id log_source_id"
    " resume_session_id session_id cwd write_access:bool needs_approval:bool approved_at rejected_at exec_mode"
    " cancel_requested_at thread_id"
))
SESSIONS = CreateTable("sessions", ("session_id_hash",), columns(
    "session_id_hash user_id current_workspace_id created_at expires_at recovery:bool"
    " needs_passkey_enrollment:bool passkey_id"
))
PASSKEYS = CreateTable("passkeys", ("passkey_id",), columns(
    "passkey_id credential_id user_id sign_count:int label created_at last_used_at transports public_key"
    " public_key_spki"
))
# RelayMeta: a single row (the same SQL on every engine).
META = """CREATE TABLE meta (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    bootstrap_user_id TEXT,
    admin_user_ids TEXT
)"""
# What each person wants to be notified of (issue 17); kinds is JSON text.
NOTIFICATION_PREFERENCES = CreateTable("notification_preferences", ("user_id",), columns("user_id kinds updated_at"))
# Web Push subscriptions: a user's devices (issue 17).
PUSH_SUBSCRIPTIONS = CreateTable("push_subscriptions", ("device_id",), columns(
    "device_id user_id endpoint endpoint_host p256dh auth label created_at last_used_at"
))

# Who created a task (API.md `createdBy`); NULL for tasks created before.
TASK_CREATED_BY = columns("created_by_user_id created_by_display_name")
# The two-person rule, a workspace setting (issue 18); existing workspaces have it off.
TWO_PERSON_RULE = Column("require_second_approver", BOOL, false_by_default=True)
# When each person last signed in (issue 21: owners see it beside each member); NULL until they next do.
LAST_SIGN_IN = Column("last_sign_in_at")
# How many secrets the agent hid from a task's texts: a count, metadata (the texts stay volatile), kept
# so "N secrets hidden" survives a relay or volatile store restart; existing tasks read 0.
TASK_REDACTIONS = Column("redactions", INT, zero_by_default=True)

# The audit trail (issue 21): hash-chained entries, metadata only; `seq` orders the one chain.
AUDIT_EVENTS = CreateTable("audit_events", ("seq",), columns(
    "seq:int at kind workspace_id actor_user_id record_type record_id client_address details prev_hash hash"
))
AUDIT_EVENTS_WORKSPACE = "CREATE INDEX audit_events_workspace ON audit_events (workspace_id, seq)"

# The relay's lookups: agent polls, task lists, logins, code redemption, pairing.
TASKS_AGENT_STATUS_CREATED = "CREATE INDEX tasks_agent_status_created ON tasks (workspace_id, agent_id, status, created_at)"
LOOKUP_INDEXES = (
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
)
# Relay start turns every unfinished task into `interrupted`; find them without a scan.
TASKS_STATUS = "CREATE INDEX tasks_status ON tasks (status)"
# The state view and invite quotas look invitations up by type and workspace (issue 15).
INVITATIONS_TYPE_WORKSPACE = "CREATE INDEX invitations_type_workspace ON invitations (type, workspace_id)"
PUSH_SUBSCRIPTIONS_USER = "CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id)"

# Migrations written once for every SQL backend, appended after each one's own history (sqlite's
# versions 1-8, postgres's version 1), so the same change has the next number of each.
SHARED_MIGRATIONS: tuple[tuple[str | AddColumn | CreateTable, ...], ...] = (
    # sqlite 9, postgres 2: the volatile store's epoch the unfinished tasks were last reconciled
    # with (issue 19).
    (AddColumn("meta", Column("volatile_epoch")),),
    # sqlite 10, postgres 3: when each person last signed in (issue 21, membership).
    (AddColumn("users", LAST_SIGN_IN),),
    # sqlite 11, postgres 4: a revoked passkey is kept as a tombstone, so an agent sees the revocation
    # (issue 20).
    (AddColumn("passkeys", Column("revoked_at")),),
    # sqlite 12, postgres 5: the tamper-evident audit trail (issue 21).
    (AUDIT_EVENTS, AUDIT_EVENTS_WORKSPACE),
    # sqlite 13, postgres 6: a task's redaction count, stored so it outlives the volatile text.
    (AddColumn("tasks", TASK_REDACTIONS),),
)
