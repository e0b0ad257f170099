"""Poll replies' answers[] and steers[] through the real Poller and TaskRunner to a turn: each once, however often
the relay repeats it, and a turn waiting for a person lets the next poll ask for another task."""

from __future__ import annotations

import threading
import time

from mobile_codex.agent_app.poller import Poller
from mobile_codex.agent_app.relay_client import RelayClient
from mobile_codex.agent_app.runner import TaskRunner
from mobile_codex.agent_app.token_store import TokenStore
from mobile_codex.agent_app.turn_channel import Answer, Steer

from ..relay.agent_helpers import pair_over_http
from ..waiting import wait_until
from .conftest import finals
from .scripted_relay import Caps, ScriptedRelay
from .stub_turns import DIGEST, StubTurns, answer, turn_task

LONG_POLL_MS = 20000
PROMPT = 5.0  # "at once", generously: far below the 20 s hold


def run_polls(tmp_path, client, replies, *, slots: int):
    turns = StubTurns()
    runner = TaskRunner(client, turns, slots=slots, per_update_bytes=12000)
    relay = ScriptedRelay(replies)
    store = TokenStore(tmp_path / "state", relay_base_url="http://r", agent_id="box")
    poller = Poller(relay, runner, Caps(), store, long_poll_ms=20000, poll_interval_ms=50, say=lambda _: None)
    relay.poller = poller
    return relay, poller, runner, turns


def reply(**fields) -> dict:
    return {"ok": True, "tasks": [], "heldMs": 20000, **fields}


def test_an_answer_on_every_poll_reaches_the_turn_once_and_a_waiting_turn_frees_its_slot(tmp_path, recording_client):
    holder: dict = {}

    def once_waiting(body):
        wait_until(lambda: "task_1" in holder["turns"].waiting, what="the turn waiting for a person")
        return reply()

    repeated = reply(answers=[answer(1)])  # the relay repeats an answer until the agent reports the request resolved
    replies = [reply(), reply(tasks=[turn_task(1, "ask")]), once_waiting, repeated, repeated, repeated]
    relay, poller, runner, turns = run_polls(tmp_path, recording_client, replies, slots=1)
    holder["turns"] = turns
    poller.run()
    wait_until(lambda: "task_1" in finals(recording_client))
    assert turns.inputs["task_1"] == [Answer("req_1", "accept", DIGEST)]
    assert finals(recording_client)["task_1"]["summary"] == "accept"
    asked = [body["maxTasks"] for body in relay.bodies]
    assert asked[3] == 1  # once the turn waits, the poll asks for a task though slots is 1


def test_steers_are_routed_by_task_and_repeats_dropped(tmp_path, recording_client):
    holder: dict = {}

    def both_started(body):
        wait_until(lambda: {"task_1", "task_2"} <= set(holder["turns"].turns), what="both turns running")
        return reply(steers=[{"taskId": "task_2", "steerId": "st_1", "text": "for two"}])

    def steer_then_answer(body):
        return reply(steers=[{"taskId": "task_2", "steerId": "st_1", "text": "for two"}], answers=[answer(1)])

    replies = [reply(tasks=[turn_task(1, "ask"), turn_task(2, "hold")]), both_started, steer_then_answer, steer_then_answer]
    relay, poller, runner, turns = run_polls(tmp_path, recording_client, replies, slots=2)
    holder["turns"] = turns
    poller.run()
    wait_until(lambda: "task_1" in finals(recording_client))
    turns.release("task_2")
    wait_until(lambda: "task_2" in finals(recording_client))
    assert turns.inputs["task_1"] == [Answer("req_1", "accept", DIGEST)]  # not task_2's steer
    task_2_bodies = [body for task_id, body in recording_client.updates if task_id == "task_2"]
    rejected = [s for body in task_2_bodies for s in body.get("steersRejected", [])]
    assert rejected == [{"steerId": "st_1", "reason": "turn-ended"}]  # delivered once, never taken by the turn
    assert Steer("st_1", "for two") not in turns.inputs["task_1"]


def test_a_turn_that_starts_waiting_cuts_a_held_poll_short_and_the_next_task_is_claimed(live, tmp_path):
    """Real relay: the held poll asks for no task; the turn's wait frees the slot, and a queued task runs at once."""
    phone = live.phone()
    agent = pair_over_http(live, phone)
    client = RelayClient(f"http://127.0.0.1:{live.port}", agent.token)
    turns = StubTurns()
    runner = TaskRunner(client, turns, slots=1, per_update_bytes=12000)
    tokens = TokenStore(tmp_path / "state", relay_base_url=f"http://127.0.0.1:{live.port}", agent_id="agent-1")
    poller = Poller(client, runner, Caps(), tokens, long_poll_ms=LONG_POLL_MS, poll_interval_ms=250, say=lambda _: None)
    runner.on_slot_free = poller.slot_freed
    thread = threading.Thread(target=poller.run, daemon=True)
    thread.start()
    try:
        first = create(phone, "ask-later")
        wait_until(lambda: first in turns.turns, what="the first task running")
        wait_until(lambda: live.app.relay.holds.held >= 1, what="a poll held while the only slot is taken")
        second = create(phone, "quick")
        released = time.monotonic()
        turns.release(first)  # the turn now asks a person
        wait_until(lambda: task_status(phone, second) == "completed", timeout=LONG_POLL_MS / 1000, what="the second task")
        assert time.monotonic() - released < PROMPT  # not after the 20 s hold
        assert first in turns.waiting and task_status(phone, first) == "running"
    finally:
        poller.stop()
        thread.join(PROMPT)
        runner.stop_all()
    assert not thread.is_alive()


def create(phone, prompt: str) -> str:
    status, reply = phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": prompt})
    assert status == 201, reply
    return reply["task"]["taskId"]


def task_status(phone, task_id: str) -> str:
    status, state = phone.get("/api/admin/state")
    assert status == 200, state
    return next(t["status"] for t in state["tasks"] if t["taskId"] == task_id)
