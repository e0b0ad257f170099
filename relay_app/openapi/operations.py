"""Every operation of the relay API (API.md and docs/api.md), as OpenAPI operation objects.

One `op(...)` per route the relay serves: tests/relay/test_openapi.py fails when a route and this
table disagree (path, method, or who may call it). The checks every route shares (API.md's check
order: Origin, rate limit, body size, JSON, session or token, enrollment lock) add their error
answers here once, from what the operation says it is, so each entry lists only its own errors.
"""

from __future__ import annotations

from typing import Any

from ..services import invitations, pairing, recovery
from .schemas import BOOLEAN, OK, STRING, TIME, Schema, clamped, clamped_int, obj, ref

# Who may call: the security requirement of each kind of caller (policy.py's `caller` of a rule).
SECURITY = {
    "anyone": [],  # the body proves whatever is needed (a token, a code), or nothing is needed
    "maybe-session": [{}, {"session": []}],
    "session": [{"session": []}],
    "agent": [{"agentToken": []}],
}
SESSION_ERRORS = {401: ["missing-session", "invalid-session", "session-user-invalid"]}
AGENT_ERRORS = {401: ["missing-token", "invalid-token", "agent-revoked", "agent-workspace-mismatch"]}
ROLE_ERRORS = {403: ["insufficient-role", "no-workspace-selected"]}
BROWSER_PREFIXES = ("/api/auth/", "/api/admin/")

OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {}


def _merge(into: dict[int, list[str]], more: dict[int, list[str]]) -> None:
    for status, codes in more.items():
        into.setdefault(status, [])
        into[status] += [code for code in codes if code not in into[status]]


def _error_response(codes: list[str]) -> dict[str, Any]:
    """The error answer of one status, its codes listed (a client or a fuzzer can tell a new one)."""
    schema = {"allOf": [ref("Error"), {"properties": {"error": {"enum": codes}}}]}
    return {
        "description": ", ".join(f"`{code}`" for code in codes),
        "content": {"application/json": {"schema": schema}},
    }


def op(
    method: str, path: str, summary: str, *, caller: str, ok: Schema = ref("Ok"), status: int = 200,
    body: Schema | None = None, errors: dict[int, list[str]] | None = None, tag: str, role: bool = False,
    locked_ok: bool = False, rate_limited: bool = False, cap: int = 4096, description: str | None = None,
    parameters: list | None = None, cookie: str | None = None,
) -> None:  # fmt: skip
    """Add one operation. `caller` is its policy rule's kind of caller; `role`: a role is checked;
    `locked_ok`: an enrollment-locked session may; `cap`: the body cap in bytes (POST)."""
    all_errors: dict[int, list[str]] = {}
    if method == "POST" and path.startswith(BROWSER_PREFIXES):
        _merge(all_errors, {403: ["origin-mismatch"]})
        if body is not None:
            _merge(all_errors, {415: ["unsupported-media-type"]})  # a body not typed application/json
    if rate_limited:
        _merge(all_errors, {429: ["rate-limited"]})
    if method == "POST":
        _merge(all_errors, {413: ["body-too-large"], 400: ["invalid-json"]})
        if body is not None:
            _merge(all_errors, {400: ["invalid-field"]})
    if caller == "session":
        _merge(all_errors, SESSION_ERRORS)
    if caller == "agent":
        _merge(all_errors, AGENT_ERRORS)
    if caller in ("session", "maybe-session") and not locked_ok:
        _merge(all_errors, {403: ["passkey-enrollment-required"]})
    if role:
        _merge(all_errors, ROLE_ERRORS)
    _merge(all_errors, errors or {})
    success: dict[str, Any] = {"description": "Success.", "content": {"application/json": {"schema": ok}}}
    if cookie:
        success["headers"] = {"Set-Cookie": {"description": cookie, "schema": STRING}}
    operation: dict[str, Any] = {
        "operationId": _operation_id(method, path),
        "summary": summary,
        "tags": [tag],
        "security": SECURITY[caller],
        "responses": {str(status): success} | {str(code): _error_response(codes) for code, codes in sorted(all_errors.items())},
    }
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if method == "POST":
        operation["requestBody"] = {
            "required": False,
            "description": f"A JSON object of at most {cap} bytes; an empty body counts as {{}}.",
            "content": {"application/json": {"schema": body or {"type": "object"}}},
        }
    OPERATIONS[(method, path)] = operation


