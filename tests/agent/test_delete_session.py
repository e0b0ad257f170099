"""delete_session under the child-process rules: cancel and the timeout kill the whole `codex delete`.

The npm `codex` is a node launcher that starts the native binary as its child, so killing only the
direct child would leave the native one running. To hold a real `codex delete` mid-run, the test
takes Codex's own thread-writer coordination lock, which `codex delete` waits for.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import threading
import time

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.agent_app.codex.session_tasks import DeleteSessionHandler
from mobile_codex.agent_app.codex.threads import CodexThreads
from mobile_codex.agent_app.errors import TaskCanceled, TaskFailed
from mobile_codex.core.plugins import load_plugins

from .conftest import Collected, processes_with, wait_dead
from .model_server import message


@pytest.fixture
def blocked_session(tmp_path, workspace, codex_bin, model_server, agent_config):
    """(codex, session id): a real session in the workspace whose `codex delete` cannot finish yet."""
    home = model_server.write_codex_home(tmp_path / "codex-home")
    model_server.reset()
    model_server.script(message("kept"))
    done = subprocess.run(
        [codex_bin, "exec", "--json", "--skip-git-repo-check", "-C", str(workspace), "--sandbox", "read-only", "--", "hi"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CODEX_HOME": str(home)},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    session_id = json.loads(done.stdout.splitlines()[0])["thread_id"]
    config = agent_config(codex={"binary": codex_bin, "homeDir": str(home)})
    codex = build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(codex_bin)).codex
    locks = home / "thread-writer-locks"
    locks.mkdir(exist_ok=True)
    with open(locks / ".coordination.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield codex, session_id  # releasing the lock lets anything left over finish


def start_delete(handler, session_id):
    """Run `handler` on a delete_session task in a thread; (thread, job, box with "error"), once the
    native codex has started (the launcher and it both carry the session id)."""
    job = Collected({"taskId": "task_1", "type": "delete_session", "sessionId": session_id})
    box: dict = {}

    def target():
        try:
            box["result"] = handler(job.ctx)
        except Exception as err:
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while len(processes_with(session_id)) < 2:
        assert time.monotonic() < deadline and thread.is_alive(), (box, job.text)
        time.sleep(0.05)
    return thread, job, box


def test_cancel_kills_the_whole_codex_delete_and_keeps_the_session(blocked_session):
    codex, session_id = blocked_session
    thread, job, box = start_delete(DeleteSessionHandler(codex), session_id)
    pids = processes_with(session_id)
    time.sleep(0.5)  # the point: well inside the wait for the lock, the delete is still blocked on it
    assert thread.is_alive() and processes_with(session_id) == pids
    job.cancel.set()
    thread.join(5)
    assert not thread.is_alive(), "cancel was ignored"
    assert isinstance(box.get("error"), TaskCanceled), box
    assert all(wait_dead(pid) for pid in pids), [p for p in pids if not wait_dead(p, 0)]
    assert CodexThreads(codex.home).get(session_id) is not None  # not deleted


def test_the_timeout_kills_the_launcher_and_the_native_codex(blocked_session):
    codex, session_id = blocked_session
    started = time.monotonic()
    thread, job, box = start_delete(DeleteSessionHandler(codex, timeout_sec=1), session_id)
    pids = processes_with(session_id)
    thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 10
    assert isinstance(box.get("error"), TaskFailed) and box["error"].code == "timeout", box
    assert all(wait_dead(pid) for pid in pids), "a child of codex delete outlived the timeout"
    assert CodexThreads(codex.home).get(session_id) is not None
