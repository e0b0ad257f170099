"""The OpenAPI document's reusable schemas: what API.md's objects look like on the wire.

Response schemas name the fields clients rely on and leave the rest open (JSON Schema allows extra
properties by default): API.md lets a relay add response fields, so the document never forbids
them. Request budgets are described, not enforced by `maxLength`: API.md clamps over-long strings
rather than refusing them. Enums come from the catalogues the relay itself uses.
"""

from __future__ import annotations

from typing import Any

from mobile_codex.core import intents
from mobile_codex.core import interactive as turn
from mobile_codex.core.task_catalog import AGENT_STATUSES, ALL_STATUSES, TASK_TYPES

from ..policy import PERMISSION_FLAGS, ROLES
from ..services.invitations import INVITE_TYPES

Schema = dict[str, Any]
# The field each task type requires besides `type` and `agentId` (resources/task_bodies.py).
TASK_FIELDS = {"codex_exec": "prompt", "run_action": "actionId", "read_log": "logSourceId",
               "read_session": "sessionId", "delete_session": "sessionId"}  # fmt: skip


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], *required: str, description: str | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def nullable(schema: Schema) -> Schema:
    """OpenAPI 3.1 spells `nullable` as a type list."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def clamped(budget: int, *, tail: bool = False) -> Schema:
    kept = "the tail" if tail else "the head"
    return {"type": "string", "description": f"Clamped to {budget} bytes, keeping {kept} (longer is not an error)."}


# A text the agent passes on as an argument, a path or an id: no NUL byte (400 `invalid-field`).
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def argument(budget: int, *, required: bool = False) -> Schema:
    """`clamped`, without NUL bytes; a required one is not blank either."""
    return {**clamped(budget), "pattern": NOT_BLANK if required else NO_NUL}


def clamped_int(lo: int, hi: int, default: int) -> Schema:
    return {"type": "number", "default": default, "description": f"Clamped into {lo}..{hi} (not an error)."}


STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
INTEGER: Schema = {"type": "integer"}
TIME: Schema = {"type": "string", "format": "date-time", "description": "ISO-8601 UTC with milliseconds and Z."}
MAYBE_TIME: Schema = nullable(TIME)
SECOND_APPROVER: Schema = {"type": "boolean", "description": "Ours (issue 18): a second person approves actions and "
                            "log reads; the creator of one may not approve it. Owners set it."}
MAYBE_STRING: Schema = nullable(STRING)
ROLE: Schema = {"type": "string", "enum": list(ROLES)}
OK: Schema = {"const": True}


def strings(*names: str, schema: Schema = STRING) -> dict[str, Schema]:
    return {name: schema for name in names}


# Ours (issue 20, core/intents.py): a person's signed intent beside a body; the relay forwards it untouched.
SIGNED_BODY: dict[str, Schema] = {
    "intent": {**{"$ref": "#/components/schemas/Intent"}},
    "intentAssertion": {**{"$ref": "#/components/schemas/IntentAssertion"}},
}


SCHEMAS: dict[str, Schema] = {
    # --- every answer ---------------------------------------------------------------------------
    "Error": obj(
        {
            "error": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "description": "A kebab-case code."},
            "detail": {"type": "string", "description": "E.g. the field an `invalid-field` names."},
            "auth": {**ref("Auth"), "description": "Only with `passkey-enrollment-required`."},
        },
        "error",
    ),
    "Ok": obj({"ok": OK}, "ok"),
    # --- the auth object ------------------------------------------------------------------------
    "Permissions": obj({flag: BOOLEAN for flag in PERMISSION_FLAGS}, *PERMISSION_FLAGS),
    "CurrentUser": obj({"userId": STRING, "displayName": STRING, "createdAt": TIME}, "userId", "displayName"),
    "WorkspaceRow": obj(
        {**strings("membershipId", "workspaceId", "name"), "role": ROLE, "createdAt": TIME},
        "membershipId", "workspaceId", "name", "role",
    ),  # fmt: skip
    "Passkey": obj(
        {
            "passkeyId": {"type": "string", "description": "SHA-256 hex of the base64url credential id."},
            "displayId": STRING, "label": STRING, "createdAt": TIME, "lastUsedAt": MAYBE_TIME,
            "transports": {"type": "array", "items": STRING},
        },
        "passkeyId", "displayId",
    ),  # fmt: skip
    "Auth": obj(
        {
            **strings("passkeysEnabled", "hasPasskeys", "recoveryLoginEnabled", "isRelayOwner", "needsPasskeyEnrollment",
                      schema=BOOLEAN),
            "passkeyCount": INTEGER, "origin": STRING, "rpId": STRING, "sessionCookieName": STRING,
            "currentUser": nullable(ref("CurrentUser")), "currentWorkspaceId": MAYBE_STRING,
            "currentRole": nullable({"type": "string", "enum": [*ROLES, None]}),
            "workspaces": {"type": "array", "items": ref("WorkspaceRow")},
            "permissions": ref("Permissions"),
            "passkeys": {"type": "array", "items": ref("Passkey")},
        },
        "passkeysEnabled", "currentUser", "currentWorkspaceId", "currentRole", "workspaces", "permissions",
        "needsPasskeyEnrollment", "passkeys",
        description="API.md's `auth` object, returned by many endpoints.",
    ),  # fmt: skip
    "PushDevice": obj(
        {
            **strings("deviceId", "label"),
            "endpointHost": {"type": "string", "description": "The push service's host; never the endpoint or keys."},
            "createdAt": TIME, "lastUsedAt": MAYBE_TIME,
        },
        "deviceId", "label", "endpointHost", "createdAt", "lastUsedAt",
    ),  # fmt: skip
    "AuthAnswer": obj({"ok": OK, "auth": ref("Auth")}, "ok", "auth"),
    # --- people ---------------------------------------------------------------------------------
    "Workspace": obj({**strings("workspaceId", "name"), "createdAt": TIME, "archivedAt": MAYBE_TIME,
                      "requireSecondApprover": SECOND_APPROVER}, "workspaceId", "name"),
    "Member": obj(
        {
            **strings("membershipId", "userId", "displayName"), "role": ROLE, "createdAt": TIME,
            "lastSignInAt": {**MAYBE_TIME, "description": "Ours (issue 21): when they last signed in; null if not "
                                                          "since the relay began keeping it."},
        },
        "membershipId", "userId", "role",
    ),  # fmt: skip
    "OwnMembership": obj(
        {
            **strings("membershipId", "workspaceId", "name"), "role": ROLE,
            "createdAt": {**TIME, "description": "Since when."},
            "invitedBy": nullable(obj({"userId": STRING, "displayName": {
                "type": "string", "description": "Empty once that user is deleted."}}, "userId", "displayName")),
            "current": {**BOOLEAN, "description": "The session's current workspace."},
            "lastOwner": {**BOOLEAN, "description": "Its only owner: leaving is refused (409 `last-owner`)."},
        },
        "membershipId", "workspaceId", "name", "role", "createdAt", "invitedBy", "current", "lastOwner",
        description="Ours (issue 21): one of the caller's memberships. `invitedBy` is who made the invitation "
                    "that made it; null for a workspace's creator and the bootstrap owner.",
    ),  # fmt: skip
    "Invitation": obj(
        {
            "inviteId": STRING, "type": {"type": "string", "enum": list(INVITE_TYPES)},
            "workspaceId": {**MAYBE_STRING, "description": "Empty for an account invite."},
            "workspaceName": {**MAYBE_STRING, "description": "Empty for an account invite."},
            "role": {**ROLE, "enum": [*ROLES, ""], "description": "Empty for an account invite (as the Node.js relay stores it)."},
            "note": STRING, "createdAt": TIME, "expiresAt": TIME,
            "usedAt": MAYBE_TIME, "revokedAt": MAYBE_TIME, "createdByDisplayName": MAYBE_STRING,
        },
        "inviteId", "type", "role", "expiresAt",
    ),  # fmt: skip
    "Recovery": obj(
        {
            **strings("recoveryId", "userId", "note"), "createdAt": TIME, "expiresAt": TIME, "usedAt": MAYBE_TIME,
            "revokedAt": MAYBE_TIME, "createdByDisplayName": MAYBE_STRING,
        },
        "recoveryId", "userId", "expiresAt",
    ),  # fmt: skip
    "ManagedUser": obj(
        {
            **strings("userId", "displayName"), "createdAt": TIME, "disabledAt": MAYBE_TIME, "isRelayOwner": BOOLEAN,
            "passkeyCount": INTEGER, "activeSessionCount": INTEGER, "activeRecovery": nullable(ref("Recovery")),
            "lastWorkspaceId": STRING, "lastWorkspaceName": MAYBE_STRING,
            "memberships": {"type": "array", "items": ref("WorkspaceRow")},
            "lastSignInAt": {**MAYBE_TIME, "description": "Ours (issue 21): when they last signed in."},
        },
        "userId", "displayName", "disabledAt", "isRelayOwner",
    ),  # fmt: skip
    # --- agents and pairing ---------------------------------------------------------------------
    "AgentEntry": obj({"id": STRING, "label": STRING}, "id", description="An action or a log source."),
    "ExecMode": obj(
        {"id": STRING, "label": STRING, "writes": BOOLEAN, "interactive": BOOLEAN}, "id",
        description="Ours: what the agent can run; `interactive`: a conversation over `codex app-server`.",
    ),  # fmt: skip
    "CodexSession": obj(
        {
            "sessionId": clamped(120), "title": clamped(180), "firstUserMessage": clamped(240),
            "updatedAt": STRING, "createdAt": STRING, "cwd": clamped(180), "source": clamped(24),
            "preview": {"type": "array", "maxItems": 4, "items": obj(
                {"role": {"type": "string", "enum": ["user", "assistant"]}, "text": clamped(320), "timestamp": STRING}
            )},
        },
        "sessionId",
        description="A Codex session summary an agent reports (≤20 per agent, kept in relay memory only).",
    ),  # fmt: skip
    "Agent": obj(
        {
            "agentId": STRING, "label": STRING, "createdAt": TIME, "lastSeenAt": MAYBE_TIME, "revokedAt": MAYBE_TIME,
            "features": {"type": "object", "additionalProperties": BOOLEAN},
            "actions": {"type": "array", "items": ref("AgentEntry")},
            "logSources": {"type": "array", "items": ref("AgentEntry")},
            "workspaceRootName": STRING, "codexSessions": {"type": "array", "items": ref("CodexSession")},
            "codexAvailable": nullable(BOOLEAN), "codexVersion": MAYBE_STRING,
            "execModes": {"type": "array", "items": ref("ExecMode")},
            "online": {**BOOLEAN, "description": "Ours: the relay's judgement. False after the agent said goodbye "
                       "(`POST /api/agent/goodbye`) until its next poll, false 90 s after its last poll, else true."},
            "codexSignedIn": {**nullable(BOOLEAN), "description": "Ours: Codex has a usable login (null: not "
                              "reported since the relay started; kept in memory only)."},
            **strings("conversationModels", "conversationEfforts", schema={
                "type": "array", "items": STRING, "description": "Ours: what a phone may pick as an interactive "
                "task's `model` / `effort` (empty: the agent's default only; kept in memory only).",
            }),
            "requireSignedIntents": {"type": ["string", "null"], "enum": [*intents.SETTINGS, None],
                                     "description": "Ours (issue 20): what the agent says it runs only with a "
                                     "person's signed intent (null: not reported since the relay started; memory "
                                     "only). The phone signs accordingly; the agent, not this field, decides."},
        },
        "agentId", "label", "revokedAt", "features",
    ),  # fmt: skip
    "PairRequest": obj(
        {
            **strings("requestId", "pairingId", "note", "agentId", "label", "hostname", "workspaceRootName"),
            "status": {"type": "string", "enum": ["pending", "approved", "rejected", "expired", "completed"]},
            "createdAt": TIME, "expiresAt": TIME, "approvedAt": MAYBE_TIME, "rejectedAt": MAYBE_TIME,
        },
        "requestId", "status", "agentId",
    ),  # fmt: skip
    # --- tasks ----------------------------------------------------------------------------------
    "Task": obj(
        {
            "taskId": STRING, "agentId": STRING, "type": {"type": "string", "enum": list(TASK_TYPES)},
            "title": STRING, "status": {"type": "string", "enum": list(ALL_STATUSES)},
            "createdAt": TIME, "updatedAt": TIME, "needsApproval": BOOLEAN,
            "approvedAt": MAYBE_TIME, "rejectedAt": MAYBE_TIME, "writeAccess": BOOLEAN,
            **strings("resumeSessionId", "sessionId", "actionId", "logSourceId", "cwd", schema=MAYBE_STRING),
            **strings("summary", "prompt", "outputTail", "error", "diffText", schema=MAYBE_STRING),
            "result": nullable({"type": "object", "description": "Reduced to the fields of the task's type (API.md)."}),
            "execMode": MAYBE_STRING, "cancelRequestedAt": MAYBE_TIME, "threadId": MAYBE_STRING,
            "createdBy": nullable(obj({"userId": STRING, "displayName": STRING}, "userId", "displayName")),
            "redactions": {"type": "integer", "minimum": 0,
                           "description": "Ours: how many secrets the agent hid from this task's texts (0: none)."},
            "interactive": BOOLEAN, "turnId": STRING, "tokenUsage": nullable(ref("TokenUsage")),
            "model": {"type": "string", "description": "Ours: the model asked for this turn (empty: the agent's choice)."},
            "effort": {"type": "string", "description": "Ours: the reasoning effort asked for (empty: the agent's choice)."},
            "items": {"type": "array", "items": ref("TurnItem"), "maxItems": turn.ITEMS_MAX},
            "requests": {"type": "array", "items": ref("TurnRequest")},
            "steers": {"type": "array", "items": ref("Steer")},
            "awaitingInput": {"type": "boolean", "description": "A request of the running turn waits for a person."},
        },
        "taskId", "agentId", "type", "title", "status", "createdAt", "updatedAt", "needsApproval",
        description="Volatile fields (prompt, summary, outputTail, diffText, result, error, and an interactive "
                    "turn's model, effort, items, requests and steers) live in relay memory only.",
    ),  # fmt: skip
    "TokenUsage": obj({"input": INTEGER, "output": INTEGER}, "input", "output",
                      description="This turn's growth of Codex's token `total`."),
    "TurnItem": obj(
        {
            "itemId": STRING, "type": {"type": "string", "enum": list(turn.ITEM_TYPES)}, "text": STRING,
            "command": STRING, "cwd": STRING, "exitCode": nullable(INTEGER),
            "status": nullable({"type": "string", "enum": list(turn.ITEM_STATUSES)}),
            "output": clamped(turn.ITEM_OUTPUT_BYTES, tail=True),
            "changes": {"type": "array", "items": ref("ItemChange")}, "at": STRING,
        },
        "itemId", "type",
        description="One step of the turn's conversation (≤200 and 64 KiB per task, the oldest dropped).",
    ),  # fmt: skip
    "ItemChange": obj(
        {"path": STRING, "kind": {"type": "string", "enum": list(turn.CHANGE_KINDS)}, "movePath": MAYBE_STRING,
         "added": nullable(INTEGER), "removed": nullable(INTEGER)},
        "path", "kind",
    ),  # fmt: skip
    "RequestChange": obj(
        {"path": STRING, "kind": {"type": "string", "enum": list(turn.CHANGE_KINDS)}, "movePath": MAYBE_STRING,
         "diff": MAYBE_STRING},
        "path", "kind",
    ),  # fmt: skip
    "TurnRequest": obj(
        {
            "requestId": {"type": "string", "pattern": f"^{turn.REQUEST_ID.pattern}$"},
            "kind": {"type": "string", "enum": list(turn.REQUEST_KINDS)},
            "status": {"type": "string", "enum": list(turn.REQUEST_STATUSES)},
            **strings("title", "command", "cwd", "reason", schema=MAYBE_STRING),
            "changes": {"type": "array", "items": ref("RequestChange"), "maxItems": turn.CHANGES_MAX},
            "decisions": {"type": "array", "items": {"type": "string", "enum": list(turn.DECISIONS)}},
            "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "truncated": BOOLEAN,
            "requestedAt": STRING, "decidedAt": nullable(STRING), "decidedBy": MAYBE_STRING,
        },
        "requestId", "kind", "status", "decisions", "digest",
        description="An approval the turn waits for; `digest` = SHA-256 hex of the JCS encoding of "
                    "{requestId, taskId, kind, title, command, cwd, reason, changes}. Over budget: refused, never clamped.",
    ),  # fmt: skip
    "Steer": obj(
        {"steerId": STRING, "text": STRING, "status": {"type": "string", "enum": list(turn.STEER_STATUSES)},
         "reason": STRING, "at": STRING},
        "steerId", "status",
    ),  # fmt: skip
    "AnswerBody": obj(
        {"decision": {"type": "string", "enum": list(turn.DECISIONS), "description": "One of the request's `decisions`."},
         "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The pending request's digest."},
         **SIGNED_BODY},
        "decision", "digest",
    ),  # fmt: skip
    "SteerBody": obj({"text": clamped(turn.STEER_BYTES), **SIGNED_BODY}, "text"),
    "ApproveBody": obj(SIGNED_BODY, description="Ours (issue 20): optional; old clients send no body."),
    "Intent": obj(
        {
            "v": {"const": intents.VERSION}, "intentId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"},
            "kind": {"type": "string", "enum": list(intents.KINDS)},
            "agentId": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
            "expiresAt": {"type": "integer", "description": "Unix milliseconds; the agent refuses it past this, "
                          "or more than 15 min ahead."},
            "taskId": STRING, **strings(*(k for k in intents.TASK_KEYS if k not in ("writeAccess", "promptSha256")),
                                       schema={"type": ["string", "null"]}),
            "writeAccess": {"type": ["boolean", "null"]},
            "promptSha256": {"type": ["string", "null"], "pattern": "^[0-9a-f]{64}$"},
            "requestId": STRING, "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "decision": {"type": "string", "enum": list(turn.DECISIONS)},
            "textSha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
        "v", "intentId", "kind", "agentId", "expiresAt",
        description="Ours (issue 20): what a person's passkey signed; the challenge is the SHA-256 of its RFC 8785 "
                    "(JCS) encoding. Exactly the keys of its kind, every one present (null when absent): "
                    + "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in intents.KEYS.items())
                    + ". Shape refused: 400 `invalid-field`; a body that asks for something else than it says: "
                    "400 `intent-mismatch` (never clamped or normalised). The agent verifies the signature.",
    ),  # fmt: skip
    "IntentAssertion": obj(
        {**strings("credentialId", "clientDataJSON", "authenticatorData", "signature",
                   schema={"type": "string", "pattern": "^[A-Za-z0-9_-]+$"}),
         "userHandle": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_-]*$"}},
        "credentialId", "clientDataJSON", "authenticatorData", "signature", "userHandle",
        description="Ours (issue 20): the WebAuthn assertion over the intent's challenge, base64url parts as "
                    "`navigator.credentials.get` gives them. Sent with `intent` or not at all.",
    ),  # fmt: skip
    "AgentPasskey": obj(
        {"passkeyId": STRING, "credentialId": STRING, "userId": STRING, "displayName": STRING,
         "publicKey": {"type": "string", "description": "COSE key, base64url."}, "alg": nullable(INTEGER),
         "signCount": INTEGER, "createdAt": TIME, "revokedAt": MAYBE_TIME},
        "passkeyId", "credentialId", "userId", "publicKey", "alg", "revokedAt",
    ),  # fmt: skip
    "TaskAnswer": obj({"ok": OK, "task": ref("Task")}, "ok", "task"),
    "TaskCreate": {
        **obj(
            {
                "type": {"type": "string", "enum": list(TASK_TYPES), "description": "Another value: 400 `unsupported-task-type`."},
                "agentId": argument(120, required=True), "title": clamped(120),
                "prompt": {**argument(12000), "description": "codex_exec (required there). Clamped to 12000 bytes."},
                "cwd": argument(240), "writeAccess": BOOLEAN, "resumeSessionId": argument(120),
                "execMode": {**argument(80), "description": "Ours (codex_exec): the exec mode id."},
                "threadId": {**argument(120), "description": "codex_exec with an interactive mode only: continue this "
                             "Codex thread (with `resumeSessionId` or a non-interactive mode: 400 `invalid-field`)."},
                "model": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:/-]{0,79}$",
                          "description": "Ours (interactive modes only): the model for this turn; the agent checks it."},
                "effort": {"type": "string", "pattern": "^[a-z]{1,20}$",
                           "description": "Ours (interactive modes only): the reasoning effort; the agent checks it."},
                "actionId": {**argument(80), "description": "run_action (required there)."},
                "logSourceId": {**argument(80), "description": "read_log (required there)."},
                "sessionId": {**argument(120), "description": "read_session and delete_session (required there)."},
                **SIGNED_BODY,
            },
            "type", "agentId",
        ),
        # each type's own required field, not blank (400 `invalid-field` naming it otherwise)
        "oneOf": [
            {"properties": {"type": {"const": name}, **({field: {"type": "string", "pattern": NOT_BLANK}} if field else {})},
             "required": [field] if field else []}
            for name, field in ((name, TASK_FIELDS.get(name)) for name in TASK_TYPES)
        ],
    },  # fmt: skip
    "TaskUpdate": obj(
        {
            "status": {"type": "string", "enum": list(AGENT_STATUSES)},
            "summary": clamped(2048), "outputAppend": clamped(12000, tail=True), "diffText": clamped(20000),
            "result": {"type": "object", "description": "Reduced to the fields of the task's type."},
            "error": clamped(4000), "threadId": clamped(120),
            "itemsAppend": {"type": "array", "items": ref("TurnItem"), "description": "New or updated items (by itemId)."},
            "requestsAdd": {"type": "array", "items": ref("TurnRequest"), "maxItems": turn.REQUESTS_PER_TASK,
                            "description": "Refused (400 `invalid-field`) when over a budget or its digest differs."},
            "requestsResolved": {"type": "array", "items": obj(
                {"requestId": STRING, "status": {"type": "string", "enum": list(turn.FINAL_REQUEST_STATUSES)}},
                "requestId", "status")},
            "steersApplied": {"type": "array", "items": STRING},
            "steersRejected": {"type": "array", "items": obj({"steerId": STRING, "reason": clamped(200)}, "steerId")},
            "turnId": clamped(120), "tokenUsage": ref("TokenUsage"),
            "redactions": {"type": "integer", "description": "Ours: how many secrets the agent hid from the task's "
                           "texts so far (clamped to 0..1000000; the relay keeps the highest)."},
        },
    ),  # fmt: skip
    # --- the state view -------------------------------------------------------------------------
    "WebCatalog": obj(
        {
            "taskTypes": {"type": "object", "additionalProperties": obj(
                {"flags": {"type": "array", "items": STRING}, "needsApproval": BOOLEAN, "needsCodex": BOOLEAN,
                 "changesWorkspace": BOOLEAN}
            )},
            "writeFlag": STRING, "statuses": {"type": "array", "items": STRING},
            "terminalStatuses": {"type": "array", "items": STRING},
            "agentFlags": {"type": "object", "additionalProperties": BOOLEAN},
            "builtInExecModes": {"type": "array", "items": obj({"id": STRING, "writes": BOOLEAN})},
            "resumeMode": STRING,
        },
        "taskTypes", "writeFlag", "statuses", "terminalStatuses", "agentFlags", "builtInExecModes", "resumeMode",
        description="Ours (docs/api.md): the task catalogue, so the web app keeps no copy of its rules.",
    ),  # fmt: skip
    "StateView": obj(
        {
            "now": TIME, "features": {"type": "object", "additionalProperties": BOOLEAN},
            "web": obj({"appName": STRING, "pollIntervalMs": INTEGER, "pairCommandConfigPathHint": STRING,
                        "catalog": ref("WebCatalog")}),
            "auth": ref("Auth"),
            "currentWorkspace": nullable(obj({**strings("workspaceId", "name"), "role": ROLE, "createdAt": TIME,
                                              "requireSecondApprover": SECOND_APPROVER})),
            "members": {"type": "array", "items": ref("Member"), "description": "Owners of the current workspace only."},
            "invitations": {"type": "array", "items": ref("Invitation"), "description": "Active ones the caller may manage."},
            "users": {"type": "array", "items": ref("ManagedUser"), "description": "Relay owners only."},
            "pendingPairRequests": {"type": "array", "items": ref("PairRequest"), "maxItems": 20},
            "agents": {"type": "array", "items": ref("Agent")},
            "tasks": {"type": "array", "items": ref("Task"), "maxItems": 100},
            "changeCursor": {"type": "string", "description": "Opaque; changes whenever anything in this view changes."},
            "heldMs": {"type": "integer", "description": "Ours: only on a state wait, how long the relay held it."},
            "tasksDelta": {"type": "boolean", "description": "Ours, only with `tasksSince`: true when `tasks` holds "
                           "only what changed since that cursor's view; false when it is the whole list (an "
                           "unknown cursor)."},
            "removedTaskIds": {"type": "array", "items": STRING, "description": "Ours, only with `tasksSince`: "
                               "tasks of that cursor's view that are no longer in this one."},
            "tasksCursor": {"type": "string", "description": "Ours, only with `tasksSince`: send it as `tasksSince` "
                            "next. Opaque, remembered in relay memory for a while."},
        },
        "now", "features", "web", "auth", "currentWorkspace", "members", "invitations", "users",
        "pendingPairRequests", "agents", "tasks", "changeCursor",
        description="An enrollment-locked session gets empty lists.",
    ),  # fmt: skip
    # --- the agent's side -----------------------------------------------------------------------
    "PollRequest": obj(
        {
            "label": clamped(120), "workspaceRootName": clamped(120),
            "features": {"type": "object", "additionalProperties": BOOLEAN},
            "actions": {"type": "array", "items": ref("AgentEntry")},
            "logSources": {"type": "array", "items": ref("AgentEntry")},
            "codexSessions": {"type": "array", "items": ref("CodexSession")},
            "waitMs": {**clamped_int(0, 25000, 0), "description": "Ours: hold until a task is queued or a cancel "
                       "requested (0..25000, clamped)."},
            "maxTasks": {**clamped_int(0, 8, 1), "description": "Ours: how many queued tasks to claim (0..8, clamped)."},
            "codexAvailable": BOOLEAN, "codexVersion": clamped(80),
            "execModes": {"type": "array", "items": ref("ExecMode")},
            "codexSignedIn": {"type": "boolean", "description": "Ours: Codex has a usable login."},
            "requireSignedIntents": {"type": "string", "enum": list(intents.SETTINGS), "description": "Ours (issue 20): "
                                     "the agent's setting, shown to phones so they sign what it requires."},
            "conversationModels": {"type": "array", "items": clamped(80), "maxItems": 50,
                                   "description": "Ours: the models a phone may pick for an interactive turn."},
            "conversationEfforts": {"type": "array", "items": clamped(20), "maxItems": 50,
                                    "description": "Ours: the reasoning efforts a phone may pick for an interactive turn."},
        },
    ),  # fmt: skip
    "PollReply": obj(
        {
            "ok": OK, "tasks": {"type": "array", "items": {"allOf": [ref("Task"), obj({
                "intent": ref("Intent"), "intentAssertion": ref("IntentAssertion"),
                "approvalIntent": ref("Intent"), "approvalAssertion": ref("IntentAssertion")},
                description="Ours (issue 20): the signed create and approval, as the phone sent them; absent when unsigned.")]}},
            "cancelTaskIds": {"type": "array", "items": STRING, "description": "Ours: running tasks to cancel."},
            "heldMs": {"type": "integer", "description": "Ours: how long the relay held this poll."},
            "agentToken": {"type": "string", "description": "Ours: a fresh token when the current one has < 7 days left."},
            "answers": {"type": "array", "description": "Answers for this agent's running turns, repeated until it "
                        "reports the request settled.", "items": obj(
                {"taskId": STRING, "requestId": STRING, "decision": {"type": "string", "enum": list(turn.DECISIONS)},
                 "digest": STRING, **SIGNED_BODY}, "taskId", "requestId", "decision", "digest")},
            "steers": {"type": "array", "description": "Steers for this agent's running turns, repeated until it "
                       "reports them applied or rejected.", "items": obj(
                {"taskId": STRING, "steerId": STRING, "text": STRING, **SIGNED_BODY}, "taskId", "steerId", "text")},
        },
        "ok", "tasks",
    ),  # fmt: skip
}
