"""A whole installation in one test process: a real relay over HTTP, a real agent, the real Codex.

The relay (waitress in a thread, sqlite) and the agent (its poll loop in a thread) talk only over
HTTP; the phone's calls go over HTTP too. Codex talks to the scripted model server.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.core.config import load_agent_config
from mobile_codex.core.plugins import load_plugins
from mobile_codex.relay_app.views.agents_and_tasks import task_view
from mobile_codex.core.timeutil import system_clock
from mobile_codex.core.task_catalog import TERMINAL

from ..relay.agent_helpers import LiveRelay, agent_key, only_agent, pair_over_http
from .model_server import ModelServer



def git(workspace: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workspace), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    return subprocess.run(["git", *args], cwd=workspace, env=env, check=True, capture_output=True, text=True).stdout


def git_workspace(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "tracked.txt").write_text("line one\n")
    git(root, "init", "-q")
    git(root, "add", "tracked.txt")
    git(root, "commit", "-qm", "init")
    return root


def write_agent_config(folder: Path, relay_url: str, workspace: Path, codex_bin: str, codex_home: Path,
                       overrides: dict | None = None) -> Path:  # fmt: skip
    """`folder/agent.json` for agent-1 with write mode on, polling `relay_url` briskly."""
    doc = {
        "relayBaseUrl": relay_url, "agentId": "agent-1", "workspaceRoot": str(workspace),
        "stateDir": str(folder / "agent-state"), "pollIntervalMs": 250, "longPollMs": 2000,
        "features": {"codexExecWrite": True},
        "codex": {"binary": codex_bin, "homeDir": str(codex_home)},
        **(overrides or {}),
    }  # fmt: skip
    path = folder / "agent.json"
    path.write_text(json.dumps(doc))
    return path


class AgentThread:
    """The real agent of `config_path`, its poll loop in a thread; ready once its first poll has told
    the relay what it can run. A failure of the loop is kept in `errors` for the test to show."""

    def __init__(self, config_path: Path, token: str):
        self.config = load_agent_config(config_path)
        plugins = load_plugins(allow=self.config.plugins.allow, flags=self.config.features)
        self.agent = build_agent(self.config, plugins, token=token, say=lambda message: None)
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while self.agent.poller.polls == 0:
            assert not self.errors and time.monotonic() < deadline, self.errors
            time.sleep(0.02)

    def _run(self) -> None:
        try:
            self.agent.run()
        except BaseException as err:
            self.errors.append(err)

    def stop(self) -> None:
        self.agent.stop()
        self.thread.join(15)


class Stack:
    def __init__(self, folder: Path, codex_bin: str, model: ModelServer, *, agent_overrides: dict | None = None,
                 relay_features: dict | None = None, extra_sys_path: str | None = None):  # fmt: skip
        self.folder = folder
        self.model = model
        self.codex_bin = codex_bin
        self.codex_home = model.write_codex_home(folder / "codex-home")
        self.workspace = git_workspace(folder / "workspace")
        (folder / "relay").mkdir()
        self.live = LiveRelay(folder / "relay", clock=system_clock, features={"codexExecWrite": True, **(relay_features or {})})
        self.phone = self.live.phone()
        agent_http = pair_over_http(self.live, self.phone, "agent-1")
        config_path = write_agent_config(folder, f"http://127.0.0.1:{self.live.port}", self.workspace, codex_bin,
                                         self.codex_home, agent_overrides)  # fmt: skip
        if extra_sys_path:
            sys.path.insert(0, extra_sys_path)
        self.runner = AgentThread(config_path, agent_http.token)
        self.config, self.agent, self.errors, self.thread = (
            self.runner.config, self.runner.agent, self.runner.errors, self.runner.thread
        )  # fmt: skip

    def close(self):
        self.runner.stop()
        self.live.close()

    # --- the phone ----------------------------------------------------------------------------

    def create(self, **body) -> dict:
        status, reply = self.phone.post("/api/admin/tasks", {"agentId": "agent-1", **body})
        assert status == 201, reply
        return reply["task"]

    def view(self, task_id: str) -> dict:
        ctx = self.live.app.relay
        with ctx.store.transaction(write=False) as tx:
            task = tx.tasks.get(task_id)
        return task_view(ctx.services.tasks.state(task))

    def wait(self, task_id: str, until=lambda view: view["status"] in TERMINAL, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            view = self.view(task_id)
            if until(view):
                return view
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, f"task {task_id} stuck: {view}"
            time.sleep(0.05)

    def run(self, **body) -> dict:
        """Create a task, approve it if it needs approval, and wait until it ends."""
        task = self.create(**body)
        if task["status"] == "awaiting_approval":
            status, reply = self.phone.post(f"/api/admin/tasks/{task['taskId']}/approve")
            assert status == 200, reply
        return self.wait(task["taskId"])

    def advertised_sessions(self) -> list[dict]:
        return self.live.app.relay.services.agents.presence.sessions(agent_key(self.live.app.relay.store, "agent-1"))

    def agent_record(self):
        return only_agent(self.live.app.relay.store, "agent-1")
