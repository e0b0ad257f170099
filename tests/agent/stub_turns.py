"""A dispatcher whose handler plays the part of an interactive turn through its TurnChannel, so the runner's and
poller's plumbing can be tested without an app-server (the real Codex turn is tested end to end elsewhere).

What a task does is named by its prompt:
- "ask": report a request, wait for a person, end with the decision it got (or fail `no-answer` at the timeout).
- "ask-later": the same once the test releases it (`release(task_id)`).
- "hold": run until the test releases it (`release(task_id)`), taking no input.
- "quick": end at once.
"""

from __future__ import annotations

import threading

from mobile_codex.agent_app.dispatch import TaskContext, TaskResult
from mobile_codex.agent_app.errors import TaskCanceled, TaskFailed
from mobile_codex.agent_app.turn_channel import Answer

DIGEST = "ab" * 32
INPUT_TIMEOUT = 60.0


def turn_task(n: int, prompt: str) -> dict:
    return {"taskId": f"task_{n}", "type": "codex_exec", "prompt": prompt, "execMode": "supervised", "status": "running"}


def answer(n: int, decision: str = "accept", digest: str = DIGEST) -> dict:
    return {"taskId": f"task_{n}", "requestId": f"req_{n}", "decision": decision, "digest": digest}


class StubTurns:
    """Stands in for the Dispatcher (TaskRunner calls `run` and reads `gate`); records what each turn saw."""

    gate = None  # no signed intents asked for: the runner passes answers and steers on unchecked

    def __init__(self) -> None:
        self.inputs: dict[str, list] = {}  # task id -> what next_input gave it
        self.turns: dict[str, object] = {}  # task id -> ctx.turn
        self.waiting: set[str] = set()
        self._released: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def release(self, task_id: str) -> None:
        self._gate(task_id).set()

    def run(self, ctx: TaskContext) -> TaskResult:
        task_id = ctx.task["taskId"]
        with self._lock:
            self.turns[task_id] = ctx.turn
            self.inputs[task_id] = []
        prompt = ctx.task.get("prompt")
        if prompt == "hold":
            while not self._gate(task_id).wait(0.05):
                if ctx.cancel.is_set():
                    raise TaskCanceled()
            return TaskResult(summary="released")
        if prompt == "ask-later":
            self._gate(task_id).wait(INPUT_TIMEOUT)
        elif prompt != "ask":
            return TaskResult(summary="quick")
        number = task_id.split("_")[1]
        ctx.turn.report(requests_add=[{"requestId": f"req_{number}", "kind": "command", "command": "ls", "digest": DIGEST}])
        ctx.turn.waiting_for_person(True)
        with self._lock:
            self.waiting.add(task_id)
        got = ctx.turn.next_input(INPUT_TIMEOUT)
        with self._lock:
            self.waiting.discard(task_id)
            self.inputs[task_id].append(got)
        ctx.turn.waiting_for_person(False)
        if ctx.cancel.is_set():
            raise TaskCanceled()
        if not isinstance(got, Answer):
            raise TaskFailed("no-answer", repr(got))
        ctx.turn.report(requests_resolved=[{"requestId": got.request_id, "status": "accepted"}])
        while (late := ctx.turn.next_input(0.2)) is not None:  # repeats the poll still brings: there are none
            with self._lock:
                self.inputs[task_id].append(late)
        return TaskResult(summary=got.decision)

    def _gate(self, task_id: str) -> threading.Event:
        with self._lock:
            return self._released.setdefault(task_id, threading.Event())
