"""Invitations: create (workspace/account), revoke, redeem as a new user or into a session."""

from __future__ import annotations

from mobile_codex.core.crypto import normalize_code, sha256_hex

from .people_helpers import (
    CODE12, COOKIE, add_person, invite, new_workspace, primary_workspace_id, raw_post, redeem_invite, state, stored,
)  # fmt: skip

INVITATION_FIELDS = {
    "inviteId", "type", "workspaceId", "workspaceName", "role", "note", "createdAt", "expiresAt", "usedAt",
    "revokedAt", "createdByDisplayName",
}  # fmt: skip


def test_workspace_invite_is_created_with_a_hashed_code(relay):
    owner = relay.owner()
    result = owner.post("/api/admin/invitations", {"type": "workspace", "role": "operator", "note": "for Dana"})
    assert result.status_code == 201
    body = result.json
    assert set(body) == {"ok", "inviteCode", "invitation"} and CODE12.fullmatch(body["inviteCode"])
    invitation = body["invitation"]
    assert set(invitation) == INVITATION_FIELDS
    assert invitation["inviteId"].startswith("invite_") and len(invitation["inviteId"]) == len("invite_") + 16
    assert invitation | {"inviteId": None} == {
        "inviteId": None, "type": "workspace", "workspaceId": primary_workspace_id(relay), "workspaceName": "Primary",
        "role": "operator", "note": "for Dana", "createdAt": "2026-11-26T12:00:00.000Z",
        "expiresAt": "2026-11-27T12:00:00.000Z", "usedAt": None, "revokedAt": None, "createdByDisplayName": "Owner",
    }  # fmt: skip
    record = stored(relay, "invitations", invitation["inviteId"])
    assert record.code_hash == sha256_hex(normalize_code(body["inviteCode"]))
    assert body["inviteCode"] not in repr(record)


def test_invite_defaults_and_ttl_clamp(relay):
    owner = relay.owner()
    _, default = invite(owner)
    assert (default["type"], default["role"], default["note"]) == ("workspace", "viewer", "")
    assert invite(owner, ttlSec=5)[1]["expiresAt"] == "2026-11-26T12:05:00.000Z"
    assert invite(owner, ttlSec=10**12)[1]["expiresAt"] == "2026-12-03T12:00:00.000Z"
    assert invite(owner, ttlSec=600.7)[1]["expiresAt"] == "2026-11-26T12:10:00.000Z"
    assert invite(owner, note="n" * 500)[1]["note"] == "n" * 120


def test_account_invite_by_relay_owner(relay):
    owner = relay.owner()
    code, invitation = invite(owner, type="account", role="owner")
    assert (invitation["type"], invitation["workspaceId"], invitation["workspaceName"], invitation["role"]) == ("account", "", "", "")
    assert CODE12.fullmatch(code)


def test_invite_creation_roles(relay):
    for role in ("operator", "viewer"):
        person = add_person(relay, role)
        assert person.browser.post("/api/admin/invitations", {}).json == {"error": "insufficient-role"}
    owner = add_person(relay, "owner")  # a workspace owner who is no relay owner
    assert owner.browser.post("/api/admin/invitations", {"type": "workspace"}).status_code == 201
    assert owner.browser.post("/api/admin/invitations", {"type": "account"}).json == {"error": "insufficient-role"}
    loner = add_person(relay, None)
    result = loner.browser.post("/api/admin/invitations", {"type": "workspace"})
    assert (result.status_code, result.json) == (400, {"error": "workspace-invite-requires-current-workspace"})
    assert loner.browser.post("/api/admin/invitations", {"type": "account"}).json == {"error": "insufficient-role"}


def test_invite_creation_field_errors(relay):
    owner = relay.owner()
    for body, field in [({"type": "team"}, "type"), ({"role": "admin"}, "role"), ({"role": 3}, "role"),
                        ({"note": ["x"]}, "note"), ({"ttlSec": "600"}, "ttlSec"), ({"ttlSec": True}, "ttlSec")]:  # fmt: skip
        result = owner.post("/api/admin/invitations", body)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": field}), body


