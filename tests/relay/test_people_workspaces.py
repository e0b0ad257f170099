"""Workspaces (create, switch) and membership revocation with the last-owner guard."""

from __future__ import annotations

from .people_helpers import add_person, new_workspace, primary_workspace_id, state, stored


def test_create_workspace_makes_the_creator_owner_and_switches(relay):
    owner = relay.owner()
    result = owner.post("/api/admin/workspaces", {"name": "  Side project  "})
    assert result.status_code == 201 and set(result.json) == {"ok", "workspace", "auth"}
    workspace = result.json["workspace"]
    assert workspace["workspaceId"].startswith("ws_") and workspace["name"] == "Side project"
    assert workspace["createdAt"] == "2026-11-26T12:00:00.000Z" and workspace["archivedAt"] is None
    auth = result.json["auth"]
    assert auth["currentWorkspaceId"] == workspace["workspaceId"] and auth["currentRole"] == "owner"
    assert sorted(w["name"] for w in auth["workspaces"]) == ["Primary", "Side project"]
    view = state(owner)
    assert view["currentWorkspace"]["name"] == "Side project" and [m["role"] for m in view["members"]] == ["owner"]
    assert stored(relay, "users", auth["currentUser"]["userId"]).last_workspace_id == workspace["workspaceId"]


def test_any_enrolled_role_may_create_a_workspace(relay):
    for role in ("viewer", "operator", None):
        person = add_person(relay, role)
        assert person.browser.post("/api/admin/workspaces", {"name": "Mine"}).status_code == 201, role


def test_workspace_name_is_required_and_clamped(relay):
    owner = relay.owner()
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": 5}, {"name": None}):
        result = owner.post("/api/admin/workspaces", body)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "name"}), body
    assert owner.post("/api/admin/workspaces", {"name": "w" * 300}).json["workspace"]["name"] == "w" * 80


def test_switch_workspace_back_and_forth(relay):
    owner = relay.owner()
    primary = primary_workspace_id(relay)
    side = owner.post("/api/admin/workspaces", {"name": "Side"}).json["workspace"]["workspaceId"]
    assert owner.post("/api/auth/workspace", {"workspaceId": primary}).json["auth"]["currentWorkspaceId"] == primary
    assert state(owner)["currentWorkspace"]["workspaceId"] == primary
    foreign = new_workspace(relay)
    assert owner.post("/api/auth/workspace", {"workspaceId": foreign}).json == {"error": "workspace-not-found"}
    assert owner.post("/api/auth/workspace", {"workspaceId": side}).status_code == 200


def test_owner_revokes_a_member_effective_on_the_next_request(relay):
    owner = add_person(relay, "owner")
    member = add_person(relay, "operator")
    assert member.browser.post("/api/admin/pairings", {}).status_code == 201
    result = owner.browser.post(f"/api/admin/memberships/{member.membership_id}/revoke")
    assert (result.status_code, result.json) == (200, {"ok": True, "membershipId": member.membership_id})
    assert stored(relay, "memberships", member.membership_id).revoked_at == "2026-11-26T12:00:00.000Z"
    assert member.browser.post("/api/admin/pairings", {}).json == {"error": "no-workspace-selected"}
    view = state(member.browser)
    assert view["currentWorkspace"] is None and view["auth"]["workspaces"] == [] and view["members"] == []
    again = owner.browser.post(f"/api/admin/memberships/{member.membership_id}/revoke")
    assert (again.status_code, again.json) == (404, {"error": "membership-not-found"})


def test_last_owner_is_protected(relay):
    relay_owner = relay.owner()
    with relay.app.relay.store.transaction(write=False) as tx:
        (bootstrap_membership,) = tx.memberships.find(workspace_id=primary_workspace_id(relay), role="owner")
    result = relay_owner.post(f"/api/admin/memberships/{bootstrap_membership.membership_id}/revoke")
    assert (result.status_code, result.json) == (409, {"error": "last-workspace-owner-protected"})
    second_owner = add_person(relay, "owner")
    assert relay_owner.post(f"/api/admin/memberships/{bootstrap_membership.membership_id}/revoke").status_code == 200
    result = second_owner.browser.post(f"/api/admin/memberships/{second_owner.membership_id}/revoke")
    assert (result.status_code, result.json) == (409, {"error": "last-workspace-owner-protected"})


def test_membership_revoke_scoping(relay):
    relay_owner = relay.owner()
    workspace_owner = add_person(relay, "owner")
    elsewhere = new_workspace(relay)
    foreign_owner = add_person(relay, "owner", workspace_id=elsewhere)
    foreign_member = add_person(relay, "viewer", workspace_id=elsewhere)
    local_member = add_person(relay, "viewer")

    def revoke(browser, membership_id):
        result = browser.post(f"/api/admin/memberships/{membership_id}/revoke")
        return result.status_code, result.json.get("error")

    assert revoke(local_member.browser, workspace_owner.membership_id) == (403, "insufficient-role")
    assert revoke(workspace_owner.browser, foreign_member.membership_id) == (404, "membership-not-found")
    assert revoke(foreign_owner.browser, local_member.membership_id) == (404, "membership-not-found")
    assert revoke(workspace_owner.browser, "membership_0000000000000000") == (404, "membership-not-found")
    assert revoke(relay_owner, foreign_member.membership_id) == (200, None)  # relay owners act relay-wide
    assert revoke(workspace_owner.browser, local_member.membership_id) == (200, None)


def test_member_without_a_current_workspace(relay):
    loner = add_person(relay, None)
    result = loner.browser.post("/api/admin/memberships/membership_0000000000000000/revoke")
    assert (result.status_code, result.json) == (403, {"error": "no-workspace-selected"})
