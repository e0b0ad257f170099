"""Redeeming codes without a passkey: invitations (new user or join) and recovery codes.

Both answer with the `auth` object; a new session is enrollment-locked while passkeys are on,
so its first step is registering a passkey.
"""

from __future__ import annotations

from ..context import RelayContext
from ..errors import invalid_field
from ..fields import text
from ..http.cookies import set_session_cookie
from ..views.auth import auth_answer

CODE_BUDGET = 120  # an id in a body
DISPLAY_NAME_BUDGET = 80


def display_name(body: dict) -> str:
    name = text(body, "displayName", DISPLAY_NAME_BUDGET, required=True).strip()
    if not name:  # only blanks left after clamping
        raise invalid_field("displayName")
    return name


class InviteRedeem:
    action = "invitations.redeem"  # with a session: join; without: a new user
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body, caller, people = req.context.body, req.context.caller, self.ctx.services.people
        code = text(body, "inviteCode", CODE_BUDGET, required=True)
        if caller is not None:
            resp.media = auth_answer(self.ctx.config, people.join(caller, code))
            return
        signed_in = people.sign_up(code, display_name(body))
        set_session_cookie(resp, self.ctx.config, signed_in.cookie)
        resp.media = auth_answer(self.ctx.config, signed_in.auth)


class RecoveryRedeem:
    action = "recovery.redeem"
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        code = text(req.context.body, "recoveryCode", CODE_BUDGET, required=True)
        signed_in = self.ctx.services.people.redeem_recovery_code(req.context.caller, code)
        set_session_cookie(resp, self.ctx.config, signed_in.cookie)
        resp.media = auth_answer(self.ctx.config, signed_in.auth)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/invitations/redeem", InviteRedeem(ctx))
    app.add_route("/api/auth/recovery/redeem", RecoveryRedeem(ctx))
