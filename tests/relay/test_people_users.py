"""Relay user administration: disable, enable, delete, end sessions, recovery codes; session limits."""

from __future__ import annotations

import attrs

from mobile_codex.core.crypto import normalize_code, sha256_hex
from mobile_codex.core.records import Passkey
from mobile_codex.relay_app.services.sessions import MAX_SESSIONS

from .people_helpers import CODE12, COOKIE, add_person, bootstrap_user_id, primary_workspace_id, stored

MANAGED_USER_FIELDS = {
    "userId", "displayName", "createdAt", "disabledAt", "isRelayOwner", "passkeyCount", "activeSessionCount",
    "activeRecovery", "lastWorkspaceId", "lastWorkspaceName", "memberships", "lastSignInAt",  # the last: ours (issue 21)
}  # fmt: skip


def post(browser, user_id: str, action: str, body=None):
    return browser.post(f"/api/admin/users/{user_id}/{action}", body)


def test_disable_ends_sessions_on_the_next_request_and_enable_restores(relay):
    owner = relay.owner()
    person = add_person(relay, "operator", name="Dana")
    assert person.browser.get("/api/admin/state").status_code == 200
    relay.clock.advance(10)
    result = post(owner, person.user_id, "disable")
    assert result.status_code == 200 and set(result.json) == {"ok", "user"}
    user = result.json["user"]
    assert set(user) == MANAGED_USER_FIELDS
    assert user["disabledAt"] == "2026-11-26T12:00:10.000Z" and user["activeSessionCount"] == 0
    assert user["memberships"][0]["workspaceId"] == primary_workspace_id(relay) and user["memberships"][0]["role"] == "operator"
    assert (user["lastWorkspaceId"], user["lastWorkspaceName"], user["isRelayOwner"]) == (primary_workspace_id(relay), "Primary", False)
    blocked = person.browser.get("/api/admin/state")
    assert (blocked.status_code, blocked.json) == (401, {"error": "invalid-session"})
    assert "Max-Age=0" in blocked.headers["set-cookie"]
    enabled = post(owner, person.user_id, "enable")
    assert enabled.status_code == 200 and enabled.json["user"]["disabledAt"] is None


def test_a_disabled_user_holding_a_session_is_refused(relay):
    """Sessions of a disabled user are gone, and a session that somehow survives is refused too."""
    person = add_person(relay, "viewer")
    with relay.app.relay.store.transaction() as tx:
        tx.users.put(attrs.evolve(tx.users.get(person.user_id), disabled_at="2026-11-26T12:00:00.000Z"))
    result = person.browser.get("/api/admin/state")
    assert (result.status_code, result.json) == (401, {"error": "session-user-invalid"})


def test_relay_owner_is_protected(relay):
    owner = relay.owner()
    me = bootstrap_user_id(relay)
    for action in ("disable", "delete"):
        result = post(owner, me, action)
        assert (result.status_code, result.json) == (409, {"error": "relay-owner-protected"})
    assert post(owner, me, "enable").status_code == 200


def test_unknown_user_is_not_found(relay):
    owner = relay.owner()
    for action in ("disable", "enable", "delete", "sessions/revoke", "recovery-codes"):
        result = post(owner, "user_0000000000000000", action)
        assert (result.status_code, result.json) == (404, {"error": "user-not-found"}), action


def test_delete_needs_no_memberships_and_no_passkeys(relay):
    owner = relay.owner()
    member = add_person(relay, "viewer")
    assert post(owner, member.user_id, "delete").json == {"error": "user-still-has-memberships"}
    owner.post(f"/api/admin/memberships/{member.membership_id}/revoke")
    loner = add_person(relay, None)
    with relay.app.relay.store.transaction() as tx:
        tx.passkeys.put(
            Passkey(passkey_id="p" * 64, credential_id="cred", user_id=loner.user_id, sign_count=0, label="Phone", created_at="x")
        )
    result = post(owner, loner.user_id, "delete")
    assert (result.status_code, result.json) == (409, {"error": "user-still-has-passkeys"})
    code_body = post(owner, member.user_id, "recovery-codes").json
    result = post(owner, member.user_id, "delete")
    assert (result.status_code, result.json) == (200, {"ok": True, "userId": member.user_id})
    assert stored(relay, "users", member.user_id) is None
    assert stored(relay, "recovery_codes", code_body["recovery"]["recoveryId"]) is None
    assert member.browser.get("/api/admin/state").json == {"error": "invalid-session"}
    assert post(owner, member.user_id, "delete").json == {"error": "user-not-found"}


