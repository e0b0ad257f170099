"""Idempotency-Key on task create: a client that retries gets the first task again, never a second."""

from __future__ import annotations

import pytest

from .agent_helpers import pair_agent
from .conftest import Relay
from .people_helpers import add_person

BODY = {"type": "codex_exec", "agentId": "agent-1", "prompt": "hello"}


@pytest.fixture(params=["memory", "redis"])
def relay(request, tmp_path, backend, new_dsn):
    """Keys in this process's memory and in a shared Redis (tests/servers/redis.py) alike."""
    volatile = {"backend": "redis", "url": request.getfixturevalue("redis_url")} if request.param == "redis" else {}
    instance = Relay(tmp_path, backend, dsn=new_dsn(), volatile=volatile or {"backend": "memory"})
    yield instance
    instance.close()


def create(browser, body=BODY, key: str | None = "retry-1"):
    return browser.post("/api/admin/tasks", body, headers={"Idempotency-Key": key} if key else None)


def task_count(relay) -> int:
    with relay.store.transaction(write=False) as tx:
        return tx.tasks.count()


def test_the_same_key_gives_the_same_task(relay):
    owner = relay.owner()
    agent = pair_agent(relay, owner)
    first = create(owner)
    again = create(owner)
    assert first.status_code == again.status_code == 201
    assert again.json["task"]["taskId"] == first.json["task"]["taskId"] and task_count(relay) == 1
    assert [t["taskId"] for t in agent.poll(maxTasks=8)["tasks"]] == [first.json["task"]["taskId"]]
    assert create(owner).json["task"]["status"] == "running"  # the task as it is now


def test_a_key_is_per_user_per_request_and_kept_a_day(relay):
    owner = relay.owner()
    pair_agent(relay, owner)
    first = create(owner).json["task"]["taskId"]
    assert create(owner, {**BODY, "prompt": "other"}).json == {"error": "idempotency-key-reused"}
    operator = add_person(relay, "operator")
    assert create(operator.browser).json["task"]["taskId"] != first  # another user's key is another key
    assert create(owner, key=None).json["task"]["taskId"] != first  # no key: a new task each time
    relay.clock.advance(24 * 3600 + 1)
    owner = relay.owner()
    assert create(owner).json["task"]["taskId"] != first  # a day later the key is forgotten
    assert task_count(relay) == 4


def test_a_malformed_key_is_refused(relay):
    owner = relay.owner()
    pair_agent(relay, owner)
    assert create(owner, key="x" * 121).json == {"error": "invalid-field", "detail": "Idempotency-Key"}
