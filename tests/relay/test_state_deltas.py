"""State deltas (issue 18): with `tasksSince` the state view sends only the tasks that changed since
the phone's last view and the ids that left it; without it, the whole list as before."""

from __future__ import annotations

from mobile_codex.core.records import Task

from .agent_helpers import created, member, pair_agent
from .people_helpers import primary_workspace_id

STATE = "/api/admin/state"


def _view(browser, since: str | None = "") -> dict:
    path = STATE if since is None else f"{STATE}?tasksSince={since}"
    result = browser.get(path)
    assert result.status_code == 200, result.text
    return result.json


def _history(relay, count: int) -> None:
    with relay.app.relay.store.transaction() as tx:
        for n in range(count):
            stamp = f"2026-11-01T10:{n // 60:02d}:{n % 60:02d}.000Z"
            tx.tasks.put(Task(
                task_id=f"task_{n:016x}", workspace_id=primary_workspace_id(relay), agent_id="agent-1",
                type="run_action", title="status", status="completed", created_at=stamp, updated_at=stamp,
            ))  # fmt: skip


def _merge(known: list[dict], view: dict) -> list[dict]:
    """What the web app does (web/state_merge.js), to check the relay gives it enough."""
    if not view["tasksDelta"]:
        return view["tasks"]
    by_id = {t["taskId"]: t for t in known if t["taskId"] not in set(view["removedTaskIds"])}
    by_id.update({t["taskId"]: t for t in view["tasks"]})
    return sorted(by_id.values(), key=lambda t: (_desc(t["updatedAt"]), t["taskId"]))


def _desc(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


def test_old_clients_get_the_whole_list_and_no_delta_fields(relay):
    owner = relay.owner()
    pair_agent(relay, owner)
    _history(relay, 5)
    view = _view(owner, None)
    assert len(view["tasks"]) == 5
    assert not {"tasksDelta", "removedTaskIds", "tasksCursor"} & set(view)


def test_a_phone_gets_only_what_changed_and_what_left(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    _history(relay, 100)
    first = _view(owner)
    assert first["tasksDelta"] is False and len(first["tasks"]) == 100 and first["removedTaskIds"] == []
    known = _merge([], first)

    same = _view(owner, first["tasksCursor"])  # nothing changed
    assert (same["tasksDelta"], same["tasks"], same["removedTaskIds"]) == (True, [], [])
    assert same["tasksCursor"] != first["tasksCursor"]

    # A new task pushes the oldest out of the newest 100; it comes alone, and the oldest leaves.
    task = created(owner)
    newer = _view(owner, same["tasksCursor"])
    assert [t["taskId"] for t in newer["tasks"]] == [task["taskId"]]
    assert newer["removedTaskIds"] == ["task_0000000000000000"]
    known = _merge(known, newer)

    # The agent takes it and streams output: only that task again, with its text.
    agent.poll()
    assert agent.update(task["taskId"], status="running", outputAppend="hello").json == {"ok": True}
    streamed = _view(owner, newer["tasksCursor"])
    assert [(t["taskId"], t["outputTail"]) for t in streamed["tasks"]] == [(task["taskId"], "hello")]
    known = _merge(known, streamed)

    # What the phone merged is exactly the full view, in the same order.
    full = _view(owner, None)["tasks"]
    assert [t["taskId"] for t in known] == [t["taskId"] for t in full]
    assert known == full


def test_an_unknown_or_foreign_cursor_answers_the_whole_list(relay):
    owner = relay.owner()
    pair_agent(relay, owner)
    _history(relay, 3)
    assert _view(owner, "not-a-cursor")["tasksDelta"] is False
    mine = _view(owner)["tasksCursor"]
    other = member(relay, "viewer")  # same workspace, another session: my cursor is not theirs
    theirs = _view(other, mine)
    assert theirs["tasksDelta"] is False and len(theirs["tasks"]) == 3
    assert _view(owner, mine)["tasksDelta"] is True
    repeated = owner.get(f"{STATE}?tasksSince=a&tasksSince=b")
    assert (repeated.status_code, repeated.json) == (400, {"error": "invalid-field", "detail": "tasksSince"})


def test_a_retry_with_the_previous_cursor_still_gets_a_delta(relay):
    owner = relay.owner()
    pair_agent(relay, owner)
    _history(relay, 3)
    first = _view(owner)
    _view(owner, first["tasksCursor"])  # its answer was lost on the way
    again = _view(owner, first["tasksCursor"])
    assert again["tasksDelta"] is True and again["tasks"] == []