def test_redeem_workspace_invite_as_new_user(relay):
    owner = relay.owner()
    code, invitation = invite(owner, role="operator")
    browser, result = redeem_invite(relay, code.lower().replace("-", " "), display_name="  Dana  ")
    assert result.status_code == 200, result.text
    auth = result.json["auth"]
    assert auth["currentUser"]["displayName"] == "Dana" and auth["currentRole"] == "operator"
    assert auth["currentWorkspaceId"] == primary_workspace_id(relay) and auth["needsPasskeyEnrollment"] is True
    assert auth["permissions"]["createTasks"] is False and auth["permissions"]["managePasskeys"] is True
    assert "mobilecodex_session" in browser.cookies
    user = stored(relay, "users", auth["currentUser"]["userId"])
    assert user.user_handle and user.user_handle != user.user_id and len(user.user_handle) >= 40
    record = stored(relay, "invitations", invitation["inviteId"])
    assert record.used_at == "2026-11-26T12:00:00.000Z" and record.redeemed_by_user_id == user.user_id
    # A locked session sees its own auth status and nothing of the workspace.
    assert browser.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "a"}).json["error"] == "passkey-enrollment-required"
    view = state(browser)
    assert view["members"] == [] and view["tasks"] == [] and view["auth"]["needsPasskeyEnrollment"] is True
    # Used once: a second redeem fails.
    assert redeem_invite(relay, code)[1].json == {"error": "invalid-invite-code"}


def test_redeem_account_invite_makes_a_user_without_workspace(relay):
    code, _ = invite(relay.owner(), type="account")
    _, result = redeem_invite(relay, code, display_name="Ada")
    auth = result.json["auth"]
    assert auth["currentWorkspaceId"] is None and auth["workspaces"] == [] and auth["currentRole"] is None
    assert auth["needsPasskeyEnrollment"] is True


def test_redeem_without_passkeys_is_not_locked(make_relay):
    relay = make_relay(auth={"passkeys": {"enabled": False}})
    code, _ = invite(relay.owner())
    browser, result = redeem_invite(relay, code)
    assert result.json["auth"]["needsPasskeyEnrollment"] is False
    assert browser.post("/api/admin/workspaces", {"name": "Mine"}).status_code == 201


def test_display_name_is_required_and_clamped(relay):
    owner = relay.owner()
    code, _ = invite(owner)
    for name in (None, "", "   ", 42):
        result = redeem_invite(relay, code, display_name=name)[1]
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "displayName"}), name
    result = redeem_invite(relay, code, display_name="é" * 100)[1]
    assert result.json["auth"]["currentUser"]["displayName"] == "é" * 40  # 80 bytes


def test_redeem_with_a_session_joins_the_workspace(relay):
    owner = relay.owner()
    other = new_workspace(relay, "Side")
    member = add_person(relay, "owner", workspace_id=other)
    code, invitation = invite(owner, role="viewer")
    _, result = redeem_invite(relay, code, display_name=None, browser=member.browser)
    assert result.status_code == 200
    auth = result.json["auth"]
    assert auth["currentWorkspaceId"] == primary_workspace_id(relay) and auth["currentRole"] == "viewer"
    assert sorted(w["name"] for w in auth["workspaces"]) == ["Primary", "Side"]
    assert auth["currentUser"]["userId"] == member.user_id
    assert stored(relay, "users", member.user_id).last_workspace_id == primary_workspace_id(relay)
    assert stored(relay, "invitations", invitation["inviteId"]).redeemed_by_user_id == member.user_id


def test_an_enrollment_locked_session_may_not_join_a_workspace(relay):
    owner = relay.owner()
    other = new_workspace(relay, "Side")
    locked = add_person(relay, "owner", workspace_id=other, locked=True)
    code, invitation = invite(owner, role="viewer")
    # Refused before the body is read (check order: enrollment lock before fields), as on other routes.
    for body_code in (code, "AAAA-BBBB-CCCC", None):
        result = locked.browser.post("/api/auth/invitations/redeem", {} if body_code is None else {"inviteCode": body_code})
        assert result.status_code == 403 and result.json["error"] == "passkey-enrollment-required", result.text
        assert result.json["auth"]["needsPasskeyEnrollment"] is True
        assert result.json["auth"]["currentUser"]["userId"] == locked.user_id
    assert stored(relay, "invitations", invitation["inviteId"]).used_at is None
    with relay.app.relay.store.transaction(write=False) as tx:
        assert [m.workspace_id for m in tx.memberships.find(user_id=locked.user_id)] == [other]
    # The code is still good for someone without a session.
    assert redeem_invite(relay, code)[1].status_code == 200


