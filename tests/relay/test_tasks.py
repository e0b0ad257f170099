"""Tasks from the phone: create rules and errors, approve/reject, cancel (incl. the 60 s fallback),
volatile text, interrupted at start, the state view's task list."""

from __future__ import annotations

import pytest

from .agent_helpers import create_task, created, member, other_workspace, pair_agent, relay_with, state_parts, stored  # noqa: F401
from .conftest import Relay


@pytest.fixture
def owner(relay):
    browser = relay.owner()
    pair_agent(relay, browser)
    return browser


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"type": "codex_exec", "prompt": "p", "cwd": "src"}, "queued", {"execMode": "read-only", "cwd": "src", "prompt": "p"}),
        ({"type": "run_action", "actionId": "status"}, "awaiting_approval", {"actionId": "status", "needsApproval": True}),
        ({"type": "read_log", "logSourceId": "app"}, "awaiting_approval", {"logSourceId": "app"}),
        ({"type": "read_session", "sessionId": "s1"}, "queued", {"sessionId": "s1", "execMode": ""}),
        ({"type": "delete_session", "sessionId": "s1"}, "queued", {"sessionId": "s1"}),
    ],
)  # fmt: skip
def test_create_each_type(relay, owner, body, status, fields):
    result = owner.post("/api/admin/tasks", {"agentId": "agent-1", **body})
    assert result.status_code == 201, result.text
    task = result.json["task"]
    assert task["status"] == status and task["title"] == body["type"] and task["taskId"].startswith("task_")
    for key, value in fields.items():
        assert task[key] == value, key
    assert set(task) >= {"cancelRequestedAt", "threadId", "execMode", "outputTail", "result", "diffText"}


def test_create_clamps_budgets(relay, owner):
    task = created(owner, prompt="é" * 7000, title="t" * 300, cwd="c" * 300)
    assert len(task["prompt"].encode()) <= 12000 and len(task["title"]) == 120 and len(task["cwd"]) == 240


def test_create_field_errors(relay, owner):
    for body, code in (
        ({"type": "nope", "agentId": "agent-1"}, {"error": "unsupported-task-type"}),
        ({"agentId": "agent-1"}, {"error": "unsupported-task-type"}),
        ({"type": 5, "agentId": "agent-1"}, {"error": "invalid-field", "detail": "type"}),
        ({"type": "codex_exec", "prompt": "p"}, {"error": "invalid-field", "detail": "agentId"}),
        ({"type": "codex_exec", "agentId": "agent-1"}, {"error": "invalid-field", "detail": "prompt"}),
        ({"type": "codex_exec", "agentId": "agent-1", "prompt": "p", "writeAccess": "yes"}, {"error": "invalid-field", "detail": "writeAccess"}),
        ({"type": "run_action", "agentId": "agent-1"}, {"error": "invalid-field", "detail": "actionId"}),
        ({"type": "read_log", "agentId": "agent-1", "logSourceId": 3}, {"error": "invalid-field", "detail": "logSourceId"}),
        ({"type": "read_session", "agentId": "agent-1"}, {"error": "invalid-field", "detail": "sessionId"}),
    ):  # fmt: skip
        result = owner.post("/api/admin/tasks", body)
        assert (result.status_code, result.json) == (400, code), body
    assert owner.post("/api/admin/tasks", body="x" * 16385).status_code == 413
    assert owner.post("/api/admin/tasks", body="[]").json == {"error": "invalid-json"}


def test_create_roles_and_lookups(relay, owner):
    assert create_task(member(relay, "viewer")).json == {"error": "insufficient-role"}
    assert create_task(member(relay, "operator")).status_code == 201
    assert create_task(owner, "ghost").json == {"error": "agent-not-found"}
    _, stranger = other_workspace(relay)
    result = create_task(stranger)
    assert (result.status_code, result.json) == (404, {"error": "agent-not-found"})
    owner.post("/api/admin/agents/agent-1/revoke")
    result = create_task(owner)
    assert (result.status_code, result.json) == (400, {"error": "agent-not-available"})


@pytest.mark.parametrize(
    ("flag", "body"),
    [("codexExec", {"type": "codex_exec", "prompt": "p"}), ("runAction", {"type": "run_action", "actionId": "a"}),
     ("readLog", {"type": "read_log", "logSourceId": "l"}), ("readSession", {"type": "read_session", "sessionId": "s"}),
     ("deleteSession", {"type": "delete_session", "sessionId": "s"}), ("codexExec", {"type": "read_session", "sessionId": "s"})],
)  # fmt: skip
def test_feature_flags(relay_with, flag, body):
    relay = relay_with(features={flag: False})
    owner = relay.owner()
    pair_agent(relay, owner)
    result = owner.post("/api/admin/tasks", {"agentId": "agent-1", **body})
    assert (result.status_code, result.json) == (403, {"error": "feature-disabled"})
    # Flags come after fields, before the agent lookup.
    assert owner.post("/api/admin/tasks", {**body, "agentId": 1}).json["error"] == "invalid-field"
    assert owner.post("/api/admin/tasks", {**body, "agentId": "ghost"}).json == {"error": "feature-disabled"}