def _operation_id(method: str, path: str) -> str:
    words = [part.strip("{}") for part in path.removeprefix("/api/").replace("-", "/").replace(".", "/").split("/")]
    return method.lower() + "".join(word[:1].upper() + word[1:] for word in words if word)


def path_param(name: str, description: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "description": description, "schema": STRING}]


NEW_SESSION = "The session cookie (`mobilecodex_session`, `__Host-` prefixed on https)."
CLEARED = "A clearing session cookie (`Max-Age=0`)."
AUTH = ref("AuthAnswer")
TASK = ref("TaskAnswer")

# --- the app shell and signing in ------------------------------------------------------------------
op("GET", "/api/health", "Is the relay up, and its time", caller="anyone", tag="relay",
   ok=obj({"ok": OK, "now": TIME}, "ok", "now"))
op("GET", "/api/ready", "Can the relay serve requests now (readiness)", caller="anyone", tag="relay",
   ok=obj({"ok": OK, "storage": {"type": "string", "enum": ["ok"]}, "volatile": {"type": "string", "enum": ["ok"]}},
          "ok", "storage", "volatile"), errors={503: ["not-ready"]},
   description="Extension: for a load balancer's health checks. 503 `not-ready` with `detail` naming what is "
               "unreachable (`storage`, or `volatile`: the shared volatile store). /api/health stays a liveness check.")
op("GET", "/api/openapi.json", "This document", caller="anyone", tag="relay",
   ok={"type": "object", "description": "An OpenAPI 3.1 document."})
op("GET", "/api/auth/status", "Who is signed in", caller="maybe-session", locked_ok=True, tag="auth",
   ok=obj({"ok": OK, "authenticated": BOOLEAN, "auth": ref("Auth")}, "ok", "authenticated", "auth"),
   description="A dead session cookie is cleared.")
op("POST", "/api/auth/login", "Sign in with the bootstrap token", caller="anyone", rate_limited=True, tag="auth",
   body=obj({"bootstrapToken": STRING}), ok=AUTH, cookie=NEW_SESSION, errors={401: ["invalid-bootstrap-token"]},
   description="A session of the bootstrap user, marked recovery.")
op("POST", "/api/auth/login-code", "Sign in with a one-time login code", caller="anyone", rate_limited=True,
   tag="auth", body=obj({"loginCode": {"type": "string", "description": "12 chars XXXX-XXXX-XXXX, normalised."}}),
   ok=AUTH, cookie=NEW_SESSION, errors={401: ["invalid-login-code"]},
   description="Extension: a code minted by `mobile-codex up` or `mobile-codex login-code` (single use, 15 min). "
               "A refused code still on record adds `detail`: `spent` (used already) or `expired`; an unknown one has none.")
op("POST", "/api/auth/logout", "Sign out", caller="anyone", tag="auth", cookie=CLEARED)
op("POST", "/api/auth/workspace", "Switch the current workspace", caller="session", locked_ok=True, tag="auth",
   body=obj({"workspaceId": clamped(120)}, "workspaceId"), ok=AUTH, errors={404: ["workspace-not-found"]})
op("POST", "/api/auth/profile", "Change your display name", caller="session", tag="auth",
   body=obj({"displayName": {"type": "string", "minLength": 1, "maxLength": 80,
                             "description": "1..80 characters after trimming (else 400 `invalid-field`, "
                                            "`detail: \"displayName\"`); not clamped."}}, "displayName"),
   ok=AUTH, description="Ours (issue 18). Tasks keep the name their creator had when asking.")
op("GET", "/api/auth/memberships", "Your memberships", caller="session", tag="auth",
   ok=obj({"ok": OK, "memberships": {"type": "array", "items": ref("OwnMembership")}}, "ok", "memberships"),
   description="Ours (issue 21): each workspace you belong to, oldest first: role, since when, who invited you.")
