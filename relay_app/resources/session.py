"""Signing in and out: auth status, bootstrap login, one-time login codes, logout, workspace switch."""

from __future__ import annotations

from ..context import RelayContext
from ..fields import text
from ..http.cookies import clear_session_cookie, read_session_cookie, set_session_cookie
from ..views.auth import auth_answer, auth_view


class AuthStatus:
    action = "auth.status"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        caller = req.context.caller
        state = self.ctx.services.sessions.auth_state(caller)
        resp.media = {"ok": True, "authenticated": caller is not None, "auth": auth_view(self.ctx.config, state)}
        # A dead cookie is cleared by the middleware (RequestGate.process_response).


class BootstrapLogin:
    action = "public"  # the bootstrap token is the credential
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        signed_in = self.ctx.services.sessions.sign_in_with_bootstrap_token(text(req.context.body, "bootstrapToken", 4096))
        set_session_cookie(resp, self.ctx.config, signed_in.cookie)
        resp.media = auth_answer(self.ctx.config, signed_in.auth)


class LoginCodeRedeem:
    """POST /api/auth/login-code (ours): a one-time code from the server's command line -> owner session."""

    action = "public"  # the login code is the credential
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        signed_in = self.ctx.services.sessions.sign_in_with_login_code(text(req.context.body, "loginCode", 120))
        set_session_cookie(resp, self.ctx.config, signed_in.cookie)
        resp.media = auth_answer(self.ctx.config, signed_in.auth)


class Logout:
    action = "public"  # ends whatever session the cookie names

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        self.ctx.services.sessions.sign_out(read_session_cookie(req, self.ctx.config))
        clear_session_cookie(resp, self.ctx.config)
        resp.media = {"ok": True}


class SwitchWorkspace:
    action = "workspace.switch"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        workspace_id = text(req.context.body, "workspaceId", 120, required=True)
        state = self.ctx.services.sessions.switch_workspace(req.context.caller, workspace_id)
        resp.media = auth_answer(self.ctx.config, state)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/status", AuthStatus(ctx))
    app.add_route("/api/auth/login", BootstrapLogin(ctx))
    app.add_route("/api/auth/login-code", LoginCodeRedeem(ctx))
    app.add_route("/api/auth/logout", Logout(ctx))
    app.add_route("/api/auth/workspace", SwitchWorkspace(ctx))
