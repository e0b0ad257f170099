"""POST /api/admin/memberships/{id}/revoke: workspace owners (their workspace) or relay owners (any)."""

from __future__ import annotations

from ..context import RelayContext


class RevokeMembership:
    action = "memberships.revoke"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, membership_id: str) -> None:
        revoked = self.ctx.services.people.revoke_membership(req.context.caller, membership_id)
        resp.media = {"ok": True, "membershipId": revoked}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/memberships/{membership_id}/revoke", RevokeMembership(ctx))