op("POST", "/api/auth/memberships/{membershipId}/leave", "Leave a workspace", caller="session", tag="auth",
   parameters=path_param("membershipId", "A `membership_` id of your own."),
   ok=obj({"ok": OK, "auth": ref("Auth"), "membershipId": STRING}, "ok", "auth", "membershipId"),
   errors={404: ["membership-not-found"], 409: ["last-owner"]},
   description="Ours (issue 21): ends your membership; the workspace's only owner cannot leave. Your sessions "
               "that were in it (on every device) move to your next workspace, or to none.")
op("POST", "/api/auth/invitations/redeem", "Redeem an invite code", caller="maybe-session", rate_limited=True,
   tag="auth", body=obj({"inviteCode": clamped(120), "displayName": clamped(80)}, "inviteCode"), ok=AUTH,
   cookie="Without a session: a new, enrollment-locked session.",
   errors={401: ["invalid-invite-code"],
           409: ["already-authenticated-use-workspace-invite-only", "already-workspace-member"]},
   description="Without a session: a new user (+ membership for a workspace invite; `displayName` required). "
               "With a session: joins the workspace.")
op("POST", "/api/auth/recovery/redeem", "Redeem a recovery code", caller="maybe-session", locked_ok=True,
   rate_limited=True, tag="auth", body=obj({"recoveryCode": clamped(120)}, "recoveryCode"), ok=AUTH,
   cookie="An enrollment-locked session.",
   errors={409: ["already-authenticated"], 401: ["invalid-recovery-code"], 403: ["user-disabled-or-missing"]})

# --- passkeys ---------------------------------------------------------------------------------------
CEREMONY_OPTIONS = {"type": "object", "description": "WebAuthn options in their JSON form (base64url strings)."}
CREDENTIAL = {"type": "object", "description": "The WebAuthn credential in its JSON form."}
op("POST", "/api/auth/passkeys/register/options", "Start registering a passkey", caller="session", locked_ok=True,
   tag="passkeys", body=obj({"label": clamped(120)}),
   ok=obj({"ok": OK, "registrationId": STRING, "publicKey": CEREMONY_OPTIONS}, "ok", "registrationId", "publicKey"),
   errors={403: ["passkeys-disabled"]})
op("POST", "/api/auth/passkeys/register/verify", "Finish registering a passkey", caller="session", locked_ok=True,
   tag="passkeys", cap=65536, body=obj({"registrationId": clamped(120), "credential": CREDENTIAL}, "registrationId", "credential"),
   ok=AUTH, errors={400: ["registration-not-found", "passkey-registration-invalid"], 409: ["passkey-already-registered"]},
   description="Lifts the enrollment lock.")
op("POST", "/api/auth/passkeys/login/options", "Start signing in with a passkey", caller="anyone",
   rate_limited=True, tag="passkeys",
   ok=obj({"ok": OK, "loginId": STRING, "publicKey": CEREMONY_OPTIONS}, "ok", "loginId", "publicKey"),
   errors={403: ["passkeys-disabled"], 400: ["no-passkeys-registered"]},
   description="`allowCredentials` is empty: discoverable credentials only.")
op("POST", "/api/auth/passkeys/login/verify", "Finish signing in with a passkey", caller="anyone",
   rate_limited=True, tag="passkeys", cap=65536,
   body=obj({"loginId": clamped(120), "credential": CREDENTIAL}, "loginId", "credential"), ok=AUTH, cookie=NEW_SESSION,
   errors={400: ["login-not-found"], 401: ["unknown-passkey", "passkey-login-invalid"]})
op("POST", "/api/admin/passkeys/{passkeyId}/revoke", "Revoke one of your passkeys", caller="session",
   locked_ok=True, tag="passkeys", parameters=path_param("passkeyId", "SHA-256 hex of the credential id."), ok=AUTH,
   errors={404: ["passkey-not-found"], 409: ["last-passkey-blocked"]},
   description="Ends the sessions made with it (a clearing cookie when that includes this one). Ours (issue 20): "
               "it stays as a tombstone agents see in `POST /api/agent/passkeys`; revoking it again is 404.")

# --- notifications ---------------------------------------------------------------------------------
op("GET", "/api/admin/notifications/devices", "Your Web Push devices", caller="session", tag="notifications",
   ok=obj({"ok": OK, "publicKey": {"type": "string", "description": "The VAPID applicationServerKey (base64url); "
                                   "empty while Web Push is off (no VAPID key)."},
           "devices": {"type": "array", "items": ref("PushDevice")}}, "ok", "publicKey", "devices"))
