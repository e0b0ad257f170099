"""The policy table: every route names its rule, the middleware enforces it, the UI's flags agree.

`test_isolation_matrix.py` proves what each role may do route by route; these tests prove the
structure that keeps those answers in one place (`relay_app/policy.py`).
"""

from __future__ import annotations

import re

import pytest

from mobile_codex.relay_app.http.middleware import route_setting
from mobile_codex.relay_app.policy import PERMISSION_FLAGS, RULES, needs_second_approver

from .conftest import route_resources as routes
from .people_helpers import add_person

ROLE_REFUSALS = {"insufficient-role", "no-workspace-selected", "passkey-enrollment-required"}


def test_every_route_names_an_action_of_the_policy_table(relay):
    served = list(routes(relay.app))
    assert len(served) > 30 and {method for method, _, _ in served} == {"GET", "POST"}
    unnamed = [(method, path) for method, path, resource in served if route_setting(resource, "action", method, None) is None]
    assert not [route for route in unnamed if route[0] == "POST"], f"state-changing routes naming no policy: {unnamed}"
    assert not unnamed, f"routes naming no policy: {unnamed}"
    unknown = {
        (method, path, action) for method, path, resource in served
        if (action := route_setting(resource, "action", method, None)) not in RULES
    }  # fmt: skip
    assert not unknown, f"routes naming actions the table lacks: {unknown}"
    assert not [path for _, path, resource in served if hasattr(resource, "auth")], "the retired `auth` attribute is back"


def test_the_table_has_no_rule_that_nothing_uses(relay):
    named = {route_setting(resource, "action", method, None) for method, _, resource in routes(relay.app)}
    # Rules no route names: the services apply them to records, and the UI shows them as flags.
    beyond_routes = {"workspace.view", "members.manage", "invitations.workspace", "invitations.account"}
    assert set(RULES) == named | beyond_routes
    assert set(PERMISSION_FLAGS.values()) <= set(RULES)


class Unnamed:
    """A route someone forgot to give a rule."""

    def __init__(self):
        self.called = False

    def on_get(self, req, resp):
        self.called = True

    on_post = on_get


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_route_naming_no_action_is_refused(relay, method):
    unnamed = Unnamed()
    relay.app.add_route("/api/admin/unnamed", unnamed)
    result = relay.owner().request(method, "/api/admin/unnamed")
    assert (result.status_code, result.json) == (500, {"error": "internal-error"})
    assert unnamed.called is False


# API.md, "auth object": operator+ may create/approve tasks and pair agents; owner may revoke agents and
# manage members; anyone enrolled may create workspaces and manage own passkeys; relay owners may
# create account invites and manage users. Enrollment-locked: only managePasskeys (and view/switch).
NOTHING = dict.fromkeys(PERMISSION_FLAGS, False)
ANY_ENROLLED = NOTHING | {"switchWorkspace": True, "createWorkspaces": True, "managePasskeys": True}
VIEWER = ANY_ENROLLED | {"viewWorkspace": True}
OPERATOR = VIEWER | {"createTasks": True, "approveTasks": True, "pairAgents": True}
OWNER = OPERATOR | {"revokeAgents": True, "manageMembers": True}
RELAY_OWNER = OWNER | {"createAccountInvites": True, "manageRelayUsers": True}
LOCKED = NOTHING | {"viewWorkspace": True, "switchWorkspace": True, "managePasskeys": True}
EXPECTED_FLAGS = {
    "anonymous": NOTHING, "loner": ANY_ENROLLED, "viewer": VIEWER, "operator": OPERATOR, "owner": OWNER,
    "relay owner": RELAY_OWNER, "locked owner": LOCKED, "locked loner": LOCKED,
}  # fmt: skip


def actors(relay) -> dict:
    return {
        "anonymous": relay.browser(),
        "loner": add_person(relay, None).browser,
        "viewer": add_person(relay, "viewer").browser,
        "operator": add_person(relay, "operator").browser,
        "owner": add_person(relay, "owner").browser,
        "relay owner": relay.owner(),
        "locked owner": add_person(relay, "owner", locked=True).browser,
        "locked loner": add_person(relay, None, locked=True).browser,
    }


def test_the_ui_flags_are_what_api_md_says(relay):
    for actor, browser in actors(relay).items():
        assert browser.get("/api/auth/status").json["auth"]["permissions"] == EXPECTED_FLAGS[actor], actor


def test_each_flag_agrees_with_what_its_routes_enforce(relay):
    """A flag is false exactly when the routes of its action refuse the caller for who they are."""
    flag_of = {action: flag for flag, action in PERMISSION_FLAGS.items()}
    flagged = [(method, path, flag_of[action]) for method, path, resource in routes(relay.app)
               if (action := route_setting(resource, "action", method, None)) in flag_of]  # fmt: skip
    assert len(flagged) >= 12  # tasks, pairing, agents, workspaces, users, passkeys, switching
    for actor, browser in actors(relay).items():
        if actor == "anonymous":
            continue
        flags = browser.get("/api/auth/status").json["auth"]["permissions"]
        for method, path, flag in flagged:
            result = browser.request(method, re.sub(r"\{[^}]+\}", "none", path), json={})
            refused = result.status_code == 403 and result.json["error"] in ROLE_REFUSALS
            assert refused is not flags[flag], (actor, method, path, flag, result.status_code, result.text)


@pytest.mark.parametrize(
    ("rule_on", "task_type", "created_by", "approver", "refused"),
    [
        (True, "run_action", "user_a", "user_a", True),
        (True, "read_log", "user_a", "user_a", True),
        (True, "run_action", "user_a", "user_b", False),  # another person approves
        (False, "run_action", "user_a", "user_a", False),  # the workspace does not ask for two
        (True, "codex_exec", "user_a", "user_a", False),  # needs no approval: outside the rule
        (True, "read_log", None, "user_a", False),  # imported from the reference: no creator known
    ],
)  # fmt: skip
def test_the_two_person_rule(rule_on, task_type, created_by, approver, refused):
    assert needs_second_approver(rule_on, task_type, created_by, approver) is refused


def test_the_last_owner_cannot_leave(relay):
    """Issue 21: `memberships.own` lets anyone leave their workspace, except its only owner (409
    `last-owner`), who may once another owner is there; a relay owner is held to the same rule."""
    relay_owner = relay.owner()
    mine = relay_owner.get("/api/auth/memberships").json["memberships"]
    assert [(row["name"], row["lastOwner"]) for row in mine] == [("Primary", True)]
    refused = relay_owner.post(f"/api/auth/memberships/{mine[0]['membershipId']}/leave")
    assert (refused.status_code, refused.json) == (409, {"error": "last-owner"})
    second = add_person(relay, "owner", name="Second")
    assert relay_owner.get("/api/auth/memberships").json["memberships"][0]["lastOwner"] is False
    assert relay_owner.post(f"/api/auth/memberships/{mine[0]['membershipId']}/leave").status_code == 200
    last = second.browser.post(f"/api/auth/memberships/{second.membership_id}/leave")
    assert (last.status_code, last.json) == (409, {"error": "last-owner"})
    assert second.browser.get("/api/admin/state").json["currentWorkspace"]["role"] == "owner"
