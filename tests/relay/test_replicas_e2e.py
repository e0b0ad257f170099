"""Issue 19 end to end: two relay processes on one PostgreSQL and one Redis, behind a real Caddy.

One cluster for the module (tests/relay/cluster_helpers.py). Phones and agents go through Caddy,
which sends consecutive requests to alternate replicas (each answer names its replica), so every
flow below crosses replicas: the reference agent's protocol, a passkey sign-in in Chromium, and an
interactive Codex turn with the real agent. Then the faults, in order: a replica SIGKILLed during a
burst of writes, PostgreSQL restarted, Redis restarted; nothing answered 2xx may be lost. Last,
no prompt or output text is in any file of the PostgreSQL cluster, WAL included.
"""

from __future__ import annotations

import http.client
import threading
import time
import uuid

import pytest

from tests.agent.conftest import codex_bin  # noqa: F401  (the real Codex CLI, failing when missing)
from tests.browser.conftest import Device, chromium  # noqa: F401  (Debian's Chromium, one per module)

from ..agent.model_server import exec_command, message
from ..waiting import wait_until
from .agent_helpers import in_thread, pair_over_http
from .cluster_helpers import UPSTREAM, Cluster, CodexAgent, task_views
from .marker_helpers import data_files_hold_markers

pytestmark = pytest.mark.slow  # relay, Caddy, PostgreSQL and Redis processes

# Task text this module sends (prompts, output, answers): none of it may reach PostgreSQL's files.
MARKERS = ("E2E19-PROMPT", "E2E19-OUTPUT", "Kürbis-✓-提示-e2e19", "出力-Ausgabe-e2e19")
PROMPT = f"{MARKERS[0]} {MARKERS[2]}"
OUTPUT = f"{MARKERS[1]} {MARKERS[3]}"
RETRYABLE = (OSError, http.client.HTTPException)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_server):
    home = tmp_path_factory.mktemp("home")
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local" / "share"),
           "XDG_STATE_HOME": str(home / ".local" / "state")}  # fmt: skip
    instance = Cluster(tmp_path_factory.mktemp("cluster"), postgres_server, env)
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def phone(cluster):
    return cluster.phone()


@pytest.fixture(scope="module")
def agent(cluster, phone):
    """agent-1, paired through Caddy (the interactive test runs the real agent with its token)."""
    return pair_over_http(cluster, phone)


def create(phone, prompt: str = PROMPT, **extra) -> dict:
    status, body = phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": prompt, **extra})
    assert status == 201, body
    return body["task"]


def view(phone, task_id: str) -> dict:
    return task_views(phone)[task_id]


def until_view(phone, task_id: str, done, *, timeout: float = 60, what: str = "", check=lambda: None) -> dict:
    """The task's view once `done(view)`; a failure shows the last view seen."""
    seen = {}

    def ready() -> bool:
        check()
        seen["view"] = view(phone, task_id)
        return done(seen["view"])

    try:
        wait_until(ready, timeout=timeout, interval=0.1, what=what)
    except AssertionError as err:
        raise AssertionError(f"{err}; the task: {seen.get('view')}") from None
    return seen["view"]


def test_the_reference_agent_flow_through_caddy_on_both_replicas(cluster, phone, agent):
    served = []

    def call(caller, method, path, body=None):
        answer = caller.call(method, path, body)
        served.append(caller.headers.get(UPSTREAM))
        return answer

    status, first = call(agent, "POST", "/api/agent/poll", {"label": "E2E box", "workspaceRootName": "ws"})
    assert status == 200 and first["tasks"] == [], first
    task = create(phone)
    assert task["status"] == "queued"
    status, reply = call(agent, "POST", "/api/agent/poll", {"label": "E2E box"})  # as the reference agent polls
    assert status == 200 and [t["taskId"] for t in reply["tasks"]] == [task["taskId"]], reply
    assert reply["tasks"][0]["prompt"] == PROMPT  # the text, whichever replica the create reached
    for body in ({"status": "running"}, {"outputAppend": OUTPUT + "\n"}, {"summary": "sum " + MARKERS[2]},
                 {"status": "completed", "result": {"exitCode": 0}}):  # fmt: skip
        assert call(agent, "POST", f"/api/agent/tasks/{task['taskId']}/update", body) == (200, {"ok": True})
    done = view(phone, task["taskId"])
    assert done["status"] == "completed" and done["outputTail"] == OUTPUT + "\n" and done["result"]["exitCode"] == 0
    assert done["summary"] == "sum " + MARKERS[2]
    assert set(served) == cluster.upstreams  # the flow crossed replicas


