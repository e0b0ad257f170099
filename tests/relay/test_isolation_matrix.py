"""Role and isolation matrix, and the route inventory that keeps it complete.

Two workspaces: A (Primary) and B. Actors: the relay owner (bootstrap user, owner of A), an owner,
an operator and a viewer of A, an enrollment-locked owner of A, the owner of B ("foreign"), and an
anonymous browser. Every target record lives in A unless the case says B. Each (case, actor) runs
on a fresh relay, since successful calls change the world.

Expectations per API.md: 403 `insufficient-role` for a role too low, 404 for a record of another
workspace (never 403), 403 `passkey-enrollment-required` for the locked session, 401 without one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import attrs
import pytest

from mobile_codex.core.records import Passkey

from .agent_helpers import created, new_pairing_code, pair_agent, request_pairing
from .conftest import BOOTSTRAP_TOKEN, app_routes
from .people_helpers import COOKIE, add_person, invite, new_workspace, primary_workspace_id, recovery_code_for

ACTORS = ("anonymous", "relay_owner", "owner", "operator", "viewer", "locked", "foreign")
MISSING = (401, "missing-session")
LOCKED = (403, "passkey-enrollment-required")
ROLE = (403, "insufficient-role")
OK, CREATED = (200, None), (201, None)

# Routes whose role and isolation rules are proven by their own suites (they are not workspace-scoped
# browser endpoints, or they need ceremonies this matrix does not perform).
COVERED_ELSEWHERE = {
    ("POST", "/api/auth/login-code"): "test_login_code",
    ("POST", "/api/auth/passkeys/register/options"): "test_passkeys_api",
    ("POST", "/api/auth/passkeys/register/verify"): "test_passkeys_api",
    ("POST", "/api/auth/passkeys/login/options"): "test_passkeys_api",
    ("POST", "/api/auth/passkeys/login/verify"): "test_passkeys_api",
    ("POST", "/api/agent/pair"): "test_pairing",
    ("POST", "/api/agent/pair/status"): "test_pairing",
    ("POST", "/api/agent/poll"): "test_agent_api",
    ("POST", "/api/agent/tasks/{task_id}/update"): "test_agent_api",
    ("POST", "/api/agent/goodbye"): "test_agent_goodbye",  # the token's own agent only
    ("POST", "/api/agent/passkeys"): "test_signed_intents_relay",  # the token's workspace's members only
    ("GET", "/api/admin/notifications/devices"): "test_push_devices",  # one's own devices; another's: 404
    ("POST", "/api/admin/notifications/devices"): "test_push_devices",
    ("POST", "/api/admin/notifications/devices/{device_id}/revoke"): "test_push_devices",
}


class World:
    """The two-workspace world of one test, with a browser per actor and the target records."""

    def __init__(self, relay):
        self.relay = relay
        self.a = primary_workspace_id(relay)
        self.b = new_workspace(relay, "B")
        relay_owner = relay.owner()
        foreign = add_person(relay, "owner", workspace_id=self.b, name="Foreign")
        self.browsers = {
            "anonymous": relay.browser(),
            "relay_owner": relay_owner,
            "owner": add_person(relay, "owner", name="Olga").browser,
            "operator": add_person(relay, "operator").browser,
            "viewer": add_person(relay, "viewer").browser,
            "locked": add_person(relay, "owner", locked=True, name="Locked").browser,
            "foreign": foreign.browser,
        }
        self.member_a = add_person(relay, "viewer", signed_in=False, name="Target A")
        self.member_b = add_person(relay, "viewer", workspace_id=self.b, signed_in=False, name="Target B")
        self.loner = add_person(relay, None, signed_in=False, name="Loner")
        self.invite_a = invite(relay_owner)[1]["inviteId"]
        self.invite_b = invite(foreign.browser)[1]["inviteId"]
        self.account_invite = invite(relay_owner, type="account")[1]["inviteId"]
        self.join_b_code = invite(foreign.browser, role="viewer")[0]
        self.recovery_code = recovery_code_for(relay_owner, self.loner.user_id)[0]
        with relay.app.relay.store.transaction() as tx:
            tx.passkeys.put(
                Passkey(passkey_id="a" * 64, credential_id="cred-a", user_id=self.member_a.user_id, sign_count=0,
                        label="Target's phone", created_at="2026-11-26T12:00:00.000Z")
            )  # fmt: skip
        # Agent-side records of A: a paired agent, a queued task, a pending pair request.
        pair_agent(relay, relay_owner, "agent-a")
        self.task_a = created(relay_owner, "agent-a")["taskId"]
        pending = request_pairing(relay, new_pairing_code(relay_owner), "agent-pending")
        self.pair_request_a = pending.json["requestId"]


@attrs.frozen
class Case:
    name: str
    method: str
    template: str
    call: Callable  # (world, browser) -> result
    expect: dict  # actor -> (status, error code or None)


def expect(default, **per_actor) -> dict:
    table = {actor: default for actor in ACTORS}
    table.update(anonymous=MISSING, locked=LOCKED)
    table.update(per_actor)
    return table


def post(path_of: Callable, body=None) -> Callable:
    return lambda world, browser: browser.post(path_of(world), body)


def get(path: str) -> Callable:
    return lambda world, browser: browser.get(path)


def current_membership_id(browser) -> str:
    """The membership of the browser's current workspace, from its auth status (any id without one)."""
    auth = browser.get("/api/auth/status").json["auth"]
    rows = [row for row in auth["workspaces"] if row["workspaceId"] == auth["currentWorkspaceId"]]
    return rows[0]["membershipId"] if rows else "membership_0000000000000000"


