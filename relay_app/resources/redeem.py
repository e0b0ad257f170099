"""Redeeming codes without a passkey: invitations (new user or join) and recovery codes.

Both answer with the `auth` object; a new session is enrollment-locked while passkeys are on,
so its first step is registering a passkey.
"""

from __future__ import annotations

from mobile_codex.core.timeutil import iso

from ..context import RelayContext
from ..errors import Conflict, invalid_field
from ..fields import text
from ..http.cookies import set_session_cookie
from ..services.auth_state import read_auth_state
from ..services.invitations import redeem_as_new_user, redeem_into_session
from ..services.recovery import spend_recovery_code
from ..views.auth import auth_answer

CODE_BUDGET = 120  # an id in a body
DISPLAY_NAME_BUDGET = 80


def display_name(body: dict) -> str:
    name = text(body, "displayName", DISPLAY_NAME_BUDGET, required=True).strip()
    if not name:  # only blanks left after clamping
        raise invalid_field("displayName")
    return name


class InviteRedeem:
    auth = "optional"  # with a session: join; without: a new user; a locked session may not join
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body, caller = req.context.body, req.context.caller
        code = text(body, "inviteCode", CODE_BUDGET, required=True)
        config, now = self.ctx.config, self.ctx.clock()
        if caller is not None:
            with self.ctx.store.transaction() as tx:
                redeem_into_session(tx, caller, code, iso(now))
                caller = self.ctx.services.sessions.refreshed(tx, caller)
                resp.media = auth_answer(config, read_auth_state(tx, caller))
            return
        name = display_name(body)
        with self.ctx.store.transaction() as tx:
            user = redeem_as_new_user(tx, code, name, iso(now))
            signed_in = self.ctx.services.sessions.open(tx, user, locked=config.auth.passkeys.enabled)
        set_session_cookie(resp, config, signed_in.cookie)
        resp.media = auth_answer(config, signed_in.auth)


class RecoveryRedeem:
    auth = "optional-locked-ok"  # any session, locked or not, is answered `already-authenticated`
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        code = text(req.context.body, "recoveryCode", CODE_BUDGET, required=True)
        if req.context.caller is not None:
            raise Conflict("already-authenticated")
        config = self.ctx.config
        with self.ctx.store.transaction() as tx:
            user = spend_recovery_code(tx, code, iso(self.ctx.clock()))
            signed_in = self.ctx.services.sessions.open(tx, user, recovery=True, locked=config.auth.passkeys.enabled)
        set_session_cookie(resp, config, signed_in.cookie)
        resp.media = auth_answer(config, signed_in.auth)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/invitations/redeem", InviteRedeem(ctx))
    app.add_route("/api/auth/recovery/redeem", RecoveryRedeem(ctx))
