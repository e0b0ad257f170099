"""An agent scripted step by step over real HTTP (the wire contract of API.md), for web tests of
interactive Codex turns: it pairs, polls, claims, posts updates, items and requests, and reads the
answers and steers a phone sent."""

from __future__ import annotations

import datetime

from mobile_codex.core.interactive import request_digest
from tests.relay.agent_helpers import pair_over_http
from tests.waiting import wait_until

from .conftest import WebRelay

EXEC_MODES = [
    {"id": "read-only", "label": "Read-only", "writes": False, "interactive": False},
    {"id": "workspace-write", "label": "Workspace write", "writes": True, "interactive": False},
    {"id": "chat", "label": "Chat", "writes": False, "interactive": True},
    {"id": "supervised", "label": "Supervised", "writes": True, "interactive": True},
]
def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ScriptedAgent:
    """The agent side of the wire contract, step by step, over real HTTP."""

    def __init__(self, relay: WebRelay, owner, signed_in: bool = True, models=(), efforts=(), require_signed: str | None = None):
        self.http = pair_over_http(relay, owner, "box-1")
        self.signed_in = signed_in
        self.choices = {"conversationModels": list(models), "conversationEfforts": list(efforts)}
        if require_signed is not None:  # its requireSignedIntents (issue 20): what the phone must sign
            self.choices["requireSignedIntents"] = require_signed
        self.answers: list[dict] = []
        self.steers: list[dict] = []

    def poll(self, *, wait_ms: int = 0, max_tasks: int = 0) -> dict:
        body = {
            "label": "Build box", "features": {"codexExecWrite": True}, "codexAvailable": True, "codexVersion": "0.169.0",
            "codexSignedIn": self.signed_in, "execModes": EXEC_MODES, "waitMs": wait_ms, "maxTasks": max_tasks,
            **self.choices,
        }  # fmt: skip
        status, reply = self.http.post("/api/agent/poll", body)
        assert status == 200, reply
        self.answers += [a for a in reply.get("answers", []) if a not in self.answers]
        self.steers += [s for s in reply.get("steers", []) if s not in self.steers]
        return reply

    def claim(self) -> dict:
        (task,) = wait_until(lambda: self.poll(wait_ms=1000, max_tasks=1)["tasks"], timeout=20, what="a task to claim")
        return task

    def answer_for(self, request_id: str) -> dict:
        wait_until(lambda: self.poll(wait_ms=1000) and [a for a in self.answers if a["requestId"] == request_id],
                   timeout=20, what=f"the answer to {request_id} in the agent's poll")  # fmt: skip
        return next(a for a in self.answers if a["requestId"] == request_id)

    def steer(self, text: str) -> dict:
        """The steer with this text, once a poll of the agent brought it."""
        def found():
            return self.poll(wait_ms=1000) and [s for s in self.steers if s["text"] == text]

        return wait_until(found, timeout=20, what=f"the steer {text!r} in the agent's poll")[0]

    def update(self, task_id: str, **body) -> None:
        status, reply = self.http.post(f"/api/agent/tasks/{task_id}/update", body)
        assert status == 200, reply

    def ask(self, task_id: str, **request) -> dict:
        """Add a pending request (with the digest of exactly what the phone will be shown)."""
        request = {"status": "pending", "decisions": ["accept", "decline", "cancel"], "requestedAt": now(), **request}
        request["digest"] = request_digest(task_id, request)
        self.update(task_id, requestsAdd=[request])
        return request


def item(item_id: str, kind: str, **fields) -> dict:
    return {"itemId": item_id, "type": kind, "at": now(), **fields}
