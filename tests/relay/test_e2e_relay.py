"""End to end over HTTP: a real waitress server in a thread, a scripted agent (http.client), a phone.

SQLite only (the contract tests cover both backends).
"""

from __future__ import annotations

import http.client
import threading
import time
from datetime import datetime, timezone

import pytest

from mobile_codex.core.timeutil import FixedClock
from mobile_codex.relay_app.services.login_codes import mint_login_code

from .agent_helpers import Http, LiveRelay, agent_key, in_thread, pair_over_http, wait_held
from .conftest import ORIGIN, make_config


@pytest.fixture
def live(tmp_path):
    instance = LiveRelay(tmp_path)
    yield instance
    instance.close()


def task_body(**extra):
    return {"type": "codex_exec", "agentId": "agent-1", "prompt": "hello", **extra}


def create(phone, **extra) -> dict:
    status, body = phone.post("/api/admin/tasks", task_body(**extra))
    assert status == 201, body
    return body["task"]


def test_pair_then_instant_dispatch_in_a_held_poll(live):
    phone = live.phone()
    agent = pair_over_http(live, phone)
    status, first = agent.post("/api/agent/poll", {"label": "E2E box", "maxTasks": 2})
    assert status == 200 and first["tasks"] == [] and first["heldMs"] == 0

    thread, box = in_thread(lambda: agent.post("/api/agent/poll", {"waitMs": 20000, "maxTasks": 2}))
    wait_held(live)
    task = create(phone)
    thread.join(25)
    status, reply = box["result"]
    assert status == 200 and [t["taskId"] for t in reply["tasks"]] == [task["taskId"]]
    assert box["elapsed"] < 5, box["elapsed"]  # the same poll, not the next one
    assert reply["tasks"][0]["status"] == "running" and reply["tasks"][0]["prompt"] == "hello"

    status, body = agent.post(f"/api/agent/tasks/{task['taskId']}/update", {"outputAppend": "line 1\n", "threadId": "th"})
    assert (status, body) == (200, {"ok": True})
    status, body = agent.post(f"/api/agent/tasks/{task['taskId']}/update", {"status": "completed", "result": {"exitCode": 0}})
    assert (status, body) == (200, {"ok": True})


def test_max_tasks_0_claims_nothing_and_a_held_one_ends_only_on_cancel(live):
    phone = live.phone()
    agent = pair_over_http(live, phone)
    running = create(phone)
    status, reply = agent.post("/api/agent/poll", {"maxTasks": 1})
    assert [t["taskId"] for t in reply["tasks"]] == [running["taskId"]]
    live.clock.advance(1)
    queued = create(phone)
    live.clock.advance(1)
    status, reply = agent.post("/api/agent/poll", {"maxTasks": 0})
    assert reply["tasks"] == [] and reply["cancelTaskIds"] == []

    thread, box = in_thread(lambda: agent.post("/api/agent/poll", {"waitMs": 20000, "maxTasks": 0}))
    wait_held(live)
    create(phone)  # a queued task does not end a maxTasks:0 poll
    time.sleep(0.7)  # the point: a wrong wake-up would end the poll within this window
    assert thread.is_alive()
    status, body = phone.post(f"/api/admin/tasks/{running['taskId']}/cancel")
    assert status == 200 and body["task"]["cancelRequestedAt"]
    thread.join(10)
    status, reply = box["result"]
    assert reply["cancelTaskIds"] == [running["taskId"]] and reply["tasks"] == [] and box["elapsed"] < 5
    # The queued tasks are still there for a later poll.
    status, reply = agent.post("/api/agent/poll", {"maxTasks": 8})
    assert [t["taskId"] for t in reply["tasks"]][0] == queued["taskId"] and len(reply["tasks"]) == 2


