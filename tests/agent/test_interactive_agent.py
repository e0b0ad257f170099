"""Interactive turns through the whole agent: poll loop, runner, reporter and the real Codex app-server.

The relay is a double (tests/agent/turn_relay.py) that hands out tasks and repeats answers the way
API.md says; Codex talks to the scripted model server.
"""

from __future__ import annotations

import threading
import time

import pytest

from ..waiting import wait_until
from .conftest import pid_alive
from .model_server import add_file, exec_command, message
from .turn_host import TurnHost
from .turn_relay import TurnRelay


@pytest.fixture
def running(tmp_path, codex_bin, model_server):
    """(host, relay): a real agent polling the relay double in a thread; stopped at the end."""
    model_server.reset()
    host = TurnHost(tmp_path, codex_bin, model_server, maxConcurrentTasks=2, longPollMs=1000)
    relay = TurnRelay()
    agent = host.agent
    agent.poller.client = agent.runner.client = relay
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    # the first poll asked Codex whether it is signed in (a short-lived app-server): let that one end
    wait_until(lambda: relay.bodies and relay.bodies[-1].get("codexSignedIn") and not host.server_pids(), timeout=60)
    yield host, relay
    agent.stop()
    thread.join(10)


def codex_task(task_id: str, prompt: str, mode: str = "supervised", **fields) -> dict:
    return {"taskId": task_id, "type": "codex_exec", "execMode": mode, "prompt": prompt, "writeAccess": mode == "supervised", **fields}


def test_supervised_turn_asks_through_the_poll_and_reports_everything(running, model_server):
    host, relay = running
    model_server.script(exec_command("echo via-poll > polled.txt"), add_file("patched.txt", "from the phone"), message("both done"))
    relay.add_task(codex_task("a1", "change things"))
    command = wait_until(lambda: relay.requests("a1"), timeout=60)[0]
    assert command["kind"] == "command"
    relay.answer("a1", command, "accept")
    change = wait_until(lambda: relay.requests("a1")[1:], timeout=60)[0]
    assert change["kind"] == "fileChange" and change["changes"][0]["path"] == "patched.txt"
    relay.answer("a1", change, "accept")
    final = wait_until(lambda: relay.final("a1"), timeout=60)
    assert final["status"] == "completed" and final["summary"] == "both done", final
    assert "+from the phone" in final["diffText"]
    assert (host.workspace / "polled.txt").read_text() == "via-poll\n"
    assert relay.field("a1", "requestsResolved") == [
        {"requestId": command["requestId"], "status": "accepted"}, {"requestId": change["requestId"], "status": "accepted"},
    ]
    items = {i["itemId"]: i for i in relay.field("a1", "itemsAppend")}
    assert {i["type"] for i in items.values()} >= {"userMessage", "command", "fileChange", "agentMessage"}
    updates = [b for t, b in relay.updates if t == "a1"]
    assert any(b.get("turnId") for b in updates) and any(b.get("threadId") for b in updates)
    assert any(b.get("tokenUsage") for b in updates)
    assert "both done" in "".join(b.get("outputAppend", "") for b in updates)


def test_turns_waiting_for_approval_do_not_block_a_third_task(running, model_server):
    host, relay = running
    model_server.script(exec_command("echo 1 > w1.txt"), exec_command("echo 2 > w2.txt"))
    relay.add_task(codex_task("w1", "first waits"))
    wait_until(lambda: relay.requests("w1"), timeout=60)
    relay.add_task(codex_task("w2", "second waits"))
    wait_until(lambda: relay.requests("w2"), timeout=60)
    model_server.script(message("third ran"))
    relay.add_task(codex_task("w3", "third", mode="chat"))
    final = wait_until(lambda: relay.final("w3"), timeout=60)
    assert final["status"] == "completed" and final["summary"] == "third ran"
    assert relay.final("w1") is None and relay.final("w2") is None


def test_agent_stops_within_three_seconds_while_a_turn_waits_for_approval(running, model_server):
    host, relay = running
    model_server.script(exec_command("echo never > stop.txt"))
    relay.add_task(codex_task("s1", "wait for me"))
    wait_until(lambda: relay.requests("s1"), timeout=60)
    pids = host.server_pids()
    assert pids and all(pid_alive(pid) for pid in pids)
    started = time.monotonic()
    host.agent.stop()
    host.agent.runner.stop_all(timeout=3)
    assert time.monotonic() - started < 3
    assert relay.final("s1")["error"] == "agent-stopped"
    assert not any(pid_alive(pid) for pid in pids) and host.server_pids() == []
    assert not (host.workspace / "stop.txt").exists()
