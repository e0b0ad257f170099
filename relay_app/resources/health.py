"""GET /api/health: is the relay up, and what time does it think it is."""

from __future__ import annotations

from mobile_codex.core.timeutil import iso

from ..context import RelayContext


class Health:
    action = "public"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        resp.media = {"ok": True, "now": iso(self.ctx.clock())}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/health", Health(ctx))
