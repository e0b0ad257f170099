"""Workspaces (create, switch) and membership revocation with the last-owner guard."""

from __future__ import annotations

from .people_helpers import (
    COOKIE, add_person, bootstrap_user_id, invite, new_workspace, primary_workspace_id, redeem_invite, state, stored,
)  # fmt: skip


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


# --- one's own memberships (issue 21) ------------------------------------------------------------

T_START = "2026-11-26T12:00:00.000Z"
T_LATER = "2026-11-26T12:05:00.000Z"


def stored_membership_id(relay, user_id: str, workspace_id: str) -> str:
    with relay.app.relay.store.transaction(write=False) as tx:
        [membership] = tx.memberships.find(user_id=user_id, workspace_id=workspace_id, revoked_at=None)
        return membership.membership_id


def add_person_session(relay, person) -> dict[str, str]:
    """Another device of `person`: a second session in their workspace, as cookies."""
    with relay.app.relay.store.transaction() as tx:
        cookie = relay.app.relay.services.sessions.create(tx, user_id=person.user_id, workspace_id=person.workspace_id)
    return {COOKIE: cookie}


def my_memberships(browser) -> list[dict]:
    result = browser.get("/api/auth/memberships")
    assert result.status_code == 200 and set(result.json) == {"ok", "memberships"}, result.text
    return result.json["memberships"]


def test_my_memberships_say_since_when_and_who_invited(relay):
    owner = relay.owner()
    primary = primary_workspace_id(relay)
    code = invite(owner, role="operator")[0]
    joiner = add_person(relay, None, name="Lin")
    relay.clock.advance(300)
    assert redeem_invite(relay, code, browser=joiner.browser)[1].status_code == 200
    # the bootstrap owner made nothing by invitation: no inviter, and they are Primary's only owner
    assert my_memberships(owner) == [{
        "membershipId": stored_membership_id(relay, bootstrap_user_id(relay), primary), "workspaceId": primary,
        "name": "Primary", "role": "owner", "createdAt": T_START, "invitedBy": None, "current": True, "lastOwner": True,
    }]  # fmt: skip
    [joined] = my_memberships(joiner.browser)
    assert joined == {
        "membershipId": stored_membership_id(relay, joiner.user_id, primary), "workspaceId": primary, "name": "Primary",
        "role": "operator", "createdAt": T_LATER, "invitedBy": {"userId": bootstrap_user_id(relay), "displayName": "Owner"},
        "current": True, "lastOwner": False,
    }  # fmt: skip
    # a workspace of one's own: no inviter, its only owner; listed oldest first, the new one current
    relay.clock.advance(60)
    side = joiner.browser.post("/api/admin/workspaces", {"name": "Side"}).json["workspace"]["workspaceId"]
    rows = my_memberships(joiner.browser)
    assert [(r["workspaceId"], r["invitedBy"], r["current"], r["lastOwner"]) for r in rows] == [
        (primary, {"userId": bootstrap_user_id(relay), "displayName": "Owner"}, False, False), (side, None, True, True),
    ]


def test_a_member_leaves_and_lands_in_their_next_workspace(relay):
    member = add_person(relay, "operator", name="Mo")
    other_device = relay.browser()
    other_device.cookies.update(add_person_session(relay, member))
    side = member.browser.post("/api/admin/workspaces", {"name": "Side"}).json["workspace"]["workspaceId"]
    member.browser.post("/api/auth/workspace", {"workspaceId": member.workspace_id})
    result = member.browser.post(f"/api/auth/memberships/{member.membership_id}/leave")
    assert result.status_code == 200, result.text
    assert result.json["membershipId"] == member.membership_id
    assert result.json["auth"]["currentWorkspaceId"] == side and [w["workspaceId"] for w in result.json["auth"]["workspaces"]] == [side]
    assert stored(relay, "memberships", member.membership_id).revoked_at == T_START
    assert stored(relay, "users", member.user_id).last_workspace_id == side
    # the other device was in the left workspace: its next request is in Side, and the left one is gone
    assert state(other_device)["currentWorkspace"]["workspaceId"] == side
    assert other_device.post("/api/auth/workspace", {"workspaceId": member.workspace_id}).json == {"error": "workspace-not-found"}
    assert [r["workspaceId"] for r in my_memberships(other_device)] == [side]
    again = member.browser.post(f"/api/auth/memberships/{member.membership_id}/leave")
    assert (again.status_code, again.json) == (404, {"error": "membership-not-found"})


