"""POST /api/admin/workspaces: any enrolled user makes a workspace, owns it and switches to it."""

from __future__ import annotations

from mobile_codex.core.timeutil import iso

from ..context import RelayContext
from ..errors import invalid_field
from ..fields import text
from ..services.auth_state import read_auth_state
from ..views.auth import auth_view
from ..views.people import workspace_view
from ..services.workspaces import WORKSPACE_NAME_BUDGET, create_workspace


class CreateWorkspace:
    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        name = text(req.context.body, "name", WORKSPACE_NAME_BUDGET, required=True).strip()
        if not name:
            raise invalid_field("name")
        with self.ctx.store.transaction() as tx:
            workspace = create_workspace(tx, req.context.caller, name, iso(self.ctx.clock()))
            state = read_auth_state(tx, self.ctx.services.sessions.refreshed(tx, req.context.caller))
            resp.status = 201
            resp.media = {"ok": True, "workspace": workspace_view(workspace), "auth": auth_view(self.ctx.config, state)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/workspaces", CreateWorkspace(ctx))