def test_a_task_created_on_b_reaches_the_poll_held_on_a_in_that_poll(cluster, phone, agent):
    on_a, phone_on_b = cluster.direct(0, agent), cluster.direct(1, phone)
    thread, box = in_thread(lambda: on_a.post("/api/agent/poll", {"waitMs": 20000}))
    time.sleep(1)  # held by now (a task queued before the hold would answer it at once, heldMs 0)
    task = create(phone_on_b)
    thread.join(25)
    status, reply = box["result"]
    assert status == 200 and [t["taskId"] for t in reply["tasks"]] == [task["taskId"]], reply
    assert box["elapsed"] < 10 and reply["heldMs"] > 0  # woken in the same held poll, not at its end
    assert reply["tasks"][0]["prompt"] == PROMPT

    # And the other way round for a phone: its state wait held on A wakes for an update through B.
    phone_on_a, agent_on_b = cluster.direct(0, phone), cluster.direct(1, agent)
    cursor = phone_on_a.get("/api/admin/state")[1]["changeCursor"]
    thread, box = in_thread(lambda: phone_on_a.get(f"/api/admin/state?waitForChangeAfter={cursor}&waitMs=20000"))
    time.sleep(0.5)
    assert agent_on_b.post(f"/api/agent/tasks/{task['taskId']}/update", {"outputAppend": OUTPUT}) == (200, {"ok": True})
    thread.join(25)
    status, state = box["result"]
    assert status == 200 and box["elapsed"] < 10, box
    assert next(t for t in state["tasks"] if t["taskId"] == task["taskId"])["outputTail"] == OUTPUT
    assert agent_on_b.post(f"/api/agent/tasks/{task['taskId']}/update", {"status": "completed"})[0] == 200


def test_a_passkey_sign_in_in_chromium_through_caddy(cluster, chromium):  # noqa: F811
    device = Device(chromium, cluster.origin)
    served: list[tuple[str, str]] = []
    device.page.on("response", lambda r: served.append((r.url, r.headers.get(UPSTREAM.lower()))))
    try:
        device.bootstrap_login()
        registered = device.register("Cluster phone")
        assert registered["status"] == 200, registered
        assert device.post("/api/auth/logout")["status"] == 200
        assert device.status()["authenticated"] is False
        signed_in = device.login()
        assert signed_in["status"] == 200, signed_in
        assert signed_in["body"]["auth"]["currentUser"]["displayName"] == "Owner"
        assert device.status()["authenticated"] is True
        # Options on one replica and verify on the other, for registration or sign-in (round robin).
        # Caddy sends nothing to a replica whose health check it missed (a loaded machine), so a
        # ceremony may land on one replica alone: sign in again, each time in full, until both served.
        for _ in range(5):
            if passkey_upstreams(served) == cluster.upstreams:
                break
            assert device.post("/api/auth/logout")["status"] == 200
            again = device.login()
            assert again["status"] == 200 and device.status()["authenticated"] is True, again
            time.sleep(1)
    finally:
        device.close()
    assert passkey_upstreams(served) == cluster.upstreams


def passkey_upstreams(served: list[tuple[str, str]]) -> set[str]:
    return {upstream for url, upstream in served if "/api/auth/passkeys/" in url}