op("POST", "/api/admin/notifications/devices", "Add a Web Push device", caller="session", tag="notifications",
   status=201, body=obj({"endpoint": {"type": "string", "maxLength": 2048,
                                      "description": "https to a host in notifications.webPush.allowedHosts."},
                         "keys": obj({"p256dh": STRING, "auth": STRING}, "p256dh", "auth"), "label": clamped(120)},
                        "endpoint", "keys"),
   ok=obj({"ok": OK, "device": ref("PushDevice")}, "ok", "device"), errors={409: ["device-limit-reached"]},
   description="The browser's PushSubscription.toJSON(). The same endpoint again replaces its keys and label.")
op("POST", "/api/admin/notifications/devices/{deviceId}/revoke", "Revoke one of your Web Push devices",
   caller="session", tag="notifications", parameters=path_param("deviceId", "The device's id."),
   errors={404: ["device-not-found"]})

# --- the state view and people ------------------------------------------------------------------------
op("GET", "/api/admin/state", "Everything the phone shows", caller="session", locked_ok=True, tag="state",
   ok=ref("StateView"),
   parameters=[
       {"name": "waitForChangeAfter", "in": "query", "schema": STRING,
        "description": "Hold the request while `changeCursor` is still this value."},
       {"name": "waitMs", "in": "query", "schema": {"type": "integer", "minimum": 0},
        "description": "How long to hold, clamped to 25000. Not an integer: 400 `invalid-field`."},
       {"name": "tasksSince", "in": "query", "schema": STRING, "allowEmptyValue": True,
        "description": "Ours (issue 18): opt in to task deltas. The `tasksCursor` of the last view this phone "
                       "has (empty for none): `tasks` then holds only the tasks that changed since, "
                       "`removedTaskIds` those that left the view. Without it: the whole list, as API.md says."},
   ],
   errors={400: ["invalid-field"]},
   description="A wait answered early with an unchanged cursor (`heldMs` well below `waitMs`) was not held: "
               "wait `web.pollIntervalMs` before asking again.")
op("POST", "/api/admin/workspaces", "Create a workspace", caller="session", tag="people", status=201,
   body=obj({"name": clamped(80)}, "name"),
   ok=obj({"ok": OK, "workspace": ref("Workspace"), "auth": ref("Auth")}, "ok", "workspace", "auth"),
   description="The creator becomes its owner and switches to it.")
op("POST", "/api/admin/workspaces/current/settings", "Change the current workspace's settings", caller="session",
   role=True, tag="people", body=obj({"requireSecondApprover": BOOLEAN}, "requireSecondApprover"),
   ok=obj({"ok": OK, "workspace": ref("Workspace")}, "ok", "workspace"),
   description="Ours (issue 18), owners of the current workspace. `requireSecondApprover`: a second person "
               "approves actions and log reads (the creator of one may not approve it).")
op("POST", "/api/admin/invitations", "Create an invitation", caller="session", role=True, tag="people", status=201,
   body=obj({
       "type": {"type": "string", "enum": list(invitations.INVITE_TYPES), "default": "workspace"},
       "role": {"type": "string", "enum": ["viewer", "operator", "owner"], "default": "viewer"},
       "note": clamped(120),
       "ttlSec": clamped_int(invitations.TTL_MIN, invitations.TTL_MAX, invitations.TTL_DEFAULT),
   }),
   ok=obj({"ok": OK, "inviteCode": STRING, "invitation": ref("Invitation")}, "ok", "inviteCode", "invitation"),
   errors={400: ["workspace-invite-requires-current-workspace"], 429: ["too-many-invitations"]},
   description="Workspace invites: owners of the current workspace. Account invites: relay owners.")
op("POST", "/api/admin/invitations/{inviteId}/revoke", "Revoke an invitation", caller="session", role=True,
   tag="people", parameters=path_param("inviteId", "An `invite_` id."),
   ok=obj({"ok": OK, "invitation": ref("Invitation")}, "ok", "invitation"), errors={404: ["invitation-not-found"]})
