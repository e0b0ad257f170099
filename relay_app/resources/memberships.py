"""POST /api/admin/memberships/{id}/revoke: workspace owners (their workspace) or relay owners (any)."""

from __future__ import annotations

from mobile_codex.core.timeutil import iso

from ..context import RelayContext
from ..services import memberships


class RevokeMembership:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, membership_id: str) -> None:
        caller = req.context.caller
        memberships.authorize(caller)
        with self.ctx.store.transaction() as tx:
            revoked = memberships.revoke_membership(tx, caller, membership_id, iso(self.ctx.clock()))
        resp.media = {"ok": True, "membershipId": revoked}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/memberships/{membership_id}/revoke", RevokeMembership(ctx))