CASES = [
    # --- app shell and sign-in (session.py, health.py) ---
    Case("health", "GET", "/api/health", get("/api/health"), expect(OK, anonymous=OK, locked=OK)),
    Case("ready", "GET", "/api/ready", get("/api/ready"), expect(OK, anonymous=OK, locked=OK)),
    Case("openapi document", "GET", "/api/openapi.json", get("/api/openapi.json"), expect(OK, anonymous=OK, locked=OK)),
    Case("auth status", "GET", "/api/auth/status", get("/api/auth/status"), expect(OK, anonymous=OK, locked=OK)),
    Case("bootstrap login", "POST", "/api/auth/login", post(lambda w: "/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN}),
         expect(OK, anonymous=OK, locked=OK)),  # fmt: skip
    Case("logout", "POST", "/api/auth/logout", post(lambda w: "/api/auth/logout"), expect(OK, anonymous=OK, locked=OK)),
    Case("switch to A", "POST", "/api/auth/workspace",
         lambda w, b: b.post("/api/auth/workspace", {"workspaceId": w.a}),
         expect(OK, locked=OK, foreign=(404, "workspace-not-found"))),  # fmt: skip
    Case("change my display name", "POST", "/api/auth/profile",
         post(lambda w: "/api/auth/profile", {"displayName": "New name"}), expect(OK)),
    # --- people ---
    Case("state", "GET", "/api/admin/state", get("/api/admin/state"), expect(OK, locked=OK)),
    Case("create workspace", "POST", "/api/admin/workspaces", post(lambda w: "/api/admin/workspaces", {"name": "New"}),
         expect(CREATED)),  # fmt: skip
    Case("workspace settings", "POST", "/api/admin/workspaces/current/settings",
         post(lambda w: "/api/admin/workspaces/current/settings", {"requireSecondApprover": True}),
         expect(OK, operator=ROLE, viewer=ROLE)),  # the foreign owner changes their own workspace  # fmt: skip
    Case("workspace invite", "POST", "/api/admin/invitations", post(lambda w: "/api/admin/invitations", {"type": "workspace"}),
         expect(CREATED, operator=ROLE, viewer=ROLE)),  # fmt: skip
    Case("account invite", "POST", "/api/admin/invitations", post(lambda w: "/api/admin/invitations", {"type": "account"}),
         expect(ROLE, relay_owner=CREATED)),  # fmt: skip
    Case("revoke invite of A", "POST", "/api/admin/invitations/{invite_id}/revoke",
         post(lambda w: f"/api/admin/invitations/{w.invite_a}/revoke"),
         expect(OK, operator=ROLE, viewer=ROLE, foreign=(404, "invitation-not-found"))),  # fmt: skip
    Case("revoke invite of B", "POST", "/api/admin/invitations/{invite_id}/revoke",
         post(lambda w: f"/api/admin/invitations/{w.invite_b}/revoke"),
         expect((404, "invitation-not-found"), operator=ROLE, viewer=ROLE, foreign=OK)),  # fmt: skip
    Case("revoke account invite", "POST", "/api/admin/invitations/{invite_id}/revoke",
         post(lambda w: f"/api/admin/invitations/{w.account_invite}/revoke"),
         expect((404, "invitation-not-found"), relay_owner=OK, operator=ROLE, viewer=ROLE)),  # fmt: skip
    *[
        Case(f"user {action}", "POST", f"/api/admin/users/{{user_id}}/{action}",
             post(lambda w, action=action: f"/api/admin/users/{w.loner.user_id}/{action}"),
             expect(ROLE, relay_owner=CREATED if action == "recovery-codes" else OK))
        for action in ("disable", "enable", "delete", "sessions/revoke", "recovery-codes")
    ],  # fmt: skip
    Case("revoke membership in A", "POST", "/api/admin/memberships/{membership_id}/revoke",
         post(lambda w: f"/api/admin/memberships/{w.member_a.membership_id}/revoke"),
         expect(OK, operator=ROLE, viewer=ROLE, foreign=(404, "membership-not-found"))),  # fmt: skip
    Case("revoke membership in B", "POST", "/api/admin/memberships/{membership_id}/revoke",
         post(lambda w: f"/api/admin/memberships/{w.member_b.membership_id}/revoke"),
         expect((404, "membership-not-found"), relay_owner=OK, operator=ROLE, viewer=ROLE, foreign=OK)),  # fmt: skip
    # One's own memberships (issue 21): listed and left by their holder only; the last owner stays.
    Case("my memberships", "GET", "/api/auth/memberships", get("/api/auth/memberships"), expect(OK)),
    Case("leave my current workspace", "POST", "/api/auth/memberships/{membership_id}/leave",
         lambda w, b: b.post(f"/api/auth/memberships/{current_membership_id(b)}/leave"),
         expect(OK, foreign=(409, "last-owner"))),  # A keeps other owners; B has only the foreign one  # fmt: skip
    Case("leave another's membership in A", "POST", "/api/auth/memberships/{membership_id}/leave",
         post(lambda w: f"/api/auth/memberships/{w.member_a.membership_id}/leave"),
         expect((404, "membership-not-found"))),  # fmt: skip
    Case("redeem invite into B", "POST", "/api/auth/invitations/redeem",
         lambda w, b: b.post("/api/auth/invitations/redeem", {"inviteCode": w.join_b_code, "displayName": "New"}),
         expect(OK, anonymous=OK, foreign=(409, "already-workspace-member"))),  # fmt: skip
    Case("redeem recovery code", "POST", "/api/auth/recovery/redeem",
         lambda w, b: b.post("/api/auth/recovery/redeem", {"recoveryCode": w.recovery_code}),
         expect((409, "already-authenticated"), anonymous=OK, locked=(409, "already-authenticated"))),  # fmt: skip
    Case("revoke another user's passkey", "POST", "/api/admin/passkeys/{passkey_id}/revoke",
         post(lambda w: f"/api/admin/passkeys/{'a' * 64}/revoke"), expect((404, "passkey-not-found"), locked=(404, "passkey-not-found"))),
    # --- one's own notification settings (each reads and writes only the caller's record) ---
    Case("my notification preferences", "GET", "/api/admin/notifications/preferences",
         get("/api/admin/notifications/preferences"), expect(OK)),
    Case("change my notification preferences", "POST", "/api/admin/notifications/preferences",
         post(lambda w: "/api/admin/notifications/preferences", {"kinds": {"agent-offline": False}}), expect(OK)),
    Case("send me a test notification", "POST", "/api/admin/notifications/test",
         post(lambda w: "/api/admin/notifications/test"), expect(OK)),
    # --- agents and tasks of workspace A ---
    Case("pairing code", "POST", "/api/admin/pairings", post(lambda w: "/api/admin/pairings", {}),
         expect(CREATED, viewer=ROLE)),  # fmt: skip
    Case("approve pair request of A", "POST", "/api/admin/pair-requests/{request_id}/approve",
         post(lambda w: f"/api/admin/pair-requests/{w.pair_request_a}/approve"),
         expect(OK, viewer=ROLE, foreign=(404, "pair-request-not-found"))),  # fmt: skip
    Case("reject pair request of A", "POST", "/api/admin/pair-requests/{request_id}/reject",
         post(lambda w: f"/api/admin/pair-requests/{w.pair_request_a}/reject"),
         expect(OK, viewer=ROLE, foreign=(404, "pair-request-not-found"))),  # fmt: skip
    Case("older tasks of A", "GET", "/api/admin/tasks",
         lambda w, b: b.get(f"/api/admin/tasks?before={w.task_a}"),
         expect(OK, foreign=(404, "task-not-found"))),  # fmt: skip
    Case("task for A's agent", "POST", "/api/admin/tasks",
         post(lambda w: "/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-a", "prompt": "hi"}),
         expect(CREATED, viewer=ROLE, foreign=(404, "agent-not-found"))),  # fmt: skip
    *[
        Case(f"{action} task of A", "POST", f"/api/admin/tasks/{{task_id}}/{action}",
             post(lambda w, action=action: f"/api/admin/tasks/{w.task_a}/{action}"),
             expect(OK if action == "cancel" else (409, "task-not-awaiting-approval"), viewer=ROLE,
                    foreign=(404, "task-not-found")))
        for action in ("approve", "reject", "cancel")
    ],  # fmt: skip
    # An interactive turn's answer and steer: the target is A's queued task (the flows themselves are
    # in test_interactive_relay.py); past the role and workspace checks the service answers.
    Case("answer a request of A's task", "POST", "/api/admin/tasks/{task_id}/requests/{request_id}/answer",
         post(lambda w: f"/api/admin/tasks/{w.task_a}/requests/req-1/answer", {"decision": "accept", "digest": "0" * 64}),
         expect((404, "request-not-found"), viewer=ROLE, foreign=(404, "task-not-found"))),  # fmt: skip
    Case("steer A's task", "POST", "/api/admin/tasks/{task_id}/steer",
         post(lambda w: f"/api/admin/tasks/{w.task_a}/steer", {"text": "also this"}),
         expect((409, "task-not-running"), viewer=ROLE, foreign=(404, "task-not-found"))),  # fmt: skip
    Case("revoke A's agent", "POST", "/api/admin/agents/{agent_id}/revoke", post(lambda w: "/api/admin/agents/agent-a/revoke"),
         expect(OK, operator=ROLE, viewer=ROLE, foreign=(404, "agent-not-found"))),  # fmt: skip
]