USER_ID = path_param("userId", "A `user_` id.")
MANAGED_USER = obj({"ok": OK, "user": ref("ManagedUser")}, "ok", "user")
op("POST", "/api/admin/users/{userId}/disable", "Disable a user", caller="session", role=True, tag="users",
   parameters=USER_ID, ok=MANAGED_USER, errors={404: ["user-not-found"], 409: ["relay-owner-protected"]},
   description="Ends the user's sessions.")
op("POST", "/api/admin/users/{userId}/enable", "Enable a user", caller="session", role=True, tag="users",
   parameters=USER_ID, ok=MANAGED_USER, errors={404: ["user-not-found"]})
op("POST", "/api/admin/users/{userId}/delete", "Delete a user", caller="session", role=True, tag="users",
   parameters=USER_ID, ok=obj({"ok": OK, "userId": STRING}, "ok", "userId"),
   errors={404: ["user-not-found"],
           409: ["relay-owner-protected", "user-still-has-memberships", "user-still-has-passkeys"]})
op("POST", "/api/admin/users/{userId}/sessions/revoke", "End a user's sessions", caller="session", role=True,
   tag="users", parameters=USER_ID, errors={404: ["user-not-found"]},
   ok=obj({"ok": OK, "revokedSessions": {"type": "integer"}, "user": ref("ManagedUser")}, "ok", "revokedSessions", "user"))
op("POST", "/api/admin/users/{userId}/recovery-codes", "Issue a recovery code", caller="session", role=True,
   tag="users", parameters=USER_ID, status=201,
   body=obj({"ttlSec": clamped_int(recovery.TTL_MIN, recovery.TTL_MAX, recovery.TTL_DEFAULT), "note": clamped(120)}),
   ok=obj({"ok": OK, "recoveryCode": STRING, "recovery": ref("Recovery"), "user": ref("ManagedUser")},
          "ok", "recoveryCode", "recovery", "user"),
   errors={404: ["user-not-found"], 409: ["user-disabled"]},
   description="Earlier active codes of that user are revoked.")
op("POST", "/api/admin/memberships/{membershipId}/revoke", "Revoke a membership", caller="session", role=True,
   tag="people", parameters=path_param("membershipId", "A `membership_` id."),
   ok=obj({"ok": OK, "membershipId": STRING}, "ok", "membershipId"),
   errors={404: ["membership-not-found"], 409: ["last-workspace-owner-protected"]})

# --- agents and pairing ---------------------------------------------------------------------------------
op("POST", "/api/admin/pairings", "Create a pairing code", caller="session", role=True, tag="agents", status=201,
   body=obj({"note": clamped(120),
             "ttlSec": clamped_int(pairing.CODE_TTL_MIN, pairing.CODE_TTL_MAX, pairing.CODE_TTL_DEFAULT)}),
   ok=obj({"ok": OK, "pairingId": STRING, "pairingCode": STRING, "expiresAt": TIME},
          "ok", "pairingId", "pairingCode", "expiresAt"),
   errors={403: ["pairings-disabled"]})
REQUEST_ID = path_param("requestId", "A `pairreq_` id.")
PAIR_REQUEST = obj({"ok": OK, "request": ref("PairRequest")}, "ok", "request")
for verb in ("approve", "reject"):
    op("POST", f"/api/admin/pair-requests/{{requestId}}/{verb}", f"{verb.capitalize()} a pair request",
       caller="session", role=True, tag="agents", parameters=REQUEST_ID, ok=PAIR_REQUEST,
       errors={404: ["pair-request-not-found"], 409: ["pair-request-not-pending"]})
op("POST", "/api/admin/agents/{agentId}/revoke", "Revoke an agent", caller="session", role=True, tag="agents",
   parameters=path_param("agentId", "The agent's id in the current workspace."), errors={404: ["agent-not-found"]})
op("POST", "/api/agent/pair", "Ask to pair (the agent)", caller="anyone", rate_limited=True, tag="agent",
   body=obj({
       "pairingCode": clamped(120),
       "agentId": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$",
                   "description": "Missing or empty: 400 `missing-agent-id`; another shape: `invalid-field`."},
       "label": clamped(120), "hostname": clamped(120), "workspaceRootName": clamped(120),
   }, "pairingCode", "agentId"),
   ok=obj({"ok": OK, "status": {"const": "pending"}, "requestId": STRING, "requestToken": STRING, "expiresAt": TIME},
          "ok", "status", "requestId", "requestToken", "expiresAt"),
   errors={400: ["missing-agent-id"], 401: ["invalid-pairing-code"], 403: ["pairings-disabled"],
           409: ["agent-id-already-registered", "pair-request-already-pending"]},
   description="The pairing code is the credential; it is spent.")
