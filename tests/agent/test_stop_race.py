"""A stop or a freed task slot is never lost, whenever it lands in a poll (issue 14's stop race).

The poll loop runs against a real relay (waitress in a thread). The client's injected `connect`
pauses one poll after it is registered and before it connects: the window in which an interrupt
used to find no socket and was lost, leaving the agent in a 20 s hold.
"""

from __future__ import annotations

import threading
import time

from mobile_codex.agent_app.poller import Poller
from mobile_codex.agent_app.relay_client import RelayClient
from mobile_codex.agent_app.token_store import TokenStore

from ..relay.agent_helpers import LiveRelay, pair_over_http
from .conftest import PausedConnect

LONG_POLL_MS = 20000
PROMPT = 5.0  # "at once", generously: far below the 20 s hold a lost interrupt costs


class Slots:
    """The runner as the poll loop sees it: free slots, and what it was handed."""

    def __init__(self, free: int):
        self.free = free
        self.submitted: list[dict] = []

    def free_slots(self) -> int:
        return self.free

    def submit(self, task: dict) -> None:
        self.submitted.append(task)

    def cancel(self, task_id: str) -> None:
        pass

    def deliver(self, answers, steers) -> int:
        return 0


class Caps:
    def poll_body(self) -> dict:
        return {"label": "Race"}


class Loop:
    """A poll loop in a thread, its client pausing connection `hold` (1 is the greeting, 2 the first held poll)."""

    def __init__(self, live: LiveRelay, tmp_path, *, hold: int, free: int):
        self.phone = live.phone()
        agent = pair_over_http(live, self.phone)
        self.connect = PausedConnect(hold)
        self.slots = Slots(free)
        client = RelayClient(f"http://127.0.0.1:{live.port}", agent.token, connect=self.connect)
        tokens = TokenStore(tmp_path / "state", relay_base_url=client_url(live), agent_id="agent-1")
        self.poller = Poller(client, self.slots, Caps(), tokens, long_poll_ms=LONG_POLL_MS, poll_interval_ms=250,
                             say=lambda message: None)  # fmt: skip
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.connect.paused.wait(10), "the poll never reached the window"

    def _run(self) -> None:
        try:
            self.poller.run()
        except BaseException as err:
            self.errors.append(err)

    def close(self) -> None:
        self.connect.go.set()
        self.poller.stop()
        self.thread.join(PROMPT)


def client_url(live: LiveRelay) -> str:
    return f"http://127.0.0.1:{live.port}"


def test_a_stop_between_registering_a_poll_and_connecting_ends_the_loop_at_once(live, tmp_path):
    loop = Loop(live, tmp_path, hold=2, free=1)
    try:
        started = time.monotonic()
        loop.poller.stop()
        loop.connect.go.set()
        loop.thread.join(PROMPT)
        assert not loop.thread.is_alive(), "the stop was lost: the loop sat in the relay's 20 s hold"
        assert time.monotonic() - started < PROMPT and not loop.errors, loop.errors
        assert loop.connect.count == 2  # the stopped poll never came back for another
    finally:
        loop.close()


def test_a_slot_freed_between_registering_a_poll_and_connecting_takes_a_task_at_once(live, tmp_path):
    loop = Loop(live, tmp_path, hold=2, free=0)  # the held poll asks for no task
    try:
        status, reply = loop.phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "hi"})
        assert status == 201, reply
        loop.slots.free = 1  # a task ended...
        loop.poller.slot_freed()  # ...and the runner said so while the poll was still connecting
        loop.connect.go.set()
        deadline = time.monotonic() + PROMPT
        while not loop.slots.submitted and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [task["taskId"] for task in loop.slots.submitted] == [reply["task"]["taskId"]], "the freed slot was lost"
        assert not loop.errors, loop.errors
    finally:
        loop.close()


def test_a_stop_while_the_poll_is_held_by_the_relay_ends_the_loop_at_once(live, tmp_path):
    loop = Loop(live, tmp_path, hold=2, free=1)
    try:
        loop.connect.go.set()
        holds = live.app.relay.holds
        deadline = time.monotonic() + 10
        while holds.held < 1:  # the relay holds the poll now
            assert time.monotonic() < deadline, "the poll was never held"
            time.sleep(0.02)
        loop.poller.stop()
        loop.thread.join(PROMPT)
        assert not loop.thread.is_alive() and not loop.errors, loop.errors
    finally:
        loop.close()