def test_redeem_with_a_session_conflicts(relay):
    owner = relay.owner()
    account_code, _ = invite(owner, type="account")
    result = redeem_invite(relay, account_code, browser=owner)[1]
    assert (result.status_code, result.json) == (409, {"error": "already-authenticated-use-workspace-invite-only"})
    member_code, invitation = invite(owner)
    result = redeem_invite(relay, member_code, browser=owner)[1]
    assert (result.status_code, result.json) == (409, {"error": "already-workspace-member"})
    assert stored(relay, "invitations", invitation["inviteId"]).used_at is None  # nothing spent on a conflict
    # The invalid code answers first (check order: lookup before conflicts).
    assert redeem_invite(relay, "AAAA-BBBB-CCCC", browser=owner)[1].json == {"error": "invalid-invite-code"}


def test_expired_used_and_revoked_invite_codes(relay):
    owner = relay.owner()
    expired, _ = invite(owner, ttlSec=300)
    revoked, revoked_invitation = invite(owner)
    owner.post(f"/api/admin/invitations/{revoked_invitation['inviteId']}/revoke")
    used, _ = invite(owner)
    redeem_invite(relay, used)
    relay.clock.advance(301)
    for code in (expired, revoked, used, "", "AAAA-BBBB-CCCC", "x" * 3000):
        result = redeem_invite(relay, code or "-")[1]
        assert (result.status_code, result.json) == (401, {"error": "invalid-invite-code"}), code[:20]


def test_a_dead_cookie_redeems_as_a_new_user(relay):
    code, _ = invite(relay.owner())
    browser = relay.browser()
    browser.cookies["mobilecodex_session"] = "forged"
    _, result = redeem_invite(relay, code, browser=browser)
    assert result.status_code == 200 and result.json["auth"]["currentUser"]["displayName"] == "Dana"


def test_a_failed_redeem_clears_a_dead_cookie(relay):
    redeem = {"inviteCode": "AAAA-BBBB-CCCC", "displayName": "Dana"}
    status, body, cookies = raw_post(relay, "/api/auth/invitations/redeem", redeem, cookie="forged")
    assert (status, body) == (401, {"error": "invalid-invite-code"})
    assert cookies == [f"{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"]


def test_a_redeem_with_a_dead_cookie_keeps_its_new_session_cookie(relay):
    code, _ = invite(relay.owner())
    redeem = {"inviteCode": code, "displayName": "Dana"}
    status, body, cookies = raw_post(relay, "/api/auth/invitations/redeem", redeem, cookie="forged")
    assert status == 200 and body["auth"]["currentUser"]["displayName"] == "Dana"
    (cookie,) = cookies  # the new session only: no clearing cookie beside it
    assert cookie.startswith(f"{COOKIE}=") and "Max-Age=43200" in cookie and not cookie.startswith(f"{COOKIE}=;")


def test_revoke_invitation(relay):
    owner = relay.owner()
    _, invitation = invite(owner)
    relay.clock.advance(5)
    result = owner.post(f"/api/admin/invitations/{invitation['inviteId']}/revoke")
    assert result.status_code == 200
    assert result.json == {"ok": True, "invitation": invitation | {"revokedAt": "2026-11-26T12:00:05.000Z"}}
    relay.clock.advance(5)  # revoking again keeps the first time
    assert owner.post(f"/api/admin/invitations/{invitation['inviteId']}/revoke").json["invitation"]["revokedAt"] == "2026-11-26T12:00:05.000Z"
    missing = owner.post("/api/admin/invitations/invite_0000000000000000/revoke")
    assert (missing.status_code, missing.json) == (404, {"error": "invitation-not-found"})


def test_revoke_invitation_scoping(relay):
    relay_owner = relay.owner()
    _, account = invite(relay_owner, type="account")
    _, here = invite(relay_owner)
    elsewhere = new_workspace(relay)
    foreign_owner = add_person(relay, "owner", workspace_id=elsewhere)
    _, there = invite(foreign_owner.browser)
    workspace_owner = add_person(relay, "owner")
    viewer = add_person(relay, "viewer")

    def revoke(browser, invitation):
        result = browser.post(f"/api/admin/invitations/{invitation['inviteId']}/revoke")
        return result.status_code, result.json.get("error")

    assert revoke(viewer.browser, here) == (403, "insufficient-role")
    assert revoke(foreign_owner.browser, here) == (404, "invitation-not-found")
    assert revoke(workspace_owner.browser, account) == (404, "invitation-not-found")  # account invites: relay owners only
    assert revoke(relay_owner, there) == (404, "invitation-not-found")  # workspace invites stay workspace-scoped
    assert revoke(workspace_owner.browser, here) == (200, None)
    assert revoke(relay_owner, account) == (200, None)
    assert revoke(foreign_owner.browser, there) == (200, None)