def test_every_route_is_in_the_matrix_or_covered_elsewhere(relay):
    in_matrix = {(case.method, case.template) for case in CASES}
    missing = app_routes(relay.app) - in_matrix - set(COVERED_ELSEWHERE)
    assert not missing, f"routes with no role/isolation entry: {sorted(missing)}"
    assert not in_matrix & set(COVERED_ELSEWHERE), "a route is both in the matrix and delegated"
    assert not (in_matrix | set(COVERED_ELSEWHERE)) - app_routes(relay.app), "entries for routes the app lacks"
    here = Path(__file__).parent
    for module in set(COVERED_ELSEWHERE.values()):
        assert (here / f"{module}.py").is_file(), f"{module} is named as covering routes but does not exist"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_matrix(relay, case, actor):
    world = World(relay)
    result = case.call(world, world.browsers[actor])
    status, code = case.expect[actor]
    assert result.status_code == status, (actor, result.text)
    if code is not None:
        assert result.json["error"] == code, (actor, result.text)
    elif result.headers.get("content-type", "").startswith("application/json"):
        assert "error" not in result.json, result.text


def test_a_member_who_leaves_loses_access_on_the_next_request(relay):
    """Issue 21: leaving ends the person's access to the workspace's records at once, on every device."""
    world = World(relay)
    viewer = add_person(relay, "viewer", name="Leaver")
    other_device = relay.browser()
    with relay.app.relay.store.transaction() as tx:
        other_device.cookies[COOKIE] = relay.app.relay.services.sessions.create(tx, user_id=viewer.user_id, workspace_id=world.a)
    for browser in (viewer.browser, other_device):
        assert world.task_a in {task["taskId"] for task in browser.get("/api/admin/state").json["tasks"]}
    assert viewer.browser.post(f"/api/auth/memberships/{viewer.membership_id}/leave").status_code == 200
    for browser in (viewer.browser, other_device):
        view = browser.get("/api/admin/state").json
        assert (view["currentWorkspace"], view["tasks"], view["agents"]) == (None, [], [])
        assert browser.get(f"/api/admin/tasks?before={world.task_a}").json == {"error": "no-workspace-selected"}
        assert browser.post("/api/auth/workspace", {"workspaceId": world.a}).json == {"error": "workspace-not-found"}