def test_an_interactive_turn_with_the_real_agent_through_caddy(cluster, phone, agent, codex_bin, tmp_path):  # noqa: F811
    runner = CodexAgent(tmp_path, cluster, codex_bin, agent.token)
    try:
        runner.model.script(exec_command("touch cluster-marker.txt && echo ran-it"), message("Touched it."))
        task = create(phone, f"make the marker {MARKERS[0]}", execMode="supervised")

        def pending(task_view: dict) -> list[dict]:
            return [r for r in task_view.get("requests") or [] if r["status"] == "pending"]

        def agent_alive() -> None:
            assert not runner.errors, runner.errors

        asking = until_view(phone, task["taskId"], lambda v: pending(v) or v["status"] not in ("queued", "running"),
                            what="the approval request on the phone", check=agent_alive)  # fmt: skip
        assert asking["status"] == "running", asking
        (request,) = pending(asking)
        assert request["kind"] == "command" and "touch cluster-marker.txt" in request["command"]
        assert not (runner.workspace / "cluster-marker.txt").exists()
        answer = {"decision": "accept", "digest": request["digest"]}
        status, reply = phone.post(f"/api/admin/tasks/{task['taskId']}/requests/{request['requestId']}/answer", answer)
        assert status == 200, reply
        done = until_view(phone, task["taskId"], lambda v: v["status"] not in ("queued", "running"), what="the turn's end")
        assert done["status"] == "completed", done
        assert (runner.workspace / "cluster-marker.txt").exists()
        assert [r["status"] for r in done["requests"]] == ["accepted"]
        assert any(i["type"] == "agentMessage" and "Touched it." in i["text"] for i in done["items"])
    finally:
        runner.close()


def test_sigkill_of_a_replica_during_a_burst_loses_nothing_answered(cluster, phone, agent):
    created: list[str] = []  # answered 201
    claimed: list[str] = []  # handed to the agent by a poll answered 200
    finished: list[str] = []  # completed by an update answered 200
    lock = threading.Lock()
    stop = threading.Event()

    def creator(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            key = f"burst-{n}-{i}-{uuid.uuid4().hex[:8]}"
            while not stop.is_set():  # the same request again, with its key, until it is answered
                try:
                    status, body = phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": f"{PROMPT} {n}-{i}"},
                                              timeout=10, headers={"Idempotency-Key": key})  # fmt: skip
                except RETRYABLE:
                    continue
                if status == 201:
                    with lock:
                        created.append(body["task"]["taskId"])
                    break
                time.sleep(0.05)  # 502 from Caddy mid-kill, or 503: retry

    def retried(path: str, body: dict):
        while True:
            try:
                status, reply = agent.post(path, body, timeout=10)
            except RETRYABLE:
                continue
            if status < 500:
                return status, reply
            time.sleep(0.05)

    def worker() -> None:
        while not stop.is_set():
            status, reply = retried("/api/agent/poll", {"maxTasks": 4})
            assert status == 200, reply
            if not reply["tasks"]:
                time.sleep(0.05)
            for task in reply["tasks"]:
                with lock:
                    claimed.append(task["taskId"])
                if len(claimed) % 2:  # every other one is left running, for the restart below
                    continue
                path = f"/api/agent/tasks/{task['taskId']}/update"
                assert retried(path, {"outputAppend": OUTPUT}) == (200, {"ok": True})
                if retried(path, {"status": "completed", "result": {"exitCode": 0}}) == (200, {"ok": True}):
                    with lock:
                        finished.append(task["taskId"])

    threads = [threading.Thread(target=creator, args=(n,), daemon=True) for n in range(3)]
    threads += [threading.Thread(target=worker, daemon=True)]
    for thread in threads:
        thread.start()
    wait_until(lambda: len(created) >= 20 and len(finished) >= 3, timeout=60, what="the burst under way")
    cluster.replicas[0].kill()
    at_kill = len(created), len(finished)
    wait_until(lambda: len(created) >= at_kill[0] + 15 and len(finished) > at_kill[1], timeout=60, what="clients going on")
    cluster.restart_replica(0)  # a replica's restart is not an outage: nothing below may be interrupted
    cluster.wait_ready()
    wait_until(lambda: len(created) >= at_kill[0] + 25, timeout=60, what="creates after the restart")
    stop.set()
    for thread in threads:
        thread.join(30)

    views = task_views(phone)
    assert [t for t in created if t not in views] == []
    assert {t: views[t]["status"] for t in claimed if views[t]["status"] not in ("running", "completed")} == {}
    assert {t: views[t]["status"] for t in finished if views[t]["status"] != "completed"} == {}
    assert [t for t in finished if OUTPUT not in (views[t]["outputTail"] or "")] == []
    assert {views[t]["status"] for t in created} <= {"queued", "running", "completed"}  # none interrupted
    assert cluster.replicas[1].proc.poll() is None


