"""Pins the Agent rules of SECURITY.md ("Rules (each has a test)") where other tests left gaps.

The run_action and read_log tasks here reach the agent the way a relay hands them over: in a poll
reply, taken by the real Poller and run by the real TaskRunner. The reference relay rebuilds every
task from its own fields (TaskRequest / task_view), so a phone cannot smuggle `argv` or `path`
through it; a relay that did (or a compromised one) is what these tests play, so the extra fields
travel unchanged to the handlers. Codex runs go phone -> real relay -> agent -> real Codex.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
import uuid
from pathlib import Path

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.core.child_env import child_environment
from mobile_codex.agent_app.poller import Poller
from mobile_codex.agent_app.runner import TaskRunner
from mobile_codex.agent_app.token_store import TOKEN_FILE, TokenStore
from mobile_codex.core.plugins import load_plugins

from ..waiting import wait_until
from .cli_processes import paired_and_polling
from .conftest import finals, processes_with, runner_for, wait_dead
from .model_server import message
from .scripted_relay import Caps, ScriptedRelay


def hand_over(config, client, tmp_path, *tasks: dict) -> dict[str, dict]:
    """Give `tasks` to the real poller in one poll reply, as sent; the final update of each."""
    runner = runner_for(config, client)
    relay = ScriptedRelay([{"ok": True, "tasks": [{"status": "running", **task} for task in tasks], "heldMs": 0}])
    store = TokenStore(tmp_path / "poll-state", relay_base_url="http://r", agent_id="box")
    relay.poller = Poller(relay, runner, Caps(), store, long_poll_ms=0, poll_interval_ms=50, say=lambda _: None)
    relay.poller.run()  # returns once the scripted reply is taken; the runner works on
    wait_until(lambda: all(task["taskId"] in finals(client) for task in tasks))
    return finals(client)


def passwd_line() -> str:
    return Path("/etc/passwd").read_text().splitlines()[0]


# --- `cwd` of Codex runs must resolve (symlinks resolved) inside workspaceRoot ------------------


def test_codex_run_cwd_must_resolve_inside_workspace_root(stack, model_server):
    outside = stack.folder / "outside"
    outside.mkdir()
    (stack.workspace / "escape").symlink_to(outside)
    (stack.workspace / "inside").mkdir()
    model_server.reset()
    for cwd in ("..", str(outside), "escape", "escape/.", "inside/../.."):
        view = stack.run(type="codex_exec", prompt=f"run in {cwd}", cwd=cwd)
        assert (view["status"], view["error"]) == ("failed", "path-outside-workspace"), (cwd, view)
    assert model_server.requests == []  # Codex never started

    model_server.script(message("ran inside"))  # the control: the same path does start Codex
    view = stack.run(type="codex_exec", prompt="run inside", cwd="inside")
    assert view["status"] == "completed" and view["summary"] == "ran inside", view
    assert len(model_server.requests) == 1
    assert any(str(stack.workspace / "inside") in text for text in model_server.texts())


# --- a NUL byte in a task field fails the task with a stable code ------------------------------


def test_a_nul_byte_in_an_argument_field_fails_the_task_with_a_stable_code(agent_config, recording_client, codex_bin, tmp_path):
    """A relay (an older one, or not ours) may pass one on: no `agent-error: ValueError`, nothing run."""
    config = agent_config(actions={"show": {"argv": ["true"]}}, logSources={"app": {"path": str(tmp_path / "app.log")}})
    agent = build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(codex_bin, "0"))
    runner = TaskRunner(recording_client, agent.runner.dispatcher, slots=2, per_update_bytes=config.max_task_log_bytes)
    tasks = [
        {"type": "codex_exec", "prompt": "hi\0there"},
        {"type": "codex_exec", "prompt": "hi", "cwd": "src\0"},
        {"type": "codex_exec", "prompt": "hi", "resumeSessionId": "01a21488-512b-7060-8b60-bb29a9ebe3f3\0"},
        {"type": "run_action", "actionId": "show\0"},
        {"type": "read_log", "logSourceId": "app\0"},
        {"type": "read_session", "sessionId": "01a21488-512b-7060-8b60-bb29a9ebe3f3\0"},
    ]
    for n, task in enumerate(tasks):
        runner.submit({"taskId": f"task_{n}", "status": "running", **task})
    wait_until(lambda: len(finals(recording_client)) == len(tasks))
    for n, task in enumerate(tasks):
        final = finals(recording_client)[f"task_{n}"]
        assert (final["status"], final["error"]) == ("failed", "invalid-task-field"), (task, final)
        assert "NUL byte" in recording_client.output(f"task_{n}")


# --- the phone sends only an action id ---------------------------------------------------------


def test_the_phone_sends_only_an_action_id(agent_config, recording_client, workspace, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    pwned = tmp_path / "pwned"
    script = 'echo configured-argv-ran; pwd; echo "INJECTED=${INJECTED-unset}"; echo "args=$#"'
    config = agent_config(actions={"show": {"argv": ["sh", "-c", script]}})
    smuggled = {
        "argv": ["sh", "-c", f"touch {pwned}"], "command": f"touch {pwned}", "shell": True,
        "cwd": str(outside), "env": {"INJECTED": "yes", "LD_PRELOAD": "/tmp/evil.so"}, "timeoutSec": 0,
    }  # fmt: skip
    done = hand_over(
        config, recording_client, tmp_path,
        {"taskId": "task_1", "type": "run_action", "actionId": "show", **smuggled},
        {"taskId": "task_2", "type": "run_action", "actionId": "nope", **smuggled},
        {"taskId": "task_3", "type": "run_action", **smuggled},
    )  # fmt: skip
    assert done["task_1"]["status"] == "completed" and done["task_1"]["result"]["actionId"] == "show", done
    lines = recording_client.output("task_1").splitlines()
    assert lines == [f"argv: {json.dumps(['sh', '-c', script])}", "configured-argv-ran", str(workspace.resolve()), "INJECTED=unset", "args=0"]
    for task_id in ("task_2", "task_3"):
        assert (done[task_id]["status"], done[task_id]["error"]) == ("failed", "unknown-action")
    assert not pwned.exists() and list(outside.iterdir()) == []


# --- log reads only from configured sources; the phone sends only an id -------------------------


def test_logs_are_read_only_from_configured_sources(agent_config, recording_client, tmp_path):
    app_log = tmp_path / "app.log"
    app_log.write_text("app line 1\napp line 2\n")
    config = agent_config(logSources={"app": {"path": str(app_log)}})
    bad_ids = ["/etc/passwd", "../x", "../../../../../../etc/passwd", "app/../app", str(app_log)]
    tasks = [{"taskId": f"task_{n}", "type": "read_log", "logSourceId": bad} for n, bad in enumerate(bad_ids)]
    tasks.append({"taskId": "task_path", "type": "read_log", "logSourceId": "app", "path": "/etc/passwd", "maxLines": 5000})
    tasks.append({"taskId": "task_noid", "type": "read_log", "path": "/etc/passwd"})
    done = hand_over(config, recording_client, tmp_path, *tasks)
    for task in tasks[:-2] + tasks[-1:]:
        final = done[task["taskId"]]
        assert (final["status"], final["error"]) == ("failed", "unknown-log-source"), (task, final)
    assert done["task_path"]["status"] == "completed", done["task_path"]
    assert done["task_path"]["result"]["logSourceId"] == "app"
    assert recording_client.output("task_path") == "app line 1\napp line 2\n"
    everything_sent = json.dumps(recording_client.updates)
    assert passwd_line() not in everything_sent and "root:" not in everything_sent


# --- child processes get an allowlisted environment only ---------------------------------------

SPEC_NAMES = [
    "HOME", "PATH", "USER", "LOGNAME", "SHELL", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "TERM", "COLORTERM",
    "NO_COLOR", "CI", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GIT_ASKPASS", "GIT_SSH_COMMAND",
    "http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
]  # fmt: skip
SPEC_PREFIXED = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_HOME", "GIT_AUTHOR_NAME", "SSH_CONNECTION", "XDG_CONFIG_HOME"]
NOT_ALLOWED = [
    "LD_PRELOAD", "LD_LIBRARY_PATH", "PYTHONPATH", "PYTHONSTARTUP", "NODE_OPTIONS", "BASH_ENV",
    "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "MOBILE_CODEX_AGENT_TOKEN", "SECRET", "DATABASE_URL",
    "GITHUB_TOKEN", "SSHPASS", "OPENAI", "XDG", "openai_api_key", "LC_CTYPE", "PWD", "VIRTUAL_ENV",
]  # fmt: skip


def test_child_environment_is_the_spec_allowlist(agent_config, monkeypatch, tmp_path):
    source = {name: f"value-of-{name}" for name in SPEC_NAMES + SPEC_PREFIXED + NOT_ALLOWED}
    assert child_environment(source) == {name: source[name] for name in SPEC_NAMES + SPEC_PREFIXED}

    # Codex's children: the same filter over the agent's own environment, CODEX_HOME pinned.
    monkeypatch.setattr(os, "environ", dict(source))
    home = tmp_path / "codex-home"
    codex = build_agent(agent_config(codex={"homeDir": str(home)}), load_plugins(entry_points=[]), token="t",
                        codex_binary=CodexBinary(None)).codex  # fmt: skip
    env = codex.env()
    assert set(env) == set(SPEC_NAMES + SPEC_PREFIXED) and env["CODEX_HOME"] == str(home)
    assert env["HTTPS_PROXY"] == source["HTTPS_PROXY"] and env["OPENAI_API_KEY"] == source["OPENAI_API_KEY"]


# --- children run in their own process group ---------------------------------------------------


def test_a_child_runs_in_its_own_process_group(agent_config, recording_client):
    marker = f"own-group-probe-{uuid.uuid4().hex}"
    probe = "import os, time; print('ids', os.getpid(), os.getpgrp(), os.getsid(0), flush=True); time.sleep(60)"
    runner = runner_for(agent_config(actions={"probe": {"argv": [sys.executable, "-c", probe, marker]}}), recording_client)
    runner.submit({"taskId": "task_1", "type": "run_action", "actionId": "probe", "status": "running"})
    try:
        wait_until(lambda: "ids " in recording_client.output("task_1"))
        line = next(l for l in recording_client.output("task_1").splitlines() if l.startswith("ids "))
        pid, pgid, sid = map(int, line.split()[1:])
        assert processes_with(marker) == [pid]
        assert os.getpgid(pid) == pid == pgid == sid  # the child leads a new session and group
        assert os.getpgid(pid) != os.getpgrp() and os.getsid(pid) != os.getsid(0)
        runner.cancel("task_1")
        wait_until(lambda: "task_1" in finals(recording_client))
        assert finals(recording_client)["task_1"]["status"] == "canceled" and wait_dead(pid)
    finally:
        for leftover in processes_with(marker):  # only after a failure: never leave the probe behind
            os.kill(leftover, signal.SIGKILL)


# --- the agent token lives in stateDir (0600 in 0700), never in the config file ----------------


@pytest.mark.slow  # a `mobile-codex agent` process against a live relay
def test_the_agent_token_is_never_in_the_config_file(live, config_file, user_dirs, tmp_path):
    config_before = config_file.read_text()
    agent = paired_and_polling(live, config_file, user_dirs)
    agent.proc.terminate()
    assert agent.finish()[0] == 0

    state = tmp_path / "state" / "agent"
    token_file = state / TOKEN_FILE
    token = json.loads(token_file.read_text())["token"]
    assert isinstance(token, str) and len(token) >= 20
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert config_file.read_text() == config_before and token not in config_before
    holders = [p for p in tmp_path.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]
    assert holders == [token_file]  # nowhere else either: not the config, not the relay's data dir
