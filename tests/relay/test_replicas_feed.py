"""Two relay processes on one SQLite file and one Redis: a task created through relay B wakes the
agent's poll held on relay A within that poll, the phone's change feed and task deltas are shared,
a replica's restart leaves the work running, and a wiped Redis interrupts it once."""

from __future__ import annotations

import os
import time

import pytest

from tests.waiting import wait_until

from ..servers.redis import free_port
from ..servers.relay_replica import RelayReplica
from .agent_helpers import Http, in_thread, pair_over_http
from .conftest import BOOTSTRAP_TOKEN, ORIGIN, make_config

ACTION = {"type": "run_action", "agentId": "agent-1", "actionId": "a"}  # no task text: one view on both


def _status(phone: Http, task_id: str) -> str:
    status, view = phone.get("/api/admin/state")
    assert status == 200, view
    return next(task["status"] for task in view["tasks"] if task["taskId"] == task_id)


@pytest.mark.slow  # two relay processes
def test_two_replicas_share_the_phone_feed_and_survive_each_other(tmp_path, user_dirs, redis_server, redis_url):
    env = {**os.environ, **user_dirs}
    configs, ports = [], []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        ports.append(free_port())
        make_config(folder, "sqlite", listenPort=ports[-1], dataDir=str(tmp_path / "data"),
                    volatile={"backend": "redis", "url": redis_url})  # fmt: skip
        configs.append(folder / "relay.json")
    relays = [RelayReplica(config, env=env) for config in configs]
    try:
        class Live:  # what pair_over_http needs: relay A
            port = ports[0]

            @staticmethod
            def agent(token):
                return Http(ports[0], token=token)

        on_a = Http(ports[0], origin=ORIGIN)
        assert on_a.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})[0] == 200
        on_b = Http(ports[1], origin=ORIGIN)
        on_b.cookie = on_a.cookie
        agent = pair_over_http(Live, on_a)
        agent_on_b = Http(ports[1], token=agent.token)
        assert agent.post("/api/agent/poll", {})[0] == 200  # online

        # A task created through B reaches the agent's poll held on A, within that same held poll.
        thread, box = in_thread(lambda: agent.post("/api/agent/poll", {"waitMs": 25000}))
        time.sleep(0.5)  # let A hold it (a task queued before the poll is handed out at once all the same)
        status, body = on_b.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "hi"})
        assert status == 201, body
        running = body["task"]["taskId"]
        thread.join(30)
        status, polled = box["result"]
        assert status == 200 and [task["taskId"] for task in polled["tasks"]] == [running]
        assert polled["tasks"][0]["prompt"] == "hi"  # its text is shared too
        assert box["elapsed"] < 20  # woken by the create on B, not by the end of its 25 s wait

        # A phone's state wait held on A wakes for an agent's update through B.
        status, view = on_a.get("/api/admin/state")
        cursor = view["changeCursor"]
        assert on_b.get("/api/admin/state")[1]["changeCursor"] == cursor  # one cursor on both replicas
        thread, box = in_thread(lambda: on_a.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=25000"))
        time.sleep(0.5)  # let A hold it (a change before the wait answers it at once all the same)
        assert agent_on_b.post(f"/api/agent/tasks/{running}/update", {"summary": "half way"})[0] == 200
        thread.join(30)
        status, woken = box["result"]
        assert status == 200 and woken["changeCursor"] != cursor
        assert box["elapsed"] < 20  # woken by B's update, not by the end of its 25 s wait

        # A tasksCursor from A is answered as a delta by B.
        assert on_a.post("/api/admin/tasks", ACTION)[0] == 201
        since = on_a.get("/api/admin/state?tasksSince=")[1]["tasksCursor"]
        status, added = on_b.post("/api/admin/tasks", ACTION)
        status, delta = on_b.get(f"/api/admin/state?tasksSince={since}")
        assert delta["tasksDelta"] is True and added["task"]["taskId"] in [task["taskId"] for task in delta["tasks"]]
        assert len(delta["tasks"]) < len(on_b.get("/api/admin/state")[1]["tasks"])  # not the whole list

        # A replica's restart leaves the running task alone.
        relays[1].stop()
        relays[1] = RelayReplica(configs[1], env=env)
        assert _status(on_b, running) == "running"

        # Redis restarted empty: the running task's text is gone, so it is interrupted, once.
        redis_server.flush()
        wait_until(lambda: _status(on_a, running) == "interrupted", timeout=20, what="the sweep noticing the wipe")
        status, body = on_b.post("/api/admin/tasks", ACTION)
        assert status == 201, body
        time.sleep(6)  # both replicas have swept since (every 5 s): neither interrupts again
        assert _status(on_a, body["task"]["taskId"]) == "awaiting_approval"
        assert on_a.get("/api/admin/state")[1]["changeCursor"] == on_b.get("/api/admin/state")[1]["changeCursor"]
    finally:
        for relay in relays:
            relay.stop()
