"""Pairing: codes for the phone, pair requests and their status for the agent, approve/reject."""

from __future__ import annotations

from ..context import RelayContext
from ..fields import clamped_int, text
from ..services.pairing import CODE_TTL_DEFAULT, CODE_TTL_MAX, CODE_TTL_MIN, NOTE_BUDGET
from ..views.agents_and_tasks import pair_request_view
from .agent_bodies import parse_pair_body


class CreatePairing:
    action = "pairing.create"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body = req.context.body
        note = text(body, "note", NOTE_BUDGET)
        ttl = clamped_int(body, "ttlSec", default=CODE_TTL_DEFAULT, lo=CODE_TTL_MIN, hi=CODE_TTL_MAX)
        issued = self.ctx.services.pairing.create_code(req.context.caller.workspace_id, note=note, ttl_sec=ttl)
        resp.status = 201
        resp.media = {
            "ok": True, "pairingId": issued.pairing.pairing_id, "pairingCode": issued.code,
            "expiresAt": issued.pairing.expires_at,
        }  # fmt: skip


class AgentPair:
    action = "public"  # the pairing code is the credential
    rate_limit = "pair"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        pending = self.ctx.services.pairing.request(parse_pair_body(req.context.body))
        resp.media = {
            "ok": True, "status": "pending", "requestId": pending.request.request_id,
            "requestToken": pending.request_token, "expiresAt": pending.request.expires_at,
        }  # fmt: skip


class AgentPairStatus:
    action = "public"  # the request token is the credential

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body = req.context.body
        request_id, request_token = text(body, "requestId", 120), text(body, "requestToken", 200)
        answer = self.ctx.services.pairing.status(request_id, request_token)
        resp.media = {"ok": True, "status": answer.status} | ({"token": answer.token} if answer.token else {})


class DecidePairRequest:
    action = "pairing.decide"

    def __init__(self, ctx: RelayContext, *, approve: bool):
        self.ctx = ctx
        self.approve = approve

    def on_post(self, req, resp, request_id: str) -> None:
        workspace_id = req.context.caller.workspace_id
        request = self.ctx.services.pairing.decide(workspace_id, request_id, approve=self.approve)
        resp.media = {"ok": True, "request": pair_request_view(request, self.ctx.clock())}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/pairings", CreatePairing(ctx))
    app.add_route("/api/agent/pair", AgentPair(ctx))
    app.add_route("/api/agent/pair/status", AgentPairStatus(ctx))
    app.add_route("/api/admin/pair-requests/{request_id}/approve", DecidePairRequest(ctx, approve=True))
    app.add_route("/api/admin/pair-requests/{request_id}/reject", DecidePairRequest(ctx, approve=False))
