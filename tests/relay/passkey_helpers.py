"""Passkey ceremonies over the API with a software authenticator, and an enrollment-locked user."""

from __future__ import annotations

from falcon import testing

from .conftest import BOOTSTRAP_TOKEN
from .soft_authenticator import SoftAuthenticator

REGISTER_OPTIONS = "/api/auth/passkeys/register/options"
REGISTER_VERIFY = "/api/auth/passkeys/register/verify"
LOGIN_OPTIONS = "/api/auth/passkeys/login/options"
LOGIN_VERIFY = "/api/auth/passkeys/login/verify"


def register(browser, authenticator: SoftAuthenticator, label: str = "Phone", **create_kw):
    """Options -> authenticator -> verify; the verify response."""
    options = browser.post(REGISTER_OPTIONS, {"label": label})
    assert options.status_code == 200, options.text
    credential = authenticator.create(options.json["publicKey"], **create_kw)
    return browser.post(REGISTER_VERIFY, {"registrationId": options.json["registrationId"], "credential": credential})


def passkey_login(browser, authenticator: SoftAuthenticator, **get_kw):
    options = browser.post(LOGIN_OPTIONS)
    assert options.status_code == 200, options.text
    credential = authenticator.get(options.json["publicKey"], **get_kw)
    return browser.post(LOGIN_VERIFY, {"loginId": options.json["loginId"], "credential": credential})


def add_locked_user(app, display_name: str = "Lin", role: str = "viewer") -> str:
    """Invite a user into the bootstrap user's workspace and redeem the invite, as their phone
    would, through the real endpoints; returns their enrollment-locked session cookie value."""
    origin = {"Origin": app.relay.config.public_origin}
    client = testing.TestClient(app)
    owner = client.simulate_post("/api/auth/login", json={"bootstrapToken": BOOTSTRAP_TOKEN}, headers=origin)
    assert owner.status_code == 200, owner.text
    cookie_name = owner.json["auth"]["sessionCookieName"]
    invite = client.simulate_post(
        "/api/admin/invitations", json={"type": "workspace", "role": role, "note": "test"},
        cookies={cookie_name: owner.cookies[cookie_name].value}, headers=origin,
    )  # fmt: skip
    assert invite.status_code == 201, invite.text
    redeemed = client.simulate_post(
        "/api/auth/invitations/redeem", json={"inviteCode": invite.json["inviteCode"], "displayName": display_name},
        headers=origin,
    )  # fmt: skip
    assert redeemed.status_code == 200 and redeemed.json["auth"]["needsPasskeyEnrollment"] is True, redeemed.text
    return redeemed.cookies[cookie_name].value


def register_over_http(phone, authenticator: SoftAuthenticator, label: str = "Phone") -> dict:
    """The same ceremony for a phone over real HTTP (agent_helpers.Http); the verify answer."""
    status, options = phone.post(REGISTER_OPTIONS, {"label": label})
    assert status == 200, options
    credential = authenticator.create(options["publicKey"])
    status, body = phone.post(REGISTER_VERIFY, {"registrationId": options["registrationId"], "credential": credential})
    assert status == 200, body
    return body


def intent_assertion(authenticator: SoftAuthenticator, intent: dict) -> dict:
    """`navigator.credentials.get` over a signed intent's challenge (core/intents.py), in the form a
    request body carries it as `intentAssertion`."""
    from mobile_codex.core.intents import challenge

    from .soft_authenticator import b64url

    got = authenticator.get({"challenge": b64url(challenge(intent))})
    parts = ("clientDataJSON", "authenticatorData", "signature", "userHandle")
    return {"credentialId": got["id"], **{key: got["response"][key] for key in parts}}
