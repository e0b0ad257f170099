"""Who may do what: the relay's one table of permission rules.

Every route names its action (a resource's `action` attribute: a value, or {METHOD: value}); the
middleware looks up the rule and enforces it in API.md's order: session or agent token (401) ->
enrollment lock (403 `passkey-enrollment-required`) -> role (403). A route that names no action
is refused. The UI's `auth.permissions` flags are computed from the same rules (`permissions`).
Rules that depend on the record — which workspace it belongs to, the only-owner rules — are
checked by the services, which name the rule they apply (`enforce`, `allows`, `reaches`,
`needs_second_approver` for a workspace's two-person rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from mobile_codex.core.task_catalog import TASK_TYPES

from .errors import ApiError, BadRequest, Forbidden

if TYPE_CHECKING:
    from .services.callers import Caller

ROLES = ("viewer", "operator", "owner")
_RANK = {role: rank for rank, role in enumerate(ROLES)}

# What a rule asks of the request before any role: the `caller` of a Rule.
ANYONE = "anyone"  # no session is read (the body proves whatever is needed: a token, a code)
MAYBE_SESSION = "maybe-session"  # a live session when the request has one; a dead cookie counts as none
SESSION = "session"  # a live browser session (401 without)
AGENT = "agent"  # an agent's bearer token instead of a session


@attrs.frozen(kw_only=True)
class Rule:
    caller: str = SESSION
    locked_ok: bool = False  # an enrollment-locked session may (SECURITY.md: auth status, switching, own passkeys)
    role: str | None = None  # at least this role in the session's current workspace
    relay_owner: bool = False  # relay owners may, in any workspace (with `role`: either suffices)
    own: bool = False  # only the caller's own records (the service never finds anyone else's)
    no_workspace: tuple[type[ApiError], str] = (Forbidden, "no-workspace-selected")  # a role rule without one


RULES: dict[str, Rule] = {
    # --- anyone --------------------------------------------------------------------------------
    "public": Rule(caller=ANYONE),  # health, bootstrap login, login code, passkey login, logout, agent pairing
    "auth.status": Rule(caller=MAYBE_SESSION, locked_ok=True),
    "invitations.redeem": Rule(caller=MAYBE_SESSION),  # with a session: join the workspace (not while locked)
    "recovery.redeem": Rule(caller=MAYBE_SESSION, locked_ok=True),  # any session: 409 already-authenticated
    "agent": Rule(caller=AGENT),  # poll and task updates: the agent's own tasks only
    # --- any signed-in user --------------------------------------------------------------------
    "state.read": Rule(locked_ok=True),  # what the state view shows follows the rules below
    "workspace.switch": Rule(locked_ok=True),  # to a workspace the user is a member of
    "passkeys.manage": Rule(locked_ok=True, own=True),  # register and revoke
    "notifications.own": Rule(own=True),  # one's own preferences, devices and test notification
    "profile.own": Rule(own=True),  # one's own display name (issue 18)
    "memberships.own": Rule(own=True),  # list one's memberships, leave one (issue 21; never as the last owner)
    "workspaces.create": Rule(),
    "invitations.create": Rule(),  # the invite's type picks invitations.workspace or invitations.account
    # --- a role in the current workspace -------------------------------------------------------
    "workspace.view": Rule(role="viewer", locked_ok=True),  # its agents and tasks in the state view
    "tasks.list": Rule(role="viewer"),  # older tasks than the state view's (issue 18); not while locked
    "tasks.create": Rule(role="operator"),
    "tasks.approve": Rule(role="operator"),
    "tasks.reject": Rule(role="operator"),
    "tasks.cancel": Rule(role="operator"),
    "tasks.answer": Rule(role="operator"),  # an interactive turn's requests
    "tasks.steer": Rule(role="operator"),
    "pairing.create": Rule(role="operator"),  # pairing codes
    "pairing.decide": Rule(role="operator"),  # approve or reject pair requests
    "agents.revoke": Rule(role="owner"),
    "workspace.settings": Rule(role="owner"),  # e.g. the two-person rule (issue 18)
    "members.manage": Rule(role="owner"),  # see the members (revoking: memberships.revoke)
    "invitations.workspace": Rule(role="owner", no_workspace=(BadRequest, "workspace-invite-requires-current-workspace")),
    # --- relay owners --------------------------------------------------------------------------
    "invitations.account": Rule(relay_owner=True),  # create, see and revoke account invites
    "users.manage": Rule(relay_owner=True),  # disable, enable, delete, end sessions, recovery codes
    # --- either: a workspace owner in their workspace, a relay owner in any ---------------------
    "invitations.revoke": Rule(role="owner", relay_owner=True),  # then the invite's type picks its rule
    "memberships.revoke": Rule(role="owner", relay_owner=True),  # never a workspace's last owner
}

# The task types the two-person rule covers: those a person approves before they run
# (run_action, read_log).
SECOND_APPROVER_TYPES = frozenset(name for name, kind in TASK_TYPES.items() if kind.needs_approval)

# API.md's `auth.permissions`: each flag is whether the caller may do one action.
PERMISSION_FLAGS = {
    "viewWorkspace": "workspace.view",
    "switchWorkspace": "workspace.switch",
    "createTasks": "tasks.create",
    "approveTasks": "tasks.approve",
    "pairAgents": "pairing.create",
    "revokeAgents": "agents.revoke",
    "manageMembers": "members.manage",
    "createWorkspaces": "workspaces.create",
    "createAccountInvites": "invitations.account",
    "managePasskeys": "passkeys.manage",
    "manageRelayUsers": "users.manage",
}


def rule(action: str | None) -> Rule:
    """The rule of `action`; a route naming none (or an unknown one) is a bug, refused with a 500."""
    if action not in RULES:
        raise LookupError(f"no policy for action {action!r}")
    return RULES[action]


def at_least(role: str | None, needed: str) -> bool:
    return role is not None and _RANK.get(role, -1) >= _RANK[needed]


def _refusal(caller: Caller, action: str) -> ApiError | None:
    """Why `caller` may not do `action` (role and relay-owner rules only), or None."""
    wanted = rule(action)
    if wanted.relay_owner and caller.is_relay_owner:
        return None
    if wanted.role is None:
        return Forbidden("insufficient-role") if wanted.relay_owner else None
    if caller.membership is None:
        kind, code = wanted.no_workspace
        return kind(code)
    return None if at_least(caller.role, wanted.role) else Forbidden("insufficient-role")


def enforce(caller: Caller, action: str) -> None:
    """403 (or the rule's own answer without a workspace) unless `caller` may do `action`."""
    refusal = _refusal(caller, action)
    if refusal is not None:
        raise refusal


def allows(caller: Caller, action: str) -> bool:
    return _refusal(caller, action) is None


def reaches(caller: Caller, action: str, workspace_id: str) -> bool:
    """Whether `action` on a record of `workspace_id` is within the caller's reach: any workspace
    for relay owners when the rule lets them, else only the current one. Out of reach is 404
    (API.md: never reveal a record of another workspace)."""
    wanted = rule(action)
    if wanted.relay_owner and caller.is_relay_owner:
        return True
    if wanted.role is None:
        return not wanted.relay_owner
    return workspace_id == caller.workspace_id


def needs_second_approver(require_second_approver: bool, task_type: str, created_by: str | None, approver: str) -> bool:
    """The two-person rule (issue 18): in a workspace that asks for a second person, whoever
    asked for an action or a log read may not approve it themselves (rejecting and canceling
    one's own stay open). Tasks that need no approval are outside it."""
    return require_second_approver and task_type in SECOND_APPROVER_TYPES and created_by == approver


def permissions(caller: Caller | None) -> dict[str, bool]:
    """The `auth.permissions` object. API.md: an enrollment-locked session is shown exactly what
    the lock lets through (viewing and switching workspaces, its own passkeys)."""
    if caller is None:
        return {flag: False for flag in PERMISSION_FLAGS}
    if caller.locked:
        return {flag: RULES[action].locked_ok for flag, action in PERMISSION_FLAGS.items()}
    return {flag: allows(caller, action) for flag, action in PERMISSION_FLAGS.items()}
