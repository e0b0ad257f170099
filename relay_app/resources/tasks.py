"""Tasks from the phone: create, approve, reject, cancel. Operators and owners only."""

from __future__ import annotations

from ..context import RelayContext
from ..services.task_requests import parse_task_request

CREATE_BODY_CAP = 16384


class CreateTask:
    body_cap = CREATE_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        workspace_id = req.context.caller.require_role("operator")
        task = self.ctx.services.tasks.create(workspace_id, parse_task_request(req.context.body))
        resp.status = 201
        resp.media = {"ok": True, "task": task}


class TaskAction:
    def __init__(self, ctx: RelayContext, action: str):
        self.ctx = ctx
        self.action = action

    def on_post(self, req, resp, task_id: str) -> None:
        workspace_id = req.context.caller.require_role("operator")
        tasks = self.ctx.services.tasks
        if self.action == "cancel":
            task = tasks.cancel(workspace_id, task_id)
        else:
            task = tasks.decide(workspace_id, task_id, approve=self.action == "approve")
        resp.media = {"ok": True, "task": task}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/tasks", CreateTask(ctx))
    for action in ("approve", "reject", "cancel"):
        app.add_route(f"/api/admin/tasks/{{task_id}}/{action}", TaskAction(ctx, action))
