"""Passkey endpoints: register (options/verify), login (options/verify), revoke.

The ceremonies and their rules live in services/passkeys.py; these classes read the body and
answer with the `auth` object (and a cookie on login, a clearing one when a revoke ends this session).
"""

from __future__ import annotations

from ..context import RelayContext
from ..errors import invalid_field
from ..fields import obj, text
from ..http.cookies import clear_session_cookie, set_session_cookie
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
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx
        self.passkeys = ctx.services.passkeys


class RegisterOptions(PasskeyResource):
    action = "passkeys.manage"

    def on_post(self, req, resp) -> None:
        label = text(req.context.body, "label", 120).strip()
        ceremony = self.passkeys.registration_options(req.context.caller, label)
        resp.media = {"ok": True, "registrationId": ceremony.ceremony_id, "publicKey": ceremony.options}


class RegisterVerify(PasskeyResource):
    action = "passkeys.manage"
    body_cap = VERIFY_BODY_CAP

    def on_post(self, req, resp) -> None:
        registration_id, credential = ceremony_fields(req.context.body, "registrationId")
        resp.media = auth_answer(self.ctx.config, self.passkeys.register(req.context.caller, registration_id, credential))


class LoginOptions(PasskeyResource):
    action = "public"
    rate_limit = "login"

    def on_post(self, req, resp) -> None:
        ceremony = self.passkeys.login_options()
        resp.media = {"ok": True, "loginId": ceremony.ceremony_id, "publicKey": ceremony.options}


class LoginVerify(PasskeyResource):
    action = "public"  # the passkey is the credential
    rate_limit = "login"
    body_cap = VERIFY_BODY_CAP

    def on_post(self, req, resp) -> None:
        login_id, credential = ceremony_fields(req.context.body, "loginId")
        signed_in = self.passkeys.sign_in(login_id, credential)
        set_session_cookie(resp, self.ctx.config, signed_in.cookie)
        resp.media = auth_answer(self.ctx.config, signed_in.auth)


class Revoke(PasskeyResource):
    action = "passkeys.manage"

    def on_post(self, req, resp, passkey_id: str) -> None:
        revoked = self.passkeys.revoke(req.context.caller, passkey_id)
        resp.media = auth_answer(self.ctx.config, revoked.auth)
        if revoked.own_session_ended:
            clear_session_cookie(resp, self.ctx.config)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/passkeys/register/options", RegisterOptions(ctx))
    app.add_route("/api/auth/passkeys/register/verify", RegisterVerify(ctx))
    app.add_route("/api/auth/passkeys/login/options", LoginOptions(ctx))
    app.add_route("/api/auth/passkeys/login/verify", LoginVerify(ctx))
    app.add_route("/api/admin/passkeys/{passkey_id}/revoke", Revoke(ctx))
