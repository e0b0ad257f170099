"""GET /api/health: is the relay up, and what time does it think it is (liveness).
GET /api/ready: can it serve requests now (readiness): its store answers a read and its volatile
store (Redis, with several replicas) answers too.

A load balancer (Caddy's active health checks) asks /api/ready, so a replica whose database is
unreachable stops getting requests until it is back, while /api/health keeps saying the process
itself is alive (restarting it would not help).
"""

from __future__ import annotations

from mobile_codex.core.errors import StorageError, VolatileStoreUnavailable
from mobile_codex.core.timeutil import iso

from ..context import RelayContext
from ..errors import ServiceUnavailable


class Health:
    action = "public"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        resp.media = {"ok": True, "now": iso(self.ctx.clock())}


class Ready:
    action = "public"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        try:
            with self.ctx.store.transaction(write=False) as tx:
                tx.get_meta()
        except StorageError:
            raise ServiceUnavailable("not-ready", detail="storage") from None
        try:
            self.ctx.shared.epoch()
        except VolatileStoreUnavailable:
            raise ServiceUnavailable("not-ready", detail="volatile") from None
        resp.media = {"ok": True, "storage": "ok", "volatile": "ok"}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/health", Health(ctx))
    app.add_route("/api/ready", Ready(ctx))
