"""Passkey endpoints: register (options/verify), login (options/verify), revoke.

The ceremonies and their rules live in services/passkeys.py; these classes read the body,
open the transaction, and answer with the `auth` object (and a cookie on login).
"""

from __future__ import annotations

from ..context import RelayContext
from ..errors import invalid_field
from ..fields import obj, text
from ..http.cookies import clear_session_cookie, set_session_cookie
from ..services.auth_state import read_auth_state
from ..services.passkeys import PasskeyService
from ..views.auth import auth_answer

VERIFY_BODY_CAP = 65536  # API.md: passkey verify bodies


def ceremony_fields(body: dict, id_name: str) -> tuple[str, dict]:
    """(the ceremony id named `id_name`, the credential object) of a verify body."""
    ceremony_id = text(body, id_name, 120, required=True)
    credential = obj(body, "credential")
    if credential is None:
        raise invalid_field("credential")
    return ceremony_id, credential


class PasskeyResource:
    def __init__(self, ctx: RelayContext, passkeys: PasskeyService):
        self.ctx = ctx
        self.passkeys = passkeys


class RegisterOptions(PasskeyResource):
    auth = "locked-ok"

    def on_post(self, req, resp) -> None:
        label = text(req.context.body, "label", 120).strip()
        with self.ctx.store.transaction(write=False) as tx:
            registration_id, options = self.passkeys.registration_options(tx, req.context.caller, label)
        resp.media = {"ok": True, "registrationId": registration_id, "publicKey": options}


class RegisterVerify(PasskeyResource):
    auth = "locked-ok"
    body_cap = VERIFY_BODY_CAP

    def on_post(self, req, resp) -> None:
        registration_id, credential = ceremony_fields(req.context.body, "registrationId")
        with self.ctx.store.transaction() as tx:
            caller = self.passkeys.register(tx, req.context.caller, registration_id, credential)
            resp.media = auth_answer(self.ctx.config, read_auth_state(tx, caller))


class LoginOptions(PasskeyResource):
    auth = None
    rate_limit = "login"

    def on_post(self, req, resp) -> None:
        with self.ctx.store.transaction(write=False) as tx:
            login_id, options = self.passkeys.login_options(tx)
        resp.media = {"ok": True, "loginId": login_id, "publicKey": options}


class LoginVerify(PasskeyResource):
    auth = None
    rate_limit = "login"
    body_cap = VERIFY_BODY_CAP

    def on_post(self, req, resp) -> None:
        login_id, credential = ceremony_fields(req.context.body, "loginId")
        with self.ctx.store.transaction() as tx:
            passkey = self.passkeys.verify_login(tx, login_id, credential)
            user = tx.users.get(passkey.user_id)
            signed_in = self.ctx.services.sessions.open(tx, user, passkey_id=passkey.passkey_id)
        set_session_cookie(resp, self.ctx.config, signed_in.cookie)
        resp.media = auth_answer(self.ctx.config, signed_in.auth)


class Revoke(PasskeyResource):
    auth = "locked-ok"

    def on_post(self, req, resp, passkey_id: str) -> None:
        caller = req.context.caller
        with self.ctx.store.transaction() as tx:
            self.passkeys.revoke(tx, caller, passkey_id)
            own_session_ended = tx.sessions.get(caller.session.session_id_hash) is None
            # Revoking the passkey this session logged in with ends this session too.
            state = read_auth_state(tx, None if own_session_ended else caller)
        resp.media = auth_answer(self.ctx.config, state)
        if own_session_ended:
            clear_session_cookie(resp, self.ctx.config)


def add_routes(app, ctx: RelayContext) -> None:
    passkeys = ctx.services.passkeys
    app.add_route("/api/auth/passkeys/register/options", RegisterOptions(ctx, passkeys))
    app.add_route("/api/auth/passkeys/register/verify", RegisterVerify(ctx, passkeys))
    app.add_route("/api/auth/passkeys/login/options", LoginOptions(ctx, passkeys))
    app.add_route("/api/auth/passkeys/login/verify", LoginVerify(ctx, passkeys))
    app.add_route("/api/admin/passkeys/{passkey_id}/revoke", Revoke(ctx, passkeys))
