"""The runner and interactive turns: a turn waiting for a person holds no slot, answers and steers reach their
own task once, and what a turn never took is reported rejected before its final update."""

from __future__ import annotations

import time

from mobile_codex.agent_app.runner import TaskRunner
from mobile_codex.agent_app.turn_channel import Answer

from ..waiting import wait_until
from .conftest import finals
from .stub_turns import DIGEST, StubTurns, answer, turn_task


def runner_with(client, slots: int) -> tuple[TaskRunner, StubTurns]:
    turns = StubTurns()
    return TaskRunner(client, turns, slots=slots, per_update_bytes=12000), turns


def test_two_turns_waiting_for_approval_do_not_block_a_third_task(recording_client):
    runner, turns = runner_with(recording_client, slots=2)
    runner.submit(turn_task(1, "ask"))
    runner.submit(turn_task(2, "ask"))
    runner.submit(turn_task(3, "quick"))
    wait_until(lambda: "task_3" in finals(recording_client), what="the third task run while two turns wait")
    assert turns.waiting == {"task_1", "task_2"}
    assert runner.free_slots() == 2  # and the poller asks the relay for two more
    assert runner.deliver([answer(1), answer(2, "decline")], []) == 2
    wait_until(lambda: {"task_1", "task_2"} <= set(finals(recording_client)), what="both turns ended")
    assert [finals(recording_client)[t]["summary"] for t in ("task_1", "task_2")] == ["accept", "decline"]
    assert runner.free_slots() == 2


def test_a_resumed_turn_counts_again_even_past_the_slots_and_nothing_starts_until_one_ends(recording_client):
    runner, turns = runner_with(recording_client, slots=1)
    runner.submit(turn_task(1, "ask"))
    wait_until(lambda: "task_1" in turns.waiting)
    runner.submit(turn_task(2, "hold"))
    wait_until(lambda: "task_2" in turns.turns, what="the second task started in the waiting turn's slot")
    assert runner.free_slots() == 0
    runner.deliver([answer(1)], [])
    wait_until(lambda: "task_1" in finals(recording_client))  # two ran at once for a while: slots is 1
    runner.submit(turn_task(3, "quick"))  # task_2 holds the only slot: it waits in the local queue
    assert runner.free_slots() == 0
    runner.cancel("task_3")  # a queued task's cancel says so; a started one's would not
    wait_until(lambda: "task_3" in finals(recording_client))
    assert finals(recording_client)["task_3"]["summary"] == "Canceled before it started"
    turns.release("task_2")
    runner.submit(turn_task(4, "quick"))
    wait_until(lambda: "task_4" in finals(recording_client))
    assert finals(recording_client)["task_4"]["status"] == "completed"


def test_a_turn_that_starts_waiting_frees_its_slot_for_the_poller(recording_client):
    runner, turns = runner_with(recording_client, slots=1)
    freed = []
    runner.on_slot_free = lambda: freed.append(runner.free_slots())
    runner.submit(turn_task(1, "ask"))
    wait_until(lambda: freed, what="on_slot_free called while the turn still runs")
    assert freed[0] == 1 and "task_1" not in finals(recording_client)
    runner.deliver([answer(1)], [])
    wait_until(lambda: "task_1" in finals(recording_client))


def test_an_answer_repeated_by_every_poll_is_applied_once(recording_client):
    runner, turns = runner_with(recording_client, slots=2)
    runner.submit(turn_task(1, "ask"))
    wait_until(lambda: "task_1" in turns.waiting)
    assert [runner.deliver([answer(1)], []) for _ in range(3)] == [1, 0, 0]
    wait_until(lambda: "task_1" in finals(recording_client))
    assert turns.inputs["task_1"] == [Answer("req_1", "accept", DIGEST)]
    assert runner.deliver([answer(1)], []) == 0  # the task is over: an unknown id


def test_inputs_for_other_tasks_and_malformed_ones_are_ignored(recording_client):
    runner, turns = runner_with(recording_client, slots=2)
    runner.submit(turn_task(1, "ask"))
    wait_until(lambda: "task_1" in turns.waiting)
    junk_answers = [answer(9), {**answer(1), "decision": "acceptForSession"}, {**answer(1), "taskId": 1}, "req_1", None,
                    {**answer(1), "digest": "x"}, {"taskId": "task_1"}]  # fmt: skip
    junk_steers = [{"taskId": "task_9", "steerId": "st_1", "text": "hi"}, {"taskId": "task_1", "steerId": "st_1"}, 7]
    assert runner.deliver(junk_answers, junk_steers) == 0
    assert runner.deliver({"taskId": "task_1"}, "steers") == 0  # not lists at all
    assert "task_1" in turns.waiting and turns.inputs["task_1"] == []
    runner.deliver([answer(1)], [])
    wait_until(lambda: "task_1" in finals(recording_client))
    assert finals(recording_client)["task_1"]["status"] == "completed"


def test_steers_a_turn_never_took_are_rejected_before_its_final_update(recording_client):
    runner, turns = runner_with(recording_client, slots=1)
    runner.submit(turn_task(1, "hold"))
    wait_until(lambda: "task_1" in turns.turns)
    steers = [{"taskId": "task_1", "steerId": "st_1", "text": "too late"}, {"taskId": "task_1", "steerId": "st_2", "text": "also"}]
    assert runner.deliver([], steers) == 2
    turns.release("task_1")
    wait_until(lambda: "task_1" in finals(recording_client))
    bodies = [body for task_id, body in recording_client.updates if task_id == "task_1"]
    rejected = [i for i, body in enumerate(bodies) if "steersRejected" in body]
    assert [s for i in rejected for s in bodies[i]["steersRejected"]] == [
        {"steerId": "st_1", "reason": "turn-ended"}, {"steerId": "st_2", "reason": "turn-ended"},
    ]  # fmt: skip
    assert rejected and max(rejected) < len(bodies) - 1 and bodies[-1]["status"] == "completed"


def test_cancel_ends_a_turn_waiting_for_a_person(recording_client):
    runner, turns = runner_with(recording_client, slots=1)
    runner.submit(turn_task(1, "ask"))
    wait_until(lambda: "task_1" in turns.waiting)
    runner.cancel("task_1")
    wait_until(lambda: "task_1" in finals(recording_client), timeout=20, what="the cancel ending next_input, not its 60 s timeout")
    assert finals(recording_client)["task_1"]["status"] == "canceled"
    assert turns.inputs["task_1"] == [None]


def test_only_codex_exec_tasks_get_a_turn_channel(recording_client):
    runner, turns = runner_with(recording_client, slots=2)
    runner.submit({"taskId": "task_1", "type": "run_action", "actionId": "x", "prompt": "quick"})
    runner.submit(turn_task(2, "quick"))
    wait_until(lambda: len(finals(recording_client)) == 2)
    assert turns.turns["task_1"] is None and turns.turns["task_2"] is not None


def test_the_agent_stopping_ends_a_turn_waiting_for_a_person_promptly(recording_client):
    runner, turns = runner_with(recording_client, slots=1)
    runner.submit(turn_task(1, "ask"))
    wait_until(lambda: "task_1" in turns.waiting)
    started = time.monotonic()
    runner.stop_all(timeout=10)
    assert time.monotonic() - started < 3  # API.md's agent stop bound, far below the turn's 60 s wait
    assert not runner.busy()
    assert (finals(recording_client)["task_1"]["status"], finals(recording_client)["task_1"]["error"]) == ("failed", "agent-stopped")
