"""Passkeys in real Chromium (CDP virtual authenticator) against a real waitress relay.

Issue 5's "Done when": register and sign in, the enrollment lock of an invited user, revocation,
replayed and foreign-origin assertions, and the reference owner's passkey after import-state.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from mobile_codex.core.crypto import sha256_hex
from mobile_codex.relay_app.server import make_server
from tests.relay.passkey_helpers import LOGIN_OPTIONS, LOGIN_VERIFY, add_locked_user
from tests.relay.soft_authenticator import unb64url

from ..conftest import REFERENCE
from .conftest import LiveRelay, b64_to_b64url

REFERENCE_OWNER = "user_fbcda9418312eb7e"
COOKIE = "mobilecodex_session"


def stored_passkey(relay, credential_id: str):
    with relay.store.transaction(write=False) as tx:
        return tx.passkeys.get(sha256_hex(credential_id))


def session_of_cookie(relay, device):
    (cookie,) = [c["value"] for c in device.context.cookies() if c["name"] == COOKIE]
    with relay.store.transaction(write=False) as tx:
        return tx.sessions.get(sha256_hex(cookie))


def test_bootstrap_register_sign_out_and_passkey_sign_in(live_relay, devices):
    phone = devices(live_relay.origin)
    phone.bootstrap_login()
    registered = phone.register("Owner phone")
    assert registered["status"] == 200, registered
    assert [p["label"] for p in registered["body"]["auth"]["passkeys"]] == ["Owner phone"]
    (created,) = phone.credentials()
    credential_id = b64_to_b64url(created["credentialId"])
    assert created["isResidentCredential"] is True
    assert stored_passkey(live_relay, credential_id).transports == ["internal"]

    assert phone.post("/api/auth/logout")["status"] == 200
    assert phone.status()["authenticated"] is False
    signed_in = phone.login()
    assert signed_in["status"] == 200, signed_in
    assert signed_in["body"]["auth"]["currentUser"]["displayName"] == "Owner"
    assert phone.status()["authenticated"] is True

    (used,) = phone.credentials()
    assert used["signCount"] > created["signCount"]
    passkey = stored_passkey(live_relay, credential_id)
    assert passkey.sign_count == used["signCount"] and passkey.last_used_at is not None
    assert session_of_cookie(live_relay, phone).passkey_id == passkey.passkey_id


def test_invited_user_is_locked_until_their_own_passkey(live_relay, devices):
    # The invitation endpoints are not built yet: what redeeming an invite leaves (a new operator
    # in the workspace and an enrollment-locked session) is made through the store and services.
    invited = devices(live_relay.origin)
    invited.add_cookie(COOKIE, add_locked_user(live_relay.app, "Lin", role="operator"))
    status = invited.status()
    assert status["authenticated"] is True and status["auth"]["needsPasskeyEnrollment"] is True
    locked = invited.post("/api/admin/pairings", {"note": "x"})
    assert (locked["status"], locked["body"]["error"]) == (403, "passkey-enrollment-required")

    registered = invited.register("Lin phone")
    assert registered["status"] == 200, registered
    assert registered["body"]["auth"]["needsPasskeyEnrollment"] is False
    assert invited.post("/api/admin/pairings", {"note": "x"})["status"] == 201

    invited.post("/api/auth/logout")
    signed_in = invited.login()
    assert signed_in["status"] == 200, signed_in
    me = signed_in["body"]["auth"]["currentUser"]
    assert me["displayName"] == "Lin" and signed_in["body"]["auth"]["needsPasskeyEnrollment"] is False
    with live_relay.store.transaction(write=False) as tx:
        user = tx.users.get(me["userId"])
    (credential,) = invited.credentials()
    assert b64_to_b64url(credential["userHandle"]) == user.user_handle


def test_revoked_passkey_cannot_sign_in_and_its_session_ends(live_relay, devices):
    phone, laptop = devices(live_relay.origin), devices(live_relay.origin)
    for device, label in ((phone, "Phone"), (laptop, "Laptop")):
        device.bootstrap_login()
        assert device.register(label)["status"] == 200
    phone.post("/api/auth/logout")
    assert phone.login()["status"] == 200
    phone_passkey = stored_passkey(live_relay, b64_to_b64url(phone.credentials()[0]["credentialId"]))

    revoked = laptop.post(f"/api/admin/passkeys/{phone_passkey.passkey_id}/revoke")
    assert revoked["status"] == 200, revoked
    assert [p["label"] for p in revoked["body"]["auth"]["passkeys"]] == ["Laptop"]
    assert phone.status()["authenticated"] is False  # the session it made is gone
    again = phone.login()
    assert (again["status"], again["body"]) == (401, {"error": "unknown-passkey"})


def test_replayed_and_foreign_origin_assertions_are_refused(live_relay, devices):
    phone = devices(live_relay.origin)
    phone.bootstrap_login()
    assert phone.register()["status"] == 200
    phone.post("/api/auth/logout")

    options = phone.post(LOGIN_OPTIONS)["body"]
    assertion = phone.assertion(options["publicKey"])
    assert phone.post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": assertion})["status"] == 200
    replayed = phone.post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": assertion})
    assert (replayed["status"], replayed["body"]) == (400, {"error": "login-not-found"})
    fresh = phone.post(LOGIN_OPTIONS)["body"]
    replayed = phone.post(LOGIN_VERIFY, {"loginId": fresh["loginId"], "credential": assertion})
    assert (replayed["status"], replayed["body"]) == (401, {"error": "passkey-login-invalid"})

    # Another site on the same host (rpId localhost is valid there) asks the authenticator to sign
    # the relay's challenge: Chromium puts that site's origin in clientDataJSON.
    elsewhere = make_server(live_relay.app, live_relay.config, port=0)
    threading.Thread(target=elsewhere.run, daemon=True).start()
    try:
        other_origin = f"http://localhost:{elsewhere.effective_port}"
        options = phone.post(LOGIN_OPTIONS)["body"]
        phone.open(other_origin)
        foreign = phone.assertion(options["publicKey"])
        phone.open(live_relay.origin)
    finally:
        elsewhere.close()
        elsewhere.task_dispatcher.shutdown(timeout=1)
    assert json.loads(unb64url(foreign["response"]["clientDataJSON"]))["origin"] == other_origin
    refused = phone.post(LOGIN_VERIFY, {"loginId": options["loginId"], "credential": foreign})
    assert (refused["status"], refused["body"]) == (401, {"error": "passkey-login-invalid"})


def test_reference_owner_signs_in_after_import_state(tmp_path, devices):
    def import_fixture(config_path: Path) -> None:
        command = [str(Path(sys.executable).parent / "mobile-codex"), "import-state", "--config", str(config_path)]
        done = subprocess.run([*command, str(REFERENCE / "state.json")], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    relay = LiveRelay(tmp_path, prepare=import_fixture)
    try:
        phone = devices(relay.origin)
        (fixture_credential,) = json.loads((REFERENCE / "owner-passkey.cdp.json").read_text())
        phone.add_credential(fixture_credential)
        signed_in = phone.login()
        assert signed_in["status"] == 200, signed_in
        me = signed_in["body"]["auth"]["currentUser"]
        assert (me["userId"], me["displayName"]) == (REFERENCE_OWNER, "Owner")
        passkey = stored_passkey(relay, b64_to_b64url(fixture_credential["credentialId"]))
        assert passkey.public_key and passkey.sign_count == phone.credentials()[0]["signCount"] > 1
    finally:
        relay.close()
