"""A stopping relay answers its held requests at once, then stops (real waitress server in a thread).

Held agent polls and held state waits get the reply they would get at the end of their wait, so
agents and phones reconnect without delay; waits that arrive while the relay stops are not held.
"""

from __future__ import annotations

import socket
import time

import pytest

from mobile_codex.relay_app.server import WORKERS_STOP_SEC, stop_serving

from .agent_helpers import LiveRelay, in_thread, pair_over_http

POLL_WAIT_MS = 20000
PROMPT = 5.0  # "at once", generously: far below the 20 s the requests would be held


@pytest.fixture
def live(tmp_path):
    instance = LiveRelay(tmp_path)
    yield instance
    instance.close()


def wait_until_held(live: LiveRelay, count: int) -> None:
    deadline = time.monotonic() + 10
    while live.app.relay.holds.held < count:
        assert time.monotonic() < deadline, f"{live.app.relay.holds.held} of {count} requests held"
        time.sleep(0.02)


def held_poll_and_state_wait(live: LiveRelay):
    """An agent's held poll and a phone's held state wait; returns their threads and the view before."""
    phone = live.phone()
    agent = pair_over_http(live, phone)
    assert agent.post("/api/agent/poll", {"waitMs": 0, "maxTasks": 1})[0] == 200  # the greeting
    poll = in_thread(lambda: agent.post("/api/agent/poll", {"waitMs": POLL_WAIT_MS, "maxTasks": 1}))
    wait_until_held(live, 1)
    status, before = phone.get("/api/admin/state")
    assert status == 200, before
    cursor = before["changeCursor"]
    state = in_thread(lambda: phone.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000"))
    wait_until_held(live, 2)
    return poll, state, before


def test_stopping_answers_the_held_poll_and_state_wait_at_once_then_closes(live):
    (poll_thread, poll), (state_thread, state), before = held_poll_and_state_wait(live)
    started = time.monotonic()
    stop_serving(live.app, live.server)
    stopped_in = time.monotonic() - started
    poll_thread.join(PROMPT)
    state_thread.join(PROMPT)

    assert poll["result"] == (200, {"ok": True, "tasks": [], "cancelTaskIds": [], "heldMs": poll["result"][1]["heldMs"],
                                    "answers": [], "steers": []})
    assert 0 < poll["result"][1]["heldMs"] < POLL_WAIT_MS  # held, and let go early
    status, view = state["result"]
    held_ms = view.pop("heldMs")
    assert (status, view) == (200, before)  # the view, as when a wait ends without a change
    assert 0 < held_ms < 20000  # held, and let go early
    assert poll["elapsed"] < POLL_WAIT_MS / 1000 and state["elapsed"] < 25
    assert stopped_in < WORKERS_STOP_SEC, "a worker had to be waited out"  # nobody was still held
    assert refused_soon(live.port), "the relay still listens"


def refused_soon(port: int) -> bool:
    """The listening socket is gone (the kernel lets it go once the loop thread's poll returns, <= 1 s)."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except (ConnectionRefusedError, ConnectionResetError):  # reset: caught as the listener went
            return True
        time.sleep(0.05)
    return False


def test_waits_that_arrive_while_the_relay_stops_are_not_held(live):
    phone = live.phone()
    agent = pair_over_http(live, phone)
    cursor = phone.get("/api/admin/state")[1]["changeCursor"]
    live.app.relay.feed.release_all()  # the first step of stop_serving; the server still answers

    started = time.monotonic()
    status, reply = agent.post("/api/agent/poll", {"waitMs": POLL_WAIT_MS, "maxTasks": 1})
    assert status == 200 and reply["tasks"] == [] and reply["heldMs"] < 1000, reply
    status, view = phone.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000")
    assert status == 200 and "changeCursor" in view, view
    assert time.monotonic() - started < PROMPT