def test_postgres_restart_answers_503_and_the_replicas_recover_by_themselves(cluster, phone, agent):
    before = create(phone)
    processes = [replica.proc.pid for replica in cluster.replicas]
    cluster.postgres.stop()
    try:
        # each request waits for a connection up to storage.connectTimeoutMs (1 s here): a few of them
        phone_on_a, phone_on_b = cluster.direct(0, phone), cluster.direct(1, phone)
        assert phone_on_a.get("/api/admin/state") == (503, {"error": "storage-unavailable"})
        status, body = phone_on_b.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": PROMPT})
        assert (status, body) == (503, {"error": "storage-unavailable"})
        assert cluster.direct(0, agent).post("/api/agent/poll", {}) == (503, {"error": "storage-unavailable"})
        assert phone_on_b.get("/api/ready") == (503, {"error": "not-ready", "detail": "storage"})
    finally:
        cluster.postgres.start()
    cluster.wait_ready()
    assert [replica.proc.pid for replica in cluster.replicas] == processes  # recovered without a restart
    for index in range(2):
        after = create(cluster.direct(index, phone))
        assert after["status"] == "queued"
    assert view(phone, before["taskId"])["prompt"] == PROMPT  # metadata and text both kept


def test_redis_restart_loses_task_text_as_a_relay_restart_and_keeps_serving(cluster, phone, agent):
    while agent.post("/api/agent/poll", {"maxTasks": 8})[1]["tasks"]:
        pass  # take what earlier tests left queued: they stay running, unfinished
    finished, running = create(phone), create(phone)
    status, reply = agent.post("/api/agent/poll", {"maxTasks": 2})
    assert [t["taskId"] for t in reply["tasks"]] == [finished["taskId"], running["taskId"]], reply
    assert agent.post(f"/api/agent/tasks/{finished['taskId']}/update", {"status": "completed"}) == (200, {"ok": True})
    assert agent.post(f"/api/agent/tasks/{running['taskId']}/update", {"outputAppend": OUTPUT}) == (200, {"ok": True})
    queued = create(phone)
    count_before = len(task_views(phone))

    cluster.redis.stop()
    try:
        for index in range(2):
            on_replica = cluster.direct(index, phone)
            status, body = on_replica.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": "x"})
            assert (status, body) == (503, {"error": "volatile-store-unavailable"})
            status, body = cluster.direct(index, phone).post("/api/auth/login", {"bootstrapToken": "whatever"})
            assert (status, body) == (503, {"error": "volatile-store-unavailable"})  # no sign-in without its rate limit
    finally:
        cluster.redis.start()
    cluster.wait_ready()

    until_view(phone, running["taskId"], lambda v: v["status"] == "interrupted", timeout=30,
               what="the running task interrupted once its text was gone")  # fmt: skip
    views = task_views(phone)
    assert len(views) == count_before  # metadata intact
    assert views[running["taskId"]]["outputTail"] in ("", None) and views[running["taskId"]]["prompt"] in ("", None)
    assert views[queued["taskId"]]["status"] == "interrupted"
    assert views[finished["taskId"]]["status"] == "completed"
    assert phone.get("/api/auth/status")[1]["authenticated"] is True  # sessions are metadata

    # every replica serves, wake-ups included: a task created on one reaches a poll held on the other
    for held, other in ((0, 1), (1, 0)):
        thread, box = in_thread(lambda: cluster.direct(held, agent).post("/api/agent/poll", {"waitMs": 20000}))
        time.sleep(0.5)
        task = create(cluster.direct(other, phone))
        thread.join(25)
        status, reply = box["result"]
        assert status == 200 and [t["taskId"] for t in reply["tasks"]] == [task["taskId"]], reply
        assert box["elapsed"] < 10 and reply["tasks"][0]["prompt"] == PROMPT


def test_no_task_text_in_any_postgres_file_wal_included(cluster):
    cluster.postgres.psql("CHECKPOINT")  # pages out of shared buffers, onto the files searched
    searched = [p for p in cluster.postgres.data_dir.rglob("*") if p.is_file() and p.stat().st_mtime >= cluster.started]
    assert any(p.parent.name == "pg_wal" for p in searched)  # this module's writes: WAL included
    assert data_files_hold_markers(cluster.postgres.data_dir, MARKERS, since=cluster.started) == []
    assert data_files_hold_markers(cluster.folder, MARKERS) == []  # nor the relays' data dir, nor Caddy's
