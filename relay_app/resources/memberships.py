"""Memberships: owners revoke one (POST /api/admin/memberships/{id}/revoke: workspace owners in
their workspace, relay owners in any); everyone lists their own and leaves one (ours, issue 21:
GET /api/auth/memberships, POST /api/auth/memberships/{id}/leave)."""

from __future__ import annotations

from ..context import RelayContext
from ..views.auth import auth_answer
from ..views.people import own_membership_view


class RevokeMembership:
    action = "memberships.revoke"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, membership_id: str) -> None:
        revoked = self.ctx.services.people.revoke_membership(req.context.caller, membership_id)
        resp.media = {"ok": True, "membershipId": revoked}


class OwnMemberships:
    action = "memberships.own"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        rows = self.ctx.services.people.own_memberships(req.context.caller)
        resp.media = {"ok": True, "memberships": [own_membership_view(row) for row in rows]}


class LeaveWorkspace:
    action = "memberships.own"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, membership_id: str) -> None:
        state = self.ctx.services.people.leave_workspace(req.context.caller, membership_id)
        resp.media = {**auth_answer(self.ctx.config, state), "membershipId": membership_id}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/memberships/{membership_id}/revoke", RevokeMembership(ctx))
    app.add_route("/api/auth/memberships", OwnMemberships(ctx))
    app.add_route("/api/auth/memberships/{membership_id}/leave", LeaveWorkspace(ctx))
