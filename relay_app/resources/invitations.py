"""Invitations: create (workspace or account) and revoke. The rules live in services/invitations.py."""

from __future__ import annotations

from mobile_codex.core.timeutil import iso

from ..context import RelayContext
from ..fields import choice, clamped_int, text
from ..services import invitations
from ..views.people import invitation_view
from ..policy import ROLES

NOTE_BUDGET = 120


class CreateInvitation:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body, caller = req.context.body, req.context.caller
        invite_type = choice(body, "type", invitations.INVITE_TYPES, default="workspace")
        workspace_id = invitations.authorize_create(caller, invite_type)
        role = choice(body, "role", ROLES, default="viewer")
        note = text(body, "note", NOTE_BUDGET)
        ttl = clamped_int(
            body, "ttlSec", default=invitations.TTL_DEFAULT, lo=invitations.TTL_MIN, hi=invitations.TTL_MAX
        )
        with self.ctx.store.transaction() as tx:
            code, invitation = invitations.create_invitation(
                tx, caller, invite_type=invite_type, workspace_id=workspace_id, role=role, note=note,
                ttl_sec=ttl, now=self.ctx.clock(),
            )  # fmt: skip
            resp.status = 201
            resp.media = {"ok": True, "inviteCode": code, "invitation": invitation_view(tx, invitation)}


class RevokeInvitation:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, invite_id: str) -> None:
        caller = req.context.caller
        invitations.authorize_revoke(caller)
        with self.ctx.store.transaction() as tx:
            invitation = invitations.revoke_invitation(tx, caller, invite_id, iso(self.ctx.clock()))
            resp.media = {"ok": True, "invitation": invitation_view(tx, invitation)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/invitations", CreateInvitation(ctx))
    app.add_route("/api/admin/invitations/{invite_id}/revoke", RevokeInvitation(ctx))
