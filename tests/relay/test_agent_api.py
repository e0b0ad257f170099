"""The agent API: bearer tokens, poll (claims, reports, cancels, refresh, long-poll), task updates."""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import datetime, timezone

import attrs
import pytest

from mobile_codex.core.crypto import sha256_hex
from mobile_codex.relay_app.services.agent_tokens import issue_agent_token, verify_agent_token
from mobile_codex.relay_app.services.change_scopes import workspace

from ..waiting import wait_until
from .agent_helpers import AgentClient, created, only_agent, other_workspace, pair_agent, relay_with, state_parts, stored, wait_held  # noqa: F401
from .conftest import TOKEN_SECRET

FIXTURE_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkNCVCJ9.eyJyb2xlIjoiYWdlbnQiLCJzdWIiOiJzZXJ2ZXItbWFpbiIsIndzIjoid3NfOTQ2OTJiN2UyN2M2YmIxMyIsImV4cCI6MTc5ODIyNjU1OX0"
    ".NVmEpf1OPHn-Oj5QRwrrHg9_vlwRNlsHfrfKfeLmELc"
)


def decode(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# --- tokens ----------------------------------------------------------------------------------


def test_token_format_matches_the_reference():
    now = datetime.fromtimestamp(1798226559 - 30 * 24 * 3600, timezone.utc)
    token = issue_agent_token(TOKEN_SECRET, agent_id="server-main", workspace_id="ws_94692b7e27c6bb13", now=now)
    assert token == FIXTURE_TOKEN  # byte for byte what the reference issued
    header, payload, _ = token.split(".")
    assert decode(header) == {"alg": "HS256", "typ": "CBT"} and "=" not in token
    assert decode(payload) == {"role": "agent", "sub": "server-main", "ws": "ws_94692b7e27c6bb13", "exp": 1798226559}


def test_verify_rejects_forged_altered_and_expired_tokens():
    now = datetime(2026, 11, 26, tzinfo=timezone.utc)
    assert verify_agent_token(TOKEN_SECRET, FIXTURE_TOKEN, now=now)["sub"] == "server-main"
    assert verify_agent_token("another-secret-of-at-least-32-characters!", FIXTURE_TOKEN, now=now) is None
    header, payload, sig = FIXTURE_TOKEN.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"role": "agent", "sub": "x", "ws": "w", "exp": 2e9}).encode()).rstrip(b"=").decode()
    assert verify_agent_token(TOKEN_SECRET, f"{header}.{forged}.{sig}", now=now) is None
    assert verify_agent_token(TOKEN_SECRET, f"{header}.{payload}.{sig[:-2]}AA", now=now) is None
    assert verify_agent_token(TOKEN_SECRET, "a.b", now=now) is None and verify_agent_token(TOKEN_SECRET, "..", now=now) is None
    late = datetime(2026, 12, 26, tzinfo=timezone.utc)
    assert verify_agent_token(TOKEN_SECRET, FIXTURE_TOKEN, now=late) is None


