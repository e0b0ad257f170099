"""State deltas in the real app (issue 18): with 100 tasks of history the live state carries only
what changed, and the screens still see the whole list (web/state_merge.js), in the relay's order."""

from __future__ import annotations

import json

from mobile_codex.core.records import Task
from tests.relay.agent_helpers import pair_over_http
from tests.waiting import wait_until

from .conftest import BOOTSTRAP_TOKEN


def _history(relay, count: int) -> None:
    ctx = relay.app.relay
    with ctx.store.transaction() as tx:
        workspace_id = tx.users.get(tx.get_meta().bootstrap_user_id).last_workspace_id
        for n in range(count):
            stamp = f"2026-11-01T10:{n // 60:02d}:{n % 60:02d}.000Z"
            tx.tasks.put(Task(
                task_id=f"task_{n:016x}", workspace_id=workspace_id, agent_id="box-1", type="run_action",
                title="status", status="completed", created_at=stamp, updated_at=stamp, action_id="status",
            ))  # fmt: skip


def test_the_live_state_sends_changes_only_and_the_app_keeps_the_whole_list(relay, phone):
    owner = relay.owner()
    pair_over_http(relay, owner, "box-1")
    _history(relay, 100)
    responses: list = []
    phone.page.on("response", lambda r: "/api/admin/state?" in r.url and "tasksSince=" in r.url and responses.append(r))

    def answers() -> list[dict]:
        """The app's state answers so far (Playwright delivers events while the page is waited on)."""
        phone.page.wait_for_timeout(50)
        return [{"body": json.loads(r.body()), "bytes": len(r.body())} for r in responses if r.ok]

    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    tasks = phone.tab("Tasks", "tasks")
    tasks.locator("[role=status]", has_text="100 tasks").wait_for()
    first = wait_until(lambda: answers()[:1])[0]
    assert first["body"]["tasksDelta"] is False and len(first["body"]["tasks"]) == 100

    status, made = owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "box-1", "actionId": "status"})
    assert status == 201, made
    new_id = made["task"]["taskId"]
    delta = wait_until(lambda: next((a for a in answers() if any(t["taskId"] == new_id for t in a["body"]["tasks"])), None))
    assert delta["body"]["tasksDelta"] is True
    assert [t["taskId"] for t in delta["body"]["tasks"]] == [new_id]
    assert delta["body"]["removedTaskIds"] == ["task_0000000000000000"]  # pushed past the newest 100
    assert delta["bytes"] * 10 < first["bytes"]

    # The screen shows the merged list: still 100, the new task first, the oldest gone.
    tasks.locator(f"[data-task-id={new_id}]").wait_for()
    assert tasks.locator("[role=status]").inner_text() == "100 tasks"
    rows = tasks.locator("[data-task-id]")
    assert rows.first.get_attribute("data-task-id") == new_id
    assert tasks.locator("[data-task-id=task_0000000000000000]").count() == 0
    assert rows.nth(99).get_attribute("data-task-id") == "task_0000000000000001"
    phone.check("tasks-after-delta")


def test_the_merge_module_rebuilds_the_full_view(relay, phone):
    """web/state_merge.js and api.state, run in the page against the relay: merging deltas gives
    exactly the full view; api.olderTasks pages past it."""
    owner = relay.owner()
    pair_over_http(relay, owner, "box-1")
    _history(relay, 130)
    phone.open("/")
    phone.bootstrap_sign_in(BOOTSTRAP_TOKEN)
    phone.screen("home")
    result = phone.page.evaluate("""async () => {
        const { api } = await import('/api.js');
        const { mergeTasks } = await import('/state_merge.js');
        let state = await api.state(null, 0, { tasksSince: '' });
        let tasks = mergeTasks([], state);
        await api.createTask({ type: 'read_log', agentId: 'box-1', logSourceId: 'app' });
        state = await api.state(null, 0, { tasksSince: state.tasksCursor });
        const delta = { count: state.tasks.length, removed: state.removedTaskIds, isDelta: state.tasksDelta };
        tasks = mergeTasks(tasks, state);
        const full = (await api.state(null, 0)).tasks;
        const older = await api.olderTasks(full[full.length - 1].taskId, 100);
        return { delta, merged: tasks.map((t) => t.taskId), full: full.map((t) => t.taskId),
                 older: older.tasks.length, nextBefore: older.nextBefore };
    }""")
    assert result["delta"] == {"count": 1, "removed": ["task_000000000000001e"], "isDelta": True}
    assert result["merged"] == result["full"] and len(result["full"]) == 100
    assert (result["older"], result["nextBefore"]) == (31, None)  # 130 + the new one, past the newest 100
