"""PollInterrupt: one poll cut short from another thread, whenever the ask lands (real relay)."""

from __future__ import annotations

import threading
import time

import pytest

from mobile_codex.agent_app.relay_client import PollInterrupt, PollInterrupted, RelayClient

from ..relay.agent_helpers import pair_over_http
from .conftest import PausedConnect

HELD = {"label": "Race", "waitMs": 20000, "maxTasks": 1}


@pytest.fixture
def agent_token(live) -> str:
    return pair_over_http(live, live.phone()).token


def client_for(live, token: str, connect=None) -> RelayClient:
    url = f"http://127.0.0.1:{live.port}"
    return RelayClient(url, token) if connect is None else RelayClient(url, token, connect=connect)


def poll_in_thread(client: RelayClient, body: dict, interrupt: PollInterrupt) -> tuple[threading.Thread, dict]:
    box: dict = {}

    def target():
        started = time.monotonic()
        try:
            box["reply"] = client.poll(body, interrupt)
        except Exception as err:
            box["error"] = err
        box["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def test_a_poll_asked_to_stop_before_it_starts_never_connects(live, agent_token):
    connect = PausedConnect(hold=0)
    interrupt = PollInterrupt()
    interrupt.interrupt()
    with pytest.raises(PollInterrupted):
        client_for(live, agent_token, connect).poll(HELD, interrupt)
    assert connect.count == 0


def test_a_poll_asked_to_stop_while_connecting_never_sends(live, agent_token):
    connect = PausedConnect(hold=1)
    interrupt = PollInterrupt()
    thread, box = poll_in_thread(client_for(live, agent_token, connect), HELD, interrupt)
    assert connect.paused.wait(10)
    interrupt.interrupt()
    connect.go.set()
    thread.join(5)
    assert isinstance(box.get("error"), PollInterrupted), box
    assert live.app.relay.holds.held == 0  # the relay never saw it, so holds nothing


def test_a_held_poll_asked_to_stop_ends_at_once(live, agent_token):
    client = client_for(live, agent_token)
    client.poll({**HELD, "waitMs": 0})  # the greeting, answered at once
    interrupt = PollInterrupt()
    thread, box = poll_in_thread(client, HELD, interrupt)
    deadline = time.monotonic() + 10
    while live.app.relay.holds.held < 1:
        assert time.monotonic() < deadline and thread.is_alive(), box
        time.sleep(0.02)
    interrupt.interrupt()
    thread.join(5)
    assert isinstance(box.get("error"), PollInterrupted) and box["elapsed"] < 5, box


def test_a_poll_nobody_interrupts_gets_its_reply(live, agent_token):
    reply = client_for(live, agent_token).poll({**HELD, "waitMs": 0}, PollInterrupt())
    assert reply["ok"] is True and reply["tasks"] == [] and reply["heldMs"] == 0
