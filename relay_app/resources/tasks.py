"""Tasks from the phone: create, approve, reject, cancel (who may: `tasks.*` in policy.py)."""

from __future__ import annotations

from ..context import RelayContext
from ..services.task_values import Creator
from ..views.agents_and_tasks import task_view
from .task_bodies import idempotency_key, parse_task_request

CREATE_BODY_CAP = 16384


class CreateTask:
    action = "tasks.create"
    body_cap = CREATE_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        caller = req.context.caller
        creator = Creator(caller.user.user_id, caller.user.display_name)
        request = parse_task_request(req.context.body)
        key = idempotency_key(req)
        state = self.ctx.services.tasks.create(caller.workspace_id, request, creator, idempotency_key=key)
        resp.status = 201
        resp.media = {"ok": True, "task": task_view(state)}


class TaskAction:
    def __init__(self, ctx: RelayContext, verb: str):
        self.ctx = ctx
        self.verb = verb
        self.action = f"tasks.{verb}"

    def on_post(self, req, resp, task_id: str) -> None:
        caller, tasks = req.context.caller, self.ctx.services.tasks
        if self.verb == "cancel":
            state = tasks.cancel(caller.workspace_id, task_id)
        else:
            approve = self.verb == "approve"
            state = tasks.decide(caller.workspace_id, task_id, approve=approve, user_id=caller.user.user_id)
        resp.media = {"ok": True, "task": task_view(state)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/tasks", CreateTask(ctx))
    for verb in ("approve", "reject", "cancel"):
        app.add_route(f"/api/admin/tasks/{{task_id}}/{verb}", TaskAction(ctx, verb))
