"""Passkey ceremonies over the API with a software authenticator, and an enrollment-locked user."""

from __future__ import annotations

from mobile_codex.core.crypto import new_id
from mobile_codex.core.records import Membership, User
from mobile_codex.core.timeutil import iso
from mobile_codex.relay_app.services.bootstrap import new_user_handle

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
    """A user who joined the bootstrap user's workspace and holds an enrollment-locked session
    (what redeeming an invite gives); returns the session cookie value."""
    ctx = app.relay
    with ctx.store.transaction() as tx:
        now = iso(ctx.clock())
        workspace_id = tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id
        user = User(
            user_id=new_id("user"), user_handle=new_user_handle(), display_name=display_name,
            created_at=now, last_workspace_id=workspace_id,
        )  # fmt: skip
        tx.users.put(user)
        tx.memberships.put(
            Membership(
                membership_id=new_id("membership"), user_id=user.user_id, workspace_id=workspace_id,
                role=role, created_at=now,
            )
        )  # fmt: skip
        return ctx.sessions.create(tx, user_id=user.user_id, workspace_id=workspace_id, locked=True)
