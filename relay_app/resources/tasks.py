"""Tasks from the phone: create, list older ones, approve, reject, cancel (who may: `tasks.*` in policy.py).

`GET /api/admin/tasks?before=TASKID&limit=N` (ours, issue 18) pages past the state view's newest
100: the tasks after TASKID in the state view's order, and `nextBefore` to ask for the next page.
"""

from __future__ import annotations

import attrs

from ..context import RelayContext
from ..errors import invalid_field
from ..services.task_values import Creator
from ..views.agents_and_tasks import task_view
from .intent_bodies import check_create, signed_part
from .task_bodies import idempotency_key, parse_task_request

CREATE_BODY_CAP = 16384
PAGE_DEFAULT, PAGE_MAX = 50, 100


def page_limit(req) -> int:
    """`limit`, clamped to 1..100 (default 50); not an integer: 400 `invalid-field`."""
    raw = req.get_param("limit")
    if raw is None or raw == "":
        return PAGE_DEFAULT
    try:
        return max(1, min(int(raw), PAGE_MAX))
    except ValueError:
        raise invalid_field("limit") from None


class Tasks:
    action = {"POST": "tasks.create", "GET": "tasks.list"}
    body_cap = CREATE_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_get(self, req, resp) -> None:
        before = req.get_param("before") or None
        limit = page_limit(req)
        with self.ctx.store.transaction(write=False) as tx:
            states, next_before = self.ctx.services.tasks.older(tx, req.context.caller.workspace_id, before, limit)
        resp.media = {"ok": True, "tasks": [task_view(state) for state in states], "nextBefore": next_before}

    def on_post(self, req, resp) -> None:
        caller = req.context.caller
        creator = Creator(caller.user.user_id, caller.user.display_name)
        body = req.context.body
        request = parse_task_request(body)
        signed = signed_part(body, "task")
        if signed is not None:
            check_create(signed, body, request)
            request = attrs.evolve(request, signed=signed)
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
            signed = signed_part(req.context.body, "approve") if approve else None
            state = tasks.decide(caller.workspace_id, task_id, approve=approve, user_id=caller.user.user_id, signed=signed)
        resp.media = {"ok": True, "task": task_view(state)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/tasks", Tasks(ctx))
    for verb in ("approve", "reject", "cancel"):
        app.add_route(f"/api/admin/tasks/{{task_id}}/{verb}", TaskAction(ctx, verb))
