"""Crash safety: SIGKILL a relay process during a burst of task creates, then restart it.

Every task whose create was answered 201 must exist afterwards, running ones become
`interrupted`, the store's integrity check passes, and no file in the data dir (WAL and SHM
included; on postgres also the cluster's directory, WAL included) holds any prompt or output
text, ASCII or not. Runs on sqlite and on postgres.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import threading

import pytest
from mobile_codex.core.plugins import load_plugins
from mobile_codex.relay_app.server import open_store

from ..servers.relay_replica import RelayReplica
from ..waiting import wait_until
from .agent_helpers import Http, pair_over_http
from .conftest import BOOTSTRAP_TOKEN, ORIGIN, make_config
from .marker_helpers import MARKERS, data_files_hold_markers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow  # relay processes, killed and restarted
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_during_a_burst_of_task_writes(tmp_path, user_dirs, backend, new_dsn, request):
    port = free_port()
    config = make_config(tmp_path, backend, dsn=new_dsn(), listenPort=port)
    # postgres: the cluster's whole directory (WAL included) is searched too, its pages flushed first
    cluster = request.getfixturevalue("postgres_server") if backend == "postgres" else None

    def holding_markers() -> list[tuple[str, str]]:
        if cluster is None:
            return data_files_hold_markers(config.data_dir)
        cluster.psql("CHECKPOINT")
        return data_files_hold_markers(config.data_dir) + data_files_hold_markers(cluster.data_dir)

    env = {**os.environ, **user_dirs}
    relay = RelayReplica(tmp_path / "relay.json", env=env)

    class Live:  # what pair_over_http needs
        pass

    live = Live()
    live.port = port
    live.agent = lambda token: Http(port, token=token)
    phone = Http(port, origin=ORIGIN)
    assert phone.post("/api/auth/login", {"bootstrapToken": BOOTSTRAP_TOKEN})[0] == 200
    agent = pair_over_http(live, phone)
    status, body = phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": f"{MARKERS[0]} {MARKERS[2]}"})
    assert status == 201
    running_id = body["task"]["taskId"]
    assert [t["taskId"] for t in agent.post("/api/agent/poll", {})[1]["tasks"]] == [running_id]
    assert agent.post(f"/api/agent/tasks/{running_id}/update", {"outputAppend": f"{MARKERS[1]} {MARKERS[3]}"})[0] == 200

    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def burst(n: int) -> None:
        client = Http(port, origin=ORIGIN)
        client.cookie = phone.cookie
        i = 0
        while not stop.is_set():
            i += 1
            try:
                status, body = client.post(
                    "/api/admin/tasks",
                    {"type": "codex_exec", "agentId": "agent-1", "prompt": f"{MARKERS[0]}-{n}-{i} {MARKERS[2]}"},
                    timeout=5,
                )  # fmt: skip
            except (OSError, http.client.HTTPException):  # refused, reset, or cut mid-answer by the kill
                continue  # the relay is gone: requests without an answer promise nothing
            if status == 201:
                with lock:
                    answered.append(body["task"]["taskId"])

    writers = [threading.Thread(target=burst, args=(n,), daemon=True) for n in range(8)]
    for writer in writers:
        writer.start()
    wait_until(lambda: len(answered) > 40, timeout=30, what="40 answered creates")  # kill mid-burst, not before it
    relay.stop(signal.SIGKILL)
    stop.set()
    for writer in writers:
        writer.join(10)
    assert len(answered) > 20, "the burst should have written something before the kill"
    assert holding_markers() == []

    restarted = RelayReplica(tmp_path / "relay.json", env=env)
    restarted.stop()
    store = open_store(config, load_plugins(entry_points=[]))
    try:
        assert store.integrity_check() == []
        with store.transaction(write=False) as tx:
            missing = [task_id for task_id in answered if tx.tasks.get(task_id) is None]
            assert missing == []
            assert tx.tasks.get(running_id).status == "interrupted"
            assert tx.tasks.count(status="queued") == 0 and tx.tasks.count(status="running") == 0
            assert tx.tasks.count(status="interrupted") >= len(answered) + 1
    finally:
        store.close()
    assert holding_markers() == []


def test_the_marker_search_finds_markers(tmp_path):
    (tmp_path / "x-wal").write_bytes(b"\x00" + "… Grüße-✓-提示 …".encode())
    assert data_files_hold_markers(tmp_path) == [("x-wal", "Grüße-✓-提示")]
