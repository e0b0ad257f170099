"""Pairing: codes for the phone, pair requests and their status for the agent, approve/reject."""

from __future__ import annotations

from ..context import RelayContext
from ..fields import text
from ..services.pairing import parse_pair_body


class CreatePairing:
    action = "pairing.create"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        resp.status = 201
        resp.media = self.ctx.services.pairing.create_code(req.context.caller.workspace_id, req.context.body)


class AgentPair:
    action = "public"  # the pairing code is the credential
    rate_limit = "pair"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        resp.media = self.ctx.services.pairing.request(parse_pair_body(req.context.body))


class AgentPairStatus:
    action = "public"  # the request token is the credential

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        body = req.context.body
        request_id, request_token = text(body, "requestId", 120), text(body, "requestToken", 200)
        resp.media = self.ctx.services.pairing.status(request_id, request_token)


class DecidePairRequest:
    action = "pairing.decide"

    def __init__(self, ctx: RelayContext, *, approve: bool):
        self.ctx = ctx
        self.approve = approve

    def on_post(self, req, resp, request_id: str) -> None:
        workspace_id = req.context.caller.workspace_id
        resp.media = self.ctx.services.pairing.decide(workspace_id, request_id, approve=self.approve)


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/pairings", CreatePairing(ctx))
    app.add_route("/api/agent/pair", AgentPair(ctx))
    app.add_route("/api/agent/pair/status", AgentPairStatus(ctx))
    app.add_route("/api/admin/pair-requests/{request_id}/approve", DecidePairRequest(ctx, approve=True))
    app.add_route("/api/admin/pair-requests/{request_id}/reject", DecidePairRequest(ctx, approve=False))
