"""Housekeeping in one place: the sweeper applies deadlines; reads never write; two sweepers do no harm."""

from __future__ import annotations

import threading
import time

from mobile_codex.relay_app.services.housekeeping import Sweeper
from mobile_codex.relay_app.services.pairing import RETENTION_SEC

from .agent_helpers import created, new_pairing_code, pair_agent, request_pairing, state_parts, stored
from .conftest import Relay
from .people_helpers import state


def running_with_cancel_requested(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    agent.poll()
    assert owner.post(f"/api/admin/tasks/{task['taskId']}/cancel").json["task"]["status"] == "running"
    return owner, agent, task


def test_reads_never_apply_a_deadline(relay):
    owner, agent, task = running_with_cancel_requested(relay)
    relay.clock.advance(61)
    view = next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task["taskId"])
    assert view["status"] == "running"  # the view only reads; the sweeper decides
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == [task["taskId"]]  # so does an idle poll
    assert stored(relay, "tasks", task["taskId"]).status == "running"
    swept = relay.sweep()
    assert swept.canceled_task_ids == (task["taskId"],)
    assert stored(relay, "tasks", task["taskId"]).status == "canceled"
    assert relay.sweep().canceled_task_ids == ()  # once


def test_a_sweep_with_nothing_due_writes_nothing(relay):
    running_with_cancel_requested(relay)
    relay.clock.advance(59)
    owner = relay.owner()
    before = state(owner)["changeCursor"]  # every committed write in the workspace moves it
    assert relay.sweep().canceled_task_ids == () and relay.sweep().pairing_records_deleted == 0
    assert state(owner)["changeCursor"] == before


def test_two_relays_sweeping_one_store_cancel_each_task_once(tmp_path):
    relay = Relay(tmp_path, "sqlite")
    second = Relay(tmp_path, "sqlite")  # the same database file, as several relays share one store
    try:
        owner = relay.owner()
        agent = pair_agent(relay, owner)
        tasks = [created(owner) for _ in range(4)]
        agent.poll(maxTasks=4)
        for task in tasks:
            owner.post(f"/api/admin/tasks/{task['taskId']}/cancel")
        relay.clock.advance(61)
        second.clock.advance(61 + 120)  # the second relay's clock is ahead: it is overdue there too
        results, start = [], threading.Barrier(2)

        def sweep(instance):
            start.wait()
            results.append(instance.sweep().canceled_task_ids)

        threads = [threading.Thread(target=sweep, args=(r,)) for r in (relay, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(sum(results, ())) == sorted(t["taskId"] for t in tasks)  # each canceled by exactly one
        assert {stored(relay, "tasks", t["taskId"]).status for t in tasks} == {"canceled"}
    finally:
        second.close()
        relay.close()


def test_stale_pairing_codes_and_requests_go_after_a_day(relay):
    owner = relay.owner()
    unused = new_pairing_code(owner)
    pending = request_pairing(relay, new_pairing_code(owner), "late-agent").json
    relay.clock.advance(3600)
    assert relay.sweep().pairing_records_deleted == 0  # expired, but an agent may still ask: it hears `expired`
    assert pending["requestId"] and unused
    with relay.store.transaction(write=False) as tx:
        assert tx.pairings.count() == 2 and tx.pair_requests.count() == 1
    relay.clock.advance(RETENTION_SEC)
    assert relay.sweep().pairing_records_deleted == 3
    with relay.store.transaction(write=False) as tx:
        assert tx.pairings.count() == 0 and tx.pair_requests.count() == 0


def test_the_sweeper_thread_sweeps_on_its_own_with_the_injected_clock(relay):
    owner, agent, task = running_with_cancel_requested(relay)
    relay.clock.advance(61)  # the relay's clock, not the wall clock, says the cancel is overdue
    sweeper = Sweeper(relay.app.relay.services.housekeeping, interval=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while stored(relay, "tasks", task["taskId"]).status != "canceled" and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        sweeper.stop()
    assert stored(relay, "tasks", task["taskId"]).status == "canceled" and sweeper.sweeps >= 1
