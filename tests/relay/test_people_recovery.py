"""Recovery redeem: a one-time code signs a locked-out user in, enrollment-locked, marked recovery."""

from __future__ import annotations

import attrs

from .people_helpers import add_person, primary_workspace_id, recovery_code_for, stored

REDEEM = "/api/auth/recovery/redeem"


def test_recovery_redeem_gives_a_locked_recovery_session(relay):
    owner = relay.owner()
    person = add_person(relay, "operator", name="Dana", signed_in=False)
    code, issued = recovery_code_for(owner, person.user_id)
    browser = relay.browser()
    result = browser.post(REDEEM, {"recoveryCode": code.lower()})
    assert result.status_code == 200 and set(result.json) == {"ok", "auth"}
    auth = result.json["auth"]
    assert auth["currentUser"]["userId"] == person.user_id and auth["needsPasskeyEnrollment"] is True
    assert auth["currentWorkspaceId"] == primary_workspace_id(relay) and auth["currentRole"] == "operator"
    assert "mobilecodex_session" in browser.cookies
    with relay.app.relay.store.transaction(write=False) as tx:
        session = tx.sessions.find(user_id=person.user_id)[0]
    assert session.recovery is True and session.needs_passkey_enrollment is True
    assert stored(relay, "recovery_codes", issued["recovery"]["recoveryId"]).used_at == "2026-11-26T12:00:00.000Z"
    # Enrollment-locked: anything but auth status, workspace switch, state and own passkeys is refused.
    refused = browser.post("/api/admin/workspaces", {"name": "x"})
    assert refused.status_code == 403 and refused.json["error"] == "passkey-enrollment-required"
    assert refused.json["auth"]["needsPasskeyEnrollment"] is True
    # Used once.
    again = relay.browser().post(REDEEM, {"recoveryCode": code})
    assert (again.status_code, again.json) == (401, {"error": "invalid-recovery-code"})


def test_recovery_without_passkeys_is_not_locked(make_relay):
    relay = make_relay(auth={"passkeys": {"enabled": False}})
    person = add_person(relay, "viewer", signed_in=False)
    code, _ = recovery_code_for(relay.owner(), person.user_id)
    result = relay.browser().post(REDEEM, {"recoveryCode": code})
    assert result.json["auth"]["needsPasskeyEnrollment"] is False


def test_recovery_redeem_errors(relay):
    owner = relay.owner()
    person = add_person(relay, "viewer", signed_in=False)
    code, issued = recovery_code_for(owner, person.user_id, ttlSec=300)
    result = owner.post(REDEEM, {"recoveryCode": code})
    assert (result.status_code, result.json) == (409, {"error": "already-authenticated"})
    for bad in ("AAAA-BBBB-CCCC", "", "x" * 3000, "-"):
        result = relay.browser().post(REDEEM, {"recoveryCode": bad})
        expected = (400, {"error": "invalid-field", "detail": "recoveryCode"}) if not bad else None
        assert (result.status_code, result.json) == (expected or (401, {"error": "invalid-recovery-code"})), bad[:20]
    owner.post(f"/api/admin/users/{person.user_id}/disable")
    # Disabling does not revoke the code, but a disabled user cannot use it (and it stays unused).
    result = relay.browser().post(REDEEM, {"recoveryCode": code})
    assert (result.status_code, result.json) == (403, {"error": "user-disabled-or-missing"})
    assert stored(relay, "recovery_codes", issued["recovery"]["recoveryId"]).used_at is None
    owner.post(f"/api/admin/users/{person.user_id}/enable")
    relay.clock.advance(301)
    result = relay.browser().post(REDEEM, {"recoveryCode": code})
    assert (result.status_code, result.json) == (401, {"error": "invalid-recovery-code"})


def test_recovery_code_of_a_deleted_user(relay):
    """A code whose user vanished (e.g. an imported state) answers user-disabled-or-missing."""
    owner = relay.owner()
    person = add_person(relay, None, signed_in=False)
    code, issued = recovery_code_for(owner, person.user_id)
    with relay.app.relay.store.transaction() as tx:
        record = tx.recovery_codes.get(issued["recovery"]["recoveryId"])
        tx.recovery_codes.put(attrs.evolve(record, user_id="user_0000000000000000"))
    result = relay.browser().post(REDEEM, {"recoveryCode": code})
    assert (result.status_code, result.json) == (403, {"error": "user-disabled-or-missing"})


def test_a_dead_cookie_does_not_block_recovery(relay):
    person = add_person(relay, "viewer", signed_in=False)
    code, _ = recovery_code_for(relay.owner(), person.user_id)
    browser = relay.browser()
    browser.cookies["mobilecodex_session"] = "expired-or-forged"
    assert browser.post(REDEEM, {"recoveryCode": code}).status_code == 200
