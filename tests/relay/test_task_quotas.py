"""Issue 15, finding 6: one workspace cannot wipe another's queued prompts.

Unfinished tasks' text is never evicted from the volatile store; task create answers 429
`too-many-tasks` past a workspace's unfinished tasks, a user's creates per minute, or when the
volatile store has no room left for one more unfinished task's text."""

from __future__ import annotations

import pytest

from mobile_codex.core.task_text import TextBounds, text_size
from mobile_codex.relay_app.services.task_results import sanitize_result
from mobile_codex.relay_app.services.tasks import (
    DIFF_BYTES, ERROR_BYTES, OUTPUT_TAIL_BYTES, PROMPT_BYTES, SUMMARY_BYTES, TASKS_IN_VIEW, TEXT_RESERVE,
)  # fmt: skip

from .agent_helpers import create_task, created, member, other_workspace, pair_agent

TOO_MANY = (429, {"error": "too-many-tasks"})


def _refused(result) -> tuple[int, dict]:
    return result.status_code, result.json


@pytest.fixture(params=["memory", "redis"])
def volatile(request) -> dict:
    """The relay's `volatile` section: task text in its memory, or in a Redis replicas would share."""
    if request.param == "memory":
        return {"backend": "memory"}
    return {"backend": "redis", "url": request.getfixturevalue("redis_url")}


def test_a_flood_from_another_workspace_never_wipes_a_queued_prompt(make_relay, volatile):
    relay = make_relay(volatile=volatile)
    relay.app.relay.services.tasks.volatile = relay.app.relay.shared.task_text(TextBounds(max_tasks=10))  # small, same rules
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    queued = created(owner, prompt="our queued prompt")
    _, stranger = other_workspace(relay)
    pair_agent(relay, stranger, "agent-b")
    answers = [create_task(stranger, "agent-b", prompt="x" * PROMPT_BYTES) for _ in range(12)]
    assert [a.status_code for a in answers] == [201] * 9 + [429] * 3
    assert _refused(answers[-1]) == TOO_MANY
    claimed = agent.poll()["tasks"]
    assert [(t["taskId"], t["prompt"]) for t in claimed] == [(queued["taskId"], "our queued prompt")]


def test_unfinished_tasks_per_workspace_are_capped(make_relay):
    relay = make_relay(limits={"maxUnfinishedTasksPerWorkspace": 3})
    owner = relay.owner()
    pair_agent(relay, owner)
    tasks = [created(owner) for _ in range(3)]
    assert _refused(create_task(owner)) == TOO_MANY
    assert _refused(owner.post("/api/admin/tasks", {"type": "run_action", "agentId": "agent-1", "actionId": "a"})) == TOO_MANY
    _, stranger = other_workspace(relay)  # the quota is the workspace's, not the relay's
    pair_agent(relay, stranger, "agent-b")
    assert create_task(stranger, "agent-b").status_code == 201
    assert owner.post(f"/api/admin/tasks/{tasks[0]['taskId']}/cancel").json["task"]["status"] == "canceled"
    assert create_task(owner).status_code == 201  # a finished task no longer counts


def test_task_creates_per_user_are_rate_limited(make_relay):
    relay = make_relay(limits={"maxTaskCreatesPerUserPerMinute": 2})
    owner = relay.owner()
    pair_agent(relay, owner)
    assert [create_task(owner).status_code for _ in range(2)] == [201, 201]
    assert _refused(create_task(owner)) == TOO_MANY
    assert create_task(member(relay, "operator")).status_code == 201  # another user has a budget of their own
    relay.clock.advance(61)
    assert create_task(owner).status_code == 201


def test_the_limits_have_documented_defaults(relay):
    limits = relay.config.limits
    assert (limits.max_unfinished_tasks_per_workspace, limits.max_task_creates_per_user_per_minute) == (200, 60)


def test_the_relay_keeps_the_finished_text_its_state_view_shows(make_relay, volatile):
    relay = make_relay(limits={"maxTaskCreatesPerUserPerMinute": 1000}, volatile=volatile)
    owner = relay.owner()
    pair_agent(relay, owner)
    tasks = [created(owner, prompt=f"prompt {n}") for n in range(TASKS_IN_VIEW + 2)]
    for task in tasks:
        relay.clock.advance(1)  # the view orders by update time
        assert owner.post(f"/api/admin/tasks/{task['taskId']}/cancel").json["task"]["status"] == "canceled"
    volatile = relay.app.relay.services.tasks.volatile
    assert volatile.bounds.finished_per_workspace == TASKS_IN_VIEW and volatile.stats()[0] == TASKS_IN_VIEW
    shown = owner.get("/api/admin/state").json["tasks"]
    # newest first: the last 100 canceled, each with its prompt; the first two have dropped out
    assert [t["prompt"] for t in shown] == [f"prompt {n}" for n in range(TASKS_IN_VIEW + 1, 1, -1)]


def test_the_reserve_covers_the_largest_text_a_task_can_hold():
    message = {"role": "r" * 16, "text": "\x01" * 400}
    result = sanitize_result("read_session", {
        "sessionId": "s" * 120, "title": "t" * 180, "cwd": "c" * 240, "messageCount": 10**9,
        "messages": [message] * 200, "completedAt": "x" * 40,
    })  # fmt: skip
    largest = {
        "prompt": "p" * PROMPT_BYTES, "summary": "s" * SUMMARY_BYTES, "outputTail": "o" * OUTPUT_TAIL_BYTES,
        "diffText": "d" * DIFF_BYTES, "result": result, "error": "e" * ERROR_BYTES,
    }  # fmt: skip
    assert len(result["messages"]) == 80 and text_size(largest) <= TEXT_RESERVE
