"""A relay double that speaks the interactive parts of the agent API, for driving the real agent.

Polls hand out queued tasks and repeat `answers[]` / `steers[]` until the agent reports them
resolved, applied or rejected (API.md "Interactive Codex"); every update body is recorded. A poll
is held briefly while nothing is new, and gives way to the agent's PollInterrupt.
"""

from __future__ import annotations

import threading
import time

from mobile_codex.agent_app.relay_client import PollInterrupted

HOLD_SEC = 0.2


class TurnRelay:
    def __init__(self) -> None:
        self.token = "t"
        self.bodies: list[dict] = []
        self.updates: list[tuple[str, dict]] = []
        self._tasks: list[dict] = []
        self._answers: list[dict] = []
        self._steers: list[dict] = []
        self._cond = threading.Condition()
        self.goodbyes = 0

    # --- the phone's side ---------------------------------------------------------------------

    def add_task(self, task: dict) -> None:
        with self._cond:
            self._tasks.append(task)
            self._cond.notify_all()

    def answer(self, task_id: str, request: dict, decision: str) -> None:
        with self._cond:
            self._answers.append({"taskId": task_id, "requestId": request["requestId"], "decision": decision,
                                  "digest": request["digest"]})  # fmt: skip
            self._cond.notify_all()

    def requests(self, task_id: str) -> list[dict]:
        with self._cond:
            return [r for t, b in self.updates if t == task_id for r in b.get("requestsAdd", [])]

    def final(self, task_id: str) -> dict | None:
        with self._cond:
            return next((b for t, b in self.updates if t == task_id and "status" in b), None)

    def field(self, task_id: str, name: str) -> list:
        with self._cond:
            return [entry for t, b in self.updates if t == task_id for entry in b.get(name, [])]

    # --- the agent's side (RelayClient's calls) -----------------------------------------------

    def poll(self, body: dict, interrupt=None) -> dict:
        started = time.monotonic()
        with self._cond:
            self.bodies.append(body)
            while not (self._tasks and body.get("maxTasks")) and time.monotonic() - started < HOLD_SEC:
                if interrupt is not None and interrupt.asked:
                    raise PollInterrupted("interrupted")
                self._cond.wait(0.02)
            tasks = self._tasks[: body.get("maxTasks") or 0]
            del self._tasks[: len(tasks)]
            return {"ok": True, "tasks": tasks, "answers": list(self._answers), "steers": list(self._steers),
                    "heldMs": int((time.monotonic() - started) * 1000)}  # fmt: skip

    def update(self, task_id: str, body: dict) -> dict:
        with self._cond:
            self.updates.append((task_id, body))
            done = {r["requestId"] for r in body.get("requestsResolved", [])}
            self._answers = [a for a in self._answers if a["requestId"] not in done]
            ended = set(body.get("steersApplied", [])) | {s["steerId"] for s in body.get("steersRejected", [])}
            self._steers = [s for s in self._steers if s["steerId"] not in ended]
            self._cond.notify_all()
        return {"ok": True}

    def goodbye(self) -> dict:
        with self._cond:
            self.goodbyes += 1
        return {"ok": True}
