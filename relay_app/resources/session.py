"""Signing in and out: auth status, bootstrap login, logout, workspace switch."""

from __future__ import annotations

from mobile_codex.core.crypto import same_secret, sha256_hex

from ..context import RelayContext
from ..errors import NotFound, Unauthorized
from ..fields import text
from ..http.cookies import clear_session_cookie, read_session_cookie, set_session_cookie
from ..services.auth_view import auth_view
from ..services.sessions import active_membership
from ..services.workspaces import move_session


def first_workspace(tx, user) -> str | None:
    """Where a fresh session starts: the last workspace used, else the oldest membership."""
    if active_membership(tx, user.user_id, user.last_workspace_id):
        return user.last_workspace_id
    memberships = tx.memberships.find(user_id=user.user_id, revoked_at=None, order_by="created_at", limit=1)
    return memberships[0].workspace_id if memberships else None


def open_session(ctx: RelayContext, tx, user, **session_flags) -> tuple[str, dict]:
    """Sign `user` in (inside `tx`), starting in their usual workspace.

    Returns the cookie value and the new `auth` view; set the cookie once `tx` has committed.
    """
    cookie = ctx.services.sessions.create(tx, user_id=user.user_id, workspace_id=first_workspace(tx, user), **session_flags)
    return cookie, auth_view(tx, ctx.config, ctx.services.sessions.resolve(tx, cookie))


class AuthStatus:
    auth = "optional-locked-ok"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        caller = req.context.caller
        with self.ctx.store.transaction(write=False) as tx:
            resp.media = {"ok": True, "authenticated": caller is not None, "auth": auth_view(tx, self.ctx.config, caller)}
        # A dead cookie is cleared by the middleware (RequestGate.process_response).


class BootstrapLogin:
    auth = None
    rate_limit = "login"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        token = text(req.context.body, "bootstrapToken", 4096)
        if not token or not same_secret(sha256_hex(token), self.ctx.config.bootstrap_admin_token_hash):
            raise Unauthorized("invalid-bootstrap-token")
        with self.ctx.store.transaction() as tx:
            user = tx.users.get(tx.get_meta().bootstrap_user_id)
            cookie, auth = open_session(self.ctx, tx, user, recovery=True)
        set_session_cookie(resp, self.ctx.config, cookie)
        resp.media = {"ok": True, "auth": auth}


class Logout:
    auth = None

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        self.ctx.services.sessions.end(read_session_cookie(req, self.ctx.config))
        clear_session_cookie(resp, self.ctx.config)
        resp.media = {"ok": True}


class SwitchWorkspace:
    auth = "locked-ok"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        caller = req.context.caller
        workspace_id = text(req.context.body, "workspaceId", 120, required=True)
        with self.ctx.store.transaction() as tx:
            if active_membership(tx, caller.user.user_id, workspace_id) is None:
                raise NotFound("workspace-not-found")
            move_session(tx, caller.session, workspace_id)
            caller = self.ctx.services.sessions.resolve(tx, read_session_cookie(req, self.ctx.config))
            resp.media = {"ok": True, "auth": auth_view(tx, self.ctx.config, caller)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/auth/status", AuthStatus(ctx))
    app.add_route("/api/auth/login", BootstrapLogin(ctx))
    app.add_route("/api/auth/logout", Logout(ctx))
    app.add_route("/api/auth/workspace", SwitchWorkspace(ctx))
