"""A report never holds up the poll loop: a queued task's cancel is reported from its own thread.

The relay stand-in answers polls but cannot be reached for updates (as a relay behind a failing
proxy route): the `canceled` report keeps retrying while the loop keeps polling, is delivered once
the relay is back, and is given up cleanly when the agent stops.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from mobile_codex.agent_app.agent import build_agent
from mobile_codex.agent_app.codex.binary import CodexBinary
from mobile_codex.agent_app.poller import Poller
from mobile_codex.agent_app.relay_client import RelayUnavailable
from mobile_codex.agent_app.runner import TaskRunner
from mobile_codex.agent_app.token_store import TokenStore
from mobile_codex.core.plugins import load_plugins

CANCELED_BEFORE_START = {"status": "canceled", "error": "canceled", "summary": "Canceled before it started"}


class UpdatesUnreachable:
    """Polls are answered (the second one cancels task_2); updates fail until `reachable` is set."""

    def __init__(self):
        self.token = "t"
        self.polls = 0
        self.attempts: Counter[str] = Counter()
        self.delivered: list[tuple[str, dict]] = []
        self.reachable = threading.Event()

    def poll(self, body, interrupt=None):
        self.polls += 1
        time.sleep(0.01)  # a short hold; heldMs says the whole wait, so the loop polls again at once
        reply = {"ok": True, "tasks": [], "heldMs": 20000}
        if self.polls == 2:
            reply["cancelTaskIds"] = ["task_2"]
        return reply

    def sent(self, task_id: str) -> list[dict]:
        return [body for sent_for, body in self.delivered if sent_for == task_id]

    def update(self, task_id: str, body: dict) -> dict:
        self.attempts[task_id] += 1
        if not self.reachable.is_set():
            raise RelayUnavailable("ConnectionRefusedError: [Errno 111] Connection refused")
        self.delivered.append((task_id, body))
        return {"ok": True}


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


class Agent:
    """A real runner (one slot, a long action running, a second task queued) and poll loop."""

    def __init__(self, agent_config, tmp_path):
        config = agent_config(actions={"sleep": {"argv": ["sleep", "61.7"]}})
        built = build_agent(config, load_plugins(entry_points=[]), token="t", codex_binary=CodexBinary(None))
        self.relay = UpdatesUnreachable()
        self.runner = TaskRunner(self.relay, built.runner.dispatcher, slots=1, per_update_bytes=config.max_task_log_bytes)
        for n in (1, 2):
            self.runner.submit({"taskId": f"task_{n}", "type": "run_action", "actionId": "sleep", "status": "running"})
        self.poller = Poller(self.relay, self.runner, built.poller.capabilities, TokenStore(tmp_path / "s", relay_base_url="x", agent_id="a"),
                             long_poll_ms=20000, poll_interval_ms=250, say=lambda message: None)  # fmt: skip
        self.runner.on_slot_free = self.poller.slot_freed
        self.thread = threading.Thread(target=self.poller.run, daemon=True)
        self.thread.start()

    def stop(self) -> float:
        started = time.monotonic()
        self.poller.stop()
        self.thread.join(5)
        self.runner.stop_all()
        return time.monotonic() - started


@pytest.fixture
def agent(agent_config, tmp_path):
    running = Agent(agent_config, tmp_path)
    yield running
    running.stop()


def test_the_loop_keeps_polling_while_a_cancel_report_retries(agent):
    wait_for(lambda: agent.relay.attempts["task_2"] >= 1, 5, "the cancel was never reported")
    polls_then = agent.relay.polls
    wait_for(lambda: agent.relay.polls >= polls_then + 5, 3, "the poll loop waited for the report")
    assert agent.relay.attempts["task_2"] <= 3 and agent.relay.delivered == []  # it is still retrying meanwhile

    agent.relay.reachable.set()  # the relay is back: the retry delivers it
    wait_for(lambda: agent.relay.sent("task_2"), 10, "the cancel report was never delivered")
    assert agent.relay.sent("task_2") == [CANCELED_BEFORE_START]
    assert agent.thread.is_alive() and agent.runner.busy()  # task_1 still runs; the loop still polls


def test_a_stopping_agent_gives_up_a_report_the_relay_cannot_take(agent):
    wait_for(lambda: agent.relay.attempts["task_2"] >= 1, 5, "the cancel was never reported")
    elapsed = agent.stop()
    assert elapsed < 3, f"stopping took {elapsed:.1f} s"
    assert not [t.name for t in threading.enumerate() if t.name in ("cancel-task_2", "task-task_1")]
    assert agent.relay.delivered == [] and not agent.runner.busy()