def test_output_is_visible_to_a_waiting_phone(live):
    phone = live.phone()
    status, state = phone.get("/api/admin/state")
    if status == 404:
        pytest.skip("GET /api/admin/state is not served yet (state view lands separately)")
    agent = pair_over_http(live, phone)
    task = create(phone)
    agent.post("/api/agent/poll", {})
    status, state = phone.get("/api/admin/state")
    cursor = state["changeCursor"]
    thread, box = in_thread(lambda: phone.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    wait_held(live)
    agent.post(f"/api/agent/tasks/{task['taskId']}/update", {"outputAppend": "LIVE OUTPUT"})
    thread.join(10)
    status, state = box["result"]
    assert status == 200 and box["elapsed"] < 5
    view = next(t for t in state["tasks"] if t["taskId"] == task["taskId"])
    assert view["outputTail"] == "LIVE OUTPUT"


def test_login_code_signs_in_once(live):
    code = mint_login_code(live.app.relay.store, live.clock)
    phone = Http(live.port, origin=ORIGIN)
    status, body = phone.post("/api/auth/login-code", {"loginCode": code})
    assert status == 200 and body["auth"]["currentRole"] == "owner" and phone.cookie
    status, body = phone.get("/api/auth/status")
    assert body["authenticated"] is True
    status, body = Http(live.port, origin=ORIGIN).post("/api/auth/login-code", {"loginCode": code})
    assert (status, body) == (401, {"error": "invalid-login-code", "detail": "spent"})


def test_cancel_queued_and_running_with_the_60_second_fallback(live):
    phone = live.phone()
    agent = pair_over_http(live, phone)
    queued = create(phone)
    status, body = phone.post(f"/api/admin/tasks/{queued['taskId']}/cancel")
    assert body["task"]["status"] == "canceled"
    running = create(phone)
    status, reply = agent.post("/api/agent/poll", {})
    assert [t["taskId"] for t in reply["tasks"]] == [running["taskId"]]
    phone.post(f"/api/admin/tasks/{running['taskId']}/cancel")
    status, reply = agent.post("/api/agent/poll", {"maxTasks": 0})
    assert reply["cancelTaskIds"] == [running["taskId"]]
    # The agent never reports back: after 60 s the relay cancels the task itself.
    live.clock.advance(61)
    live.app.relay.services.housekeeping.sweep()  # what the relay's sweeper thread does every few seconds
    status, reply = agent.post("/api/agent/poll", {"maxTasks": 0})
    assert reply["cancelTaskIds"] == []
    with live.store.transaction(write=False) as tx:
        assert tx.tasks.get(running["taskId"]).status == "canceled"
    status, body = agent.post(f"/api/agent/tasks/{running['taskId']}/update", {"status": "canceled"})
    assert (status, body) == (409, {"error": "task-already-finished"})


def test_token_refresh_cutover_and_revoke(live):
    phone = live.phone()
    agent = pair_over_http(live, phone)
    live.clock.advance(24 * 24 * 3600)  # 6 days left
    status, reply = agent.post("/api/agent/poll", {})
    fresh = reply["agentToken"]
    old_token = agent.token
    status, reply = agent.post("/api/agent/poll", {})
    assert status == 200  # the old one still works until the new one is used
    agent.token = fresh
    status, reply = agent.post("/api/agent/poll", {})
    assert status == 200 and "agentToken" not in reply
    status, body = live.agent(old_token).post("/api/agent/poll", {})
    assert (status, body) == (401, {"error": "invalid-token"})
    phone = live.phone()  # 24 days later: the first session is long gone
    status, body = phone.post("/api/admin/agents/agent-1/revoke")
    assert (status, body) == (200, {"ok": True})
    status, body = agent.post("/api/agent/poll", {})
    assert (status, body) == (401, {"error": "agent-revoked"})


def test_revoke_ends_a_held_poll(live):
    phone = live.phone()
    agent = pair_over_http(live, phone)
    thread, box = in_thread(lambda: agent.post("/api/agent/poll", {"waitMs": 20000}))
    wait_held(live)
    phone.post("/api/admin/agents/agent-1/revoke")
    thread.join(10)
    assert box["elapsed"] < 5 and box["result"][1]["tasks"] == []
    assert agent.post("/api/agent/poll", {}) == (401, {"error": "agent-revoked"})


def test_reference_token_polls_after_import_and_refreshes_after_dec_18(tmp_path, reference, run_cli):
    make_config(tmp_path, "sqlite")
    done = run_cli("import-state", "--config", tmp_path / "relay.json", reference / "state.json")
    assert done.returncode == 0, done.stderr
    clock = FixedClock(datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc))
    live = LiveRelay(tmp_path, clock=clock)
    try:
        agent = live.agent((reference / "server-main.token").read_text().strip())
        status, reply = agent.post("/api/agent/poll", {"label": "server-main"})
        assert status == 200 and reply["ok"] is True and "agentToken" not in reply
        # The token expires 2026-12-25T19:22:39Z: a refresh is due 7 days before.
        clock.now = datetime(2026, 12, 18, 19, 0, tzinfo=timezone.utc)
        assert "agentToken" not in agent.post("/api/agent/poll", {})[1]
        clock.now = datetime(2026, 12, 18, 19, 30, tzinfo=timezone.utc)
        status, reply = agent.post("/api/agent/poll", {})
        assert status == 200 and reply["agentToken"]
        old = agent.token
        agent.token = reply["agentToken"]
        assert agent.post("/api/agent/poll", {})[0] == 200
        assert live.agent(old).post("/api/agent/poll", {}) == (401, {"error": "invalid-token"})
    finally:
        live.close()


def test_capacity_40_held_polls_do_not_block_a_task_create(tmp_path):
    live = LiveRelay(tmp_path, server={"threads": 16})
    stop = threading.Event()
    pollers: list[threading.Thread] = []
    try:
        phone = live.phone()
        # Several agents: one agent holds at most HELD_PER_AGENT polls, and the relay-wide rule is under test.
        agents = [pair_over_http(live, phone, f"agent-{n}") for n in range(1, 6)]
        assert live.app.relay.holds.capacity == 8

        def keep_polling(agent):
            while not stop.is_set():
                try:
                    status, reply = agent.post("/api/agent/poll", {"waitMs": 20000, "maxTasks": 0}, timeout=30)
                except (OSError, http.client.HTTPException):
                    return
                if reply and reply.get("heldMs", 0) < 10000:
                    time.sleep(0.05)  # answered at once (capacity rule): back off, never a hot loop

        pollers += [threading.Thread(target=keep_polling, args=(agents[n % len(agents)],), daemon=True) for n in range(40)]
        for poller in pollers:
            poller.start()
        wait_held(live, 8)
        assert live.app.relay.holds.held == 8  # and no more: the rest are answered at once
        started = time.monotonic()
        status, body = phone.post("/api/admin/tasks", task_body())
        assert status == 201 and time.monotonic() - started < 5
        status, body = phone.get("/api/health")
        assert status == 200
    finally:
        stop.set()
        deadline = time.monotonic() + 10
        while any(poller.is_alive() for poller in pollers) and time.monotonic() < deadline:
            live.app.relay.services.agents.signals.cancel_requested(agent_key(live.store, "agent-1"))  # wake the held ones
            time.sleep(0.05)
        live.close()