def test_exec_mode_rules(relay, owner):
    assert created(owner, resumeSessionId="s1")["execMode"] == "resume"
    for body, detail in (
        ({"writeAccess": True, "resumeSessionId": "s1"}, "writeAccess"),
        ({"writeAccess": True, "execMode": "read-only"}, "writeAccess"),
        ({"execMode": "turbo"}, "execMode"),
        ({"execMode": "resume"}, "resumeSessionId"),
    ):
        result = create_task(owner, **body)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": detail}), body
    result = create_task(owner, writeAccess=True)
    assert (result.status_code, result.json) == (403, {"error": "write-mode-disabled"})
    assert create_task(owner, execMode="workspace-write").json == {"error": "write-mode-disabled"}
    # The order: agent-not-found -> agent-not-available -> execMode -> write-mode-disabled.
    assert create_task(owner, "ghost", execMode="turbo").json == {"error": "agent-not-found"}
    assert create_task(owner, "ghost", writeAccess=True).json == {"error": "agent-not-found"}


def test_resume_refuses_a_built_in_mode_that_would_start_a_new_session(relay, owner):
    for mode in ("read-only", "workspace-write"):
        result = create_task(owner, resumeSessionId="s1", execMode=mode)
        assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "execMode"}), mode
        # Check order: the agent lookup answers first.
        assert create_task(owner, "ghost", resumeSessionId="s1", execMode=mode).json == {"error": "agent-not-found"}
    assert state_parts(relay, owner)["tasks"] == []
    task = created(owner, resumeSessionId="s1", execMode="resume")
    assert (task["execMode"], task["resumeSessionId"], task["writeAccess"]) == ("resume", "s1", False)


def test_resume_with_a_third_party_mode_is_left_to_the_agent(relay, owner):
    agent = pair_agent(relay, owner, "agent-2")
    agent.poll(execModes=[{"id": "peek", "label": "Peek", "writes": False}])
    task = created(owner, "agent-2", resumeSessionId="s1", execMode="peek")
    assert (task["execMode"], task["resumeSessionId"]) == ("peek", "s1")


def test_advertised_exec_modes_and_write_mode_on(relay_with):
    relay = relay_with(features={"codexExecWrite": True})
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    agent.poll(execModes=[{"id": "fast", "label": "Fast", "writes": True}, {"id": "peek", "label": "Peek", "writes": False}])
    task = created(owner, writeAccess=True)
    assert (task["execMode"], task["writeAccess"]) == ("workspace-write", True)
    task = created(owner, execMode="fast")
    assert (task["execMode"], task["writeAccess"]) == ("fast", True)
    task = created(owner, execMode="peek")
    assert (task["execMode"], task["writeAccess"]) == ("peek", False)
    assert create_task(owner, execMode="peek", writeAccess=True).json == {"error": "invalid-field", "detail": "writeAccess"}


def test_approve_and_reject(relay, owner):
    action = owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "agent-1", "actionId": "status"}).json["task"]
    log = owner.post("/api/admin/tasks", {"type": "read_log", "agentId": "agent-1", "logSourceId": "app"}).json["task"]
    assert member(relay, "viewer").post(f"/api/admin/tasks/{action['taskId']}/approve").json == {"error": "insufficient-role"}
    approved = owner.post(f"/api/admin/tasks/{action['taskId']}/approve").json["task"]
    assert approved["status"] == "queued" and approved["approvedAt"] == "2026-11-26T12:00:00.000Z"
    rejected = member(relay, "operator").post(f"/api/admin/tasks/{log['taskId']}/reject").json["task"]
    assert rejected["status"] == "rejected" and rejected["rejectedAt"]
    for task_id in (action["taskId"], log["taskId"]):
        for verb in ("approve", "reject"):
            result = owner.post(f"/api/admin/tasks/{task_id}/{verb}")
            assert (result.status_code, result.json) == (409, {"error": "task-not-awaiting-approval"})
    result = owner.post("/api/admin/tasks/task_0000000000000000/approve")
    assert (result.status_code, result.json) == (404, {"error": "task-not-found"})
    _, stranger = other_workspace(relay)
    assert stranger.post(f"/api/admin/tasks/{action['taskId']}/reject").json == {"error": "task-not-found"}


def test_cancel_unstarted_tasks_at_once(relay, owner):
    queued = created(owner)
    waiting = owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "agent-1", "actionId": "a"}).json["task"]
    for task in (queued, waiting):
        view = owner.post(f"/api/admin/tasks/{task['taskId']}/cancel").json["task"]
        assert view["status"] == "canceled" and view["cancelRequestedAt"]
        result = owner.post(f"/api/admin/tasks/{task['taskId']}/cancel")
        assert (result.status_code, result.json) == (409, {"error": "task-already-finished"})
    _, stranger = other_workspace(relay)
    assert stranger.post(f"/api/admin/tasks/{queued['taskId']}/cancel").json == {"error": "task-not-found"}
    assert member(relay, "viewer").post(f"/api/admin/tasks/{queued['taskId']}/cancel").json == {"error": "insufficient-role"}


