"""POST /api/admin/memberships/{id}/revoke: workspace owners (their workspace) or relay owners (any)."""

from __future__ import annotations

from ..context import RelayContext
from ..services import memberships


class RevokeMembership:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, membership_id: str) -> None:
        caller = req.context.caller
        memberships.authorize(caller)
        resp.media = {"ok": True, "membershipId": self.ctx.services.people.revoke_membership(caller, membership_id)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/memberships/{membership_id}/revoke", RevokeMembership(ctx))
