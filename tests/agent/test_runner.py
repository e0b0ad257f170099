"""The runner: bounded concurrency, a local queue for extra tasks, cancel, a 409 stops the run."""

from __future__ import annotations

import time

from ..waiting import wait_until
from .conftest import finals, processes_with, runner_for, wait_dead


def action_task(n: int, action="sleep") -> dict:
    return {"taskId": f"task_{n}", "type": "run_action", "actionId": action, "status": "running"}


def test_at_most_max_concurrent_and_the_rest_waits_in_the_local_queue(agent_config, recording_client, tmp_path):
    marker = tmp_path / "running"
    marker.mkdir()
    script = f'touch {marker}/$$; sleep 0.6; ls {marker} | wc -l; rm {marker}/$$'
    runner = runner_for(agent_config(actions={"sleep": {"argv": ["sh", "-c", script]}}), recording_client, slots=2)
    assert runner.free_slots() == 2
    for n in range(5):  # a reference relay ignores maxTasks: five at once
        runner.submit(action_task(n))
    assert runner.free_slots() == 0
    runner.submit(action_task(0))  # the same task again is ignored
    wait_until(lambda: len(finals(recording_client)) == 5)
    assert all(b["status"] == "completed" for b in finals(recording_client).values())
    seen_at_once = [int(recording_client.output(f"task_{n}").split()[-1]) for n in range(5)]
    assert max(seen_at_once) <= 2
    assert runner.free_slots() == 2


def test_cancel_a_running_task_kills_its_group_and_reports_canceled(agent_config, recording_client):
    runner = runner_for(agent_config(actions={"sleep": {"argv": ["sh", "-c", "sleep 271.5 & sleep 271.5"]}}), recording_client)
    runner.submit(action_task(1))
    wait_until(lambda: len(processes_with("271.5")) == 3)
    pids = processes_with("271.5")
    runner.cancel("task_1")
    wait_until(lambda: "task_1" in finals(recording_client))
    assert finals(recording_client)["task_1"]["status"] == "canceled"
    assert all(wait_dead(pid) for pid in pids)


def test_cancel_a_queued_task_never_starts_it(agent_config, recording_client):
    runner = runner_for(agent_config(actions={"sleep": {"argv": ["sleep", "0.5"]}}), recording_client, slots=1)
    runner.submit(action_task(1))
    runner.submit(action_task(2))
    runner.cancel("task_2")
    wait_until(lambda: len(finals(recording_client)) == 2)
    assert finals(recording_client)["task_2"] == {"status": "canceled", "error": "canceled", "summary": "Canceled before it started"}
    assert recording_client.output("task_2") == ""


def test_a_409_on_an_update_stops_the_run(agent_config, recording_client):
    runner = runner_for(agent_config(actions={"sleep": {"argv": ["sh", "-c", "while true; do echo tick 83.1; sleep 0.1; done"]}}), recording_client)
    recording_client.refuse_with = 409
    started = time.monotonic()
    runner.submit(action_task(1))
    wait_until(lambda: not runner.busy())
    assert time.monotonic() - started < 5
    assert recording_client.updates == []  # nothing more is sent for a task the relay has finished


def test_failures_carry_their_code(agent_config, recording_client):
    runner = runner_for(agent_config(actions={"sleep": {"argv": ["true"]}}), recording_client)
    runner.submit({"taskId": "task_9", "type": "run_action", "actionId": "missing"})
    wait_until(lambda: "task_9" in finals(recording_client))
    final = finals(recording_client)["task_9"]
    assert (final["status"], final["error"]) == ("failed", "unknown-action")