def test_poll_auth_errors(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    anonymous = AgentClient(relay.app, None)
    assert anonymous.post("/api/agent/poll", {}).json == {"error": "missing-token"}
    assert anonymous.post("/api/agent/poll", {}, headers={"Authorization": "Basic abc"}).json == {"error": "missing-token"}
    for bad in ("garbage", agent.token[:-3] + "AAA", FIXTURE_TOKEN):
        result = anonymous.post("/api/agent/poll", {}, token=bad)
        assert (result.status_code, result.json) == (401, {"error": "invalid-token"})
    # Right signature, but not the token the relay issued (its hash is not stored).
    other = issue_agent_token(TOKEN_SECRET, agent_id="agent-1", workspace_id=owner_ws(relay), now=relay.clock(), lifetime_sec=999)
    assert anonymous.post("/api/agent/poll", {}, token=other).json == {"error": "invalid-token"}
    # Expired, though it was accepted (and its check kept by AgentAuth) a moment before.
    assert agent.poll()["ok"] is True
    relay.clock.advance(31 * 24 * 3600)
    assert agent.post("/api/agent/poll", {}).json == {"error": "invalid-token"}


def owner_ws(relay) -> str:
    with relay.store.transaction(write=False) as tx:
        return tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id


def test_a_token_for_another_workspace_names_another_agent(relay):
    # Agent ids are per workspace: a token's `ws` and `sub` together name the agent, so one signed
    # for the same id in another workspace never reaches this agent, even with its hash stored.
    owner = relay.owner()
    pair_agent(relay, owner)
    foreign_ws, _ = other_workspace(relay)
    token = issue_agent_token(TOKEN_SECRET, agent_id="agent-1", workspace_id=foreign_ws, now=relay.clock())
    with relay.store.transaction() as tx:
        tx.agents.put(attrs.evolve(only_agent_in(tx, "agent-1"), token_hash=sha256_hex(token)))
    result = AgentClient(relay.app, token).post("/api/agent/poll", {})
    assert (result.status_code, result.json) == (401, {"error": "invalid-token"})


def only_agent_in(tx, agent_id: str):
    [agent] = tx.agents.find(agent_id=agent_id)
    return agent


def test_revoke_is_effective_on_the_next_request(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    assert agent.poll()["tasks"][0]["taskId"] == task["taskId"]
    assert owner.post("/api/admin/agents/agent-1/revoke").json == {"ok": True}
    result = agent.post("/api/agent/poll", {})
    assert (result.status_code, result.json) == (401, {"error": "agent-revoked"})
    assert agent.update(task["taskId"], status="completed").json == {"error": "agent-revoked"}
    assert only_agent(relay.store, "agent-1").revoked_at == "2026-11-26T12:00:00.000Z"


def test_revoke_errors_and_roles(relay):
    from .agent_helpers import member

    owner = relay.owner()
    pair_agent(relay, owner)
    assert member(relay, "operator").post("/api/admin/agents/agent-1/revoke").json == {"error": "insufficient-role"}
    _, stranger = other_workspace(relay)
    result = stranger.post("/api/admin/agents/agent-1/revoke")
    assert (result.status_code, result.json) == (404, {"error": "agent-not-found"})
    assert owner.post("/api/admin/agents/nope/revoke").json == {"error": "agent-not-found"}
    assert only_agent(relay.store, "agent-1").revoked_at is None


# --- poll ------------------------------------------------------------------------------------

REPORT = {
    "label": "Build box", "workspaceRootName": "repo",
    "features": {"codexExec": True, "runAction": False, "bogus": True, "readLog": "yes"},
    "actions": [{"id": "status", "label": "Status"}], "logSources": [{"id": "app", "label": "App"}],
    "codexAvailable": True, "codexVersion": "0.169.0",
    "execModes": [{"id": "read-only", "label": "Read only", "writes": False}, {"id": "fast", "label": "Fast", "writes": True}],
    "codexSessions": [{"sessionId": "s1", "title": "SESSION-TITLE-MARKER", "cwd": ".", "preview": [{"role": "user", "text": "hi"}, {"role": "system", "text": "x"}]}],
}  # fmt: skip


def test_poll_records_what_the_agent_reports(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    reply = agent.poll(**REPORT)
    assert reply == {"ok": True, "tasks": [], "cancelTaskIds": [], "heldMs": 0, "answers": [], "steers": []}
    record = only_agent(relay.store, "agent-1")
    assert (record.label, record.workspace_root_name, record.codex_available, record.codex_version) == ("Build box", "repo", True, "0.169.0")
    assert record.features == {"codexExec": True, "runAction": False}
    assert record.actions == [{"id": "status", "label": "Status"}] and record.log_sources == [{"id": "app", "label": "App"}]
    assert record.exec_modes[1] == {"id": "fast", "label": "Fast", "writes": True, "interactive": False}
    view = state_parts(relay, owner)["agents"][0]
    assert view["codexSessions"][0]["title"] == "SESSION-TITLE-MARKER" and len(view["codexSessions"][0]["preview"]) == 1
    assert view["codexAvailable"] is True and view["execModes"] == record.exec_modes and view["lastSeenAt"] == "2026-11-26T12:00:00.000Z"
    # Session summaries live in memory only.
    for path in relay.store.data_files():
        assert b"SESSION-TITLE-MARKER" not in path.read_bytes()
    # An old agent that sends nothing new changes nothing.
    agent.poll()
    assert only_agent(relay.store, "agent-1") == record


def test_poll_body_errors(relay):
    agent = pair_agent(relay, relay.owner())
    for body in ({"actions": "x"}, {"actions": [{"label": "no id"}]}, {"features": []}, {"maxTasks": "2"}, {"label": 3}):
        result = agent.post("/api/agent/poll", body)
        assert result.status_code == 400 and result.json["error"] == "invalid-field", body
    assert agent.post("/api/agent/poll", body="[]").json == {"error": "invalid-json"}
    assert agent.post("/api/agent/poll", body="x" * 131073).status_code == 413
    assert agent.post("/api/agent/poll", {"label": "x" * 1000}).status_code == 200
    assert len(only_agent(relay.store, "agent-1").label) == 120


def test_poll_claims_oldest_first_up_to_max_tasks(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    ids = []
    for i in range(5):
        relay.clock.advance(1)
        ids.append(created(owner, prompt=f"p{i}")["taskId"])
    assert agent.poll(maxTasks=0)["tasks"] == []
    first = agent.poll()["tasks"]
    assert [t["taskId"] for t in first] == ids[:1] and first[0]["status"] == "running" and first[0]["prompt"] == "p0"
    assert [t["taskId"] for t in agent.poll(maxTasks=3)["tasks"]] == ids[1:4]
    assert [t["taskId"] for t in agent.poll(maxTasks=99)["tasks"]] == ids[4:]
    assert stored(relay, "tasks", ids[0]).status == "running"
    assert agent.poll(maxTasks=8)["tasks"] == []


def test_poll_ignores_other_agents_tasks(relay):
    owner = relay.owner()
    one, two = pair_agent(relay, owner, "one"), pair_agent(relay, owner, "two")
    created(owner, "two")
    assert one.poll()["tasks"] == []
    assert len(two.poll()["tasks"]) == 1


def test_last_seen_is_written_lazily(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll()
    first = only_agent(relay.store, "agent-1").last_seen_at
    relay.clock.advance(2)
    agent.poll()
    assert only_agent(relay.store, "agent-1").last_seen_at == first
    assert state_parts(relay, owner)["agents"][0]["lastSeenAt"] == "2026-11-26T12:00:02.000Z"  # memory is exact
    relay.clock.advance(4)
    agent.poll()
    assert only_agent(relay.store, "agent-1").last_seen_at == "2026-11-26T12:00:06.000Z"


def test_token_refresh_and_cutover(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    assert "agentToken" not in agent.poll()
    relay.clock.advance(22 * 24 * 3600)  # 8 days left
    assert "agentToken" not in agent.poll()
    relay.clock.advance(2 * 24 * 3600)  # 6 days left
    reply = agent.poll()
    fresh = reply["agentToken"]
    assert decode(fresh.split(".")[1])["exp"] == int(relay.clock().timestamp()) + 30 * 24 * 3600
    # Both work until the new one is used (and an agent that ignores it is not sent one every poll)...
    assert "agentToken" not in agent.poll()
    relay.clock.advance(601)
    fresh = agent.poll()["agentToken"]
    new_client = AgentClient(relay.app, fresh)
    assert "agentToken" not in new_client.poll()
    # ...then only the new one.
    assert agent.post("/api/agent/poll", {}).json == {"error": "invalid-token"}
    record = only_agent(relay.store, "agent-1")
    assert record.token_hash == sha256_hex(fresh) and record.next_token_hash is None


def test_cancel_ids_in_poll(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    agent.poll()
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == []
    owner.post(f"/api/admin/tasks/{task['taskId']}/cancel")
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == [task["taskId"]]


def run_in_thread(fn):
    box = {}

    def target():
        started = time.monotonic()
        box["result"] = fn()
        box["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=target)
    thread.start()
    return thread, box


def test_long_poll_wakes_on_a_new_task(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    thread, box = run_in_thread(lambda: agent.poll(waitMs=10000))
    wait_held(relay)
    time.sleep(0.25)  # the point: the reply's heldMs counts the time held before the task came (>= 200 below)
    task = created(owner)
    thread.join(5)
    assert not thread.is_alive() and box["elapsed"] < 5
    assert [t["taskId"] for t in box["result"]["tasks"]] == [task["taskId"]] and box["result"]["heldMs"] >= 200


def test_long_poll_with_max_tasks_0_wakes_only_on_cancel(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    running = created(owner)
    agent.poll()
    thread, box = run_in_thread(lambda: agent.poll(waitMs=10000, maxTasks=0))
    wait_held(relay)
    created(owner)
    time.sleep(0.4)  # the point: a wrong wake-up would end the poll within this window
    assert thread.is_alive()  # a queued task does not end it
    owner.post(f"/api/admin/tasks/{running['taskId']}/cancel")
    thread.join(5)
    assert not thread.is_alive() and box["result"]["cancelTaskIds"] == [running["taskId"]] and box["result"]["tasks"] == []


def test_long_poll_times_out_and_answers_at_once_past_capacity(relay):
    agent = pair_agent(relay, relay.owner())
    started = time.monotonic()
    reply = agent.poll(waitMs=300)
    assert reply["tasks"] == [] and 250 <= reply["heldMs"] < 2000 and time.monotonic() - started >= 0.25
    holds = relay.app.relay.holds
    entered = [holds.hold() for _ in range(holds.capacity)]
    assert all(hold.__enter__() for hold in entered)
    try:
        started = time.monotonic()
        assert agent.poll(waitMs=5000)["heldMs"] == 0 and time.monotonic() - started < 1
    finally:
        for hold in entered:
            hold.__exit__(None, None, None)


# --- task updates ----------------------------------------------------------------------------


@pytest.fixture
def running(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    agent.poll()
    return owner, agent, task["taskId"]


def test_update_output_status_and_view(relay, running):
    owner, agent, task_id = running
    assert agent.update(task_id, outputAppend="abc", summary="working", threadId="thr-1").json == {"ok": True}
    assert agent.update(task_id, outputAppend="def").json == {"ok": True}
    result = {"exitCode": 0, "signal": None, "completedAt": "2026-11-26T12:00:00.000Z", "threadId": "thr-1", "secret": "x"}
    assert agent.update(task_id, status="completed", result=result, diffText="diff", error="").json == {"ok": True}
    view = next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task_id)
    assert (view["status"], view["outputTail"], view["summary"], view["threadId"], view["diffText"]) == ("completed", "abcdef", "working", "thr-1", "diff")
    assert view["result"] == {"exitCode": 0, "signal": None, "completedAt": "2026-11-26T12:00:00.000Z", "threadId": "thr-1"}
    assert stored(relay, "tasks", task_id).thread_id == "thr-1"


def test_update_redactions_count_is_kept_at_its_highest_and_shown(relay, running):
    """Ours (issue 21): how many secrets the agent hid; an update that arrives late never lowers it."""
    owner, agent, task_id = running

    def shown():
        return next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task_id)["redactions"]

    assert shown() == 0  # none said: 0, for old agents too
    assert agent.update(task_id, outputAppend="[redacted: GitHub Token]\n", redactions=2).json == {"ok": True}
    assert shown() == 2
    assert agent.update(task_id, redactions=1).json == {"ok": True}
    assert shown() == 2
    assert agent.update(task_id, status="completed", redactions=5 * 10**9).json == {"ok": True}
    assert shown() == 1_000_000  # clamped


def test_update_redactions_must_be_a_number(relay, running):
    owner, agent, task_id = running
    result = agent.update(task_id, redactions="two")
    assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "redactions"})


def test_update_budgets(relay, running):
    owner, agent, task_id = running
    for _ in range(3):
        agent.update(task_id, outputAppend="é" * 5000)
    agent.update(task_id, summary="s" * 5000, diffText="d" * 30000, error="e" * 9000, threadId="t" * 500)
    view = next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task_id)
    assert len(view["outputTail"].encode()) <= 12000 and view["outputTail"].endswith("é")
    assert (len(view["summary"]), len(view["diffText"]), len(view["error"]), len(view["threadId"])) == (2048, 20000, 4000, 120)
    assert agent.update(task_id, outputAppend="x" * (1024 * 1024)).status_code == 413


@pytest.mark.parametrize(
    ("task_type", "extra", "result", "expected"),
    [
        ("run_action", {"actionId": "status"}, {"actionId": "status", "exitCode": 1.0, "signal": 9, "completedAt": "t", "x": 1},
         {"actionId": "status", "exitCode": 1, "signal": None, "completedAt": "t"}),
        ("read_log", {"logSourceId": "app"}, {"logSourceId": "app", "lineCount": 99999, "completedAt": "t", "lines": ["a"]},
         {"logSourceId": "app", "lineCount": 5000, "completedAt": "t"}),
        ("delete_session", {"sessionId": "s"}, {"sessionId": "s", "deleted": True, "completedAt": "t", "path": "/x"},
         {"sessionId": "s", "deleted": True, "completedAt": "t"}),
        ("read_session", {"sessionId": "s"},
         {"sessionId": "s", "title": "T", "cwd": ".", "messageCount": 90, "messages": [{"role": "user", "text": "m" * 900, "x": 1}] * 90},
         {"sessionId": "s", "title": "T", "cwd": ".", "messageCount": 90, "messages": [{"role": "user", "text": "m" * 400}] * 80}),
    ],
)  # fmt: skip
def test_results_are_reduced_to_their_type(relay, task_type, extra, result, expected):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = owner.post("/api/admin/tasks", {"type": task_type, "agentId": "agent-1", **extra}).json["task"]
    if task["needsApproval"]:
        owner.post(f"/api/admin/tasks/{task['taskId']}/approve")
    agent.poll()
    assert agent.update(task["taskId"], status="completed", result=result).json == {"ok": True}
    view = next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task["taskId"])
    assert view["result"] == expected


def test_update_errors(relay, running):
    owner, agent, task_id = running
    other = pair_agent(relay, owner, "other")
    result = other.update(task_id, status="completed")
    assert (result.status_code, result.json) == (403, {"error": "agent-mismatch"})
    assert agent.update("task_0000000000000000", status="completed").json == {"error": "task-not-found"}
    foreign_ws, stranger = other_workspace(relay)
    foreign = pair_agent(relay, stranger, "foreign")
    result = foreign.update(task_id, status="completed")
    assert (result.status_code, result.json) == (404, {"error": "task-not-found"})
    for status in ("queued", "awaiting_approval", "interrupted", "rejected", "bogus", 5):
        result = agent.update(task_id, status=status)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "status"}), status
    result = agent.update(task_id, status="canceled")
    assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "status"})
    for field, value in (("outputAppend", 5), ("result", "x"), ("summary", []), ("threadId", 1)):
        assert agent.update(task_id, **{field: value}).json == {"error": "invalid-field", "detail": field}
    queued = created(owner)["taskId"]
    result = agent.update(queued, status="running")
    assert (result.status_code, result.json) == (409, {"error": "task-not-running"})
    assert agent.update(task_id, status="failed", error="boom").json == {"ok": True}
    result = agent.update(task_id, status="completed")
    assert (result.status_code, result.json) == (409, {"error": "task-already-finished"})
    assert agent.update(task_id, outputAppend="late").json == {"error": "task-already-finished"}


def test_output_update_wakes_a_change_wait(relay, running):
    owner, agent, task_id = running
    feed = relay.app.relay.feed
    scopes = [workspace(stored(relay, "tasks", task_id).workspace_id)]
    cursor = feed.cursor(scopes)
    thread, box = run_in_thread(lambda: feed.wait_for_change(cursor, scopes, 5))
    wait_until(lambda: feed.waiting == 1, what="the thread waiting on the change feed")
    agent.update(task_id, outputAppend="hello")
    thread.join(5)
    assert box["elapsed"] < 3 and box["result"] != cursor


# Every route of this issue: who it answers without credentials, and 405 for a wrong method.
ROUTES = [
    ("/api/admin/pairings", "missing-session"),
    ("/api/admin/pair-requests/pairreq_0000000000000000/approve", "missing-session"),
    ("/api/admin/pair-requests/pairreq_0000000000000000/reject", "missing-session"),
    ("/api/admin/tasks", "missing-session"),
    ("/api/admin/tasks/task_0000000000000000/approve", "missing-session"),
    ("/api/admin/tasks/task_0000000000000000/reject", "missing-session"),
    ("/api/admin/tasks/task_0000000000000000/cancel", "missing-session"),
    ("/api/admin/agents/agent-1/revoke", "missing-session"),
    ("/api/agent/poll", "missing-token"),
    ("/api/agent/tasks/task_0000000000000000/update", "missing-token"),
    ("/api/agent/pair", "invalid-pairing-code"),
    ("/api/agent/pair/status", "pair-request-not-found"),
    ("/api/auth/login-code", "invalid-login-code"),
]
SERVES_GET = {"/api/admin/tasks"}  # older tasks (issue 18): a GET there is a session read


@pytest.mark.parametrize(("path", "anonymous_error"), ROUTES)
def test_route_inventory(relay, path, anonymous_error):
    client = AgentClient(relay.app, None)
    body = {"agentId": "a1"} if path == "/api/agent/pair" else {}
    result = client.post(path, body)
    assert result.json == {"error": anonymous_error}
    assert result.status_code in (401, 404)
    wrong = client.client.simulate_get(path)
    if path in SERVES_GET:
        assert (wrong.status_code, wrong.json) == (401, {"error": "missing-session"})
    else:
        assert (wrong.status_code, wrong.json) == (405, {"error": "method-not-allowed"})
    assert wrong.headers["x-frame-options"] == "DENY"