op("POST", "/api/agent/pair/status", "Is my pair request decided (the agent)", caller="anyone", tag="agent",
   body=obj({"requestId": clamped(120), "requestToken": clamped(200)}),
   ok=obj({"ok": OK, "status": {"type": "string", "enum": ["pending", "rejected", "expired", "approved"]},
           "token": {"type": "string", "description": "Once, with `approved`: the agent's bearer token."}},
          "ok", "status"),
   errors={404: ["pair-request-not-found"], 401: ["pair-request-token-invalid"]},
   description="The request token is the credential.")
op("POST", "/api/agent/poll", "Report and claim queued tasks (the agent)", caller="agent", tag="agent", cap=131072,
   body=ref("PollRequest"), ok=ref("PollReply"),
   description="Claims the oldest queued tasks of this agent (at most `maxTasks`), marking them running.")
op("POST", "/api/agent/goodbye", "Say the agent is stopping (the agent)", caller="agent", tag="agent",
   description="Extension: a cleanly stopping agent says so; the app shows it offline at once (`online` false) "
               "until its next poll, and a poll it left held ends without claiming tasks.")
op("POST", "/api/agent/passkeys", "The passkeys of my workspace's members (the agent)", caller="agent", tag="agent",
   ok=obj({"ok": OK, "passkeys": {"type": "array", "items": ref("AgentPasskey")}}, "ok", "passkeys"),
   description="Ours (issue 20): what `mobile-codex agent trust` lists with fingerprints, for the operator to "
               "compare with their phone. The agent trusts only what its operator added on the server.")
op("POST", "/api/agent/tasks/{taskId}/update", "Report on a task (the agent)", caller="agent", tag="agent",
   cap=1024 * 1024, parameters=path_param("taskId", "A `task_` id."), body=ref("TaskUpdate"),
   errors={403: ["agent-mismatch"], 404: ["task-not-found"], 409: ["task-not-running", "task-already-finished"]})

# --- tasks ------------------------------------------------------------------------------------------------
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,120}$"},
    "description": "Ours: the same key from the same user with the same request within 24 h answers the first "
                   "result again; with a different request 409 `idempotency-key-reused`.",
}  # fmt: skip
op("POST", "/api/admin/tasks", "Create a task", caller="session", role=True, tag="tasks", status=201, cap=16384,
   body=ref("TaskCreate"), ok=TASK,
   parameters=[IDEMPOTENCY_KEY],
   errors={400: ["unsupported-task-type", "agent-not-available", "intent-mismatch"],
           403: ["feature-disabled", "write-mode-disabled"],
           404: ["agent-not-found"], 409: ["idempotency-key-reused"], 429: ["too-many-tasks"]})
op("GET", "/api/admin/tasks", "Older tasks, a page at a time", caller="session", role=True, tag="tasks",
   ok=obj({"ok": OK, "tasks": {"type": "array", "items": ref("Task"), "maxItems": 100},
           "nextBefore": {"type": ["string", "null"], "description": "`before` of the next page; null at the end."}},
          "ok", "tasks", "nextBefore"),
   parameters=[
       {"name": "before", "in": "query", "schema": STRING,
        "description": "A task id of the current workspace: the page starts after it in the state view's order "
                       "(newest update first). Absent: from the newest."},
       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
        "description": "Clamped to 1..100. Not an integer: 400 `invalid-field`."},
   ],
   errors={400: ["invalid-field"], 404: ["task-not-found"]},
   description="Ours (issue 18): conversations older than the state view's newest 100 tasks. Any role of the "
               "workspace; not while enrollment-locked.")
