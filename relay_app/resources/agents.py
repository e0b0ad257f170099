"""Agent revocation (`agents.revoke`: workspace owners): effective on the agent's very next request."""

from __future__ import annotations

from ..context import RelayContext


class RevokeAgent:
    action = "agents.revoke"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, agent_id: str) -> None:
        self.ctx.services.agents.revoke(req.context.caller.workspace_id, agent_id)
        resp.media = {"ok": True}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/agents/{agent_id}/revoke", RevokeAgent(ctx))