def test_revoke_sessions(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer")
    second = relay.browser()
    with relay.app.relay.store.transaction() as tx:
        second.cookies[COOKIE] = relay.app.relay.services.sessions.create(tx, user_id=person.user_id, workspace_id=None)
    result = post(owner, person.user_id, "sessions/revoke")
    assert result.status_code == 200
    assert result.json["revokedSessions"] == 2 and result.json["user"]["activeSessionCount"] == 0
    for browser in (person.browser, second):
        assert browser.get("/api/admin/state").json == {"error": "invalid-session"}
    assert post(owner, person.user_id, "sessions/revoke").json["revokedSessions"] == 0


def test_revoking_own_sessions_clears_the_cookie(relay):
    owner = relay.owner()
    result = post(owner, bootstrap_user_id(relay), "sessions/revoke")
    assert result.status_code == 200 and result.json["revokedSessions"] == 1
    assert owner.cookies == {} and "Max-Age=0" in result.headers["set-cookie"]


def test_recovery_code_issue(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer", name="Dana")
    result = post(owner, person.user_id, "recovery-codes", {"note": "lost phone", "ttlSec": 900})
    assert result.status_code == 201
    body = result.json
    assert set(body) == {"ok", "recoveryCode", "recovery", "user"} and CODE12.fullmatch(body["recoveryCode"])
    recovery = body["recovery"]
    assert recovery["recoveryId"].startswith("recovery_") and recovery["userId"] == person.user_id
    assert (recovery["note"], recovery["createdAt"], recovery["expiresAt"]) == ("lost phone", "2026-11-26T12:00:00.000Z", "2026-11-26T12:15:00.000Z")
    assert (recovery["usedAt"], recovery["revokedAt"], recovery["createdByDisplayName"]) == (None, None, "Owner")
    assert body["user"]["activeRecovery"] == recovery
    record = stored(relay, "recovery_codes", recovery["recoveryId"])
    assert record.code_hash == sha256_hex(normalize_code(body["recoveryCode"]))


def test_recovery_code_ttl_clamp_and_default(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer")
    expiry = lambda body: post(owner, person.user_id, "recovery-codes", body).json["recovery"]["expiresAt"]  # noqa: E731
    assert expiry({}) == "2026-11-26T13:00:00.000Z"
    assert expiry({"ttlSec": 1}) == "2026-11-26T12:05:00.000Z"
    assert expiry({"ttlSec": 10**9}) == "2026-12-03T12:00:00.000Z"
    assert post(owner, person.user_id, "recovery-codes", {"note": "n" * 999}).json["recovery"]["note"] == "n" * 120


def test_a_new_recovery_code_revokes_the_earlier_ones(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer")
    first = post(owner, person.user_id, "recovery-codes").json
    relay.clock.advance(1)
    second = post(owner, person.user_id, "recovery-codes").json
    assert stored(relay, "recovery_codes", first["recovery"]["recoveryId"]).revoked_at == "2026-11-26T12:00:01.000Z"
    assert second["user"]["activeRecovery"]["recoveryId"] == second["recovery"]["recoveryId"]
    result = relay.browser().post("/api/auth/recovery/redeem", {"recoveryCode": first["recoveryCode"]})
    assert (result.status_code, result.json) == (401, {"error": "invalid-recovery-code"})


def test_recovery_code_for_a_disabled_user(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer")
    post(owner, person.user_id, "disable")
    result = post(owner, person.user_id, "recovery-codes")
    assert (result.status_code, result.json) == (409, {"error": "user-disabled"})


def test_only_relay_owners_manage_users(relay):
    target = add_person(relay, "viewer")
    workspace_owner = add_person(relay, "owner")
    for action in ("disable", "enable", "delete", "sessions/revoke", "recovery-codes"):
        result = post(workspace_owner.browser, target.user_id, action)
        assert (result.status_code, result.json) == (403, {"error": "insufficient-role"}), action


def test_at_most_64_sessions_are_kept_newest_win(relay):
    browsers = []
    for _ in range(MAX_SESSIONS + 3):
        browsers.append(relay.owner())
        relay.clock.advance(1)
    with relay.app.relay.store.transaction(write=False) as tx:
        assert tx.sessions.count() == MAX_SESSIONS
    statuses = [browser.get("/api/admin/state").status_code for browser in browsers]
    assert statuses == [401] * 3 + [200] * MAX_SESSIONS


def test_expired_sessions_are_refused_and_pruned(relay):
    old = relay.owner()
    relay.clock.advance(relay.config.session_ttl_sec + 1)
    result = old.get("/api/admin/state")
    assert (result.status_code, result.json) == (401, {"error": "invalid-session"})
    relay.owner()
    with relay.app.relay.store.transaction(write=False) as tx:
        assert tx.sessions.count() == 1


def test_the_session_cap_is_per_user(relay):
    """API.md: 64 sessions per user; the reference's relay-wide 64 let anyone sign everyone out."""
    mine = relay.owner()
    other = add_person(relay, "viewer", signed_in=False)

    with relay.app.relay.store.transaction() as tx:
        cookies = [relay.app.relay.services.sessions.create(tx, user_id=other.user_id, workspace_id=None) for _ in range(MAX_SESSIONS + 5)]
        assert tx.sessions.count(user_id=other.user_id) == MAX_SESSIONS
        assert tx.sessions.get(sha256_hex(cookies[-1])) is not None
    assert mine.get("/api/admin/state").status_code == 200  # another user's sign-ins never end mine
