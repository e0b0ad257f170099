"""The agent's side of the API: poll (long-poll included) and task updates. Bearer-token auth."""

from __future__ import annotations

import json

import falcon

from ..context import RelayContext
from ..http.parsed_bodies import ParsedBodies
from ..services.signed_intents import signed_fields
from ..views.agents_and_tasks import task_view
from .agent_bodies import parse_poll, poll_may_wait
from .task_bodies import parse_task_update

POLL_BODY_CAP = 131072
UPDATE_BODY_CAP = 1024 * 1024
# The reply to an idle poll (nothing to claim, cancel, answer or steer, not held), the relay's most
# frequent answer, serialized once as falcon's JSON handler would (ensure_ascii off).
IDLE_REPLY = json.dumps(
    {"ok": True, "tasks": [], "cancelTaskIds": [], "heldMs": 0, "answers": [], "steers": []}, ensure_ascii=False
).encode()


class Poll:
    action = "agent"
    body_cap = POLL_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx
        # An idle agent sends the same report every poll: read once (http/parsed_bodies.py).
        self.parsed_bodies = ParsedBodies(parse_poll)

    def agent_look(self, req, tx, agent):
        """The poll's first look at the store, in the token check's transaction (middleware)."""
        known = req.context.parsed
        may_wait = known.value.wait_ms > 0 if known is not None else poll_may_wait(req.context.body)
        return self.ctx.services.agents.look(tx, agent, may_wait=may_wait)

    def on_post(self, req, resp) -> None:
        known = req.context.parsed
        request = known.value if known is not None else self.parsed_bodies.parse(req.context.raw_body, req.context.body)
        reply = self.ctx.services.agents.poll(req.context.agent, request)
        if reply.idle():
            resp.content_type = falcon.MEDIA_JSON
            resp.data = IDLE_REPLY
            return
        media = {
            "ok": True, "tasks": [{**task_view(state), **signed_fields(state.text)} for state in reply.tasks],
            "cancelTaskIds": reply.cancel_ids,
            "heldMs": reply.held_ms, "answers": reply.owed.answers, "steers": reply.owed.steers,
        }  # fmt: skip
        if reply.token:
            media["agentToken"] = reply.token
        resp.media = media


class AgentTaskUpdate:
    action = "agent"  # its own tasks only (TaskService.update)
    body_cap = UPDATE_BODY_CAP

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp, task_id: str) -> None:
        update = parse_task_update(req.context.body)
        self.ctx.services.tasks.update(req.context.agent.agent, task_id, update)
        resp.media = {"ok": True}


class Goodbye:
    """POST /api/agent/goodbye (ours): the agent stops cleanly, so the app shows it offline at once."""

    action = "agent"

    def __init__(self, ctx: RelayContext):
        self.ctx = ctx

    def on_post(self, req, resp) -> None:
        self.ctx.services.agents.goodbye(req.context.agent)
        resp.media = {"ok": True}


def add_routes(app, ctx: RelayContext) -> None:
    app.add_route("/api/agent/poll", Poll(ctx))
    app.add_route("/api/agent/goodbye", Goodbye(ctx))
    app.add_route("/api/agent/tasks/{task_id}/update", AgentTaskUpdate(ctx))
