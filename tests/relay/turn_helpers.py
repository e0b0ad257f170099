"""Helpers for interactive-turn tests over real HTTP: a relay, a phone, and a scripted agent that
advertises the interactive modes and reports a turn's conversation with its agent token."""

from __future__ import annotations

from mobile_codex.core.interactive import request_digest

from .agent_helpers import LiveRelay, pair_over_http

EXEC_MODES = [
    {"id": "read-only", "label": "Read only", "writes": False},
    {"id": "chat", "label": "Chat", "writes": False, "interactive": True},
    {"id": "supervised", "label": "Supervised", "writes": True, "interactive": True},
    {"id": "pairing", "label": "Pair programming", "writes": False, "interactive": True},
]


class Turns:
    """One live relay with a signed-in phone and a paired agent that advertised the interactive modes."""

    def __init__(self, folder, **overrides):
        folder.mkdir(parents=True, exist_ok=True)
        self.live = LiveRelay(folder, **overrides)
        self.phone = self.live.phone()
        self.agent = pair_over_http(self.live, self.phone)
        self.poll(
            codexAvailable=True, codexVersion="0.169.0", execModes=EXEC_MODES, codexSignedIn=True,
            conversationModels=["gpt-5.1-codex", "gpt-5"], conversationEfforts=["low", "high"],
        )  # fmt: skip

    def poll(self, **body) -> dict:
        status, reply = self.agent.post("/api/agent/poll", body)
        assert status == 200, reply
        return reply

    def create(self, **body):
        return self.phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "hi", "execMode": "chat", **body})

    def running(self, **body) -> str:
        """A claimed (running) interactive task's id."""
        status, made = self.create(**body)
        assert status == 201, made
        reply = self.poll(maxTasks=1)
        assert [task["taskId"] for task in reply["tasks"]] == [made["task"]["taskId"]], reply
        return made["task"]["taskId"]

    def update(self, task_id: str, **body):
        return self.agent.post(f"/api/agent/tasks/{task_id}/update", body)

    def add_request(self, task_id: str, request_id: str = "req-1", **fields) -> dict:
        request = command_request(task_id, request_id, **fields)
        status, body = self.update(task_id, requestsAdd=[request])
        assert status == 200, body
        return request

    def task(self, task_id: str) -> dict:
        status, state = self.phone.get("/api/admin/state")
        assert status == 200, state
        return next(task for task in state["tasks"] if task["taskId"] == task_id)

    def answer(self, task_id: str, request_id: str, decision: str, digest: str, *, phone=None, headers=None):
        return (phone or self.phone).post(
            f"/api/admin/tasks/{task_id}/requests/{request_id}/answer", {"decision": decision, "digest": digest},
            headers=headers,
        )  # fmt: skip

    def steer(self, task_id: str, text: str, *, phone=None, headers=None):
        return (phone or self.phone).post(f"/api/admin/tasks/{task_id}/steer", {"text": text}, headers=headers)

    def close(self) -> None:
        self.live.close()


def command_request(task_id: str, request_id: str = "req-1", **fields) -> dict:
    """A command approval as the agent sends it: clamped, with its digest."""
    request = {
        "requestId": request_id, "kind": "command", "title": "Run a command", "command": "make test", "cwd": ".",
        "reason": "to check the change", "changes": [], "decisions": ["accept", "decline", "cancel"], "truncated": False,
        **fields,
    }  # fmt: skip
    request["digest"] = request_digest(task_id, request)
    return request
