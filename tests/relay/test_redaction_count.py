"""A task's redaction count (the agent's `redactions`) is stored metadata: it never goes down, and it
outlives a relay restart, and a wiped Redis, that take the task's text with them."""

from __future__ import annotations

import pytest

from .agent_helpers import LiveRelay, pair_over_http, stored

PROMPT = "tidy the config loader"


def _task_views(phone) -> dict[str, dict]:
    status, state = phone.get("/api/admin/state")
    assert status == 200, state
    return {task["taskId"]: task for task in state["tasks"]}


def _running_task(live: LiveRelay, phone, agent) -> str:
    status, body = phone.post("/api/admin/tasks", {"type": "codex_exec", "agentId": "agent-1", "prompt": PROMPT})
    assert status == 201, body
    task_id = body["task"]["taskId"]
    assert body["task"]["redactions"] == 0  # nothing hidden yet
    status, polled = agent.post("/api/agent/poll", {})
    assert status == 200 and [t["taskId"] for t in polled["tasks"]] == [task_id], polled
    return task_id


@pytest.mark.parametrize("backend", ["sqlite", "json", "postgres"])
def test_the_count_never_goes_down_and_outlives_a_restart(tmp_path, backend, new_dsn):
    dsn = new_dsn()
    live = LiveRelay(tmp_path, backend=backend, dsn=dsn)
    try:
        phone = live.phone()
        agent = pair_over_http(live, phone)
        task_id = _running_task(live, phone, agent)
        update = f"/api/agent/tasks/{task_id}/update"
        assert agent.post(update, {"outputAppend": "token [redacted: GitHub Token]\n", "redactions": 3})[0] == 200
        assert _task_views(phone)[task_id]["redactions"] == 3
        # A late or replayed update with a lower count, and one without any, leave it at 3.
        assert agent.post(update, {"redactions": 1})[0] == 200
        assert agent.post(update, {"outputAppend": "more\n"})[0] == 200
        assert _task_views(phone)[task_id]["redactions"] == 3
        assert stored(live, "tasks", task_id).redactions == 3

        # A finished task keeps its count as well.
        done_id = _running_task(live, phone, agent)
        done = {"status": "completed", "summary": "done", "redactions": 2}
        assert agent.post(f"/api/agent/tasks/{done_id}/update", done)[0] == 200
    finally:
        live.close()

    live = LiveRelay(tmp_path, backend=backend, dsn=dsn)  # a restart: the texts are gone, the counts are not
    try:
        phone = live.phone()
        views = _task_views(phone)
        assert (views[task_id]["status"], views[task_id]["prompt"], views[task_id]["outputTail"]) == ("interrupted", "", "")
        assert views[task_id]["redactions"] == 3
        assert (views[done_id]["status"], views[done_id]["summary"], views[done_id]["redactions"]) == ("completed", "", 2)
        status, listed = phone.get("/api/admin/tasks")  # the task list serves the same views
        assert status == 200, listed
        assert {t["taskId"]: t["redactions"] for t in listed["tasks"]} == {task_id: 3, done_id: 2}
    finally:
        live.close()


def test_a_task_that_hid_nothing_says_zero_after_a_restart(tmp_path):
    live = LiveRelay(tmp_path)
    try:
        phone = live.phone()
        agent = pair_over_http(live, phone)
        task_id = _running_task(live, phone, agent)
        assert agent.post(f"/api/agent/tasks/{task_id}/update", {"outputAppend": "clean\n"})[0] == 200
    finally:
        live.close()
    live = LiveRelay(tmp_path)
    try:
        assert _task_views(live.phone())[task_id]["redactions"] == 0
    finally:
        live.close()


def test_the_count_outlives_a_wiped_redis(tmp_path, redis_server, redis_url):
    # On the shared volatile store, a Redis restarted empty loses every task's text; the count is not text.
    live = LiveRelay(tmp_path, volatile={"backend": "redis", "url": redis_url})
    try:
        phone = live.phone()
        agent = pair_over_http(live, phone)
        task_id = _running_task(live, phone, agent)
        assert agent.post(f"/api/agent/tasks/{task_id}/update", {"outputAppend": "x\n", "redactions": 3})[0] == 200
        redis_server.flush()
        assert live.app.relay.services.housekeeping.sweep().interrupted == 1
        view = _task_views(phone)[task_id]
        assert (view["status"], view["outputTail"], view["redactions"]) == ("interrupted", "", 3)
    finally:
        live.close()
