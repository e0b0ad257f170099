"""Relay user administration (`users.manage`: relay owners): disable, enable, delete, end sessions, recovery codes."""

from __future__ import annotations

from ..context import RelayContext
from ..fields import clamped_int, text
from ..http.cookies import clear_session_cookie
from ..services import recovery
from ..views.people import managed_user_view, recovery_view

NOTE_BUDGET = 120


class UserResource:
    action = "users.manage"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx
        self.people = ctx.services.people


class DisableUser(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        resp.media = {"ok": True, "user": managed_user_view(self.people.disable_user(user_id))}


class EnableUser(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        resp.media = {"ok": True, "user": managed_user_view(self.people.enable_user(user_id))}


class DeleteUser(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        resp.media = {"ok": True, "userId": self.people.delete_user(user_id)}


class RevokeUserSessions(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        caller = req.context.caller
        ended = self.people.end_user_sessions(user_id)
        resp.media = {"ok": True, "revokedSessions": ended.count, "user": managed_user_view(ended.user)}
        if ended.user.user.user_id == caller.user.user_id:  # this very session ended too
            clear_session_cookie(resp, self.ctx.config)


class IssueRecoveryCode(UserResource):
    def on_post(self, req, resp, user_id: str) -> None:
        body, caller = req.context.body, req.context.caller
        ttl = clamped_int(body, "ttlSec", default=recovery.TTL_DEFAULT, lo=recovery.TTL_MIN, hi=recovery.TTL_MAX)
        note = text(body, "note", NOTE_BUDGET)
        issued = self.people.issue_recovery_code(caller, user_id, note=note, ttl_sec=ttl)
        resp.status = 201
        resp.media = {
            "ok": True, "recoveryCode": issued.code, "recovery": recovery_view(issued.recovery),
            "user": managed_user_view(issued.user),
        }  # fmt: skip


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/users/{user_id}/disable", DisableUser(ctx))
    app.add_route("/api/admin/users/{user_id}/enable", EnableUser(ctx))
    app.add_route("/api/admin/users/{user_id}/delete", DeleteUser(ctx))
    app.add_route("/api/admin/users/{user_id}/sessions/revoke", RevokeUserSessions(ctx))
    app.add_route("/api/admin/users/{user_id}/recovery-codes", IssueRecoveryCode(ctx))
