"""POST /api/admin/workspaces: any enrolled user makes a workspace, owns it and switches to it.

POST /api/admin/workspaces/current/settings (ours, issue 18): the current workspace's owners
change its settings, today `requireSecondApprover` (the two-person rule for approvals).
"""

from __future__ import annotations

from ..context import RelayContext
from ..errors import invalid_field
from ..fields import flag, text
from ..services.workspaces import WORKSPACE_NAME_BUDGET
from ..views.auth import auth_view
from ..views.people import workspace_view


class CreateWorkspace:
    action = "workspaces.create"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        name = text(req.context.body, "name", WORKSPACE_NAME_BUDGET, required=True).strip()
        if not name:
            raise invalid_field("name")
        created = self.ctx.services.people.create_workspace(req.context.caller, name)
        resp.status = 201
        resp.media = {"ok": True, "workspace": workspace_view(created.workspace), "auth": auth_view(self.ctx.config, created.auth)}


class WorkspaceSettings:
    action = "workspace.settings"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        require = flag(req.context.body, "requireSecondApprover", required=True)
        workspace = self.ctx.services.people.change_workspace_settings(req.context.caller, require_second_approver=require)
        resp.media = {"ok": True, "workspace": workspace_view(workspace)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/workspaces", CreateWorkspace(ctx))
    app.add_route("/api/admin/workspaces/current/settings", WorkspaceSettings(ctx))
