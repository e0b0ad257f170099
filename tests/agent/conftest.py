"""Agent test fixtures: configs, a recording stand-in for the relay client, the real Codex CLI, the agent's
own dispatcher and runner, a live relay for the agent process (and a connect that pauses), the Codex
end-to-end stack."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.agent_app.dispatch import TaskContext
from mobile_codex.agent_app.relay_client import RelayRefused
from mobile_codex.agent_app.runner import TaskRunner
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugins import load_plugins
from mobile_codex.core.timeutil import system_clock

from ..relay.agent_helpers import LiveRelay
from .model_server import ModelServer
from .stack import Stack

REPO = Path(__file__).resolve().parents[2]
CODEX_VERSION = "0.169.0"
DEFAULT_CODEX = REPO / ".cache" / "codex" / "node_modules" / ".bin" / "codex"


@pytest.fixture(scope="session")
def codex_bin() -> str:
    """The real Codex CLI the test command installs; missing means failing, never skipping."""
    path = os.environ.get("MOBILE_CODEX_TEST_CODEX") or str(DEFAULT_CODEX)
    if not Path(path).is_file():
        pytest.fail(f"the Codex CLI is not installed at {path}: run `bash .ci/test` (it installs @openai/codex@{CODEX_VERSION})")
    return path


@pytest.fixture(scope="module")
def model_server():
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, codex_bin, model_server):
    """Phone -> real relay -> agent -> real Codex -> the scripted model server, one per test module."""
    instance = Stack(tmp_path_factory.mktemp("codex-e2e"), codex_bin, model_server)
    yield instance
    instance.close()


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "workspace"
    root.mkdir()
    return root


@pytest.fixture
def agent_config(tmp_path, workspace):
    """agent_config(**overrides) -> AgentConfig (camelCase keys, as in the file)."""

    def make(**overrides):
        doc = {
            "relayBaseUrl": "http://127.0.0.1:9", "agentId": "box", "workspaceRoot": str(workspace),
            "stateDir": str(tmp_path / "state"), "pollIntervalMs": 250, **overrides,
        }  # fmt: skip
        path = tmp_path / "agent.json"
        path.write_text(json.dumps(doc))
        return load_agent_config(path)

    return make


@pytest.fixture
def config_file(tmp_path, live, workspace):
    """An agent config file for `live` (no Codex binary: the agent runs without it)."""
    path = tmp_path / "agent.json"
    path.write_text(json.dumps({
        "relayBaseUrl": f"http://127.0.0.1:{live.port}", "agentId": "agent-1", "workspaceRoot": str(workspace),
        "stateDir": str(tmp_path / "state" / "agent"), "pollIntervalMs": 250, "longPollMs": 2000,
        "codex": {"binary": "/nonexistent/codex"},
    }))  # fmt: skip
    return path


def dispatcher(config):
    """The agent's own task dispatcher for `config` (built-in plugins, no Codex binary)."""
    return build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(None)).runner.dispatcher


def runner_for(config, client, slots=2):
    return TaskRunner(client, dispatcher(config), slots=slots, per_update_bytes=config.max_task_log_bytes)


def finals(client) -> dict:
    """The last update with a status, by task id, of a RecordingClient."""
    return {t: b for t, b in client.updates if "status" in b}


class RecordingClient:
    """Stands in for RelayClient in runner tests: records updates; can refuse them with 409."""

    def __init__(self):
        self.updates: list[tuple[str, dict]] = []
        self.refuse_with: int | None = None
        self.finished = threading.Event()
        self.token = "tok"

    def update(self, task_id: str, body: dict) -> dict:
        if self.refuse_with:
            raise RelayRefused(self.refuse_with, "task-already-finished")
        self.updates.append((task_id, body))
        if body.get("status") in ("completed", "failed", "canceled"):
            self.finished.set()
        return {"ok": True}

    def output(self, task_id: str) -> str:
        return "".join(b.get("outputAppend", "") for t, b in self.updates if t == task_id)

    def final(self, task_id: str) -> dict:
        return next(b for t, b in reversed(self.updates) if t == task_id and "status" in b)


@pytest.fixture
def recording_client():
    return RecordingClient()


class Collected:
    """A TaskContext whose output is collected in a string."""

    def __init__(self, task: dict):
        self.text = ""
        self.cancel = threading.Event()
        self.ctx = TaskContext(task=task, output=self._add, cancel=self.cancel)

    def _add(self, text: str) -> None:
        self.text += text


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def processes_with(marker: str) -> list[int]:
    """Live pids whose command line contains `marker`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if marker.encode() in handle.read() and pid_alive(int(entry)):
                        found.append(int(entry))
            except OSError:
                pass
    return found


def wait_dead(pid: int, timeout: float = 3.0) -> bool:
    """True once `pid` is gone (SIGKILL is delivered asynchronously)."""
    import time

    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def live(tmp_path):
    """The real relay (waitress in a thread, sqlite) on a free port, with the system clock."""
    (tmp_path / "relay").mkdir()
    relay = LiveRelay(tmp_path / "relay", clock=system_clock)
    yield relay
    relay.close()


class PausedConnect:
    """Opens connections like the client does, but holds connection number `hold` until `go`."""

    def __init__(self, hold: int):
        self.hold = hold
        self.count = 0
        self.paused = threading.Event()
        self.go = threading.Event()

    def __call__(self, conn) -> None:
        self.count += 1
        if self.count == self.hold:
            self.paused.set()
            self.go.wait(30)
        conn.connect()