TASK_ID = path_param("taskId", "A `task_` id of the current workspace.")
op("POST", "/api/admin/tasks/{taskId}/approve", "Approve a task awaiting approval", caller="session", role=True,
   tag="tasks", parameters=TASK_ID, ok=TASK, body=ref("ApproveBody"),
   errors={400: ["intent-mismatch"], 403: ["second-approver-required"], 404: ["task-not-found"],
           409: ["task-not-awaiting-approval"]},
   description="Ours: in a workspace with `requireSecondApprover`, the person who created a `run_action` or "
               "`read_log` task may not approve it (403 `second-approver-required`); another operator may. "
               "Ours (issue 20): a signed approval's intent must name this task as the relay holds it.")
op("POST", "/api/admin/tasks/{taskId}/reject", "Reject a task awaiting approval", caller="session", role=True,
   tag="tasks", parameters=TASK_ID, ok=TASK, errors={404: ["task-not-found"], 409: ["task-not-awaiting-approval"]},
   description="Rejecting one's own task is allowed under the two-person rule.")
op("POST", "/api/admin/tasks/{taskId}/cancel", "Cancel a task", caller="session", role=True, tag="tasks",
   parameters=TASK_ID, ok=TASK, errors={404: ["task-not-found"], 409: ["task-already-finished"]},
   description="Extension: awaiting or queued tasks are canceled at once; a running one gets `cancelRequestedAt`.")
op("POST", "/api/admin/tasks/{taskId}/requests/{requestId}/answer", "Answer a request of an interactive turn",
   caller="session", role=True, tag="tasks", cap=4096, body=ref("AnswerBody"), ok=TASK,
   parameters=[*TASK_ID, *path_param("requestId", "The agent's id of the request."), IDEMPOTENCY_KEY],
   errors={400: ["intent-mismatch"], 404: ["task-not-found", "request-not-found"],
           409: ["request-not-pending", "request-changed", "idempotency-key-reused"]},
   description="Interactive Codex: records the decision at once (the first answer wins) and wakes the agent's "
               "held poll. `digest` must be the pending request's; `decision` one of its `decisions`.")
op("POST", "/api/admin/tasks/{taskId}/steer", "Add a message to the running turn", caller="session", role=True,
   tag="tasks", cap=65536, body=ref("SteerBody"), ok=TASK, parameters=[*TASK_ID, IDEMPOTENCY_KEY],
   errors={400: ["intent-mismatch"], 404: ["task-not-found"], 409: ["task-not-running", "idempotency-key-reused"],
           429: ["too-many-steers"]},
   description="Interactive Codex: the steer is `pending` in `steers[]` until the agent reports it applied or "
               "rejected; 400 `invalid-field` for a task that is not interactive.")

# --- notifications (ours, issue 17) --------------------------------------------------------------
KINDS_DESCRIPTION = "Event kind -> wanted: request-waiting, task-finished, pair-request, approval-expired, agent-offline."
PREFERENCES = obj(
    {"ok": OK, "preferences": obj({"kinds": {"type": "object", "additionalProperties": BOOLEAN,
                                             "description": KINDS_DESCRIPTION}}, "kinds"),
     "channels": {"type": "array", "items": obj({"id": STRING, "label": STRING}, "id", "label"),
                  "description": "The notifier plugins this relay loaded (none: nothing is sent)."}},
    "ok", "preferences", "channels",
)  # fmt: skip
op("GET", "/api/admin/notifications/preferences", "Which notifications I want", caller="session",
   tag="notifications", ok=PREFERENCES, description="Ours: a kind never chosen is on.")
op("POST", "/api/admin/notifications/preferences", "Change which notifications I want", caller="session",
   tag="notifications", ok=PREFERENCES,
   body=obj({"kinds": {"type": "object", "additionalProperties": BOOLEAN, "description": KINDS_DESCRIPTION}}, "kinds"),
   description="Ours: the kinds given change, the others stay; an unknown kind or a non-boolean is 400 "
               "`invalid-field`. `request-answered` follows `request-waiting`.")
op("POST", "/api/admin/notifications/test", "Send me a test notification", caller="session", tag="notifications",
   ok=obj({"ok": OK, "queued": {"type": "integer", "description": "Channels it was queued for (0: none loaded, "
                                                                   "or the `notifications` flag is off)."}},
          "ok", "queued"),
   description="Ours: a `test` event to the caller only, through every channel; it is queued, not awaited.")
