"""POST /api/auth/login-code (ours): a one-time code from the server's command line -> owner session."""

from __future__ import annotations

from ..context import RelayContext
from ..fields import text
from ..http.cookies import set_session_cookie
from ..services.auth_view import auth_view
from ..services.login_codes import spend_login_code
from .session import first_workspace


class LoginCodeRedeem:
    auth = None
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        code = text(req.context.body, "loginCode", 120)
        with self.ctx.store.transaction() as tx:
            user = tx.users.get(spend_login_code(tx, code, self.ctx.clock))
            cookie = self.ctx.sessions.create(tx, user_id=user.user_id, workspace_id=first_workspace(tx, user), recovery=True)
            resp.media = {"ok": True, "auth": auth_view(tx, self.ctx.config, self.ctx.sessions.resolve(tx, cookie))}
        set_session_cookie(resp, self.ctx.config, cookie)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/login-code", LoginCodeRedeem(ctx))