def test_cancel_running_task_agent_reports(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    agent.poll()
    view = owner.post(f"/api/admin/tasks/{task['taskId']}/cancel").json["task"]
    assert view["status"] == "running" and view["cancelRequestedAt"] == "2026-11-26T12:00:00.000Z"
    assert owner.post(f"/api/admin/tasks/{task['taskId']}/cancel").status_code == 200  # asking twice is fine
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == [task["taskId"]]
    assert agent.update(task["taskId"], status="canceled", error="canceled").json == {"ok": True}
    assert stored(relay, "tasks", task["taskId"]).status == "canceled"
    assert agent.poll(maxTasks=0)["cancelTaskIds"] == []


@pytest.mark.parametrize("seen_by", ["poll", "state"])
def test_cancel_fallback_after_60_seconds(relay, seen_by):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    task = created(owner)
    agent.poll()
    owner.post(f"/api/admin/tasks/{task['taskId']}/cancel")
    relay.clock.advance(59)
    agent.poll(maxTasks=0)
    assert stored(relay, "tasks", task["taskId"]).status == "running"
    relay.clock.advance(2)
    relay.sweep()  # the relay's sweeper, not the poll or the view, applies the deadline
    if seen_by == "poll":
        assert agent.poll(maxTasks=0)["cancelTaskIds"] == []
    else:
        assert next(t for t in state_parts(relay, owner)["tasks"] if t["taskId"] == task["taskId"])["status"] == "canceled"
    assert stored(relay, "tasks", task["taskId"]).status == "canceled"
    assert agent.update(task["taskId"], status="canceled").json == {"error": "task-already-finished"}


def test_tasks_in_state_view(relay, owner):
    ids = []
    for i in range(105):
        relay.clock.advance(1)
        ids.append(created(owner, prompt=f"prompt {i}")["taskId"])
    parts = state_parts(relay, owner)
    assert [t["taskId"] for t in parts["tasks"]] == ids[::-1][:100]
    assert parts["tasks"][0]["prompt"] == "prompt 104"
    _, stranger = other_workspace(relay)
    assert state_parts(relay, stranger)["tasks"] == [] and state_parts(relay, stranger)["agents"] == []


def test_locked_session_sees_no_agent_parts(relay, owner):
    created(owner)
    with relay.store.transaction() as tx:
        import attrs

        from mobile_codex.core.crypto import sha256_hex

        session = tx.sessions.get(sha256_hex(owner.cookies["mobilecodex_session"]))
        tx.sessions.put(attrs.evolve(session, needs_passkey_enrollment=True))
    assert state_parts(relay, owner) == {"pendingPairRequests": [], "agents": [], "tasks": []}


def _bytes_of(path) -> bytes:
    """A file's bytes; nothing for one the live cluster removed since it was listed (the session's
    PostgreSQL serves other tests' databases too: their caches and dropped files come and go)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def test_text_never_reaches_disk_and_tasks_are_interrupted_at_start(tmp_path, backend, new_dsn, request):
    dsn = new_dsn()
    first = Relay(tmp_path, backend, dsn=dsn)
    owner = first.owner()
    agent = pair_agent(first, owner)
    done = created(owner, prompt="PROMPT-MARKER-ÄÖ✓")
    agent.poll()
    agent.update(done["taskId"], outputAppend="OUTPUT-MARKER-日本", summary="SUMMARY-MARKER", status="completed",
                 result={"exitCode": 0}, diffText="DIFF-MARKER", error="ERROR-MARKER")  # fmt: skip
    running = created(owner, prompt="PROMPT-MARKER-2")
    agent.poll()
    queued = created(owner, prompt="PROMPT-MARKER-3")
    waiting = owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "agent-1", "actionId": "a"}).json["task"]
    cookies = dict(owner.cookies)
    first.close()
    searched = [path for path in (tmp_path / "data").rglob("*") if path.is_file()]
    if backend == "postgres":  # the whole cluster, WAL included, its heap pages flushed first
        server = request.getfixturevalue("postgres_server")
        server.psql("CHECKPOINT")
        searched += [path for path in server.data_dir.rglob("*") if path.is_file()]
        assert any(b"agent-1" in _bytes_of(path) for path in searched)  # the search finds what is stored
    for path in searched:
        data = _bytes_of(path)
        for marker in ("PROMPT-MARKER", "OUTPUT-MARKER", "日本", "ÄÖ✓", "SUMMARY-MARKER", "DIFF-MARKER", "ERROR-MARKER"):
            assert marker.encode() not in data, (path, marker)
    second = Relay(tmp_path, backend, dsn=dsn)
    try:
        for task in (running, queued, waiting):
            assert stored(second, "tasks", task["taskId"]).status == "interrupted"
        assert stored(second, "tasks", done["taskId"]).status == "completed"
        browser = second.browser()
        browser.cookies.update(cookies)
        views = {t["taskId"]: t for t in state_parts(second, browser)["tasks"]}
        assert views[done["taskId"]]["prompt"] == "" and views[done["taskId"]]["outputTail"] == ""
    finally:
        second.close()