def test_a_member_an_owner_removes_lands_in_their_next_workspace_too(relay):
    owner = relay.owner()
    member = add_person(relay, "operator", name="Rem")
    side = member.browser.post("/api/admin/workspaces", {"name": "Side"}).json["workspace"]["workspaceId"]
    member.browser.post("/api/auth/workspace", {"workspaceId": member.workspace_id})
    assert owner.post(f"/api/admin/memberships/{member.membership_id}/revoke").status_code == 200
    # the next request is in Side (no `no-workspace-selected` dead end), and the old workspace is gone
    assert member.browser.get("/api/admin/state").json["currentWorkspace"]["workspaceId"] == side
    assert stored(relay, "users", member.user_id).last_workspace_id == side
    refused = member.browser.post("/api/auth/workspace", {"workspaceId": member.workspace_id})
    assert refused.json == {"error": "workspace-not-found"}


def test_leaving_ones_only_workspace_leaves_none_selected(relay):
    member = add_person(relay, "viewer")
    result = member.browser.post(f"/api/auth/memberships/{member.membership_id}/leave")
    assert result.status_code == 200 and result.json["auth"]["currentWorkspaceId"] is None
    assert result.json["auth"]["workspaces"] == [] and my_memberships(member.browser) == []
    assert member.browser.get("/api/admin/tasks").json == {"error": "no-workspace-selected"}
    assert stored(relay, "users", member.user_id).last_workspace_id is None


def test_owners_see_when_each_member_last_signed_in(relay):
    owner = relay.owner()  # signs in with the bootstrap token at the start
    member = add_person(relay, "viewer", name="Vic")  # a session made without signing in: none noted
    relay.clock.advance(300)
    code = invite(owner, role="operator")[0]
    assert redeem_invite(relay, code, display_name="Newcomer")[1].status_code == 200  # signs up: a sign-in
    seen = {m["displayName"]: m["lastSignInAt"] for m in state(owner)["members"]}
    assert seen == {"Owner": T_START, "Vic": None, "Newcomer": T_LATER}
    assert {u["displayName"]: u["lastSignInAt"] for u in state(owner)["users"]} == seen  # relay owners, every user
    assert stored(relay, "users", member.user_id).last_sign_in_at is None
    relay.clock.advance(60)
    owner.login_bootstrap()
    assert {m["displayName"]: m["lastSignInAt"] for m in state(owner)["members"]}["Owner"] == "2026-11-26T12:06:00.000Z"
    assert state(member.browser)["members"] == []  # owners only


def test_rejoining_names_the_inviter_of_the_new_membership(relay):
    owner = relay.owner()
    second_owner = add_person(relay, "owner", name="Sam")
    joiner = add_person(relay, None, name="Lin")
    assert redeem_invite(relay, invite(owner, role="viewer")[0], browser=joiner.browser)[1].status_code == 200
    [first] = my_memberships(joiner.browser)
    assert first["invitedBy"]["displayName"] == "Owner"
    assert joiner.browser.post(f"/api/auth/memberships/{first['membershipId']}/leave").status_code == 200
    relay.clock.advance(60)
    assert redeem_invite(relay, invite(second_owner.browser, role="operator")[0], browser=joiner.browser)[1].status_code == 200
    [again] = my_memberships(joiner.browser)
    assert again["membershipId"] != first["membershipId"] and again["role"] == "operator"
    assert again["invitedBy"] == {"userId": second_owner.user_id, "displayName": "Sam"}
