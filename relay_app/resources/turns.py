"""A person's part in an interactive turn: answer a request, steer the turn (`tasks.answer`, `tasks.steer`)."""

from __future__ import annotations

from ..context import RelayContext
from ..services.task_values import Creator
from ..views.agents_and_tasks import task_view
from .intent_bodies import signed_part
from .task_bodies import idempotency_key
from .turn_bodies import parse_answer, parse_steer

ANSWER_BODY_CAP = 4096
STEER_BODY_CAP = 65536  # 12000 bytes of text, JSON-escaped


def _creator(req) -> Creator:
    user = req.context.caller.user
    return Creator(user.user_id, user.display_name)


class AnswerRequest:
    action = "tasks.answer"
    body_cap = ANSWER_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, task_id: str, request_id: str) -> None:
        decision, digest = parse_answer(req.context.body)
        state = self.ctx.services.turns.answer(
            req.context.caller.workspace_id, task_id, request_id, decision=decision, digest=digest,
            by=_creator(req), idempotency_key=idempotency_key(req), signed=signed_part(req.context.body, "answer"),
        )  # fmt: skip
        resp.media = {"ok": True, "task": task_view(state)}


class SteerTask:
    action = "tasks.steer"
    body_cap = STEER_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, task_id: str) -> None:
        text = parse_steer(req.context.body)
        state = self.ctx.services.turns.steer(
            req.context.caller.workspace_id, task_id, text, by=_creator(req), idempotency_key=idempotency_key(req),
            signed=signed_part(req.context.body, "steer"),
        )  # fmt: skip
        resp.media = {"ok": True, "task": task_view(state)}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/admin/tasks/{task_id}/requests/{request_id}/answer", AnswerRequest(ctx))
    app.add_route("/api/admin/tasks/{task_id}/steer", SteerTask(ctx))
