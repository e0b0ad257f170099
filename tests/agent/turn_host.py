"""Running interactive turns through the agent's own dispatcher against the real Codex app-server.

`TurnRecorder` is the runner's real TurnChannel with every report recorded, so a test sees exactly
what the phone would get. `TurnHost` builds a real agent (real Codex,
the scripted model server, one CODEX_HOME shared by a module's tests) and runs turns in threads.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.app_server.process import PID_DIR
from mobile_codex.agent_app.dispatch import TaskContext
from mobile_codex.agent_app.turn_channel import Answer, TurnChannel
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugins import load_plugins

from ..waiting import wait_until


class TurnRecorder:
    """The runner's real TurnChannel, with what it would queue for the relay recorded instead."""

    def __init__(self, cancel: threading.Event | None = None) -> None:
        self.reports: list[dict] = []
        self.waiting: list[bool] = []
        self._lock = threading.Lock()
        self.channel = TurnChannel(queue_fields=self._record, on_waiting=self.waiting.append, cancel=cancel or threading.Event())
        self.report, self.next_input, self.waiting_for_person = self.channel.report, self.channel.next_input, self.channel.waiting_for_person

    def _record(self, **fields) -> None:
        with self._lock:
            self.reports.append({k: v for k, v in fields.items() if v not in (None, [], ())})

    def give(self, item) -> None:
        assert self.channel.offer(item)

    def field(self, name: str) -> list:
        with self._lock:
            return [entry for report in self.reports for entry in report.get(name, [])]

    def items(self) -> dict[str, dict]:
        """The latest form of every item, by id."""
        return {item["itemId"]: item for item in self.field("items")}


class RunningTurn:
    def __init__(self, dispatcher, task: dict):
        self.task = task
        self.cancel = threading.Event()
        self.channel = TurnRecorder(self.cancel)
        self.output: list[str] = []
        self.result = None
        self.error: Exception | None = None
        ctx = TaskContext(task=task, output=self.output.append, cancel=self.cancel, turn=self.channel.channel)
        self.thread = threading.Thread(target=self._run, args=(dispatcher, ctx), daemon=True)
        self.thread.start()

    def _run(self, dispatcher, ctx) -> None:
        try:
            self.result = dispatcher.run(ctx)
        except Exception as err:
            self.error = err

    def request(self, number: int = 1, timeout: float = 60) -> dict:
        wait_until(lambda: len(self.channel.field("requests_add")) >= number or not self.thread.is_alive(), timeout=timeout)
        return self.channel.field("requests_add")[number - 1]

    def answer(self, request: dict, decision: str) -> None:
        self.channel.give(Answer(request["requestId"], decision, request["digest"]))

    def finish(self, timeout: float = 90):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the turn did not end"
        return self.result

    @property
    def text(self) -> str:
        return "".join(self.output)


class TurnHost:
    """An agent whose codex_exec handler runs turns; `restart()` builds a fresh agent on the same state."""

    def __init__(self, folder: Path, codex_bin: str, model, **overrides):
        self.folder = folder
        self.model = model
        self.home = model.write_codex_home(folder / "codex-home")
        self.workspace = folder / "workspace"
        self.workspace.mkdir(exist_ok=True)
        self.state = folder / "agent-state"
        self.doc = {
            "relayBaseUrl": "http://127.0.0.1:9", "agentId": "box", "workspaceRoot": str(self.workspace),
            "stateDir": str(self.state), "features": {"codexExecWrite": True},
            **overrides, "codex": {"binary": codex_bin, "homeDir": str(self.home), **overrides.get("codex", {})},
        }  # fmt: skip
        self.restart()

    def restart(self, **overrides) -> None:
        path = self.folder / "agent.json"
        path.write_text(json.dumps({**self.doc, **overrides}))
        self.agent = build_agent(load_agent_config(path), load_plugins(entry_points=[]), token="t")
        self.dispatcher = self.agent.runner.dispatcher
        self.interactive = self.dispatcher.handlers["codex_exec"].interactive
        self._count = getattr(self, "_count", 0)

    def server_pids(self) -> list[int]:
        """The app-servers running now, by their pid files."""
        return [int(p.stem) for p in (self.state / PID_DIR).glob("*.pid")]

    def start(self, prompt: str, mode: str = "supervised", **fields) -> RunningTurn:
        self._count += 1
        task = {"taskId": f"t{self._count}-{time.monotonic_ns()}", "type": "codex_exec", "execMode": mode, "prompt": prompt, **fields}
        return RunningTurn(self.dispatcher, task)
