"""Two relay processes on one SQLite file and one Redis: a task created through relay B wakes the
agent's long-poll held on relay A, within that same held poll (the wake-up bus of the volatile store)."""

from __future__ import annotations

import os

import pytest

from ..servers.redis import free_port
from ..servers.relay_replica import RelayReplica
from .agent_helpers import Http, in_thread, pair_over_http
from .conftest import BOOTSTRAP_TOKEN, ORIGIN, make_config


@pytest.mark.slow  # two relay processes
def test_a_task_created_on_one_replica_wakes_the_poll_held_on_another(tmp_path, user_dirs, redis_url):
    shared_dir = tmp_path / "data"
    env = {**os.environ, **user_dirs}
    ports = []
    relays = []
    try:
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            ports.append(free_port())
            make_config(folder, "sqlite", listenPort=ports[-1], dataDir=str(shared_dir),
                        volatile={"backend": "redis", "url": redis_url})  # fmt: skip
            relays.append(RelayReplica(folder / "relay.json", env=env))

        class Live:  # what pair_over_http needs: relay A
            port = ports[0]

            @staticmethod
            def agent(token):
                return Http(ports[0], token=token)

        phone = Http(ports[0], origin=ORIGIN)
        assert phone.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})[0] == 200
        agent = pair_over_http(Live, phone)
        assert agent.post("/api/agent/poll", {})[0] == 200  # online

        thread, box = in_thread(lambda: agent.post("/api/agent/poll", {"waitMs": 25000}))
        phone_on_b = Http(ports[1], origin=ORIGIN)
        phone_on_b.cookie = phone.cookie
        status, body = phone_on_b.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "hi"})
        assert status == 201, body
        thread.join(30)
        status, reply = box["result"]
        assert status == 200 and [t["taskId"] for t in reply["tasks"]] == [body["task"]["taskId"]]
        assert box["elapsed"] < 20  # woken by the create on B, not by the end of its 25 s wait
    finally:
        for relay in relays:
            relay.stop()
