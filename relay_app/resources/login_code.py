"""POST /api/auth/login-code (ours): a one-time code from the server's command line -> owner session."""

from __future__ import annotations

from ..context import RelayContext
from ..fields import text
from ..http.cookies import set_session_cookie
from ..services.login_codes import spend_login_code
from .session import open_session


class LoginCodeRedeem:
    auth = None
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        code = text(req.context.body, "loginCode", 120)
        with self.ctx.store.transaction() as tx:
            user = tx.users.get(spend_login_code(tx, code, self.ctx.clock))
            cookie, auth = open_session(self.ctx, tx, user, recovery=True)
        set_session_cookie(resp, self.ctx.config, cookie)
        resp.media = {"ok": True, "auth": auth}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/login-code", LoginCodeRedeem(ctx))
