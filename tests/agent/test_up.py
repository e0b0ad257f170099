"""`mobile-codex up` as a subprocess: web app served, local agent paired and polling, login code single use."""

from __future__ import annotations

import json
import os
import signal
import sqlite3

import pytest

from ..relay.agent_helpers import Http
from .cli_processes import UpProcess, free_port, start_up, stop

pytestmark = pytest.mark.slow  # `mobile-codex up` processes: a relay and an agent each


@pytest.fixture
def port(run_cli):
    chosen = free_port()
    done = run_cli("init-relay", "--origin", f"http://localhost:{chosen}")  # into the platformdirs location
    assert done.returncode == 0, done.stderr
    return chosen


def agents_in_store(user_dirs) -> list[tuple]:
    db = os.path.join(user_dirs["XDG_DATA_HOME"], "mobile-codex", "relay", "relay.sqlite3")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT agent_id, revoked_at, workspace_root_name, exec_modes FROM agents").fetchall()


def test_up_serves_pairs_polls_and_prints_a_single_use_login_code(user_dirs, workspace, port):
    up, code = start_up(user_dirs, workspace, port)
    try:
        web = Http(port)
        status, _ = web.call("GET", "/api/health")
        assert status == 200
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        page = conn.getresponse()
        assert page.status == 200 and "text/html" in page.getheader("content-type")
        conn.close()

        (agent_id, revoked, root_name, modes), = agents_in_store(user_dirs)
        assert revoked is None and root_name == workspace.name and "read-only" in modes
        config = json.loads(open(os.path.join(user_dirs["XDG_CONFIG_HOME"], "mobile-codex", "agent.json")).read())
        assert config["agentId"] == agent_id and config["workspaceRoot"] == str(workspace)

        phone = Http(port, origin=f"http://localhost:{port}")
        status, body = phone.post("/api/auth/login-code", {"loginCode": code})
        assert status == 200 and body["auth"]["isRelayOwner"] is True, body
        again = Http(port, origin=f"http://localhost:{port}")
        assert again.post("/api/auth/login-code", {"loginCode": code}) == (401, {"error": "invalid-login-code", "detail": "spent"})

        # what the phone sees: the local agent, seen recently, reporting what it can do
        status, state = phone.call("GET", "/api/admin/state")
        assert status == 200, state
        (agent,) = state["agents"]
        assert agent["agentId"] == agent_id and agent["revokedAt"] is None and agent["lastSeenAt"], agent
        assert agent["workspaceRootName"] == workspace.name and "read-only" in [m["id"] for m in agent["execModes"]], agent
        assert isinstance(agent["codexAvailable"], bool), agent

        # the relay's loop and its 64 workers share one CPU (server.oneCore); the agent, and so the
        # Codex processes it starts, keeps every CPU the process was given
        allowed = {int(task.name): cpus_allowed(up.proc.pid, task.name) for task in os.scandir(f"/proc/{up.proc.pid}/task")}
        pinned = [tid for tid, cpus in allowed.items() if cpus != allowed[up.proc.pid]]
        assert len(pinned) == 65 and len({allowed[tid] for tid in pinned}) == 1 and allowed[pinned[0]].isdigit(), allowed
    finally:
        returncode, stderr = stop(up)
    assert returncode == 0, stderr


def cpus_allowed(pid: int, tid: str) -> str:
    with open(f"/proc/{pid}/task/{tid}/status") as status:
        return next(line.split(":", 1)[1].strip() for line in status if line.startswith("Cpus_allowed_list"))


def test_a_second_run_reuses_the_pairing_and_prints_a_fresh_code(user_dirs, workspace, port):
    up, first = start_up(user_dirs, workspace, port)
    assert stop(up)[0] == 0
    up, second = start_up(user_dirs, workspace, port)
    try:
        assert second != first
        assert [row[:2] for row in agents_in_store(user_dirs)] == [(agents_in_store(user_dirs)[0][0], None)]
    finally:
        assert stop(up)[0] == 0


def test_when_the_relay_refuses_to_pair_the_agent_stops_with_a_reason_and_the_relay_keeps_serving(user_dirs, workspace, port):
    relay_json = os.path.join(user_dirs["XDG_CONFIG_HOME"], "mobile-codex", "relay.json")
    doc = json.loads(open(relay_json).read())
    doc.setdefault("features", {})["pairings"] = False
    with open(relay_json, "w") as handle:
        json.dump(doc, handle)
    up = UpProcess(user_dirs, "--workspace", workspace, merge_stderr=True)
    try:
        up.expect(r"relay listening on", timeout=30)
        up.expect(r"agent: the local relay refused to pair it \(pairings-disabled\); stopping the agent", timeout=30)
        assert Http(port).call("GET", "/api/health")[0] == 200
    finally:
        up.proc.send_signal(signal.SIGINT)
        returncode = up.proc.wait(30)
    rest = "".join(iter_queue(up.lines))
    assert returncode == 0 and "Traceback" not in rest, rest


def iter_queue(lines):
    while not lines.empty():
        yield lines.get()
