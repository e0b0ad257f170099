"""Invitations: create (workspace or account) and revoke. The rules live in services/invitations.py."""

from __future__ import annotations

from .. import policy
from ..context import RelayContext
from ..fields import choice, clamped_int, text
from ..policy import ROLES
from ..services import invitations
from ..views.people import invitation_view

NOTE_BUDGET = 120


class CreateInvitation:
    action = "invitations.create"  # and then the rule of the invite's type, before its other fields

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body, caller = req.context.body, req.context.caller
        invite_type = choice(body, "type", invitations.INVITE_TYPES, default="workspace")
        policy.enforce(caller, invitations.rule_of(invite_type))
        role = choice(body, "role", ROLES, default="viewer")
        note = text(body, "note", NOTE_BUDGET)
        ttl = clamped_int(
            body, "ttlSec", default=invitations.TTL_DEFAULT, lo=invitations.TTL_MIN, hi=invitations.TTL_MAX
        )
        issued = self.ctx.services.people.create_invitation(caller, invite_type=invite_type, role=role, note=note, ttl_sec=ttl)
        resp.status = 201
        resp.media = {"ok": True, "inviteCode": issued.code, "invitation": invitation_view(issued.invitation)}


class RevokeInvitation:
    action = "invitations.revoke"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, invite_id: str) -> None:
        revoked = self.ctx.services.people.revoke_invitation(req.context.caller, invite_id)
        resp.media = {"ok": True, "invitation": invitation_view(revoked)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/invitations", CreateInvitation(ctx))
    app.add_route("/api/admin/invitations/{invite_id}/revoke", RevokeInvitation(ctx))
