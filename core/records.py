"""The relay's persistent records: metadata only.

Field names are the snake_case twins of the reference `state.json` v4 keys (camelCase on disk
and on the wire). Task text that the phone and agent exchange (prompt, summary, output, diff,
result, error) is *volatile* and has no field here, so no backend can persist it.
Times are ISO-8601 UTC strings with milliseconds and `Z`; they sort as text.

A record's `KEY` names its key field, or a tuple of fields when the key is compound (agents);
`record_codec.key_fields` and `key_of` read either form.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

record = attrs.frozen(kw_only=True)

# The task view's fields that live only in relay memory (API.md "Volatile fields").
VOLATILE_TASK_FIELDS = ("prompt", "summary", "outputTail", "diffText", "result", "error")


@record
class User:
    KEY: ClassVar[str] = "user_id"
    user_id: str
    user_handle: str  # random WebAuthn user handle (base64url)
    display_name: str
    created_at: str
    disabled_at: str | None = None
    last_workspace_id: str | None = None
    # ours (issue 21): when they last signed in, by any way in; owners see it beside each member
    last_sign_in_at: str | None = None


@record
class Workspace:
    KEY: ClassVar[str] = "workspace_id"
    workspace_id: str
    name: str
    created_at: str
    archived_at: str | None = None
    # ours (issue 18): a second person approves actions and log reads; owners set it
    require_second_approver: bool = False


@record
class Membership:
    KEY: ClassVar[str] = "membership_id"
    membership_id: str
    user_id: str
    workspace_id: str
    role: str  # viewer | operator | owner
    created_at: str
    revoked_at: str | None = None


@record
class Invitation:
    KEY: ClassVar[str] = "invite_id"
    invite_id: str
    type: str  # workspace | account
    workspace_id: str  # "" for account invites
    role: str  # "" for account invites
    note: str
    code_hash: str
    created_at: str
    expires_at: str
    used_at: str | None = None
    revoked_at: str | None = None
    created_by_user_id: str = ""
    redeemed_by_user_id: str | None = None


@record
class RecoveryCode:
    KEY: ClassVar[str] = "recovery_id"
    recovery_id: str
    user_id: str
    note: str
    code_hash: str
    created_at: str
    expires_at: str
    used_at: str | None = None
    revoked_at: str | None = None
    created_by_user_id: str = ""


@record
class LoginCode:
    """Single-use owner login code minted by `mobile-codex up` / `login-code` (ours)."""

    KEY: ClassVar[str] = "login_code_id"
    login_code_id: str
    code_hash: str
    created_at: str
    expires_at: str
    used_at: str | None = None


@record
class Pairing:
    KEY: ClassVar[str] = "pairing_id"
    pairing_id: str
    workspace_id: str
    note: str
    code_hash: str
    created_at: str
    expires_at: str
    used_at: str | None = None
    revoked_at: str | None = None


@record
class PairRequest:
    KEY: ClassVar[str] = "request_id"
    request_id: str
    pairing_id: str
    workspace_id: str
    status: str  # pending | approved | rejected | completed
    access_hash: str  # SHA-256 of the request token
    note: str
    agent_id: str
    label: str
    hostname: str
    workspace_root_name: str
    created_at: str
    expires_at: str
    approved_at: str | None = None
    rejected_at: str | None = None
    completed_at: str | None = None


@record
class Agent:
    # Agent ids are chosen by the agent, so they are only unique within a workspace: two workspaces
    # may each have a `vm`, and neither can see, block or replace the other's (issue 15).
    KEY: ClassVar[tuple[str, str]] = ("workspace_id", "agent_id")
    agent_id: str
    workspace_id: str
    label: str
    created_at: str
    token_hash: str
    last_seen_at: str | None = None
    revoked_at: str | None = None
    features: dict = attrs.field(factory=dict)
    actions: list = attrs.field(factory=list)  # [{id, label}]
    log_sources: list = attrs.field(factory=list)  # [{id, label}]
    workspace_root_name: str = ""
    # ours
    next_token_hash: str | None = None  # refreshed token, accepted alongside the old one until first used
    codex_available: bool = False
    codex_version: str = ""
    exec_modes: list = attrs.field(factory=list)  # [{id, label, writes}]


AgentKey = tuple[str, str]  # (workspace_id, agent_id): what names one agent on the relay


@record
class Task:
    KEY: ClassVar[str] = "task_id"
    task_id: str
    workspace_id: str
    agent_id: str
    type: str
    title: str
    status: str
    created_at: str
    updated_at: str
    action_id: str = ""
    log_source_id: str = ""
    resume_session_id: str = ""
    session_id: str = ""
    cwd: str = "."
    write_access: bool = False
    needs_approval: bool = False
    approved_at: str | None = None
    rejected_at: str | None = None
    # ours
    exec_mode: str = ""
    cancel_requested_at: str | None = None
    thread_id: str = ""
    # Who asked for it (API.md `createdBy`); None for tasks imported from the reference. The name is
    # kept as it was then, so the task still says who made it after that user is deleted.
    created_by_user_id: str | None = None
    created_by_display_name: str | None = None
    # How many distinct secrets the agent hid from this task's texts (its updates' `redactions`), the
    # highest it said. A count, not text: stored, so "N secrets hidden" survives a relay restart.
    redactions: int = 0


@record
class Session:
    KEY: ClassVar[str] = "session_id_hash"
    session_id_hash: str  # SHA-256 hex of the cookie value
    user_id: str
    current_workspace_id: str | None
    created_at: str
    expires_at: str
    recovery: bool = False
    needs_passkey_enrollment: bool = False
    passkey_id: str | None = None  # ours: the passkey that logged this session in


@record
class Passkey:
    KEY: ClassVar[str] = "passkey_id"
    passkey_id: str  # SHA-256 hex of the base64url credential id
    credential_id: str  # base64url, no padding
    user_id: str
    sign_count: int
    label: str
    created_at: str
    last_used_at: str | None = None
    transports: list = attrs.field(factory=list)
    public_key: str = ""  # ours: COSE key, base64url
    public_key_spki: str = ""  # the reference's SubjectPublicKeyInfo, base64url
    # ours (issue 20): a revoked passkey stays as a tombstone, so agents that trusted it see the
    # revocation (POST /api/agent/passkeys) instead of silence; it signs nobody in and counts nowhere.
    revoked_at: str | None = None


@record
class NotificationPreference:
    """Which notifications one person wants (issue 17): kind -> on/off; a kind not listed is on."""

    KEY: ClassVar[str] = "user_id"
    user_id: str
    kinds: dict = attrs.field(factory=dict)
    updated_at: str = ""


@record
class PushSubscription:
    """A device a user turned Web Push on for: where its push service takes messages for it.

    `endpoint` is the push service's URL for this device and `p256dh`/`auth` the keys payloads are
    encrypted to (RFC 8291): never shown back by the API, which lists only `endpoint_host`.
    """

    KEY: ClassVar[str] = "device_id"
    device_id: str
    user_id: str
    endpoint: str
    endpoint_host: str
    p256dh: str  # base64url, the device's P-256 public key
    auth: str  # base64url, the device's 16-byte auth secret
    label: str
    created_at: str
    last_used_at: str | None = None


@record
class AuditEvent:
    """One entry of the audit trail (issue 21): who did what to which record, when, from where.

    Metadata only, never task text. Entries are hash-chained: `hash` is the SHA-256 of the entry's
    canonical JSON (RFC 8785) without `hash`, so `prev_hash` ties each to the one before
    (core/audit.py appends, core/audit_export.py checks).
    """

    KEY: ClassVar[str] = "seq"
    seq: int  # 1, 2, 3, ... relay-wide, one chain
    at: str
    kind: str  # e.g. `signin`, `task.created` (core/audit.py KINDS)
    workspace_id: str | None = None
    actor_user_id: str | None = None
    record_type: str | None = None  # `task`, `passkey`, ...
    record_id: str | None = None
    client_address: str | None = None
    details: dict = attrs.field(factory=dict)  # small metadata values: method, role, status
    prev_hash: str = ""
    hash: str = ""


@record
class RelayMeta:
    """Relay-wide facts: who the bootstrap user is, who the relay owners are, and which life of the
    volatile store the stored task states belong to."""

    bootstrap_user_id: str | None = None
    admin_user_ids: tuple = attrs.field(default=(), converter=tuple)
    # ours (issue 19): the shared volatile store's epoch when unfinished tasks were last made
    # consistent with it; a start or sweep that finds another epoch knows their text is gone.
    volatile_epoch: str | None = None


# Table name -> record class, in the order a backend creates them.
TABLES: dict[str, type] = {
    "users": User,
    "workspaces": Workspace,
    "memberships": Membership,
    "invitations": Invitation,
    "recovery_codes": RecoveryCode,
    "login_codes": LoginCode,
    "pairings": Pairing,
    "pair_requests": PairRequest,
    "agents": Agent,
    "tasks": Task,
    "sessions": Session,
    "passkeys": Passkey,
    "notification_preferences": NotificationPreference,
    "push_subscriptions": PushSubscription,
    "audit_events": AuditEvent,
}
