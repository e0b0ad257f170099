"""GET /api/admin/tasks?before=&limit= (issue 18): the tasks past the state view's newest 100, a
page at a time, in the state view's order, only of the caller's workspace."""

from __future__ import annotations

import pytest

from mobile_codex.core.records import Task

from .agent_helpers import member, other_workspace, pair_agent
from .people_helpers import primary_workspace_id, state


def _put_tasks(relay, workspace_id: str, count: int) -> None:
    """`count` finished tasks, their update times spread out with some ties (ties go by id)."""
    with relay.app.relay.store.transaction() as tx:
        for n in range(count):
            stamp = f"2026-11-{1 + n // 10:02d}T10:00:00.000Z"  # ten tasks share each time
            tx.tasks.put(Task(
                task_id=f"task_{n:016x}", workspace_id=workspace_id, agent_id="agent-1", type="run_action",
                title="status", status="completed", created_at=stamp, updated_at=stamp, action_id="status",
            ))  # fmt: skip


def _page(browser, before: str | None = None, limit: int | None = None) -> dict:
    query = "&".join(f"{k}={v}" for k, v in (("before", before), ("limit", limit)) if v is not None)
    result = browser.get(f"/api/admin/tasks{'?' + query if query else ''}")
    assert result.status_code == 200, result.text
    return result.json


@pytest.fixture
def owner(relay):
    browser = relay.owner()
    pair_agent(relay, browser)
    _put_tasks(relay, primary_workspace_id(relay), 237)
    return browser


def test_paging_past_the_state_view_reaches_every_task_once_in_order(relay, owner):
    newest = [t["taskId"] for t in state(owner)["tasks"]]
    assert len(newest) == 100
    seen, before = list(newest), newest[-1]
    while before is not None:
        page = _page(owner, before, 40)
        assert 0 < len(page["tasks"]) <= 40
        seen += [t["taskId"] for t in page["tasks"]]
        before = page["nextBefore"]
        assert before is None or before == page["tasks"][-1]["taskId"]
    assert len(seen) == len(set(seen)) == 237
    # One order from the first task to the last: newest update first, ties by id.
    times = [int(task_id[5:], 16) // 10 for task_id in seen]
    assert times == sorted(times, reverse=True)
    for a, b in zip(seen, seen[1:]):
        if int(a[5:], 16) // 10 == int(b[5:], 16) // 10:
            assert a < b


def test_without_before_it_starts_at_the_newest_and_the_limit_is_clamped(relay, owner):
    first = _page(owner)
    assert len(first["tasks"]) == 50  # the default
    assert [t["taskId"] for t in first["tasks"]] == [t["taskId"] for t in state(owner)["tasks"][:50]]
    assert first["nextBefore"] == first["tasks"][-1]["taskId"]
    assert len(_page(owner, limit=1000)["tasks"]) == 100
    assert len(_page(owner, limit=0)["tasks"]) == 1
    task = _page(owner, limit=1)["tasks"][0]
    assert {"taskId", "status", "title", "updatedAt", "prompt", "outputTail", "threadId", "createdBy"} <= set(task)


def test_the_last_page_says_there_is_no_more(relay, owner):
    first = _page(owner, limit=100)
    second = _page(owner, first["nextBefore"], 100)
    third = _page(owner, second["nextBefore"], 100)
    assert [len(p["tasks"]) for p in (first, second, third)] == [100, 100, 37]
    assert third["nextBefore"] is None
    assert _page(owner, third["tasks"][-1]["taskId"]) == {"ok": True, "tasks": [], "nextBefore": None}


def test_bad_and_foreign_ids_and_who_may(relay, owner):
    result = owner.get("/api/admin/tasks?limit=many")
    assert (result.status_code, result.json) == (400, {"error": "invalid-field", "detail": "limit"})
    result = owner.get("/api/admin/tasks?before=task_ffffffffffffffff")
    assert (result.status_code, result.json) == (404, {"error": "task-not-found"})
    workspace_id, stranger = other_workspace(relay)
    mine = _page(owner, limit=1)["tasks"][0]["taskId"]
    result = stranger.get(f"/api/admin/tasks?before={mine}")
    assert (result.status_code, result.json) == (404, {"error": "task-not-found"})
    assert _page(stranger) == {"ok": True, "tasks": [], "nextBefore": None}  # none of ours
    viewer_page = _page(member(relay, "viewer"), mine, 5)
    assert len(viewer_page["tasks"]) == 5
