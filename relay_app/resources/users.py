"""Relay user administration (relay owners): disable, enable, delete, end sessions, recovery codes."""

from __future__ import annotations

from mobile_codex.core.timeutil import iso

from ..context import RelayContext
from ..fields import clamped_int, text
from ..http.cookies import clear_session_cookie
from ..services import recovery, users
from ..views.people import managed_user_view, recovery_view

NOTE_BUDGET = 120


class UserResource:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def user_view(self, tx, user) -> dict:
        return managed_user_view(tx, user, meta=tx.get_meta(), now=iso(self.ctx.clock()))


class DisableUser(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        users.authorize(req.context.caller)
        with self.ctx.store.transaction() as tx:
            user = users.disable_user(tx, user_id, iso(self.ctx.clock()))
            resp.media = {"ok": True, "user": self.user_view(tx, user)}


class EnableUser(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        users.authorize(req.context.caller)
        with self.ctx.store.transaction() as tx:
            user = users.enable_user(tx, user_id)
            resp.media = {"ok": True, "user": self.user_view(tx, user)}


class DeleteUser(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        users.authorize(req.context.caller)
        with self.ctx.store.transaction() as tx:
            resp.media = {"ok": True, "userId": users.delete_user(tx, user_id)}


class RevokeUserSessions(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        caller = req.context.caller
        users.authorize(caller)
        with self.ctx.store.transaction() as tx:
            user, count = users.end_user_sessions(tx, user_id)
            resp.media = {"ok": True, "revokedSessions": count, "user": self.user_view(tx, user)}
        if user.user_id == caller.user.user_id:  # this very session ended too
            clear_session_cookie(resp, self.ctx.config)


class IssueRecoveryCode(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        body, caller = req.context.body, req.context.caller
        users.authorize(caller)
        ttl = clamped_int(body, "ttlSec", default=recovery.TTL_DEFAULT, lo=recovery.TTL_MIN, hi=recovery.TTL_MAX)
        note = text(body, "note", NOTE_BUDGET)
        with self.ctx.store.transaction() as tx:
            user = users.managed_user(tx, user_id)
            code, issued = recovery.issue_recovery_code(
                tx, user, created_by=caller.user.user_id, note=note, ttl_sec=ttl, now=self.ctx.clock()
            )
            resp.status = 201
            resp.media = {
                "ok": True, "recoveryCode": code, "recovery": recovery_view(tx, issued), "user": self.user_view(tx, user),
            }  # fmt: skip


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/users/{user_id}/disable", DisableUser(ctx))
    app.add_route("/api/admin/users/{user_id}/enable", EnableUser(ctx))
    app.add_route("/api/admin/users/{user_id}/delete", DeleteUser(ctx))
    app.add_route("/api/admin/users/{user_id}/sessions/revoke", RevokeUserSessions(ctx))
    app.add_route("/api/admin/users/{user_id}/recovery-codes", IssueRecoveryCode(ctx))
